/*
 * mm/pmm.h - the physical frame allocator.
 *
 * Every 4 KiB frame of usable RAM is one bit in a bitmap (1 = free). A summary
 * level with one bit per bitmap word says which words still hold a free frame,
 * so finding a free frame is a couple of count-trailing-zeros operations rather
 * than a scan: constant time at any occupancy.
 *
 * Plain C, built into the kernel and the host tests (see mm/mm_shim.h).
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include "types.h"
#include "memmap.h"

#define PMM_FRAME_SIZE 4096u

/* Returned when no frame is available: not page-aligned, so never a frame. */
#define PMM_NO_FRAME ((paddr_t)0xFFFFFFFFu)

/*
 * Error codes returned by pmm_free() and pmm_donate(); all but PMM_E_FULL come
 * after mm_misuse() has reported the misuse.
 */
#define PMM_OK          0
#define PMM_E_UNALIGNED (-1)
#define PMM_E_RANGE     (-2) /* outside managed memory (or, donating, the bitmap) */
#define PMM_E_RESERVED  (-3) /* a frame the sanitiser rejected */
#define PMM_E_DOUBLE    (-4) /* already free */
#define PMM_E_MANAGED   (-5) /* donating a frame that is already managed */
#define PMM_E_FULL      (-6) /* no room to record another managed range */

/* Bytes of storage pmm_init() needs for `map` (bitmap plus summary). */
size_t pmm_storage_bytes(const struct memmap *map);

/*
 * Start managing the usable ranges of `map`. `storage` must point to
 * pmm_storage_bytes(map) bytes that stay valid for ever; pmm_init() fills it.
 * Every usable frame starts free; everything else is permanently reserved.
 */
void pmm_init(const struct memmap *map, void *storage);

/* Allocate one frame; PMM_NO_FRAME when memory is exhausted. */
paddr_t pmm_alloc(void);

/*
 * Free one frame. Misuse (unaligned, unmanaged, reserved, already free) is
 * reported through mm_misuse() naming the address and the caller, and returns
 * one of the PMM_E_* codes; success returns PMM_OK.
 */
int pmm_free(paddr_t frame);

/*
 * Allocate `n` physically contiguous frames starting at a multiple of `align`
 * bytes (a power of two, at least 4096) and ending at or below `limit` (the
 * first byte address not allowed; 0 means no limit). PMM_NO_FRAME if none.
 */
paddr_t pmm_alloc_contig(size_t n, size_t align, uint64_t limit);

/* Free `n` contiguous frames from `first` (each freed as by pmm_free()). */
int pmm_free_contig(paddr_t first, size_t n);

/*
 * Hand frames [start, end) that the sanitiser carved out (the boot page tables,
 * once the kernel no longer uses them, say) to the allocator as free, managed
 * memory; both ends page-aligned. They must lie within the bitmap, below the
 * highest usable frame, and must not already be managed (PMM_E_UNALIGNED,
 * PMM_E_RANGE, PMM_E_MANAGED, each reported through mm_misuse()). If the range
 * touches no managed range and MEMMAP_MAX_USABLE ranges are recorded already,
 * nothing changes and PMM_E_FULL is returned. Counts grow by the frames given.
 */
int pmm_donate(paddr_t start, paddr_t end);

/* Is this frame currently allocated (false for free or unmanaged frames)? */
bool pmm_is_allocated(paddr_t frame);

/* Does the allocator manage this frame (usable RAM, free or allocated)? */
bool pmm_is_managed(paddr_t frame);

/* Frames covered by the bitmap: from frame 0 up to the highest usable frame. */
uint32_t pmm_span_frames(void);

/* Counts, in frames. total = usable frames managed; used = total - free. */
uint32_t pmm_total_frames(void);
uint32_t pmm_free_frames(void);
uint32_t pmm_used_frames(void);

#endif
