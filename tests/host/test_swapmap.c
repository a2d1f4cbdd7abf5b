/*
 * tests/host/test_swapmap.c - swap slots and their reference counts (mm/swapmap.c).
 */
#include <stdlib.h>
#include "check.h"
#include "host_shim.h"
#include "mm/swapmap.h"

static struct swapmap m;
static void *storage;

static void reset(uint32_t nslots, const uint32_t *bad, uint32_t nbad)
{
    free(storage);
    storage = malloc(swapmap_storage_bytes(nslots));
    swapmap_init(&m, storage, nslots, bad, nbad);
    host_misuse_reset();
}

/* Expect: slot 0 (the header) and bad pages are never handed out; every other slot once. */
static void test_alloc_all(void)
{
    static const uint32_t bad[] = {5, 64, 99};
    reset(100, bad, 3);
    CHECK_EQ(swapmap_used(&m), 0);
    static uint8_t seen[100];
    uint32_t n = 0, s;
    while ((s = swapmap_alloc(&m)) != 0) {
        CHECK(s < 100);
        CHECK(s != 5 && s != 64 && s != 99);
        CHECK_EQ(seen[s], 0);
        seen[s] = 1;
        n++;
    }
    CHECK_EQ(n, 100 - 1 - 3);
    CHECK_EQ(swapmap_used(&m), n);
    CHECK_EQ(swapmap_alloc(&m), 0); /* full stays full */
}

/* Expect: a shared slot is free only after its last reference goes. */
static void test_refcounts(void)
{
    reset(64, NULL, 0);
    uint32_t s = swapmap_alloc(&m);
    CHECK(s != 0);
    swapmap_dup(&m, s);
    CHECK_EQ(swapmap_count(&m, s), 2);
    CHECK_EQ(swapmap_put(&m, s), 1);
    CHECK_EQ(swapmap_used(&m), 1);
    CHECK_EQ(swapmap_put(&m, s), 0);
    CHECK_EQ(swapmap_used(&m), 0);
    CHECK_EQ(host_misuse_count, 0);
    /* Freed slots come back. */
    uint32_t t = swapmap_alloc(&m);
    CHECK(t != 0);
}

/* Expect: dropping a free, bad, header or out-of-range slot is reported and changes nothing. */
static void test_misuse(void)
{
    static const uint32_t bad[] = {7};
    reset(32, bad, 1);
    CHECK_EQ(swapmap_put(&m, 3), 0xFFFFFFFFu);
    CHECK_EQ(swapmap_put(&m, 0), 0xFFFFFFFFu);
    CHECK_EQ(swapmap_put(&m, 7), 0xFFFFFFFFu);
    CHECK_EQ(swapmap_put(&m, 32), 0xFFFFFFFFu);
    swapmap_dup(&m, 3);
    CHECK_EQ(host_misuse_count, 5);
    CHECK_EQ(swapmap_used(&m), 0);
}

/* Expect: against a model, random alloc/dup/put over 5000 slots keeps counts and the used total exact. */
static void test_random(void)
{
    enum {
        N = 5000
    };
    static uint16_t model[N];
    static const uint32_t bad[] = {17, 4096, 4999};
    reset(N, bad, 3);
    uint32_t used = 0, x = 12345, wrong = 0;
    for (int op = 0; op < 200000; op++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        uint32_t s = 1 + x % (N - 1);
        if (x % 3 == 0) {
            uint32_t a = swapmap_alloc(&m);
            if (used == N - 4) {
                wrong += a != 0;
                continue;
            }
            wrong += a == 0 || model[a] != 0 || a == 17 || a == 4096 || a == 4999;
            model[a] = 1;
            used++;
        } else if (model[s] && x % 3 == 1) {
            swapmap_dup(&m, s);
            model[s]++;
        } else if (model[s]) {
            wrong += swapmap_put(&m, s) != model[s] - 1u;
            if (--model[s] == 0)
                used--;
        }
    }
    CHECK_EQ(wrong, 0);
    CHECK_EQ(swapmap_used(&m), used);
    uint32_t differ = 0;
    for (uint32_t s = 0; s < N; s++)
        differ += swapmap_count(&m, s) != model[s];
    CHECK_EQ(differ, 0);
    CHECK_EQ(host_misuse_count, 0);
}

int main(void)
{
    RUN(test_alloc_all);
    RUN(test_refcounts);
    RUN(test_misuse);
    RUN(test_random);
    free(storage);
    return check_summary("test_swapmap");
}
