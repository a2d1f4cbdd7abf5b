/*
 * mm/uvm.c - user address spaces (see uvm.h).
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
#include "memlayout.h"
#include "pmm.h"
#include "pte.h"
#include "vmm.h"
#include "kernel/io.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"

#define USER_PDX_END KERNEL_PDX_FIRST /* user entries are 0..767 */

static bool user_page(uintptr_t va)
{
    return va >= USER_LOW && va < USER_TOP;
}

static void zero_page(volatile uint32_t *p)
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
    zero_page(fixmap_set(FIXMAP_SLOT_UVM_DST, f));
    fixmap_clear(FIXMAP_SLOT_UVM_DST);
    return f;
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
    zero_page(dir);
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
        if (pte_present(t[i]))
            pmm_free(pte_frame(t[i]));
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
    paddr_t t = alloc_zeroed();
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
    paddr_t f = alloc_zeroed();
    if (f == PMM_NO_FRAME)
        return VMM_E_NOMEM; /* an empty table stays: it is freed with the directory */
    volatile uint32_t *pt = fixmap_set(FIXMAP_SLOT_UVM_PT, t);
    pt[PTX(va)] = pte_make(f, (flags & PTE_W) | PTE_U);
    fixmap_clear(FIXMAP_SLOT_UVM_PT);
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

/* Apply `fn` to every present entry of [va, va + len), a table at a time. */
static uint32_t for_each_pte(paddr_t pd, uintptr_t va, size_t len, void (*fn)(volatile uint32_t *, uint32_t),
                             uint32_t arg)
{
    uint32_t n = 0;
    uintptr_t end = va + len;
    bool loaded = is_loaded(pd);
    while (va < end && user_page(va)) {
        uintptr_t table_end = (va | (PT_SPAN - 1)) + 1; /* user_page(va): at most USER_TOP */
        paddr_t t = table_for(pd, va, false);
        if (t == PMM_NO_FRAME) {
            va = table_end;
            continue;
        }
        volatile uint32_t *pt = fixmap_set(FIXMAP_SLOT_UVM_PT, t);
        for (; va < end && va != table_end; va += PAGE_SIZE) {
            if (!pte_present(pt[PTX(va)]))
                continue;
            fn(&pt[PTX(va)], arg);
            n++;
            if (loaded)
                invlpg(va);
        }
        fixmap_clear(FIXMAP_SLOT_UVM_PT);
    }
    return n;
}

static void unmap_one(volatile uint32_t *e, uint32_t unused)
{
    (void)unused;
    pmm_free(pte_frame(*e));
    *e = 0;
}

static void protect_one(volatile uint32_t *e, uint32_t flags)
{
    *e = pte_make(pte_frame(*e), flags & (PTE_W | PTE_U));
}

static void count_one(volatile uint32_t *e, uint32_t unused)
{
    (void)e, (void)unused;
}

uint32_t uvm_unmap(paddr_t pd, uintptr_t va, size_t len)
{
    return for_each_pte(pd, va, len, unmap_one, 0);
}

void uvm_protect(paddr_t pd, uintptr_t va, size_t len, uint32_t flags)
{
    for_each_pte(pd, va, len, protect_one, flags);
}

bool uvm_range_free(paddr_t pd, uintptr_t va, size_t len)
{
    return for_each_pte(pd, va, len, count_one, 0) == 0;
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

int uvm_copy(paddr_t dst, paddr_t src)
{
    for (unsigned pdx = 0; pdx < USER_PDX_END; pdx++) {
        uint32_t pde = read_pde(src, pdx);
        if (!pte_present(pde))
            continue;
        for (unsigned ptx = 0; ptx < PT_ENTRIES; ptx++) {
            uintptr_t va = PGADDR(pdx, ptx, 0);
            const volatile uint32_t *spt = fixmap_set(FIXMAP_SLOT_UVM_PT, pte_frame(pde));
            uint32_t e = spt[ptx];
            fixmap_clear(FIXMAP_SLOT_UVM_PT);
            if (!pte_present(e))
                continue;
            int err = uvm_alloc_page(dst, va, PTE_W);
            if (err)
                return err;
            /* The copy is writable while it is filled; then it gets the parent's flags. */
            uint32_t ne = uvm_pte(dst, va);
            const uint32_t *from = fixmap_set(FIXMAP_SLOT_UVM_SRC, pte_frame(e));
            uint32_t *to = fixmap_set(FIXMAP_SLOT_UVM_DST, pte_frame(ne));
            for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
                to[i] = from[i];
            fixmap_clear(FIXMAP_SLOT_UVM_DST);
            fixmap_clear(FIXMAP_SLOT_UVM_SRC);
            uvm_protect(dst, va, PAGE_SIZE, pte_flags(e));
        }
    }
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

bool uvm_user_ok(uintptr_t va, size_t len, bool write)
{
    if (len == 0)
        return true;
    if (va < USER_LOW || va >= USER_TOP || len > USER_TOP - va)
        return false;
    uint32_t need = PTE_P | PTE_U | (write ? PTE_W : 0);
    for (uintptr_t p = PAGE_ROUND_DOWN(va); p < va + len; p += PAGE_SIZE)
        if ((vmm_pte(p) & need) != need)
            return false;
    return true;
}
