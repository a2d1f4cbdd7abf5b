/*
 * tests/host/test_swaparea.c - recognising a Linux swap header (mm/swaparea.c).
 *
 * Each case builds the first page of a swap area the way mkswap lays it out,
 * then breaks one thing. A file given on the command line (e.g. made with
 * `mkswap`) is parsed too and must be accepted.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "mm/swaparea.h"

static uint8_t page[4096];
static struct swap_area_info info;

static void put32(unsigned off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        page[off + i] = (uint8_t)(v >> (8 * i));
}

/* A good header: version 1, pages 1..last usable, `bad` bad pages, a label. */
static void make(uint32_t last, uint32_t nbad)
{
    memset(page, 0, sizeof page);
    put32(1024, 1);
    put32(1028, last);
    put32(1032, nbad);
    memcpy(page + 1052, "testswap", 8);
    for (uint32_t i = 0; i < nbad; i++)
        put32(1536 + 4 * i, 2 + i);
    memcpy(page + 4086, "SWAPSPACE2", 10);
}

static int parse(uint64_t device_pages, const char **why)
{
    return swap_parse_header(page, device_pages, &info, why);
}

/* Expect: a well-formed header is accepted with its fields. */
static void test_good(void)
{
    const char *why = "unset";
    make(1000, 2);
    CHECK_EQ(parse(1001, &why), SWAP_OK);
    CHECK(why == NULL);
    CHECK_EQ(info.last_page, 1000);
    CHECK_EQ(info.nr_bad, 2);
    CHECK_EQ(info.bad[0], 2);
    CHECK_EQ(info.bad[1], 3);
    CHECK_STR(info.label, "testswap");
}

/* Expect: each broken field is refused with its own code and a sentence. */
static void test_bad(void)
{
    const char *why = NULL;
    make(1000, 0);
    memset(page + 4086, 0, 10);
    CHECK_EQ(parse(1001, &why), SWAP_E_NONE);
    CHECK(why != NULL);
    make(1000, 0);
    memcpy(page + 4086, "SWAP-SPACE", 10);
    CHECK_EQ(parse(1001, &why), SWAP_E_OLD);
    make(1000, 0);
    put32(1024, 0x01000000u); /* version 1, big-endian */
    CHECK_EQ(parse(1001, &why), SWAP_E_FORMAT);
    CHECK(strstr(why, "big-endian") != NULL);
    make(1000, 0);
    put32(1024, 2);
    CHECK_EQ(parse(1001, &why), SWAP_E_FORMAT);
    make(0, 0); /* no page after the header */
    CHECK_EQ(parse(1001, &why), SWAP_E_FORMAT);
    make(1000, 0); /* larger than the disk: 1001 pages needed, 1000 there */
    CHECK_EQ(parse(1000, &why), SWAP_E_FORMAT);
    make(1000, 0);
    put32(1032, SWAP_MAX_BAD + 1);
    CHECK_EQ(parse(1001, &why), SWAP_E_FORMAT);
    make(1000, 1);
    put32(1536, 0); /* the header itself as a bad page */
    CHECK_EQ(parse(1001, &why), SWAP_E_FORMAT);
    make(1000, 1);
    put32(1536, 1001); /* past the end */
    CHECK_EQ(parse(1001, &why), SWAP_E_FORMAT);
    make(1000, SWAP_MAX_BAD); /* the most bad pages there is room for */
    CHECK_EQ(parse(1001, &why), SWAP_OK);
    CHECK_EQ(info.nr_bad, SWAP_MAX_BAD);
}

int main(int argc, char **argv)
{
    RUN(test_good);
    RUN(test_bad);
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        CHECK(f != NULL);
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        CHECK_EQ(fread(page, 1, sizeof page, f), sizeof page);
        fclose(f);
        const char *why = NULL;
        CHECK_EQ(parse((uint64_t)size / 4096, &why), SWAP_OK);
        printf("%s: last page %u, %u bad, label \"%s\"\n", argv[i], info.last_page, info.nr_bad, info.label);
    }
    return check_summary("test_swaparea");
}
