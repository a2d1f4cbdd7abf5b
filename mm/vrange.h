/*
 * mm/vrange.h - handing out ranges of kernel virtual address space.
 *
 * Between KVA_BASE and KVA_END (memlayout.h) the kernel places things that are
 * not part of its image: the heap, the framebuffer, future stacks. This
 * allocator only hands out addresses; mapping frames there is the vmm's job.
 * Every range is followed by a guard gap of at least one unmapped page, so
 * running off the end of one range faults instead of corrupting the next.
 * Plain C (a small sorted array, first fit), unit-tested on the host.
 */
#ifndef MM_VRANGE_H
#define MM_VRANGE_H

#include "types.h"

#define VRANGE_MAX   64    /* live ranges at most */
#define VRANGE_GUARD 4096u /* unmapped bytes after every range */

/* Manage [base, end): both page-aligned. Forgets earlier ranges. */
void vrange_init(uintptr_t base, uintptr_t end);

/* A range of `size` bytes (rounded up to pages) aligned to `align` (a power of
 * two, at least 4096), with a guard gap after it; 0 when none fits. */
uintptr_t vrange_alloc(size_t size, size_t align);

/* Give back the range starting at `va`; -1 if no range starts there. */
int vrange_free(uintptr_t va);

/* Size of the live range starting at `va` (0 if none). */
size_t vrange_size(uintptr_t va);

/* How many ranges are live. */
int vrange_count(void);

#endif
