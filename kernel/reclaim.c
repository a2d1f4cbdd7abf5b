/*
 * kernel/reclaim.c - page replacement: the clock over frames, swap-out and swap-in.
 *
 * When free frames run low (uvm_new_frame, below UVM_LOW_WATER), reclaim()
 * first gives back the heap's cached pages (heap_trim), then moves the clock
 * hand over the frame table (mm/frametable.h). Only frames holding programs'
 * private pages are candidates: the kernel's memory, page tables, the zero
 * page and programs' shared image pages are never swapped.
 *
 * For a candidate frame the hand finds every mapping of it: fork keeps
 * addresses, so each process maps it at the address the frame table records,
 * and one page-table walk per process finds them all (the reverse mapping).
 *
 *   - some mapping has the accessed bit set: the page was used since the hand
 *     last passed. Clear the bits (the second chance), age 0, move on;
 *   - no mapping was accessed: the page's age goes up; at age 1 (a whole turn
 *     of the hand without use) it is evicted: written to a free swap slot,
 *     unless the swap cache already holds an up-to-date copy (a clean page
 *     that came back from swap and was not written since: kept read-only, its
 *     first write drops the copy), then every mapping becomes a swapped entry
 *     naming the slot (mm/pte.h), and the frame is free.
 *
 * A fault on a swapped entry (vm_fault -> reclaim_swap_in) reads the slot into
 * a frame, or finds it already in the swap cache when another process that
 * shared the page has read it back: a page shared before it went to swap is
 * read once and shared again.
 */
#include "reclaim.h"
#include "kprintf.h"
#include "proc.h"
#include "swap.h"
#include "vm.h"
#include "mm/fixmap.h"
#include "mm/frameref.h"
#include "mm/frametable.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/pte.h"
#include "mm/uvm.h"

struct reclaim_stats reclaim_stats;
static uint32_t hand; /* the clock hand: a frame number */
static bool reclaiming;

/* What one sweep learns about a frame's mappings. */
struct mappings {
    paddr_t frame;
    int n;
    bool accessed;
    paddr_t pd[NPROC];
};

static int find_one(volatile uint32_t *e, void *arg)
{
    struct mappings *m = arg;
    if (!pte_present(*e) || pte_frame(*e) != m->frame)
        return 0; /* another frame (a copy made on write), or nothing */
    if (*e & PTE_A)
        m->accessed = true;
    return 1;
}

static int clear_accessed(volatile uint32_t *e, void *arg)
{
    if (pte_present(*e) && pte_frame(*e) == *(const paddr_t *)arg)
        *e &= ~(uint32_t)PTE_A;
    return 0;
}

static int to_swapped(volatile uint32_t *e, void *arg)
{
    const struct mappings *m = arg;
    if (!pte_present(*e) || pte_frame(*e) != m->frame)
        return 0;
    uint32_t slot = ft_slot(m->frame);
    swap_dup(slot); /* this entry's reference to the slot */
    *e = pte_make_swapped(slot);
    return 1;
}

/* Write the frame to a new slot; the slot, or 0 (full or failed). */
static uint32_t write_out(paddr_t f)
{
    uint32_t slot = swap_alloc();
    if (!slot)
        return 0;
    const void *page = fixmap_set(FIXMAP_SLOT_SWAP, f);
    int err = swap_write_page(slot, page);
    fixmap_clear(FIXMAP_SLOT_SWAP);
    if (err) {
        swap_put(slot);
        return 0;
    }
    reclaim_stats.written++;
    return slot;
}

/* Look at frame f under the hand; true if it was freed. */
static bool visit(paddr_t f)
{
    uintptr_t va = ft_va(f);
    struct mappings m = {.frame = f};
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = proc_slot(i);
        if (p->state != P_UNUSED && p->pd && uvm_with_pte(p->pd, va, find_one, &m) == 1)
            m.pd[m.n++] = p->pd;
    }
    /* Every reference must be one of these mappings; a frame held some other way
     * (an address space being built by exec, not yet a process's) stays. */
    if (m.n == 0 || frameref_count(f) != (uint32_t)m.n)
        return false;
    if (m.accessed) {
        for (int i = 0; i < m.n; i++)
            uvm_with_pte(m.pd[i], va, clear_accessed, &f);
        ft_set_age(f, 0);
        return false;
    }
    ft_set_age(f, ft_age(f) + 1); /* a whole turn of the hand without use: it goes */
    if (ft_slot(f)) {
        reclaim_stats.clean++; /* the swap cache has it: nothing to write */
    } else {
        uint32_t slot = write_out(f);
        if (!slot)
            return false;
        ft_set_slot(f, slot); /* the cache's own reference, dropped when the frame goes */
        swap_cache_set(slot, f);
    }
    for (int i = 0; i < m.n; i++) {
        uvm_with_pte(m.pd[i], va, to_swapped, &m);
        uvm_drop_frame(f); /* the last one frees it, and ends its place in the swap cache */
    }
    reclaim_stats.swapped_out++;
    return true;
}

uint32_t reclaim(uint32_t want)
{
    if (reclaiming)
        return 0;
    reclaiming = true;
    uint32_t freed = (uint32_t)heap_trim();
    uint32_t n = frametable_frames();
    if (swap_enabled() && n) {
        /* Two turns at most: the first may only clear accessed bits. */
        for (uint32_t visited = 0; freed < want && visited < 2 * n; visited++) {
            paddr_t f = (paddr_t)hand << 12;
            hand = (hand + 1) % n;
            if (ft_swappable(f) && visit(f))
                freed++;
        }
        reclaim_stats.sweeps++;
    }
    reclaiming = false;
    return freed;
}

paddr_t reclaim_swap_in(uint32_t slot, uintptr_t va, int *err)
{
    paddr_t f = swap_cache_frame(slot);
    if (f) {
        frameref_get(f); /* read back already, by a process that shared it */
        reclaim_stats.cache_hits++;
    } else {
        f = uvm_new_frame();
        if (f == PMM_NO_FRAME) {
            *err = -12; /* ENOMEM */
            return PMM_NO_FRAME;
        }
        void *page = fixmap_set(FIXMAP_SLOT_SWAP, f);
        int r = swap_read_page(slot, page);
        fixmap_clear(FIXMAP_SLOT_SWAP);
        if (r) {
            uvm_drop_frame(f);
            kprintf("swap: reading slot %u back failed: the page at 0x%08x is lost\n", (unsigned)slot,
                    (unsigned)va);
            *err = -5; /* EIO */
            return PMM_NO_FRAME;
        }
        ft_set_page(f, va);
        ft_set_slot(f, slot);
        swap_cache_set(slot, f);
        swap_dup(slot); /* the cache's reference */
        reclaim_stats.read++;
    }
    swap_put(slot); /* the faulting entry no longer names the slot */
    return f;
}

void reclaim_drop_copy(paddr_t f)
{
    uint32_t slot = ft_slot(f);
    if (!slot)
        return;
    swap_cache_set(slot, 0);
    ft_set_slot(f, 0);
    swap_put(slot);
}

uint32_t reclaim_hand(void)
{
    return hand;
}
