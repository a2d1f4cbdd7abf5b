/*
 * tests/bench/bench_heap.c - mm/heap.c against glibc malloc on kernel-like workloads.
 *
 * Each workload runs on a fresh heap (the hosted arena of tests/host/heap_arena.h:
 * commit = mprotect, release = madvise + mprotect, so page-level work pays real
 * system calls, as the kernel pays page-table updates) and then on glibc, both
 * through the same function pointers. Printed per workload: nanoseconds per
 * operation (every allocation, free or resize is one operation) and peak bytes
 * held, with the ratio ours/glibc.
 *
 *   ours, peak:  high-water mark of committed heap pages x 4096, descriptor pages included;
 *   glibc, peak: high-water mark of the program break (sbrk(0)) above where it
 *                started, sampled after every operation in an untimed run in a
 *                fresh child process (a clean malloc state). The blocks stay below
 *                the pinned 128 KiB mmap threshold, so the break is all glibc holds.
 *
 * Timing is the best of five runs (the machine may be shared).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap_arena.h"
#include "heap.h"

struct allocator {
    const char *name;
    void *(*alloc)(size_t);
    void (*free)(void *);
    void *(*realloc)(void *, size_t);
    void (*sample)(void); /* peak tracking hook, NULL when timing */
};

static void *g_alloc(size_t n)
{
    return malloc(n);
}
static void g_free(void *p)
{
    free(p);
}
static void *g_realloc(void *p, size_t n)
{
    return realloc(p, n);
}
static void *k_alloc(size_t n)
{
    return kmalloc(n);
}
static void k_free(void *p)
{
    kfree(p);
}
static void *k_realloc(void *p, size_t n)
{
    return krealloc(p, n);
}

static uintptr_t glibc_peak, glibc_base;
static void g_sample(void)
{
    uintptr_t brk = (uintptr_t)sbrk(0);
    if (brk > glibc_peak)
        glibc_peak = brk;
}

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

#define MAYBE_SAMPLE(a, i) \
    do {                   \
        (void)(i);         \
        if ((a)->sample)   \
            (a)->sample(); \
    } while (0)
#define TOUCH(p) (*(volatile char *)(p) = 1)

static void *slots[1 << 16];
static size_t sizes[1 << 16];

enum order {
    LIFO,
    FIFO,
    RANDOM
};

/* Fixed-size churn: fill N objects, free them all in the given order, repeat. */
static long churn(const struct allocator *a, size_t size, enum order order, int n, int rounds)
{
    long ops = 0;
    static int perm[1 << 16];
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            slots[i] = a->alloc(size);
            TOUCH(slots[i]);
            MAYBE_SAMPLE(a, i);
        }
        if (order == RANDOM) {
            for (int i = n - 1; i > 0; i--) {
                int j = (int)(rnd() % (uint32_t)(i + 1)), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
        }
        for (int i = 0; i < n; i++) {
            int k = order == LIFO ? n - 1 - i : order == FIFO ? i : perm[i];
            a->free(slots[k]);
            /* keep some churn going between the halves */
            if (i % 4 == 3 && order == RANDOM) {
                slots[k] = a->alloc(size);
                TOUCH(slots[k]);
                a->free(slots[k]);
                ops += 2;
            }
        }
        ops += 2L * n;
    }
    return ops;
}

/* Mixed sizes 16..512, steady state of N live objects, random replacement. */
static long mixed(const struct allocator *a, int n, long steps)
{
    long ops = 0;
    for (int i = 0; i < n; i++) {
        slots[i] = a->alloc(16 + rnd() % 497);
        TOUCH(slots[i]);
        ops++;
    }
    for (long s = 0; s < steps; s++) {
        int k = (int)(rnd() % (uint32_t)n);
        a->free(slots[k]);
        slots[k] = a->alloc(16 + rnd() % 497);
        TOUCH(slots[k]);
        MAYBE_SAMPLE(a, s);
        ops += 2;
    }
    for (int i = 0; i < n; i++)
        a->free(slots[i]);
    return ops + n;
}

/* Buffers growing by krealloc (x1.25 + 16 up to 16..64 KiB) among small objects. */
static long grow(const struct allocator *a, int n, int rounds)
{
    long ops = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            sizes[i] = 16 + rnd() % 64;
            slots[i] = a->alloc(sizes[i]);
            TOUCH(slots[i]);
            ops++;
        }
        for (int step = 0; step < 40; step++) {
            for (int i = 0; i < n; i++) {
                size_t limit = (size_t)16384 << (i % 3);
                if (sizes[i] >= limit)
                    continue;
                sizes[i] += sizes[i] / 4 + 16;
                slots[i] = a->realloc(slots[i], sizes[i]);
                ((volatile char *)slots[i])[sizes[i] - 1] = 1;
                MAYBE_SAMPLE(a, i);
                ops++;
            }
        }
        for (int i = 0; i < n; i++)
            a->free(slots[i]);
        ops += n;
    }
    return ops;
}

/* Blocks of lo..hi pages, N live, random replacement. */
static long pages(const struct allocator *a, int n, long steps, int lo, int hi)
{
    long ops = 0;
    for (int i = 0; i < n; i++) {
        slots[i] = a->alloc((size_t)(lo + (int)(rnd() % (uint32_t)(hi - lo + 1))) * 4096);
        TOUCH(slots[i]);
        ops++;
    }
    for (long s = 0; s < steps; s++) {
        int k = (int)(rnd() % (uint32_t)n);
        a->free(slots[k]);
        slots[k] = a->alloc((size_t)(lo + (int)(rnd() % (uint32_t)(hi - lo + 1))) * 4096);
        TOUCH(slots[k]);
        MAYBE_SAMPLE(a, s);
        ops += 2;
    }
    for (int i = 0; i < n; i++)
        a->free(slots[i]);
    return ops + n;
}

struct workload {
    const char *name;
    int kind, n, rounds;
    size_t size;
    enum order order;
};

static long run(const struct workload *w, const struct allocator *a)
{
    rng_state = 0x9e3779b97f4a7c15ull;
    switch (w->kind) {
    case 0: return churn(a, w->size, w->order, w->n, w->rounds);
    case 1: return mixed(a, w->n, (long)w->rounds * 1000);
    case 2: return grow(a, w->n, w->rounds);
    case 3: return pages(a, w->n, (long)w->rounds * 1000, 1, 1);
    default: return pages(a, w->n, (long)w->rounds * 1000, 2, 16);
    }
}

/* glibc's peak for workload w, measured in a fresh child process. */
static size_t glibc_peak_of(const struct workload *w, const struct allocator *a)
{
    int fd[2];
    size_t peak = 0;
    if (pipe(fd) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        glibc_base = glibc_peak = (uintptr_t)sbrk(0);
        run(w, a);
        peak = glibc_peak - glibc_base;
        if (write(fd[1], &peak, sizeof peak) != (ssize_t)sizeof peak)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    if (read(fd[0], &peak, sizeof peak) != (ssize_t)sizeof peak)
        peak = 0;
    close(fd[0]);
    waitpid(pid, NULL, 0);
    return peak;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(void)
{
    static const struct workload w[] = {
        {"churn 16B LIFO", 0, 20000, 60, 16, LIFO},       {"churn 16B FIFO", 0, 20000, 60, 16, FIFO},
        {"churn 16B random", 0, 20000, 60, 16, RANDOM},   {"churn 128B LIFO", 0, 20000, 60, 128, LIFO},
        {"churn 128B FIFO", 0, 20000, 60, 128, FIFO},     {"churn 128B random", 0, 20000, 60, 128, RANDOM},
        {"churn 512B LIFO", 0, 10000, 60, 512, LIFO},     {"churn 512B FIFO", 0, 10000, 60, 512, FIFO},
        {"churn 512B random", 0, 10000, 60, 512, RANDOM}, {"mixed 16-512B random", 1, 20000, 2000, 0, RANDOM},
        {"krealloc growth", 2, 200, 10, 0, RANDOM},       {"4 KiB pages", 3, 256, 400, 0, RANDOM},
        {"2-16 page blocks", 4, 64, 100, 0, RANDOM},
    };
    const struct allocator ours = {"heap", k_alloc, k_free, k_realloc, NULL};
    const struct allocator glibc = {"glibc", g_alloc, g_free, g_realloc, NULL};
    const struct allocator glibc_sampled = {"glibc", g_alloc, g_free, g_realloc, g_sample};

    mallopt(M_MMAP_THRESHOLD, 128 * 1024); /* glibc's default, pinned so runs are comparable */
    size_t gpeaks[sizeof w / sizeof w[0]];
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) /* before this process's heap is used */
        gpeaks[i] = glibc_peak_of(&w[i], &glibc_sampled);
    printf("%-22s %10s %10s %7s   %11s %11s %7s\n", "workload", "heap ns/op", "glibc ns/op", "ratio",
           "heap peak", "glibc peak", "ratio");
    int slower = 0, bigger = 0;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        double best_ours = 1e30, best_glibc = 1e30;
        size_t ours_peak = 0;
        for (int rep = 0; rep < 5; rep++) {
            arena_heap_init((size_t)1 << 30);
            double t0 = now();
            long ops = run(&w[i], &ours);
            double t1 = now();
            struct heap_stats s;
            heap_trim();
            heap_stats(&s);
            if (heap_check() != 0 || s.pages_held != s.meta_pages || arena.errors) {
                fprintf(stderr, "bench: heap inconsistent after %s\n", w[i].name);
                return 1;
            }
            ours_peak = (size_t)s.pages_peak * HEAP_PAGE_SIZE;
            if ((t1 - t0) / (double)ops < best_ours)
                best_ours = (t1 - t0) / (double)ops;

            malloc_trim(0);
            t0 = now();
            ops = run(&w[i], &glibc);
            t1 = now();
            if ((t1 - t0) / (double)ops < best_glibc)
                best_glibc = (t1 - t0) / (double)ops;
        }
        size_t gpeak = gpeaks[i];
        double tr = best_ours / best_glibc, mr = (double)ours_peak / (double)gpeak;
        printf("%-22s %10.1f %10.1f %7.2f   %11zu %11zu %7.2f\n", w[i].name, best_ours, best_glibc, tr,
               ours_peak, gpeak, mr);
        if (w[i].kind == 0 && tr >= 1.0) /* the fixed-size churn rows: the speed target */
            slower++;
        if (mr > 1.0)
            bigger++;
    }
    printf("fixed-size churn rows slower than glibc: %d; rows with a larger peak than glibc: %d\n", slower,
           bigger);
    return 0;
}
