/*
 * tests/bench/bench_pmm.c - the frame allocator against a naive bitmap.
 *
 * Map: one usable range 1 MiB..4 GiB (1048320 frames; 2^20 tracked). For each
 * occupancy, both allocators are filled completely and the same random subset
 * of frames is freed; then a ring of K allocated frames is kept turning (alloc
 * one, free the oldest) and the time per alloc+free pair is reported. The naive
 * allocator is a plain bitmap whose alloc scans words first-fit from index 0
 * and whose init sets one bit per frame; it is measured in the same run.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memmap.h"
#include "pmm.h"

#define NFRAMES (1u << 20)
#define NWORDS  (NFRAMES / 32)
#define RING    64
#define CRING   8

/* ---------------------------------------------------------------- naive */

static uint32_t nv_bits[NWORDS]; /* 1 = free */

static void nv_init(const struct memmap *m)
{
    memset(nv_bits, 0, sizeof nv_bits);
    for (int i = 0; i < m->n_usable; i++)
        for (uint64_t a = m->usable[i].start; a < m->usable[i].end; a += 4096)
            nv_bits[a >> 17] |= 1u << ((a >> 12) & 31);
}

static paddr_t nv_alloc(void)
{
    for (uint32_t w = 0; w < NWORDS; w++) {
        if (nv_bits[w]) {
            uint32_t b = (uint32_t)__builtin_ctz(nv_bits[w]);
            nv_bits[w] &= ~(1u << b);
            return (w * 32 + b) << 12;
        }
    }
    return PMM_NO_FRAME;
}

static void nv_free(paddr_t f)
{
    nv_bits[f >> 17] |= 1u << ((f >> 12) & 31);
}

/* First fit, one bit at a time: n free frames starting at a multiple of step. */
static paddr_t nv_alloc_contig(uint32_t n, uint32_t step)
{
    uint32_t run = 0, start = 0;

    for (uint32_t f = 0; f < NFRAMES; f++) {
        if (nv_bits[f >> 5] >> (f & 31) & 1) {
            if (run == 0) {
                if (f % step)
                    continue;
                start = f;
            }
            if (++run == n) {
                for (uint32_t i = start; i < start + n; i++)
                    nv_bits[i >> 5] &= ~(1u << (i & 31));
                return start << 12;
            }
        } else {
            run = 0;
        }
    }
    return PMM_NO_FRAME;
}

static void nv_free_contig(paddr_t f, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        nv_free(f + (i << 12));
}

/* ---------------------------------------------------------------- harness */

struct ops {
    paddr_t (*alloc)(void);
    void (*free)(paddr_t);
    paddr_t (*alloc_contig)(uint32_t n, uint32_t step);
    void (*free_contig)(paddr_t, uint32_t n);
    void (*take_all)(void);
};

static void p_free(paddr_t f)
{
    if (pmm_free(f) != PMM_OK)
        abort();
}

static paddr_t p_alloc_contig(uint32_t n, uint32_t step)
{
    return pmm_alloc_contig(n, (size_t)step << 12, 0);
}

static void p_free_contig(paddr_t f, uint32_t n)
{
    if (pmm_free_contig(f, n) != PMM_OK)
        abort();
}

static void p_take_all(void)
{
    while (pmm_alloc() != PMM_NO_FRAME)
        ;
}

/* Filling the naive bitmap by calling nv_alloc() a million times is quadratic. */
static void nv_take_all(void)
{
    memset(nv_bits, 0, sizeof nv_bits);
}

static const struct ops pmm_ops = {pmm_alloc, p_free, p_alloc_contig, p_free_contig, p_take_all};
static const struct ops naive_ops = {nv_alloc, nv_free, nv_alloc_contig, nv_free_contig, nv_take_all};

static struct memmap map;
static void *storage;
static paddr_t frames[NFRAMES]; /* every usable frame, shuffled */
static uint32_t nusable;
static volatile uint32_t sink;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Fill the allocator completely, then free the first `nfree` shuffled frames. */
static void occupy(const struct ops *o, uint32_t nfree)
{
    o->take_all();
    for (uint32_t i = 0; i < nfree; i++)
        o->free(frames[i]);
}

/*
 * ns per alloc+free pair with a ring of RING live frames; runs ~0.2 s at most.
 * Instantiated per allocator so the calls are direct, as in kernel code.
 */
#define RING_PAIRS(name, ALLOC, FREE)            \
    static double name(uint32_t max_pairs)       \
    {                                            \
        paddr_t ring[RING];                      \
        uint32_t head = 0, done = 0;             \
        double t0, t;                            \
                                                 \
        for (int i = 0; i < RING; i++)           \
            ring[i] = ALLOC();                   \
        t0 = now_ns();                           \
        do {                                     \
            for (int k = 0; k < 1000; k++) {     \
                paddr_t f = ALLOC();             \
                FREE(ring[head]);                \
                ring[head] = f;                  \
                head = (head + 1) % RING;        \
            }                                    \
            done += 1000;                        \
            t = now_ns() - t0;                   \
        } while (done < max_pairs && t < 0.2e9); \
        for (int i = 0; i < RING; i++)           \
            FREE(ring[i]);                       \
        return t / done;                         \
    }

RING_PAIRS(ring_pairs_pmm, pmm_alloc, p_free)
RING_PAIRS(ring_pairs_naive, nv_alloc, nv_free)

/* ns per contiguous alloc+free of n frames, ring of CRING blocks. */
static double ring_contig(const struct ops *o, uint32_t n, uint32_t max_pairs)
{
    paddr_t ring[CRING];
    uint32_t head = 0, done = 0;
    double t0, t;

    for (int i = 0; i < CRING; i++)
        if ((ring[i] = o->alloc_contig(n, 1)) == PMM_NO_FRAME)
            return -1;
    t0 = now_ns();
    do {
        for (int k = 0; k < 100; k++) {
            paddr_t f = o->alloc_contig(n, 1);
            if (f == PMM_NO_FRAME)
                abort();
            o->free_contig(ring[head], n);
            ring[head] = f;
            head = (head + 1) % CRING;
        }
        done += 100;
        t = now_ns() - t0;
    } while (done < max_pairs && t < 0.25e9);
    for (int i = 0; i < CRING; i++)
        o->free_contig(ring[i], n);
    return t / done;
}

static void reset_both(void)
{
    pmm_init(&map, storage);
    nv_init(&map);
}

int main(void)
{
    static const double occ[] = {0.0, 0.50, 0.90, 0.99, 0.999};
    double t0, t_init_pmm = 1e30, t_init_nv = 1e30;

    map.n_usable = 1;
    map.usable[0].start = MEMMAP_LOW_LIMIT;
    map.usable[0].end = MEMMAP_4G;
    map.usable_bytes = MEMMAP_4G - MEMMAP_LOW_LIMIT;
    storage = malloc(pmm_storage_bytes(&map));

    nusable = 0;
    for (uint64_t a = map.usable[0].start; a < map.usable[0].end; a += 4096)
        frames[nusable++] = (paddr_t)a;
    for (uint32_t i = nusable - 1; i > 0; i--) { /* Fisher-Yates */
        uint32_t j = rnd() % (i + 1);
        paddr_t x = frames[i];
        frames[i] = frames[j];
        frames[j] = x;
    }

    for (int rep = 0; rep < 20; rep++) { /* best of 20 */
        double t;
        t0 = now_ns();
        pmm_init(&map, storage);
        t = now_ns() - t0;
        if (t < t_init_pmm)
            t_init_pmm = t;
        t0 = now_ns();
        nv_init(&map);
        t = now_ns() - t0;
        if (t < t_init_nv)
            t_init_nv = t;
        sink += nv_bits[rep];
    }

    printf("bench_pmm: %u usable frames (4 GiB map), ring of %d live frames\n", nusable, RING);
    printf("%-34s %12s %12s %9s\n", "operation", "pmm", "naive", "speedup");
    for (unsigned i = 0; i < sizeof occ / sizeof occ[0]; i++) {
        uint32_t nfree = (uint32_t)((1.0 - occ[i]) * nusable + 0.5);
        double tp, tn;
        char label[64];

        reset_both();
        occupy(&pmm_ops, nfree);
        occupy(&naive_ops, nfree);
        if (pmm_free_frames() != nfree)
            abort();
        tp = tn = 1e30;
        for (int rep = 0; rep < 3; rep++) { /* best of 3 */
            double a = ring_pairs_pmm(3000000), b = ring_pairs_naive(3000000);
            tp = a < tp ? a : tp;
            tn = b < tn ? b : tn;
        }
        snprintf(label, sizeof label, "alloc+free, %.1f%% occupied", occ[i] * 100);
        printf("%-34s %9.1f ns %9.1f ns %8.1fx\n", label, tp, tn, tn / tp);
    }
    for (int k = 0; k < 2; k++) {
        double o = k ? 0.5 : 0.0, tp, tn;
        uint32_t nfree = (uint32_t)((1.0 - o) * nusable + 0.5);
        char label[64];

        reset_both();
        occupy(&pmm_ops, nfree);
        occupy(&naive_ops, nfree);
        tp = ring_contig(&pmm_ops, 16, 1000000);
        tn = ring_contig(&naive_ops, 16, 1000000);
        snprintf(label, sizeof label, "contig 16 frames, %.0f%% occupied", o * 100);
        printf("%-34s %9.1f ns %9.1f ns %8.1fx\n", label, tp, tn, tn / tp);
    }
    printf("%-34s %9.1f us %9.1f us %8.1fx\n", "init, 4 GiB map", t_init_pmm / 1e3, t_init_nv / 1e3,
           t_init_nv / t_init_pmm);
    free(storage);
    return 0;
}
