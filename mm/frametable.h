/*
 * mm/frametable.h - what each physical frame holds, for page replacement.
 *
 * One 8-byte entry per frame (2 MiB per GiB of RAM), sized from the frame
 * allocator's span like the reference counts. For a frame that holds a
 * program's private page (anonymous memory, the stack, a copied program data
 * page: the pages that may go to swap) it records:
 *
 *   - the user virtual address the page is mapped at. That is also the reverse
 *     mapping: fork keeps addresses, so every process that maps the frame maps
 *     it at this address, and the frame's mappings are found by looking the
 *     address up in each process's page tables;
 *   - its age: how many sweeps of the clock hand found it not accessed;
 *   - its swap slot, when the page also has an up-to-date copy in swap (the
 *     swap cache): such a frame can be reused without writing it again.
 *
 * Frames the kernel keeps (its image, heap, page tables, kernel stacks), the
 * zero page and programs' cached image pages have no entry and are never
 * swapped. Plain C, host-tested.
 */
#ifndef MM_FRAMETABLE_H
#define MM_FRAMETABLE_H

#include "types.h"

struct frame_entry {
    uint32_t va_age; /* user page address | age (low 8 bits) | FT_SWAPPABLE (bit 8) */
    uint32_t slot;   /* swap slot holding a copy of the page, 0 if none */
};

#define FT_SWAPPABLE 0x100u
#define FT_AGE_MASK  0xFFu

size_t frametable_storage_bytes(uint32_t nframes);
void frametable_init(void *storage, uint32_t nframes);
uint32_t frametable_frames(void);

/* The frame now holds the private page at user address `va` (age 0, no swap copy). */
void ft_set_page(paddr_t frame, uintptr_t va);
/* The frame no longer holds a swappable page. */
void ft_clear(paddr_t frame);

bool ft_swappable(paddr_t frame);
uintptr_t ft_va(paddr_t frame);
uint32_t ft_age(paddr_t frame);
void ft_set_age(paddr_t frame, uint32_t age);
uint32_t ft_slot(paddr_t frame);
void ft_set_slot(paddr_t frame, uint32_t slot);

/* Swappable frames (a scan, for statistics). */
uint32_t ft_count_swappable(void);

#endif
