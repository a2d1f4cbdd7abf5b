/*
 * tests/host/test_heap.c - mm/heap.c on the host, under ASan and UBSan.
 *
 * The heap runs on tests/host/heap_arena.h: a 1 GiB PROT_NONE mapping whose
 * pages the heap commits (mprotect RW) and releases (MADV_DONTNEED + PROT_NONE),
 * so touching released memory faults. Each case starts from a fresh heap,
 * checks values (never just prints), and ends with heap_check() == 0 and the
 * arena reporting no bad commit/release call. The last cases are a randomised
 * differential test against a shadow model of every live block.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host_shim.h"
#include "heap_arena.h"
#include "heap.h"

#define ARENA_BYTES (1ul << 30)
#define PG          HEAP_PAGE_SIZE

static size_t start_pages; /* arena pages committed right after heap_init */

static void fresh_heap(void)
{
    arena_heap_init(ARENA_BYTES);
    host_misuse_reset();
    start_pages = arena.committed;
}

static struct heap_stats stats(void)
{
    struct heap_stats s;
    heap_stats(&s);
    return s;
}

/* The heap's own accounting agrees with the arena, and its metadata is sound. */
static void check_consistent(void)
{
    int misuse = host_misuse_count;
    CHECK_EQ(heap_check(), 0);
    CHECK_EQ(host_misuse_count, misuse);
    CHECK_EQ(stats().pages_held, arena.committed);
    CHECK_EQ(arena.errors, 0);
}

static int msg_has_ptr(const void *p)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%p", p);
    return strstr(host_misuse_msg, buf) != NULL;
}

static int msg_has(const char *s)
{
    return strstr(host_misuse_msg, s) != NULL;
}

static void fill_pattern(void *p, size_t n, unsigned seed)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(seed + i * 7);
}

static int pattern_ok(const void *p, size_t n, unsigned seed)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != (uint8_t)(seed + i * 7))
            return 0;
    return 1;
}

/* Expect: the footprint returns to what heap_init committed. */
static void check_back_to_start(void)
{
    heap_trim();
    CHECK_EQ(arena.committed, start_pages);
    CHECK_EQ(stats().pages_held, start_pages);
    check_consistent();
}

/*
 * Every size from 0 to 2048 and a spread of large sizes: 16-byte aligned,
 * ksize >= size, the whole block writable, no two blocks overlap.
 */
static void test_sizes_and_alignment(void)
{
    fresh_heap();
    static void *p[2200];
    size_t n = 0;
    int ok_align = 1, ok_size = 1, ok_pat = 1;
    for (size_t sz = 0; sz <= 2048; sz++, n++) {
        p[n] = kmalloc(sz);
        ok_align &= p[n] != NULL && ((uintptr_t)p[n] & 15) == 0;
        ok_size &= p[n] != NULL && ksize(p[n]) >= sz;
        if (p[n])
            fill_pattern(p[n], ksize(p[n]), (unsigned)n);
    }
    static const size_t big[] = {2049, 3000, 4095, 4096, 4097, 8192, 12289, 65536, 100000, 1u << 20};
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++, n++) {
        p[n] = kmalloc(big[k]);
        ok_align &= p[n] != NULL && ((uintptr_t)p[n] & (PG - 1)) == 0;
        ok_size &= p[n] != NULL && ksize(p[n]) >= big[k];
        if (p[n])
            fill_pattern(p[n], ksize(p[n]), (unsigned)n);
    }
    CHECK(ok_align);
    CHECK(ok_size);
    check_consistent();
    for (size_t i = 0; i < n; i++) {
        ok_pat &= pattern_ok(p[i], ksize(p[i]), (unsigned)i);
        kfree(p[i]);
    }
    CHECK(ok_pat);
    CHECK_EQ(host_misuse_count, 0);

    /* Every class: objects of a full slab are distinct and exactly class-size apart. */
    struct heap_stats s = stats();
    int classes_ok = 1;
    for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
        const struct heap_class_stats *cs = &s.cls[c];
        classes_ok &= cs->size % 16 == 0 && cs->objs_per_slab * cs->size <= cs->slab_pages * PG;
        /* tail waste of a slab at most 1/32 of it, or one object */
        classes_ok &= cs->slab_pages * PG - cs->objs_per_slab * cs->size <= cs->size ||
                      cs->slab_pages * PG - cs->objs_per_slab * cs->size <= cs->slab_pages * PG / 32;
        if (c > 0) /* internal waste bounded: next class at most 1/8 + 16 bytes larger */
            classes_ok &= cs->size <= s.cls[c - 1].size + s.cls[c - 1].size / 8 + 16;
    }
    CHECK(classes_ok);
    check_back_to_start();
}

/* kmalloc(0) gives distinct freeable pointers; kfree(NULL) does nothing. */
static void test_zero_and_null(void)
{
    fresh_heap();
    void *a = kmalloc(0), *b = kmalloc(0);
    CHECK(a != NULL && b != NULL && a != b);
    kfree(a);
    kfree(b);
    kfree(NULL);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();
}

/* kcalloc: zeroed memory (also when reusing a dirty slot), NULL on overflow. */
static void test_kcalloc(void)
{
    fresh_heap();
    uint8_t *p = kmalloc(200);
    memset(p, 0xee, 200);
    kfree(p);
    uint8_t *q = kcalloc(25, 8); /* same class: the dirty slot comes back */
    CHECK(q == p);
    int zero = 1;
    for (int i = 0; i < 200; i++)
        zero &= q[i] == 0;
    CHECK(zero);
    uint8_t *big = kcalloc(3, 5000);
    zero = big != NULL;
    for (int i = 0; big && i < 15000; i++)
        zero &= big[i] == 0;
    CHECK(zero);
    uint64_t failed = stats().failed_allocs;
    CHECK(kcalloc(SIZE_MAX / 2 + 1, 2) == NULL);
    CHECK(kcalloc(2, SIZE_MAX / 2 + 1) == NULL);
    CHECK(kcalloc(SIZE_MAX, SIZE_MAX) == NULL);
    CHECK_EQ(stats().failed_allocs, failed + 3);
    void *z = kcalloc(0, 100);
    CHECK(z != NULL);
    kfree(z);
    kfree(q);
    kfree(big);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();
}

/* krealloc keeps the prefix through every class boundary, small<->large, both ways. */
static void test_krealloc(void)
{
    fresh_heap();
    void *z = krealloc(NULL, 0); /* krealloc(NULL, n) == kmalloc(n) */
    CHECK(z != NULL);
    kfree(z);

    uint8_t *p = krealloc(NULL, 1);
    fill_pattern(p, 1, 9);
    size_t have = 1;
    int ok = 1;
    for (size_t sz = 2; sz < 70000; sz += sz / 8 + 1) {
        p = krealloc(p, sz);
        ok &= p != NULL && pattern_ok(p, have, 9) && ksize(p) >= sz;
        fill_pattern(p, sz, 9);
        have = sz;
    }
    for (size_t sz = have; sz > 0; sz -= sz / 7 + 1) {
        p = krealloc(p, sz);
        ok &= p != NULL && pattern_ok(p, sz, 9) && ksize(p) >= sz;
    }
    CHECK(ok);
    p = krealloc(p, 0); /* size 0: still a valid block */
    CHECK(p != NULL);
    kfree(p);

    /* In-place growth of a large block into the free run after it (caches given
     * back first, so the block is carved from the start of a free run). */
    heap_trim();
    uint8_t *a = kmalloc(3 * PG);
    fill_pattern(a, 3 * PG, 3);
    uint8_t *b = krealloc(a, 10 * PG);
    CHECK(b == a && pattern_ok(b, 3 * PG, 3));
    /* In-place shrink gives the tail pages back. */
    size_t held = stats().pages_held;
    b = krealloc(b, 2 * PG);
    CHECK(b == a && pattern_ok(b, 2 * PG, 3));
    CHECK_EQ(stats().pages_held, held - 8);
    /* Large to small moves and keeps the prefix. */
    uint8_t *c = krealloc(b, 100);
    CHECK(c != NULL && pattern_ok(c, 100, 3) && ksize(c) < PG);
    kfree(c);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();
}

/* kmalloc_aligned for every power of two from 16 to 1 MiB; bad alignments are misuse. */
static void test_aligned(void)
{
    fresh_heap();
    static const size_t sizes[] = {1, 16, 100, 2000, 2048, 5000, 40000};
    int ok = 1;
    for (size_t align = 1; align <= (1u << 20); align <<= 1) {
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            void *p[3];
            for (int j = 0; j < 3; j++) {
                p[j] = kmalloc_aligned(sizes[k], align);
                ok &= p[j] != NULL && ((uintptr_t)p[j] & (align - 1)) == 0 && ((uintptr_t)p[j] & 15) == 0 &&
                      ksize(p[j]) >= sizes[k];
                if (p[j])
                    fill_pattern(p[j], sizes[k], (unsigned)(align + k + j));
            }
            for (int j = 0; j < 3; j++) {
                ok &= pattern_ok(p[j], sizes[k], (unsigned)(align + k + j));
                kfree(p[j]);
            }
        }
    }
    CHECK(ok);
    CHECK_EQ(host_misuse_count, 0);
    check_consistent();
    CHECK(kmalloc_aligned(64, 48) == NULL);
    CHECK_EQ(host_misuse_count, 1);
    CHECK(kmalloc_aligned(64, 0) == NULL);
    CHECK_EQ(host_misuse_count, 2);
    CHECK(kmalloc_aligned(64, HEAP_MAX_ALIGN * 2) == NULL);
    CHECK_EQ(host_misuse_count, 3);
    check_back_to_start();
}

/*
 * Out of memory: with a page budget, kmalloc returns NULL (small and large),
 * the heap stays consistent, and allocations succeed again after frees.
 */
static void test_oom(void)
{
    fresh_heap();
    arena.budget = arena.committed + 40;
    static void *p[20000];
    size_t n = 0;
    while (n < 20000 && (p[n] = kmalloc(100)) != NULL)
        n++;
    CHECK(n > 100 && n < 20000);
    CHECK(stats().failed_allocs >= 1);
    check_consistent();
    CHECK(kmalloc(3 * PG) == NULL);
    CHECK(kcalloc(10, 10) == NULL);
    uint64_t failed = stats().failed_allocs;
    CHECK(failed >= 3);
    /* krealloc that cannot get memory leaves the block alone. */
    fill_pattern(p[0], 100, 1);
    CHECK(krealloc(p[0], 50000) == NULL);
    CHECK(pattern_ok(p[0], 100, 1));
    check_consistent();
    /* Free half (whole slabs' worth): allocation works again, small and large. */
    for (size_t i = n / 2; i < n; i++)
        kfree(p[i]);
    void *big = kmalloc(3 * PG);
    CHECK(big != NULL);
    void *s = kmalloc(100);
    CHECK(s != NULL);
    check_consistent();
    kfree(big);
    kfree(s);
    /* Fill to the budget with large blocks, then with descriptor pages short. */
    void *l[64];
    size_t nl = 0;
    while (nl < 64 && (l[nl] = kmalloc(5 * PG)) != NULL)
        nl++;
    CHECK(nl > 0 && nl < 64);
    check_consistent();
    for (size_t i = 0; i < nl; i++)
        kfree(l[i]);
    for (size_t i = 0; i < n / 2; i++)
        kfree(p[i]);
    arena.budget = 0;
    void *m = kmalloc(1u << 20);
    CHECK(m != NULL);
    kfree(m);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();
}

/* Descriptor pages may run out too: a budget of exactly the data pages. */
static void test_oom_metadata(void)
{
    fresh_heap();
    /* Far-apart large blocks need fresh descriptor pages for their tags. */
    arena.budget = arena.committed; /* nothing more: every commit fails */
    CHECK(kmalloc(16) == NULL);
    CHECK(kmalloc(100 * PG) == NULL);
    check_consistent();
    CHECK_EQ(arena.committed, start_pages);
    /* 192 data pages fit the budget, but the block's tail tag needs another descriptor page. */
    arena.budget = arena.committed + 192;
    void *p = kmalloc(192 * PG);
    CHECK(p == NULL);
    check_consistent();
    CHECK_EQ(arena.committed, start_pages);
    arena.budget = arena.committed + 194;
    p = kmalloc(192 * PG);
    CHECK(p != NULL);
    check_consistent();
    arena.budget = 0;
    kfree(p);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();
}

/* Everything freed: back to the starting footprint, with and without trim. */
static void test_footprint(void)
{
    fresh_heap();
    static void *p[5000];
    unsigned seed = 1;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5000; i++) {
            seed = seed * 1103515245 + 12345;
            size_t sz = (seed >> 8) % 3000;
            if (i % 100 == 0)
                sz = (seed >> 8) % 200000;
            p[i] = kmalloc(sz);
        }
        for (int i = 0; i < 5000; i += 2)
            kfree(p[i]);
        for (int i = 1; i < 5000; i += 2)
            kfree(p[i]);
        /* without trim: only the hysteresis caches stay */
        struct heap_stats s = stats();
        CHECK_EQ(s.pages_held, s.meta_pages + s.cached_pages);
        CHECK(s.meta_pages <= start_pages + 2 * s.cached_pages);
        CHECK(s.cached_pages <= 4096 + HEAP_NCLASSES * 8);
        CHECK_EQ(s.large_live, 0);
        check_consistent();
    }
    check_back_to_start();
}

/* Hysteresis: an alloc/free loop at a slab or page boundary does not thrash. */
static void test_hysteresis(void)
{
    fresh_heap();
    struct heap_stats s = stats();
    unsigned c64 = 3;
    CHECK_EQ(s.cls[c64].size, 64);
    unsigned per = s.cls[c64].objs_per_slab;
    void *p[512];
    for (unsigned i = 0; i < per; i++)
        p[i] = kmalloc(64);
    size_t commits = arena.commits, releases = arena.releases;
    for (int i = 0; i < 1000; i++) {
        void *q = kmalloc(64); /* needs a second slab */
        kfree(q);              /* which empties again */
    }
    CHECK(arena.commits - commits <= 2);
    CHECK(arena.releases - releases <= 1);
    for (unsigned i = 0; i < per; i++)
        kfree(p[i]);
    commits = arena.commits;
    for (int i = 0; i < 1000; i++)
        kfree(kmalloc(3 * PG));
    CHECK(arena.commits - commits <= 2);
    /* a second empty slab of the same class goes to the page cache ... */
    for (unsigned i = 0; i < 2 * per; i++)
        p[i] = kmalloc(64);
    for (unsigned i = 0; i < 2 * per; i++)
        kfree(p[i]);
    CHECK_EQ(stats().cls[c64].slabs, 1);
    CHECK(stats().cached_pages >= 2);
    /* ... and serves the next slab of any class without a commit */
    commits = arena.commits;
    void *o = kmalloc(1000);
    CHECK_EQ(arena.commits, commits);
    kfree(o);
    /* ... and is given back after 2^17 operations unused */
    releases = arena.releases;
    void *big = kmalloc(20 * PG); /* not cacheable: keeps the clock going */
    for (int i = 0; i < 70000; i++)
        kfree(kmalloc(3000)); /* large: each one ticks the clock twice */
    kfree(big);
    kfree(kmalloc(5 * PG)); /* a cache push ages the old entries out */
    CHECK(arena.releases > releases);
    CHECK(stats().cached_pages <= 5 + HEAP_NCLASSES * 8);
    check_back_to_start();

    /* The cache never raises the peak, also when krealloc grows a block in place. */
    fresh_heap();
    uint8_t *z = kmalloc(8 * PG), *x = kmalloc(8 * PG);
    CHECK(x == z + 8 * PG);
    fill_pattern(x, 8 * PG, 5);
    uint32_t peak = stats().pages_peak;
    kfree(z); /* cached: still committed */
    CHECK_EQ(stats().cached_pages, 8);
    uint8_t *g = krealloc(x, 16 * PG);
    CHECK(g == x); /* grown in place, into the free run after it */
    CHECK(pattern_ok(g, 8 * PG, 5));
    CHECK_EQ(stats().cached_pages, 0);     /* the cache made room first */
    CHECK(stats().pages_peak <= peak + 1); /* 16 data pages, as before (+ a descriptor page) */
    kfree(g);
    check_back_to_start();
}

/* Misuse: reported with pointer and caller, and nothing changes. */
static void test_misuse(void)
{
    fresh_heap();
    void *keep = kmalloc(32);
    char *p = kmalloc(64);
    kfree(p);
    CHECK_EQ(host_misuse_count, 0);
    kfree(p); /* double free, small */
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has("double free") && msg_has_ptr(p) && msg_has("caller 0x"));
    check_consistent();

    char *q = kmalloc(64);
    CHECK(q == p); /* the slot was not freed twice */
    char *r = kmalloc(64);
    CHECK(r != q);

    host_misuse_reset();
    kfree(q + 16); /* interior pointer (16-aligned) */
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has_ptr(q + 16) && msg_has("never returned"));
    kfree(q + 8); /* misaligned */
    CHECK_EQ(host_misuse_count, 2);
    CHECK(msg_has_ptr(q + 8) && msg_has("misaligned"));
    int local;
    kfree(&local); /* foreign: the stack */
    CHECK_EQ(host_misuse_count, 3);
    CHECK(msg_has_ptr(&local) && msg_has("foreign"));
    kfree(arena.base + 64); /* the descriptor area */
    CHECK_EQ(host_misuse_count, 4);
    CHECK(msg_has("foreign"));
    kfree(arena.base + 200 * PG); /* a data page never handed out */
    CHECK_EQ(host_misuse_count, 5);
    CHECK(msg_has_ptr(arena.base + 200 * PG));
    CHECK(krealloc(q + 32, 100) == NULL); /* krealloc of a bad pointer */
    CHECK_EQ(host_misuse_count, 6);
    CHECK_EQ(ksize(q + 48), 0);
    CHECK_EQ(host_misuse_count, 7);
    check_consistent();

    /* Large: double free (cached and uncached), interior pointers. */
    host_misuse_reset();
    char *big = kmalloc(3 * PG);
    char *huge = kmalloc(40 * PG);
    char *after = kmalloc(PG); /* keeps huge from merging rightwards */
    kfree(big + PG);
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has_ptr(big + PG));
    kfree(big + 2 * PG); /* the tail page */
    CHECK_EQ(host_misuse_count, 2);
    CHECK(msg_has_ptr(big + 2 * PG) && msg_has("inside"));
    kfree(big + 16);
    CHECK_EQ(host_misuse_count, 3);
    kfree(big);
    kfree(big);
    CHECK_EQ(host_misuse_count, 4);
    CHECK(msg_has("double free") && msg_has_ptr(big));
    kfree(huge);
    kfree(huge);
    CHECK_EQ(host_misuse_count, 5);
    CHECK(msg_has_ptr(huge));
    check_consistent();
    kfree(after);

    /* Corrupted metadata: a slab descriptor with an impossible class. */
    host_misuse_reset();
    uint8_t *d = arena.base + (((uintptr_t)r - (uintptr_t)arena.base) / PG) * 64;
    uint8_t saved = d[33];
    d[33] = 200;
    kfree(r);
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has("corrupted") && msg_has_ptr(r));
    host_misuse_reset();
    CHECK(heap_check() > 0);
    CHECK(host_misuse_count > 0);
    d[33] = saved;
    host_misuse_reset();
    check_consistent();
    /* A slab whose live count disagrees with its bitmap. */
    uint16_t inuse;
    memcpy(&inuse, d + 36, 2);
    uint16_t zero = 0;
    memcpy(d + 36, &zero, 2);
    CHECK(heap_check() > 0);
    memcpy(d + 36, &inuse, 2);
    host_misuse_reset();
    check_consistent();

    kfree(r);
    kfree(q);
    kfree(keep);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();
}

/*
 * Every class, slabs of several pages included: objects in later pages free
 * through the fast path, and misuse there is caught as on the first page.
 *
 *   | page 0 (head)   | page 1 (tail)   | page 2 (tail)   |
 *   [o0][o1]...      [ok][ok+1]...      ...[o last]| end |
 *
 * Expect: an interior pointer and a double free in the last object are
 * reported, and so is the slab's unused end (an "object" past the last one,
 * whose bitmap bit is padding), while the slab is partly used; every object
 * is freed exactly once and the class is empty again.
 */
static void test_slab_edges(void)
{
    fresh_heap();
    struct heap_stats s = stats();
    for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
        unsigned size = s.cls[c].size, per = s.cls[c].objs_per_slab, pages = s.cls[c].slab_pages;
        static uint8_t *o[256];
        for (unsigned k = 0; k < per; k++)
            o[k] = kmalloc(size);
        uint8_t *head = o[0];
        int ok = 1;
        for (unsigned k = 0; k < per; k++)
            ok &= o[k] == head + (size_t)k * size; /* one slab, in order */
        CHECK(ok);
        unsigned last = per - 1;
        kfree(o[0]); /* partly used from here on */
        host_misuse_reset();
        if (size > 16) {
            kfree(o[last] + 16); /* interior (a tail page if pages > 1) */
            CHECK_EQ(host_misuse_count, 1);
            CHECK(msg_has_ptr(o[last] + 16) && msg_has("never returned"));
        }
        if ((size_t)per * size + 16 <= (size_t)pages * PG) {
            host_misuse_reset();
            kfree(head + (size_t)per * size); /* the slab's unused end */
            CHECK_EQ(host_misuse_count, 1);
            CHECK(msg_has("never returned"));
        }
        host_misuse_reset();
        kfree(o[last]);
        kfree(o[last]); /* double free of the last object */
        CHECK_EQ(host_misuse_count, 1);
        CHECK(msg_has("double free") && msg_has_ptr(o[last]));
        for (unsigned k = 1; k < last; k++)
            kfree(o[k]);
        CHECK_EQ(host_misuse_count, 1);
        CHECK_EQ(stats().cls[c].live, 0);
        check_consistent();
    }
    check_back_to_start();
}

/* The index of the class whose objects are `size` bytes. */
static unsigned class_of(unsigned size)
{
    struct heap_stats s = stats();
    for (unsigned c = 0; c < HEAP_NCLASSES; c++)
        if (s.cls[c].size == size)
            return c;
    return HEAP_NCLASSES;
}

/*
 * Lending: a class that needs a fresh slab takes a free object of a larger
 * class instead (at most twice the size) when that class holds a whole slab's
 * worth of free objects; never for an aligned request, and not when the larger
 * class has fewer spare objects than that.
 */
static void test_lending(void)
{
    fresh_heap();
    unsigned c96 = class_of(96), c80 = class_of(80), c64 = class_of(64), c32 = class_of(32);
    CHECK(c96 < HEAP_NCLASSES && c80 < HEAP_NCLASSES && c64 < HEAP_NCLASSES && c32 < HEAP_NCLASSES);
    unsigned per = stats().cls[c96].objs_per_slab;
    static uint8_t *o[3 * 256];
    for (unsigned k = 0; k < 3 * per; k++)
        o[k] = kmalloc(96);
    CHECK_EQ(stats().cls[c96].slabs, 3);
    /* Free a slab's worth: all but one object of the first slab, one of the second. */
    for (unsigned k = 1; k < per; k++)
        kfree(o[k]);
    kfree(o[per]);
    CHECK_EQ(stats().cls[c96].live, 2 * per);

    /* 80 bytes: no slab of its own yet, so class 96 lends one of its spare objects. */
    uint8_t *a = kmalloc(80);
    CHECK(a == o[per]); /* the object freed last, at the head of 96's partial list */
    CHECK_EQ(ksize(a), 96);
    CHECK_EQ(stats().cls[c80].slabs, 0);
    CHECK_EQ(stats().cls[c96].live, 2 * per + 1);
    CHECK_EQ(stats().cls[c96].allocs, 3 * per + 1); /* counted where it lives */
    /* 96 now has one object less than a slab's worth to spare: 80 gets a slab. */
    uint8_t *b = kmalloc(80);
    CHECK_EQ(ksize(b), 80);
    CHECK_EQ(stats().cls[c80].slabs, 1);
    CHECK_EQ(stats().cls[c80].live, 1);

    /* A lent object is an ordinary object of its slab: filled, checked, freed. */
    fill_pattern(a, 96, 7);
    kfree(o[1 + per]); /* 96 spares a slab's worth again */
    uint8_t *c = kmalloc(64);
    CHECK_EQ(ksize(c), 96); /* 64 may borrow up to 128 */
    CHECK(pattern_ok(a, 96, 7));
    kfree(o[2 + per]);
    uint8_t *d = kmalloc_aligned(64, 64); /* aligned: never from a lender */
    CHECK_EQ(ksize(d), 64);
    CHECK_EQ((uintptr_t)d & 63, 0);
    CHECK_EQ(stats().cls[c64].live, 1);
    uint8_t *e = kmalloc(32); /* 96 is more than twice 32: no lending */
    CHECK_EQ(ksize(e), 32);
    CHECK_EQ(stats().cls[c32].slabs, 1);
    check_consistent();

    kfree(a);
    kfree(a); /* double free of a lent object: caught like any other */
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has("double free") && msg_has_ptr(a));
    host_misuse_reset();
    kfree(b);
    kfree(c);
    kfree(d);
    kfree(e);
    kfree(o[0]);
    for (unsigned k = per + 3; k < 3 * per; k++)
        kfree(o[k]);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();

    /* The requested bytes count where the object lives; krealloc and kcalloc
     * treat a lent object by its real (lender's) size. */
    for (unsigned k = 0; k < 3 * per; k++)
        o[k] = kmalloc(96);
    for (unsigned k = per + 1; k < 2 * per + 1; k++)
        kfree(o[k]); /* a slab's worth, and no slab empties */
    uint64_t req96 = stats().cls[c96].bytes_requested, req80 = stats().cls[c80].bytes_requested;
    a = kmalloc(70);
    CHECK_EQ(ksize(a), 96);
    CHECK_EQ(stats().cls[c96].bytes_requested, req96 + 70);
    CHECK_EQ(stats().cls[c80].bytes_requested, req80);
    fill_pattern(a, 70, 9);
    CHECK(krealloc(a, 96) == a); /* fits the lender's slot: stays */
    b = krealloc(a, 200);        /* does not: moves, keeping the bytes */
    CHECK(b != a && pattern_ok(b, 70, 9));
    kfree(b);
    c = kcalloc(5, 16); /* 80 bytes, zeroed, from the lender */
    CHECK_EQ(ksize(c), 96);
    int zero = 1;
    for (unsigned k = 0; k < 80; k++)
        zero &= c[k] == 0;
    CHECK(zero);
    kfree(c);
    for (unsigned k = 0; k <= per; k++)
        kfree(o[k]);
    for (unsigned k = 2 * per + 1; k < 3 * per; k++)
        kfree(o[k]);
    check_back_to_start();

    /* A cached empty slab is the lender's reserve, not spare objects to lend. */
    for (unsigned k = 0; k < 2 * per; k++)
        o[k] = kmalloc(96);
    for (unsigned k = per; k < 2 * per; k++)
        kfree(o[k]); /* the second slab empties: cached */
    kfree(o[5]);     /* one free object on the partial slab */
    CHECK_EQ(stats().cls[c96].slabs, 2);
    a = kmalloc(80);
    CHECK_EQ(ksize(a), 80); /* not o[5]: class 80 took a slab of its own */
    CHECK(a != o[5]);
    kfree(a);
    for (unsigned k = 0; k < per; k++)
        if (k != 5)
            kfree(o[k]);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();

    /* Debug mode: a lent block still gets its redzone and trailer. */
    CHECK_EQ(heap_set_debug(true), 0);
    unsigned cn = class_of(40 + 8 + 32); /* 40 bytes, the minimal redzone and the trailer */
    CHECK(cn < HEAP_NCLASSES);
    unsigned cl = cn + 2;
    CHECK(cl < HEAP_NCLASSES);
    unsigned lper = stats().cls[cl].objs_per_slab;
    unsigned lsize = stats().cls[cl].size;
    for (unsigned k = 0; k < 2 * lper; k++)
        o[k] = kmalloc(lsize - 40);
    for (unsigned k = 0; k < lper; k++)
        kfree(o[2 * k]);
    heap_quarantine_flush();
    CHECK_EQ(stats().cls[cl].live, lper);
    uint8_t *f = kmalloc(40);
    CHECK_EQ(stats().cls[cn].slabs, 0); /* it came from class cl */
    CHECK_EQ(stats().cls[cl].live, lper + 1);
    CHECK_EQ(ksize(f), 40);
    memset(f, 1, 40);
    kfree(f);
    CHECK_EQ(host_misuse_count, 0);
    kfree(o[1]);
    heap_quarantine_flush();
    uint8_t *g = kmalloc(40);
    CHECK_EQ(stats().cls[cn].slabs, 0);
    g[40] = 0; /* one byte past the end: the redzone */
    kfree(g);
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has("redzone") && msg_has_ptr(g));
    host_misuse_reset();
    for (unsigned k = 1; k < 2 * lper; k += 2)
        if (k != 1)
            kfree(o[k]);
    heap_quarantine_flush();
    CHECK_EQ(heap_set_debug(false), 0);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();
}

/*
 * kfree's fast path divides by the object size with a multiply: for
 * mul = floor(2^32 / size) + 1, the high half of offset * mul is offset / size
 * and the low half is below mul exactly when size divides offset. Check that
 * claim for every class the heap has and every 16-byte-aligned offset in its
 * slab (kfree sends unaligned pointers to the slow path before this).
 */
static void test_reciprocal(void)
{
    fresh_heap();
    struct heap_stats s = stats();
    int bad = 0;
    for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
        uint32_t size = s.cls[c].size, mul = (uint32_t)(0xffffffffu / size) + 1;
        for (uint32_t off = 0; off < s.cls[c].slab_pages * PG; off += 16) {
            uint64_t q = (uint64_t)off * mul;
            bad += (uint32_t)(q >> 32) != off / size;
            bad += ((uint32_t)q < mul) != (off % size == 0);
        }
    }
    CHECK_EQ(bad, 0);
    check_back_to_start();
}

/* Debug mode: poison, redzones, quarantine, use-after-free, leak report. */
static void test_debug(void)
{
    fresh_heap();
    void *live = kmalloc(10);
    CHECK_EQ(heap_set_debug(true), -1); /* not while something is live */
    CHECK(!heap_debug_enabled());
    kfree(live);
    CHECK_EQ(heap_set_debug(true), 0);
    CHECK(heap_debug_enabled());

    /* Allocation poison and exact ksize. */
    uint8_t *p = kmalloc(40);
    int poisoned = 1;
    for (int i = 0; i < 40; i++)
        poisoned &= p[i] == HEAP_POISON_ALLOC;
    CHECK(poisoned);
    CHECK_EQ(ksize(p), 40);
    uint32_t word;
    memcpy(&word, p, 4);
    CHECK_EQ(word, 0xa5a5a5a5u);
    /* kcalloc is zeroed even in debug mode */
    uint8_t *z = kcalloc(4, 10);
    CHECK(z[0] == 0 && z[39] == 0);
    kfree(z);

    /* Free poison: the freed block reads 0x5a... while quarantined. */
    kfree(p);
    memcpy(&word, p, 4);
    CHECK_EQ(word, 0x5a5a5a5au);
    CHECK_EQ(host_misuse_count, 0);
    CHECK_EQ(stats().quarantined, 2);
    /* Double free of a quarantined object. */
    kfree(p);
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has("double free") && msg_has_ptr(p));
    check_consistent();
    /* Quarantined objects are not reused at once. */
    uint8_t *p2 = kmalloc(40);
    CHECK(p2 != p);
    kfree(p2);

    /* Redzone overwrite (one byte past the end), caught on kfree. */
    host_misuse_reset();
    uint8_t *r = kmalloc(24);
    r[24] = 0;
    kfree(r);
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has("redzone") && msg_has_ptr(r) && msg_has("offset 24"));
    /* ... and for a large block. */
    uint8_t *lr = kmalloc(5000);
    CHECK(lr[0] == HEAP_POISON_ALLOC && lr[4999] == HEAP_POISON_ALLOC);
    lr[5000] = 1;
    kfree(lr);
    CHECK_EQ(host_misuse_count, 2);
    CHECK(msg_has("redzone") && msg_has_ptr(lr));

    /* Use after free: a write into a quarantined object is found before reuse. */
    host_misuse_reset();
    uint8_t *u = kmalloc(100);
    kfree(u);
    u[10] = 0x42;
    CHECK_EQ(host_misuse_count, 0);
    heap_quarantine_flush();
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has("use after free") && msg_has_ptr(u) && msg_has("offset 10"));
    CHECK_EQ(stats().quarantined, 0);
    /* ... also when it leaves the quarantine by being pushed out. */
    host_misuse_reset();
    uint8_t *v = kmalloc(100);
    kfree(v);
    v[0] = 1;
    for (unsigned i = 0; i < HEAP_QUARANTINE_SLOTS; i++)
        kfree(kmalloc(16));
    CHECK_EQ(host_misuse_count, 1);
    CHECK(msg_has_ptr(v));
    check_consistent();

    /* Leak report: each live block with its size and caller. */
    host_misuse_reset();
    heap_quarantine_flush();
    void *a = kmalloc(33), *b = kmalloc(3000), *c = kmalloc_aligned(200, 256);
    host_log_reset();
    host_log_capture = 1;
    CHECK_EQ(heap_leak_report(), 3);
    host_log_capture = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "live %p size 33 caller 0x", a);
    CHECK(strstr(host_log_buf, buf) != NULL);
    snprintf(buf, sizeof buf, "live %p size 3000", b);
    CHECK(strstr(host_log_buf, buf) != NULL);
    snprintf(buf, sizeof buf, "live %p size 200 caller 0x", c);
    CHECK(strstr(host_log_buf, buf) != NULL);
    CHECK(strstr(host_log_buf, "3 live allocations") != NULL);
    CHECK(((uintptr_t)c & 255) == 0);
    /* krealloc moves in debug mode and keeps the data */
    fill_pattern(a, 33, 5);
    void *a2 = krealloc(a, 90);
    CHECK(a2 != NULL && a2 != a && pattern_ok(a2, 33, 5) && ksize(a2) == 90);
    kfree(a2);
    kfree(b);
    kfree(c);
    CHECK_EQ(host_misuse_count, 0);
    CHECK_EQ(heap_set_debug(false), 0);
    CHECK(!heap_debug_enabled());
    check_back_to_start();
}

/* Statistics per class and overall. */
static void test_stats(void)
{
    fresh_heap();
    void *p[10];
    for (int i = 0; i < 10; i++)
        p[i] = kmalloc(100);
    void *big = kmalloc(10000);
    struct heap_stats s = stats();
    unsigned c = 6;
    CHECK_EQ(s.cls[c].size, 112);
    CHECK_EQ(s.cls[c].live, 10);
    CHECK_EQ(s.cls[c].bytes_requested, 1000);
    CHECK_EQ(s.cls[c].bytes_live, 1120);
    CHECK_EQ(s.cls[c].slabs, 1);
    CHECK_EQ(s.cls[c].bytes_held, s.cls[c].slab_pages * PG);
    CHECK_EQ(s.large_live, 1);
    CHECK_EQ(s.large_pages, 3);
    CHECK_EQ(s.large_bytes_requested, 10000);
    CHECK_EQ(s.allocs, 11);
    CHECK(s.pages_peak >= s.pages_held);
    for (int i = 0; i < 10; i++)
        kfree(p[i]);
    kfree(big);
    s = stats();
    CHECK_EQ(s.cls[c].live, 0);
    CHECK_EQ(s.cls[c].frees, 10);
    CHECK_EQ(s.frees, 11);
    CHECK_EQ(s.large_live, 0);
    check_back_to_start();
}

/* ------------------------------------------------- randomised differential */

struct shadow {
    uint8_t *p;
    size_t size;
    uint32_t seed;
};

#define SLOTS 3000
static struct shadow sh[SLOTS];
static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static size_t rnd_size(void)
{
    uint32_t r = rnd() % 1000;
    if (r < 600)
        return rnd() % 129;
    if (r < 900)
        return rnd() % 1025;
    if (r < 970)
        return rnd() % 4097;
    if (r < 997)
        return rnd() % 40000;
    return rnd() % 300000;
}

/* Pattern: every byte the seed's low byte, the seed at both ends. */
static void sh_fill(struct shadow *s)
{
    memset(s->p, (uint8_t)s->seed, s->size);
    if (s->size >= 8) {
        memcpy(s->p, &s->seed, 4);
        memcpy(s->p + s->size - 4, &s->seed, 4);
    }
}

/* The first n bytes of the block still hold its pattern. */
static int sh_ok(const struct shadow *s, size_t n)
{
    const uint8_t *seed = (const uint8_t *)&s->seed;
    uint8_t b = (uint8_t)s->seed;
    if (n > s->size)
        n = s->size;
    for (size_t i = 0; i < n; i++) {
        uint8_t want = b;
        if (s->size >= 8 && i < 4)
            want = seed[i];
        else if (s->size >= 8 && i >= s->size - 4)
            want = seed[i - (s->size - 4)];
        else if (s->p[i] == b) {
            /* the middle: compare a word at a time where possible */
            while (i + 8 < n && i + 8 < s->size - 4 && !(((uintptr_t)s->p + i) & 7)) {
                uint64_t w;
                memcpy(&w, s->p + i, 8);
                if (w != 0x0101010101010101ull * b)
                    break;
                i += 8;
            }
            if (s->p[i] == b)
                continue;
        }
        if (s->p[i] != want)
            return 0;
    }
    return 1;
}

#define BAD()                                                          \
    do {                                                               \
        if (bad++ < 5)                                                 \
            fprintf(stderr, "random: line %d op %ld\n", __LINE__, op); \
    } while (0)

static int random_ops(long ops, int oom_phases)
{
    long op = 0;
    int bad = 0;
    long failures = 0;
    for (op = 0; op < ops; op++) {
        if (oom_phases && op % 100000 == 50000)
            arena.budget = arena.committed + 24; /* a squeeze: allocations may fail */
        if (oom_phases && op % 100000 == 60000)
            arena.budget = 0;
        if (op % 100000 == 0) {
            if (heap_check() != 0)
                BAD();
            if (stats().pages_held != arena.committed || arena.errors)
                BAD();
        }
        struct shadow *s = &sh[rnd() % SLOTS];
        uint32_t kind = rnd() % 100;
        if (!s->p) {
            size_t size = rnd_size();
            uint8_t *p;
            if (kind < 70) {
                p = kmalloc(size);
            } else if (kind < 80) {
                size_t align = (size_t)16 << (rnd() % 10);
                p = kmalloc_aligned(size, align);
                if (p && ((uintptr_t)p & (align - 1)))
                    BAD();
            } else if (kind < 90) {
                p = kcalloc(1 + size / 16, 16);
                size = 1 + size / 16;
                size *= 16;
                for (size_t i = 0; p && i < size; i++)
                    if (p[i])
                        BAD();
            } else {
                p = krealloc(NULL, size);
            }
            if (!p) {
                failures++;
                if (!arena.budget)
                    BAD(); /* only a squeeze may fail */
                continue;
            }
            if (((uintptr_t)p & 15) || ksize(p) < size)
                BAD();
            s->p = p;
            s->size = size;
            s->seed = rnd();
            sh_fill(s);
        } else if (kind < 60) {
            if (!sh_ok(s, s->size))
                BAD();
            kfree(s->p);
            s->p = NULL;
        } else {
            size_t size = rnd_size();
            uint8_t *p = krealloc(s->p, size);
            if (!p) {
                failures++;
                if (!arena.budget || !sh_ok(s, s->size))
                    BAD();
                continue;
            }
            s->p = p;
            if (!sh_ok(s, size < s->size ? size : s->size))
                BAD();
            if (ksize(p) < size)
                BAD();
            s->size = size;
            s->seed = rnd();
            sh_fill(s);
        }
    }
    if (oom_phases && failures == 0)
        BAD(); /* the squeezes must have bitten */
    /* The heap agrees with the model on the number of live blocks. */
    struct heap_stats st = stats();
    uint32_t live = st.large_live;
    for (unsigned c = 0; c < HEAP_NCLASSES; c++)
        live += st.cls[c].live;
    uint32_t model = 0;
    for (int i = 0; i < SLOTS; i++)
        model += sh[i].p != NULL;
    if (live != model + st.quarantined)
        BAD();
    for (int i = 0; i < SLOTS; i++) {
        if (sh[i].p && !sh_ok(&sh[i], sh[i].size))
            BAD();
        kfree(sh[i].p);
        sh[i].p = NULL;
    }
    return bad;
}

static void test_random(void)
{
    fresh_heap();
    CHECK_EQ(random_ops(2000000, 1), 0);
    CHECK_EQ(host_misuse_count, 0);
    check_back_to_start();
    CHECK(stats().pages_peak > start_pages);
}

static void test_random_debug(void)
{
    fresh_heap();
    CHECK_EQ(heap_set_debug(true), 0);
    CHECK_EQ(random_ops(200000, 0), 0);
    heap_quarantine_flush();
    CHECK_EQ(host_misuse_count, 0);
    CHECK_EQ(heap_set_debug(false), 0);
    check_back_to_start();
}

int main(void)
{
    RUN(test_sizes_and_alignment);
    RUN(test_zero_and_null);
    RUN(test_kcalloc);
    RUN(test_krealloc);
    RUN(test_aligned);
    RUN(test_oom);
    RUN(test_oom_metadata);
    RUN(test_footprint);
    RUN(test_hysteresis);
    RUN(test_misuse);
    RUN(test_slab_edges);
    RUN(test_lending);
    RUN(test_reciprocal);
    RUN(test_debug);
    RUN(test_stats);
    RUN(test_random);
    RUN(test_random_debug);
    return check_summary("test_heap");
}
