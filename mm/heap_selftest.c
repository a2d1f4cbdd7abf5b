/*
 * mm/heap_selftest.c - boot self-checks of the kernel heap.
 *
 * The quick check (every boot) runs a random workload of kmalloc, krealloc,
 * kmalloc_aligned, kcalloc and kfree in which every object carries its own
 * byte pattern, verified before it is resized or freed; it checks alignment,
 * ksize, prefix preservation and the heap's own invariants, and that once
 * everything is freed the heap and the frame allocator are back where they
 * started. test=heap-oom exhausts memory and checks that kmalloc returns NULL
 * and recovers.
 */
#include "mm_selftest.h"
#include "heap.h"
#include "mmu.h"
#include "pmm.h"
#include "vmm.h"
#include "kernel/kprintf.h"
#include "kernel/selftest.h"

#define SLOTS 96
#define OPS   3000

static uint32_t rng = 0x2545F491u;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static struct obj {
    uint8_t *p;
    size_t size;
    uint8_t seed;
} objs[SLOTS];

static void fill(struct obj *o)
{
    for (size_t i = 0; i < o->size; i++)
        o->p[i] = (uint8_t)(o->seed + i * 7);
}

/* Bytes [0, n) still hold the pattern? */
static bool intact(const struct obj *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (o->p[i] != (uint8_t)(o->seed + i * 7))
            return false;
    return true;
}

static size_t random_size(void)
{
    uint32_t r = rnd() % 100;
    if (r < 70)
        return 1 + rnd() % 256; /* mostly small */
    if (r < 95)
        return 257 + rnd() % 2048;
    return 4096 + rnd() % 20000; /* some multi-page */
}

/* Where the heap and the frame allocator stood before a test. */
struct footprint {
    uint32_t pages, free_frames, tables;
};

static struct footprint footprint_now(void)
{
    struct heap_stats st;
    heap_trim();
    heap_stats(&st);
    return (struct footprint){st.pages_held, pmm_free_frames(), vmm_tables_allocated()};
}

/*
 * With everything freed, the heap holds what it held at `start` and every frame it
 * took is back (less page tables the vmm created meanwhile: those are never freed).
 */
static void check_back_to_start(const struct footprint *start, struct heap_stats *st)
{
    SELFTEST(heap_check() == 0);
    heap_quarantine_flush(); /* debug mode keeps freed objects aside for a while */
    heap_trim();
    heap_stats(st);
    SELFTEST(st->pages_held == start->pages);
    uint32_t new_tables = vmm_tables_allocated() - start->tables;
    SELFTEST(start->free_frames - pmm_free_frames() - new_tables == 0);
}

void heap_selftest(void)
{
    selftest_group_begin("heap");
    struct footprint start = footprint_now();
    struct heap_stats st;

    unsigned bad_align = 0, bad_pattern = 0, bad_size = 0, failed = 0;
    for (int op = 0; op < OPS; op++) {
        struct obj *o = &objs[rnd() % SLOTS];
        if (!o->p) {
            size_t size = random_size();
            if (rnd() % 8 == 0) {
                size_t align = (size_t)16 << (rnd() % 9); /* 16 .. 4096 */
                o->p = kmalloc_aligned(size, align);
                bad_align += o->p && ((uintptr_t)o->p & (align - 1));
            } else {
                o->p = kmalloc(size);
            }
            if (!o->p) {
                failed++;
                continue;
            }
            bad_align += ((uintptr_t)o->p & 15) != 0;
            bad_size += ksize(o->p) < size;
            o->size = size;
            o->seed = (uint8_t)rnd();
            fill(o);
        } else if (rnd() % 4 == 0) {
            size_t size = random_size();
            bad_pattern += !intact(o, o->size);
            uint8_t *q = krealloc(o->p, size);
            if (!q) {
                failed++;
                continue;
            }
            o->p = q;
            bad_pattern += !intact(o, size < o->size ? size : o->size); /* the prefix survived */
            bad_size += ksize(q) < size;
            o->size = size;
            fill(o);
        } else {
            bad_pattern += !intact(o, o->size);
            kfree(o->p);
            o->p = 0;
        }
    }
    SELFTEST(heap_check() == 0);
    for (int i = 0; i < SLOTS; i++) {
        if (objs[i].p) {
            bad_pattern += !intact(&objs[i], objs[i].size);
            kfree(objs[i].p);
            objs[i].p = 0;
        }
    }
    SELFTEST(failed == 0);
    SELFTEST(bad_align == 0);
    SELFTEST(bad_size == 0);
    SELFTEST(bad_pattern == 0);

    /* kcalloc zeroes and refuses an overflowing product; kfree(NULL) is harmless. */
    uint32_t *z = kcalloc(100, sizeof *z);
    SELFTEST(z != 0);
    unsigned nonzero = 0;
    for (int i = 0; z && i < 100; i++)
        nonzero += z[i] != 0;
    SELFTEST(nonzero == 0);
    kfree(z);
    SELFTEST(kcalloc((size_t)1 << 20, (size_t)1 << 13) == 0);
    kfree(0);

    /* Back to the starting footprint, in the heap and in the frame allocator. */
    check_back_to_start(&start, &st);
    kprintf("heap: %u operations, peak %u pages, back to %u pages\n", OPS, (unsigned)st.pages_peak,
            (unsigned)st.pages_held);
    selftest_group_end();
}

void heap_selftest_oom(void)
{
    selftest_group_begin("heap-oom");
    struct footprint start = footprint_now();
    struct heap_stats st;
    heap_stats(&st);
    uint64_t failed0 = st.failed_allocs;

    /* Chain blocks through their first word until kmalloc says no: big ones, then small. */
    void **chain = 0;
    uint32_t big = 0, small = 0;
    for (void **b; (b = kmalloc(64 * 1024)); big++) {
        *b = chain;
        chain = b;
    }
    for (void **b; (b = kmalloc(64)); small++) {
        *b = chain;
        chain = b;
    }
    SELFTEST(kmalloc(16) == 0);
    SELFTEST(heap_check() == 0);
    heap_stats(&st);
    SELFTEST(st.failed_allocs >= failed0 + 3);
    kprintf("heap: out of memory after %u blocks of 64 KiB and %u of 64 bytes; %u frames free\n",
            (unsigned)big, (unsigned)small, (unsigned)pmm_free_frames());
    while (chain) {
        void **next = *chain;
        kfree(chain);
        chain = next;
    }
    check_back_to_start(&start, &st);
    /* And it works again. */
    void *p = kmalloc(64 * 1024);
    SELFTEST(p != 0);
    kfree(p);
    selftest_group_end();
}
