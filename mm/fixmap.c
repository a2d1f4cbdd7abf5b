/*
 * mm/fixmap.c - fixed virtual slots for reaching any physical frame (see fixmap.h).
 */
#include "fixmap.h"
#include "memlayout.h"
#include "mmu.h"
#include "kernel/io.h"
#include "kernel/kprintf.h"

/* The fixmap's page table, seen through the recursive directory slot. */
static volatile uint32_t *const fixmap_pt = (volatile uint32_t *)(RECURSIVE_BASE + FIXMAP_PDX * PAGE_SIZE);

void *fixmap_set(unsigned slot, paddr_t pa)
{
    if (slot >= PT_ENTRIES || !IS_PAGE_ALIGNED(pa))
        panic("fixmap_set: bad slot %u or unaligned frame 0x%08x", slot, (unsigned)pa);
    /* Each slot has one user at a time (fixmap.h): a slot still in use means two
     * users collided, and the outer one would silently read the wrong frame. */
    if (fixmap_pt[slot] & PTE_P)
        panic("fixmap_set: slot %u still maps 0x%08x (asked for 0x%08x)", slot,
              (unsigned)(fixmap_pt[slot] & PTE_ADDR_MASK), (unsigned)pa);
    uintptr_t va = FIXMAP_SLOT_VA(slot);
    fixmap_pt[slot] = pa | PTE_P | PTE_W;
    invlpg(va);
    return (void *)va;
}

void fixmap_clear(unsigned slot)
{
    if (slot >= PT_ENTRIES)
        panic("fixmap_clear: bad slot %u", slot);
    if (!(fixmap_pt[slot] & PTE_P))
        panic("fixmap_clear: slot %u is not in use", slot);
    fixmap_pt[slot] = 0;
    invlpg(FIXMAP_SLOT_VA(slot));
}

uint32_t fixmap_pte(unsigned slot)
{
    return slot < PT_ENTRIES ? fixmap_pt[slot] : 0;
}
