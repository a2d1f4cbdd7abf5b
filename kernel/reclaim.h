/*
 * kernel/reclaim.h - page replacement and swap (see reclaim.c).
 */
#ifndef KERNEL_RECLAIM_H
#define KERNEL_RECLAIM_H

#include "mm/types.h"

struct reclaim_stats {
    uint32_t swapped_out; /* frames freed by moving their page to swap */
    uint32_t written;     /* pages written to swap */
    uint32_t clean;       /* evictions that needed no write (the swap cache had the page) */
    uint32_t read;        /* pages read back from swap */
    uint32_t cache_hits;  /* faults served from the swap cache (a shared page read once) */
    uint32_t sweeps;      /* calls that moved the clock hand */
};
extern struct reclaim_stats reclaim_stats;

/* Free up to `want` frames: the heap's cached pages, then programs' pages to
 * swap. Returns how many were freed. */
uint32_t reclaim(uint32_t want);

/* A fault on a page in swap slot `slot` (mapped at `va`): a frame holding it,
 * now with one more reference; the slot loses the faulting entry's reference.
 * PMM_NO_FRAME with *err -ENOMEM or -EIO. */
paddr_t reclaim_swap_in(uint32_t slot, uintptr_t va, int *err);

/* The frame's page is about to be written: its copy in swap is stale. */
void reclaim_drop_copy(paddr_t f);

/* Where the clock hand is (a frame number), for vmstat. */
uint32_t reclaim_hand(void);

#endif
