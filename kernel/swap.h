/*
 * kernel/swap.h - the swap area: a disk the kernel may copy pages to.
 *
 * At boot every disk is checked for a Linux swap area (mm/swaparea.h, the
 * format mkswap writes); the first one found is used, or the one named by
 * swap=DEVICE (ata0-master, ata0-slave, ata1-master, ata1-slave, ahciN-portM);
 * swap=off uses none. A disk without the swap signature is never written.
 * Slots are handed out and counted by mm/swapmap.h.
 */
#ifndef KERNEL_SWAP_H
#define KERNEL_SWAP_H

#include "mm/types.h"

struct blockdev;

/* Find and open the swap area (after the disk drivers); one log line. */
void swap_init(void);

/* Is there a swap area? */
bool swap_enabled(void);

/* A free slot (1..), or 0 when the area is full or there is none. */
uint32_t swap_alloc(void);
void swap_dup(uint32_t slot);
/* Drop a reference; the slot is free again with the last. */
void swap_put(uint32_t slot);

/* Write or read one 4 KiB page (a kernel virtual address) at `slot`: 0 or a BLOCK_E_* code. */
int swap_write_page(uint32_t slot, const void *page);
int swap_read_page(uint32_t slot, void *page);

/* The swap cache: which frame (0: none) holds an up-to-date copy of a slot, so
 * a page swapped out of several processes is read back once and shared. */
paddr_t swap_cache_frame(uint32_t slot);
void swap_cache_set(uint32_t slot, paddr_t frame);

/* Slots in use and in all, and the device's name, for vmstat. */
uint32_t swap_used(void);
uint32_t swap_total(void);
const char *swap_device(void);

#endif
