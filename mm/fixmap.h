/*
 * mm/fixmap.h - fixed virtual slots for reaching any physical frame.
 *
 * Paging means the kernel can only touch memory that is mapped. To read a frame
 * that is not (the loader's data, a page table being built, a frame under test)
 * it maps the frame for a moment into one of a few fixed virtual pages in the
 * fixmap region (see memlayout.h). The fixmap's page table is itself reached
 * through the recursive slot: PD[1023] points at the directory, so the table
 * for directory index i appears at RECURSIVE_BASE + i * 4096. This works from
 * the first line of kmain, before any allocator exists.
 */
#ifndef MM_FIXMAP_H
#define MM_FIXMAP_H

#include "types.h"

/* Map frame `pa` read-write at fixmap slot `slot` and return the slot's address. */
void *fixmap_set(unsigned slot, paddr_t pa);

/* Remove the mapping at `slot`. */
void fixmap_clear(unsigned slot);

/* The page-table entry behind a fixmap slot (for checks). */
uint32_t fixmap_pte(unsigned slot);

/* Temporary-window slots, by purpose, so nested users never collide. */
#define FIXMAP_SLOT_BOOTINFO 0 /* bootinfo copying */
#define FIXMAP_SLOT_VMM      1 /* vmm: the page table being edited (before recursion works) */
#define FIXMAP_SLOT_TEST     2 /* self-tests writing patterns into frames */
#define FIXMAP_SLOT_ZERO     3 /* zeroing fresh page-table frames */
#define FIXMAP_SLOT_UVM_PD   4 /* uvm: a process's page directory */
#define FIXMAP_SLOT_UVM_PT   5 /* uvm: one of its page tables */
#define FIXMAP_SLOT_UVM_SRC  6 /* uvm: the page being copied (fork) or read */
#define FIXMAP_SLOT_UVM_DST  7 /* uvm: the page being filled */
#define FIXMAP_SLOT_SWAP     8 /* reclaim: the page being written to or read from swap */

#endif
