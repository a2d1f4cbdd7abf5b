/*
 * mm/frameref.h - a reference count for every physical frame user pages use.
 *
 * After fork, or when several processes run the same program, one frame can
 * be mapped in many address spaces. Each mapping holds a reference; the frame
 * goes back to the frame allocator when the last one is dropped. The counts
 * are a plain array of 16-bit counters indexed by frame number, sized from the
 * frame allocator's span: 2 bytes per 4 KiB frame, 512 KiB per GiB of RAM
 * (0.05 %). 16 bits are plenty: a frame is mapped at most once per process,
 * by at most NPROC processes plus the program-image cache; the one frame
 * mapped more often, the shared zero page, is not counted at all.
 *
 * Plain C, built into the kernel and the host tests. Misuse (a count going
 * below 0 or past 65535, a frame outside the array) is reported through
 * mm_misuse() naming the frame.
 */
#ifndef MM_FRAMEREF_H
#define MM_FRAMEREF_H

#include "types.h"

/* Bytes of storage frameref_init() needs for frames 0 .. nframes-1. */
size_t frameref_storage_bytes(uint32_t nframes);

/* Start counting frames 0 .. nframes-1 in `storage` (zeroed here): every count 0. */
void frameref_init(void *storage, uint32_t nframes);

/* The current count of `frame` (0 for a frame outside the array). */
uint32_t frameref_count(paddr_t frame);

/* One more reference. */
void frameref_get(paddr_t frame);

/* One reference fewer; returns the count left (0: the caller frees the frame).
 * Dropping a reference nobody holds is misuse, reported, and returns 0xFFFFFFFF. */
uint32_t frameref_put(paddr_t frame);

/* Frames with more than one reference (a scan: for statistics). */
uint32_t frameref_shared(void);

#endif
