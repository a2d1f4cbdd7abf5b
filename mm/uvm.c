/*
 * mm/uvm.c - user address spaces: page directories, tables and the frames
 * they map (see uvm.h).
 *
 * Every user mapping of a frame holds one reference on it (mm/frameref.h): a
 * frame shared after fork, or a page of a program's image mapped by several
 * processes, goes back to the frame allocator only when its last mapping
 * does. The zero page is the exception: one frame of zeros, mapped read-only
 * wherever a program reads memory it never wrote, and never counted or freed.
 *
 * A directory that is not loaded cannot be reached through the recursive slot,
 * so every function here looks at directories and tables through fixmap
 * windows: map the directory, read the entry, unmap; map the table, edit,
 * unmap. One window per kind (directory, table, source page, destination
 * page), so the nesting below never reuses a window still in use; fixmap_set
 * panics if it ever does. The kernel runs with interrupts off, so nothing else
 * uses these windows meanwhile.
 */
#include "uvm.h"
#include "fixmap.h"
#include "frameref.h"
#include "frametable.h"
#include "kernel/reclaim.h"
#include "kernel/swap.h"
#include "memlayout.h"
#include "pmm.h"
#include "pte.h"
#include "vmm.h"
#include "kernel/io.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "vrange.h"

#define USER_PDX_END KERNEL_PDX_FIRST /* user entries are 0..767 */

#define PD_VA      ((volatile uint32_t *)RECURSIVE_PD)
#define PT_VA(pdx) ((volatile uint32_t *)(RECURSIVE_BASE + (uintptr_t)(pdx)*PAGE_SIZE))

static paddr_t zero_page;

static bool user_page(uintptr_t va)
{
    return va >= USER_LOW && va < USER_TOP;
}

static void clear_page(volatile uint32_t *p)
{
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        p[i] = 0;
}

/* A fresh zeroed frame, or PMM_NO_FRAME. */
static paddr_t alloc_zeroed(void)
{
    paddr_t f = pmm_alloc();
    if (f == PMM_NO_FRAME)
        return f;
    clear_page(fixmap_set(FIXMAP_SLOT_UVM_DST, f));
    fixmap_clear(FIXMAP_SLOT_UVM_DST);
    return f;
}

void uvm_init(void)
{
    /* The counts live in their own kernel range, mapped once, like the frame
     * bitmap: a table for the machine's lifetime, not a heap allocation. */
    uint32_t n = pmm_span_frames();
    size_t bytes = PAGE_ROUND_UP(frameref_storage_bytes(n));
    uintptr_t counts = vrange_alloc(bytes, PAGE_SIZE);
    if (!counts || vmm_alloc_range(counts, bytes, PTE_W) != VMM_OK)
        panic("uvm: no memory for the reference counts of %u frames", (unsigned)n);
    frameref_init((void *)counts, n);
    /* The frame table beside them, the same way (page replacement, kernel/reclaim.c). */
    size_t ft_bytes = PAGE_ROUND_UP(frametable_storage_bytes(n));
    uintptr_t ft = vrange_alloc(ft_bytes, PAGE_SIZE);
    if (!ft || vmm_alloc_range(ft, ft_bytes, PTE_W) != VMM_OK)
        panic("uvm: no memory for the frame table of %u frames", (unsigned)n);
    frametable_init((void *)ft, n);
    zero_page = alloc_zeroed();
    if (zero_page == PMM_NO_FRAME)
        panic("uvm: no frame for the zero page");
    kprintf(
        "uvm: reference counts for %u frames (%u KiB), zero page at 0x%08x, %u frames kept for the kernel\n",
        (unsigned)n, (unsigned)(frameref_storage_bytes(n) >> 10), (unsigned)zero_page, UVM_KERNEL_RESERVE);
}

paddr_t uvm_zero_page(void)
{
    return zero_page;
}

paddr_t uvm_new_frame(void)
{
    /* Below the low-water mark, make room first: the heap's cached pages, then
     * pages of programs to swap (kernel/reclaim.c). */
    if (pmm_free_frames() < UVM_LOW_WATER)
        reclaim(UVM_RECLAIM_BATCH);
    /* The last frames are the kernel's: page tables, kernel stacks and its heap
     * must never fail because programs took everything. */
    if (pmm_free_frames() <= UVM_KERNEL_RESERVE)
        return PMM_NO_FRAME;
    paddr_t f = alloc_zeroed();
    if (f != PMM_NO_FRAME)
        frameref_get(f);
    return f;
}

/* A zeroed frame for a user page table. Programs may not take the last half of
 * the kernel's reserve this way either (sparse touches cost a table per 4 MiB). */
static paddr_t new_table(void)
{
    if (pmm_free_frames() <= UVM_KERNEL_RESERVE / 2)
        return PMM_NO_FRAME;
    return alloc_zeroed();
}

void uvm_drop_frame(paddr_t f)
{
    if (f == zero_page || frameref_put(f) != 0)
        return;
    /* The last mapping is gone: so is the page's copy in the swap cache. */
    uint32_t slot = ft_slot(f);
    if (slot) {
        swap_cache_set(slot, 0);
        swap_put(slot);
    }
    ft_clear(f);
    pmm_free(f);
}

/* Drop whatever a page-table entry holds: a frame reference or a swap slot. */
static void drop_entry(uint32_t e)
{
    if (pte_present(e))
        uvm_drop_frame(pte_frame(e));
    else if (pte_swapped(e))
        swap_put(pte_slot(e));
}

void uvm_copy_frame(paddr_t dst, paddr_t src)
{
    const uint32_t *from = fixmap_set(FIXMAP_SLOT_UVM_SRC, src);
    uint32_t *to = fixmap_set(FIXMAP_SLOT_UVM_DST, dst);
    for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
        to[i] = from[i];
    fixmap_clear(FIXMAP_SLOT_UVM_DST);
    fixmap_clear(FIXMAP_SLOT_UVM_SRC);
}

static bool is_loaded(paddr_t pd)
{
    return (read_cr3() & PTE_ADDR_MASK) == pd;
}

static uint32_t read_pde(paddr_t pd, unsigned pdx)
{
    uint32_t e = ((volatile uint32_t *)fixmap_set(FIXMAP_SLOT_UVM_PD, pd))[pdx];
    fixmap_clear(FIXMAP_SLOT_UVM_PD);
    return e;
}

static void write_pde(paddr_t pd, unsigned pdx, uint32_t e)
{
    ((volatile uint32_t *)fixmap_set(FIXMAP_SLOT_UVM_PD, pd))[pdx] = e;
    fixmap_clear(FIXMAP_SLOT_UVM_PD);
    if (is_loaded(pd))
        invlpg(RECURSIVE_BASE + pdx * PAGE_SIZE); /* the recursive window onto this table */
}

/* Copy the kernel half (768..1022) of the kernel directory into the window `dir`. */
static void copy_kernel_half(volatile uint32_t *dir)
{
    const volatile uint32_t *master = fixmap_set(FIXMAP_SLOT_UVM_SRC, vmm_kernel_pd());
    for (unsigned i = KERNEL_PDX_FIRST; i < RECURSIVE_PDX; i++)
        dir[i] = master[i];
    fixmap_clear(FIXMAP_SLOT_UVM_SRC);
}

paddr_t uvm_create(void)
{
    paddr_t pd = pmm_alloc();
    if (pd == PMM_NO_FRAME)
        return pd;
    volatile uint32_t *dir = fixmap_set(FIXMAP_SLOT_UVM_PD, pd);
    clear_page(dir);
    copy_kernel_half(dir);
    dir[RECURSIVE_PDX] = pde_make(pd, PTE_W);
    fixmap_clear(FIXMAP_SLOT_UVM_PD);
    return pd;
}

void uvm_activate(paddr_t pd, uint32_t *kgen)
{
    if (*kgen != vmm_kernel_pde_generation()) {
        copy_kernel_half(fixmap_set(FIXMAP_SLOT_UVM_PD, pd));
        fixmap_clear(FIXMAP_SLOT_UVM_PD);
        *kgen = vmm_kernel_pde_generation();
    }
    if (!is_loaded(pd))
        write_cr3(pd); /* drops every non-global TLB entry: the old process's pages */
}

/* Free the frames a table maps, then the table. */
static void free_table(paddr_t table)
{
    volatile uint32_t *t = fixmap_set(FIXMAP_SLOT_UVM_PT, table);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        drop_entry(t[i]);
    fixmap_clear(FIXMAP_SLOT_UVM_PT);
    pmm_free(table);
}

void uvm_destroy(paddr_t pd)
{
    if (is_loaded(pd))
        panic("uvm_destroy: directory 0x%08x is still in CR3", (unsigned)pd);
    for (unsigned pdx = 0; pdx < USER_PDX_END; pdx++) {
        uint32_t e = read_pde(pd, pdx);
        if (pte_present(e))
            free_table(pte_frame(e));
    }
    pmm_free(pd);
}

/* The table for `va`, created when `create` and missing; PMM_NO_FRAME if none. */
static paddr_t table_for(paddr_t pd, uintptr_t va, bool create)
{
    uint32_t e = read_pde(pd, PDX(va));
    if (pte_present(e))
        return pte_frame(e);
    if (!create)
        return PMM_NO_FRAME;
    paddr_t t = new_table();
    if (t != PMM_NO_FRAME)
        write_pde(pd, PDX(va), pde_make(t, PTE_W | PTE_U)); /* the PTEs decide each page */
    return t;
}

uint32_t uvm_pte(paddr_t pd, uintptr_t va)
{
    paddr_t t = table_for(pd, va, false);
    if (t == PMM_NO_FRAME)
        return 0;
    uint32_t e = ((volatile uint32_t *)fixmap_set(FIXMAP_SLOT_UVM_PT, t))[PTX(va)];
    fixmap_clear(FIXMAP_SLOT_UVM_PT);
    return e;
}

int uvm_alloc_page(paddr_t pd, uintptr_t va, uint32_t flags)
{
    if (!user_page(va) || !IS_PAGE_ALIGNED(va))
        return VMM_E_RANGE;
    paddr_t t = table_for(pd, va, true);
    if (t == PMM_NO_FRAME)
        return VMM_E_NOMEM;
    if (pte_present(uvm_pte(pd, va)))
        return VMM_E_EXISTS;
    paddr_t f = uvm_new_frame();
    if (f == PMM_NO_FRAME)
        return VMM_E_NOMEM; /* an empty table stays: it is freed with the directory */
    volatile uint32_t *pt = fixmap_set(FIXMAP_SLOT_UVM_PT, t);
    pt[PTX(va)] = pte_make(f, (flags & PTE_W) | PTE_U);
    fixmap_clear(FIXMAP_SLOT_UVM_PT);
    ft_set_page(f, va);
    return VMM_OK;
}

int uvm_alloc_range(paddr_t pd, uintptr_t va, size_t len, uint32_t flags)
{
    for (size_t off = 0; off < len; off += PAGE_SIZE) {
        int err = uvm_alloc_page(pd, va + off, flags);
        if (err) {
            uvm_unmap(pd, va, off);
            return err;
        }
    }
    return VMM_OK;
}

static uint32_t unmap_one(volatile uint32_t *e, uint32_t unused)
{
    (void)unused;
    bool present = pte_present(*e);
    drop_entry(*e);
    *e = 0;
    return present;
}

/* Apply `fn` to every non-empty entry (a page, or a page in swap) of [va, va + len),
 * a table at a time; add up what it returns. */
static uint32_t for_each_pte(paddr_t pd, uintptr_t va, size_t len,
                             uint32_t (*fn)(volatile uint32_t *, uint32_t), uint32_t arg)
{
    uint32_t n = 0;
    uintptr_t end = va + len;
    bool loaded = is_loaded(pd), freed_table = false;
    while (va < end && user_page(va)) {
        uintptr_t table_end = (va | (PT_SPAN - 1)) + 1; /* user_page(va): at most USER_TOP */
        paddr_t t = table_for(pd, va, false);
        if (t == PMM_NO_FRAME) {
            va = table_end;
            continue;
        }
        volatile uint32_t *pt = fixmap_set(FIXMAP_SLOT_UVM_PT, t);
        for (; va < end && va != table_end; va += PAGE_SIZE) {
            if (!pt[PTX(va)])
                continue; /* neither a page nor a swapped page */
            n += fn(&pt[PTX(va)], arg);
            if (loaded)
                invlpg(va);
        }
        /* Unmapping may leave the table empty: then it goes too (munmap of a big
         * sparse mapping would otherwise keep a table per 4 MiB for ever). */
        bool empty = fn == unmap_one;
        for (unsigned i = 0; i < PT_ENTRIES && empty; i++)
            empty = !pt[i];
        fixmap_clear(FIXMAP_SLOT_UVM_PT);
        if (empty) {
            write_pde(pd, PDX(table_end - 1), 0);
            pmm_free(t);
            freed_table = true;
        }
    }
    if (freed_table && loaded)
        write_cr3(pd); /* CPUs may cache directory entries too: drop them all */
    return n;
}

/* U as asked; W kept only if asked for and already there (a read-only entry in a
 * writable region is copy-on-write: the fault handler decides). A and D stay.
 * A page in swap gets its access when it comes back. */
static uint32_t access_one(volatile uint32_t *e, uint32_t flags)
{
    if (!pte_present(*e))
        return 0;
    uint32_t keep = *e & ~(uint32_t)(PTE_U | PTE_W);
    *e = keep | (flags & PTE_U) | (*e & flags & PTE_W);
    return 1;
}

uint32_t uvm_unmap(paddr_t pd, uintptr_t va, size_t len)
{
    return for_each_pte(pd, va, len, unmap_one, 0);
}

int uvm_with_pte(paddr_t pd, uintptr_t va, int (*fn)(volatile uint32_t *pte, void *arg), void *arg)
{
    paddr_t t = table_for(pd, va, false);
    if (t == PMM_NO_FRAME)
        return -1;
    volatile uint32_t *pt = fixmap_set(FIXMAP_SLOT_UVM_PT, t);
    int r = fn(&pt[PTX(va)], arg);
    fixmap_clear(FIXMAP_SLOT_UVM_PT);
    if (is_loaded(pd))
        invlpg(va);
    return r;
}

void uvm_set_access(paddr_t pd, uintptr_t va, size_t len, uint32_t flags)
{
    for_each_pte(pd, va, len, access_one, flags);
}

void uvm_fill_frame(paddr_t f, size_t off, const void *src, size_t n)
{
    uint8_t *d = fixmap_set(FIXMAP_SLOT_UVM_DST, f);
    memcpy(d + off, src, n);
    fixmap_clear(FIXMAP_SLOT_UVM_DST);
}

int uvm_write(paddr_t pd, uintptr_t va, const void *src, size_t n)
{
    const uint8_t *s = src;
    while (n) {
        uint32_t e = uvm_pte(pd, va);
        if (!pte_present(e))
            return -1;
        size_t off = PGOFF(va), chunk = PAGE_SIZE - off;
        if (chunk > n)
            chunk = n;
        uint8_t *d = fixmap_set(FIXMAP_SLOT_UVM_DST, pte_frame(e));
        memcpy(d + off, s, chunk);
        fixmap_clear(FIXMAP_SLOT_UVM_DST);
        va += chunk, s += chunk, n -= chunk;
    }
    return 0;
}

int uvm_share(paddr_t dst, paddr_t src)
{
    for (unsigned pdx = 0; pdx < USER_PDX_END; pdx++) {
        uint32_t pde = read_pde(src, pdx);
        if (!pte_present(pde))
            continue;
        paddr_t dt = table_for(dst, PGADDR(pdx, 0, 0), true);
        if (dt == PMM_NO_FRAME)
            return VMM_E_NOMEM; /* dst is freed by uvm_destroy; the parent's entries are merely read-only */
        volatile uint32_t *from = fixmap_set(FIXMAP_SLOT_UVM_SRC, pte_frame(pde));
        volatile uint32_t *to = fixmap_set(FIXMAP_SLOT_UVM_DST, dt);
        for (unsigned i = 0; i < PT_ENTRIES; i++) {
            uint32_t e = from[i];
            if (pte_swapped(e)) {
                to[i] = e; /* both now refer to the slot */
                swap_dup(pte_slot(e));
                continue;
            }
            if (!pte_present(e))
                continue;
            e &= ~(uint32_t)PTE_W; /* both copies read-only: the first write copies */
            from[i] = e;
            to[i] = e & ~(uint32_t)(PTE_A | PTE_D);
            if (pte_frame(e) != zero_page)
                frameref_get(pte_frame(e));
        }
        fixmap_clear(FIXMAP_SLOT_UVM_DST);
        fixmap_clear(FIXMAP_SLOT_UVM_SRC);
    }
    if (is_loaded(src))
        write_cr3(src); /* the parent's entries lost W: drop what the TLB cached of them */
    return VMM_OK;
}

uint32_t uvm_resident(paddr_t pd, uint32_t *tables)
{
    uint32_t pages = 0, nt = 0;
    for (unsigned pdx = 0; pdx < USER_PDX_END; pdx++) {
        uint32_t pde = read_pde(pd, pdx);
        if (!pte_present(pde))
            continue;
        nt++;
        volatile uint32_t *pt = fixmap_set(FIXMAP_SLOT_UVM_PT, pte_frame(pde));
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            pages += pte_present(pt[i]);
        fixmap_clear(FIXMAP_SLOT_UVM_PT);
    }
    if (tables)
        *tables = nt;
    return pages;
}

volatile uint32_t *uvm_cur_pte(uintptr_t va, bool create)
{
    if (!user_page(va))
        return 0;
    unsigned pdx = PDX(va);
    if (!pte_present(PD_VA[pdx])) {
        if (!create)
            return 0;
        paddr_t t = new_table();
        if (t == PMM_NO_FRAME)
            return 0;
        PD_VA[pdx] = pde_make(t, PTE_W | PTE_U);
        invlpg((uintptr_t)PT_VA(pdx)); /* the recursive window onto the new table */
    }
    return &PT_VA(pdx)[PTX(va)];
}
