/*
 * tests/fuzz/fuzz_elf.c - libFuzzer target for the ELF executable parser (kernel/elf.c).
 *
 * Input: the file itself, copied to a buffer of exactly its size so that ASan
 * catches any read past the end. A rejection must come with a negative ELF_E_*
 * code and a non-empty sentence. An acceptance must describe a loadable program:
 * 1..ELF_MAX_SEGMENTS segments, each inside [ELF_USER_LOW, ELF_USER_HIGH) without
 * wrapping, with filesz <= memsz and its file bytes inside the input; sorted and
 * byte-disjoint; the entry point inside an executable segment; [low, high)
 * page-aligned, covering every segment and touching the first and last; a non-zero
 * phdr_vaddr inside a segment's file-backed bytes. Any violation is a __builtin_trap().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/elf.h"

#define REQUIRE(c)            \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

static void check_image(const struct elf_image *img, size_t size)
{
    int exec = 0, phdr = img->phdr_vaddr == 0;

    REQUIRE(img->nseg >= 1 && img->nseg <= ELF_MAX_SEGMENTS);
    REQUIRE(img->phnum >= 1 && img->phnum <= ELF_MAX_PHNUM && img->phentsize == 32);
    REQUIRE((img->low & 0xFFF) == 0 && (img->high & 0xFFF) == 0 && img->low < img->high);
    REQUIRE(img->low >= ELF_USER_LOW && img->high <= ELF_USER_HIGH);
    for (int i = 0; i < img->nseg; i++) {
        const struct elf_segment *s = &img->seg[i];
        uint64_t end = (uint64_t)s->vaddr + s->memsz;

        REQUIRE(s->memsz > 0 && s->filesz <= s->memsz);
        REQUIRE(s->vaddr >= ELF_USER_LOW && end <= ELF_USER_HIGH);
        REQUIRE((uint64_t)s->offset + s->filesz <= size);
        REQUIRE((s->flags & ~(uint32_t)(ELF_R | ELF_W | ELF_X)) == 0);
        REQUIRE(s->vaddr >= img->low && end <= img->high);
        if (i > 0)
            REQUIRE((uint64_t)img->seg[i - 1].vaddr + img->seg[i - 1].memsz <= s->vaddr);
        if ((s->flags & ELF_X) && img->entry >= s->vaddr && img->entry < end)
            exec = 1;
        if (img->phdr_vaddr >= s->vaddr &&
            (uint64_t)img->phdr_vaddr + img->phnum * 32 <= s->vaddr + s->filesz)
            phdr = 1;
    }
    REQUIRE(exec && phdr);
    REQUIRE(img->low == (img->seg[0].vaddr & ~0xFFFu));
    REQUIRE(img->high - img->seg[img->nseg - 1].vaddr - img->seg[img->nseg - 1].memsz < 0x1000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct elf_image img;
    const char *why = NULL;
    uint8_t *copy = malloc(size ? size : 1);
    int r;

    REQUIRE(copy != NULL);
    memcpy(copy, data, size);
    r = elf_parse(copy, size, &img, &why);
    if (r == 0) {
        REQUIRE(why == NULL);
        check_image(&img, size);
        /* Parsing is a pure function of the bytes: a second run agrees. */
        static struct elf_image again;
        REQUIRE(elf_parse(copy, size, &again, NULL) == 0);
        REQUIRE(again.nseg == img.nseg && again.entry == img.entry && again.phdr_vaddr == img.phdr_vaddr);
        REQUIRE(memcmp(again.seg, img.seg, sizeof img.seg[0] * (size_t)img.nseg) == 0);
    } else {
        REQUIRE(r >= ELF_E_PHDR && r <= ELF_E_SHORT);
        REQUIRE(why == img.why && why[0] != '\0' && strlen(why) < sizeof img.why);
    }
    free(copy);
    return 0;
}
