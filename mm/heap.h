/*
 * mm/heap.h - the kernel heap: kmalloc/kfree and friends.
 *
 * Guarantees (see mm/heap.c for the design):
 *   - every pointer kmalloc() returns is at least 16-byte aligned;
 *   - kmalloc(0) returns a unique non-NULL pointer that may be freed;
 *   - kfree(NULL) does nothing;
 *   - out of memory: NULL is returned, the heap stays consistent, and later
 *     allocations succeed again once memory is freed; the heap never panics for
 *     lack of memory;
 *   - misuse (double free, a pointer kmalloc never returned, corrupted
 *     metadata) is reported through mm_misuse() naming the pointer and the
 *     caller; in the kernel that is a panic.
 *
 * The heap gets memory from a page source (below): in the kernel, fresh frames
 * mapped through the paging API; on the host, an mmap'd arena. To build it
 * hosted, compile mm/heap.c with a host C compiler together with an mm_shim
 * implementation (tests/host/host_shim.c) and give heap_init() a page source.
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include "types.h"

#define HEAP_PAGE_SIZE 4096u

/*
 * Where the heap's pages come from. The heap owns the virtual range
 * [base, base + size) passed to heap_init(); it asks the source to back pages
 * of that range with memory and to give them back.
 */
struct heap_page_source {
    void *ctx;
    /* Back [va, va + npages * 4096) with fresh writable memory. 0 on success,
     * -1 when out of memory (nothing is left half-mapped). */
    int (*commit)(void *ctx, uintptr_t va, size_t npages);
    /* Unmap [va, va + npages * 4096) and give the memory back. */
    void (*release)(void *ctx, uintptr_t va, size_t npages);
};

/*
 * Take over [base, base + size) (page-aligned; at most 4 GiB) and start empty.
 * The first 1/64 of the range holds the page descriptors (committed on demand);
 * the initial footprint is one or two descriptor pages. May be called again to
 * start over with a new range (the old one is forgotten, not released).
 */
void heap_init(const struct heap_page_source *src, uintptr_t base, size_t size);

/*
 * The allocation API. Sizes up to HEAP_SMALL_MAX come from size-class slabs in
 * O(1) with no per-object header; larger ones are runs of whole pages.
 *   kmalloc(size)          >= 16-byte aligned block of at least size bytes, or NULL.
 *   kfree(ptr)             give a block back; NULL is a no-op.
 *   kcalloc(n, size)       zeroed block of n * size bytes; NULL if n * size overflows.
 *   krealloc(ptr, size)    resize keeping the first min(old, size) bytes; may move.
 *                          NULL ptr: kmalloc(size). On failure NULL, ptr untouched.
 *                          size 0 keeps a valid (minimal) block that must be freed.
 *   kmalloc_aligned(size, align)  block aligned to align, a power of two up to
 *                          HEAP_MAX_ALIGN (4 MiB); freed with kfree. Other align
 *                          values are misuse (reported, NULL returned).
 *   ksize(ptr)             usable size (>= the size asked for; in debug mode
 *                          exactly the size asked for, the rest is redzone).
 */
void *kmalloc(size_t size);
void kfree(void *ptr);
void *kcalloc(size_t n, size_t size); /* n * size overflow -> NULL */
void *krealloc(void *ptr, size_t size);
void *kmalloc_aligned(size_t size, size_t align); /* align: power of two, up to at least 4096 */
size_t ksize(const void *ptr);                    /* usable size of a live allocation */

#define HEAP_SMALL_MAX 2048u      /* largest size served from a slab */
#define HEAP_MAX_ALIGN (4u << 20) /* largest alignment kmalloc_aligned accepts */
#define HEAP_NCLASSES  48         /* slab size classes: 16..2048, <= 1/8 waste */

/*
 * Debug mode. HEAP_DEBUG (compile-time, default 0) sets the mode the heap starts
 * in; heap_set_debug() switches it at boot, and only while no allocation is live
 * (it returns -1, changing nothing, otherwise). In debug mode:
 *   - a new block is filled with HEAP_POISON_ALLOC, a freed one with
 *     HEAP_POISON_FREE (so a pointer loaded from either reads 0xa5a5a5a5 or
 *     0x5a5a5a5a, which the page-fault handler recognises);
 *   - every block has a redzone of HEAP_POISON_REDZONE after the requested bytes
 *     and a trailer (size, allocating caller), checked on kfree;
 *   - freed slab objects wait in a FIFO quarantine of HEAP_QUARANTINE_SLOTS
 *     entries and are checked for writes before they are reused;
 *   - freed large blocks are unmapped at once, so a later access faults.
 */
#define HEAP_POISON_ALLOC     0xa5u
#define HEAP_POISON_FREE      0x5au
#define HEAP_POISON_REDZONE   0xfdu
#define HEAP_QUARANTINE_SLOTS 256u

int heap_set_debug(bool on);
bool heap_debug_enabled(void);

/* Check and recycle every quarantined object now (debug mode). */
void heap_quarantine_flush(void);

/*
 * Give back the pages kept for hysteresis: one empty slab per class, and the
 * page cache of freed blocks of up to 16 pages (slabs and large blocks; at
 * most 16 MiB, each entry given back by itself once unused for 2^17 heap
 * operations). Call it under memory pressure. Returns the pages released.
 */
size_t heap_trim(void);

/*
 * Log every live allocation through mm_log(): address, size and allocating
 * caller (the caller of small objects is known only in debug mode; large
 * blocks always record it). Returns the number of live allocations.
 */
size_t heap_leak_report(void);

/*
 * Walk all heap metadata and verify its invariants: page tags, boundary tags,
 * coalesced free runs, bins, slab bitmaps against their counts, list
 * membership, descriptor-page reference counts, page accounting, quarantine.
 * Each problem is reported through mm_misuse(); returns the number found.
 */
int heap_check(void);

struct heap_class_stats {
    uint32_t size;       /* object size of the class */
    uint32_t slab_pages; /* pages per slab */
    uint32_t objs_per_slab;
    uint32_t slabs;           /* slabs held, the cached empty one included */
    uint32_t live;            /* objects in its slabs now (lent and quarantined ones included) */
    uint64_t bytes_held;      /* slabs * slab_pages * 4096 */
    uint64_t bytes_live;      /* live * size */
    uint64_t bytes_requested; /* sum of the sizes asked for, over all time (lent objects too) */
    uint64_t allocs, frees;   /* over all time; an object counts in the class it lives in */
};

struct heap_stats {
    struct heap_class_stats cls[HEAP_NCLASSES];
    uint32_t pages_total;           /* data pages in the heap range */
    uint32_t pages_held;            /* committed now: slabs + large + descriptor pages */
    uint32_t pages_peak;            /* high-water mark of pages_held */
    uint32_t meta_pages;            /* committed descriptor pages */
    uint32_t slab_pages;            /* pages in slabs (cached empty slabs included) */
    uint32_t large_pages;           /* pages in live large blocks */
    uint32_t cached_pages;          /* pages kept for hysteresis (empty slabs, large cache) */
    uint32_t large_live;            /* live large blocks */
    uint64_t large_bytes_requested; /* sum of the sizes asked for by live large blocks */
    uint32_t free_runs;             /* free page runs in the range */
    uint32_t quarantined;           /* objects in the debug quarantine */
    uint64_t allocs, frees, reallocs;
    uint64_t failed_allocs;     /* NULL returns for lack of memory */
    uint64_t commits, releases; /* page-source calls */
    uint32_t misuse_reports;
};

void heap_stats(struct heap_stats *out);

#endif
