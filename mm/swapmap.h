/*
 * mm/swapmap.h - which slots of a swap area hold a page, and for how many users.
 *
 * Each slot (a 4 KiB page of the area) has a reference count: a page swapped
 * out by a process that had forked is still mapped, swapped, by both, and the
 * slot is free again only when both have dropped it. Finding a free slot uses
 * the frame allocator's idea (mm/pmm.c): a bitmap with one bit per slot (1 =
 * free) and a summary with one bit per bitmap word (1 = the word has a free
 * slot), so a search looks at a few words, not at every slot. Bad pages from
 * the swap header are marked in use for ever.
 *
 * Costs 2 bytes (count) + 1 bit (bitmap) + 1/32 bit (summary) per slot: about
 * 530 KiB of kernel memory per GiB of swap. Plain C, host-tested.
 */
#ifndef MM_SWAPMAP_H
#define MM_SWAPMAP_H

#include "types.h"

struct swapmap {
    uint32_t nslots; /* slots 0 .. nslots-1; slot 0 is the header, never handed out */
    uint32_t nfree;
    uint32_t hint;     /* the bitmap word where the next search starts */
    uint16_t *count;   /* per slot: 0 = free */
    uint32_t *bits;    /* per slot: 1 = free */
    uint32_t *summary; /* per word of bits: 1 = has a free slot */
};

/* Bytes of storage swapmap_init() needs for nslots slots. */
size_t swapmap_storage_bytes(uint32_t nslots);

/* Manage slots 1 .. nslots-1 of an area (slot 0, the header, and the `nbad`
 * pages in `bad` are never handed out). `storage` holds swapmap_storage_bytes(). */
void swapmap_init(struct swapmap *m, void *storage, uint32_t nslots, const uint32_t *bad, uint32_t nbad);

/* A free slot, now with one reference; 0 when the area is full. */
uint32_t swapmap_alloc(struct swapmap *m);

/* One more reference to a used slot (fork shares a swapped page). */
void swapmap_dup(struct swapmap *m, uint32_t slot);

/* One reference fewer; the count left (0: the slot is free again). Misuse (a
 * free, bad or out-of-range slot) is reported through mm_misuse() and returns 0xFFFFFFFF. */
uint32_t swapmap_put(struct swapmap *m, uint32_t slot);

/* The references a slot has (0: free). */
uint32_t swapmap_count(const struct swapmap *m, uint32_t slot);

/* Slots in use (bad pages and the header not counted). */
uint32_t swapmap_used(const struct swapmap *m);

#endif
