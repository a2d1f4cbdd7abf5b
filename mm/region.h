/*
 * mm/region.h - a process's address-space regions: the truth about its memory.
 *
 * A region is a page-aligned range [start, end) of user virtual addresses with
 * one protection and one kind (program image, brk heap, anonymous mmap, stack).
 * The set of regions says what a process may touch; its page tables are only a
 * cache of it, filled on demand and rebuilt from it at will (fork, swap, faults).
 * Design notes and complexity are in region.c. Plain C, host-tested.
 *
 * Invariants of a region_set (region_check() verifies them):
 *   - r[0..n) sorted by start, disjoint, each non-empty and page-aligned;
 *   - no two adjacent regions (a.end == b.start) with the same prot and kind:
 *     such neighbours are always merged, so a growing stack stays one region.
 */
#ifndef MM_REGION_H
#define MM_REGION_H

#include "types.h"

#define REGION_R 0x1u /* PROT_READ */
#define REGION_W 0x2u /* PROT_WRITE */
#define REGION_X 0x4u /* PROT_EXEC */

enum region_kind {
    REGION_IMAGE = 1, /* loaded from the program file */
    REGION_BRK,       /* the heap grown by brk() */
    REGION_ANON,      /* anonymous mmap() */
    REGION_STACK,     /* the user stack */
};

/* [start, end): page-aligned, start < end. */
struct region {
    uintptr_t start, end;
    uint32_t prot; /* REGION_R | REGION_W | REGION_X */
    uint32_t kind; /* enum region_kind */
};

/* n regions in r[0..n), room for cap; r is NULL exactly when cap is 0. */
struct region_set {
    struct region *r;
    int n, cap;
};

#define REGION_OK        0
#define REGION_E_NOMEM   (-1) /* mm_alloc failed: the set is unchanged */
#define REGION_E_OVERLAP (-2) /* region_insert: the range meets an existing region */
#define REGION_E_HOLE    (-3) /* region_protect: part of the range is not covered */
#define REGION_E_ARG     (-4) /* unaligned, empty or wrapping range, bad prot/kind */

/* An empty set; allocates nothing. */
void region_set_init(struct region_set *s);

/* Free the array; the set is empty (as after region_set_init) again. */
void region_set_free(struct region_set *s);

/* Copy src into dst, which must be empty (for fork). REGION_E_ARG if dst is not
 * empty, REGION_E_NOMEM if the array cannot be had (dst stays empty). */
int region_set_copy(struct region_set *dst, const struct region_set *src);

/* The region containing va, or NULL. O(log n). */
const struct region *region_find(const struct region_set *s, uintptr_t va);

/* The first region with end > va (the one containing va, else the next one up),
 * or NULL: iterate with r = region_first_from(s, r->end). O(log n). */
const struct region *region_first_from(const struct region_set *s, uintptr_t va);

/* Add [start, end) where nothing is mapped, merging with a neighbour that touches
 * it and has the same prot and kind. REGION_E_ARG, REGION_E_OVERLAP (nothing
 * changed), REGION_E_NOMEM (only when a new entry is needed; unchanged). */
int region_insert(struct region_set *s, uintptr_t start, uintptr_t end, uint32_t prot, uint32_t kind);

/* Carve [start, end) out of every region it meets, splitting one in two when the
 * range lies strictly inside it; uncovered parts are fine (munmap). REGION_E_ARG;
 * REGION_E_NOMEM only when a split needs an entry and none can be had (unchanged). */
int region_remove(struct region_set *s, uintptr_t start, uintptr_t end);

/* Set prot on every page of [start, end), which must all be covered (else
 * REGION_E_HOLE, unchanged): split at the ends, then merge equal neighbours
 * (mprotect). REGION_E_ARG; REGION_E_NOMEM when the splits need entries that
 * cannot be had (unchanged). */
int region_protect(struct region_set *s, uintptr_t start, uintptr_t end, uint32_t prot);

/* The highest page-aligned x with floor <= x, x + len <= top and
 * [x - guard, x + len + guard) meeting no region (a guard reaching below 0 or past
 * the top of the address space is clipped there). len and guard round up to
 * pages, floor up and top down; x is at least one page, as 0 means "none".
 * Top-down, like Linux's mmap. */
uintptr_t region_find_gap(const struct region_set *s, size_t len, uintptr_t floor, uintptr_t top,
                          size_t guard);

/* Does [start, end) meet no region? false for an empty or wrapping range. */
bool region_range_free(const struct region_set *s, uintptr_t start, uintptr_t end);

/* Bytes covered by all regions (cannot overflow: they are disjoint). */
size_t region_total(const struct region_set *s);

/* Do the invariants above hold? For tests, fuzzers and self-checks. */
bool region_check(const struct region_set *s);

#endif
