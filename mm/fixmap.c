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
    uintptr_t va = FIXMAP_SLOT_VA(slot);
    fixmap_pt[slot] = pa | PTE_P | PTE_W;
    invlpg(va);
    return (void *)va;
}

void fixmap_clear(unsigned slot)
{
    if (slot >= PT_ENTRIES)
        panic("fixmap_clear: bad slot %u", slot);
    fixmap_pt[slot] = 0;
    invlpg(FIXMAP_SLOT_VA(slot));
}

uint32_t fixmap_pte(unsigned slot)
{
    return slot < PT_ENTRIES ? fixmap_pt[slot] : 0;
}
