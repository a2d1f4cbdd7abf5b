/*
 * mm/vmm.c - kernel page tables and the paging API (see vmm.h).
 *
 * vmm_init() replaces the boot page tables, which map low memory twice and
 * everything writable, with a directory built from a table of regions derived
 * from the linker's symbols: text and rodata read-only, data and bss
 * read-write, the boot stack's guard page left unmapped, the VGA text buffer
 * read-write, and nothing at all below KERNEL_BASE. The new directory is built
 * off to the side through fixmap windows, then loaded into CR3 in one step;
 * after that the boot tables are garbage and go back to the frame allocator.
 */
#include "vmm.h"
#include "fixmap.h"
#include "memlayout.h"
#include "pmm.h"
#include "pte.h"
#include "kernel/cpu.h"
#include "kernel/gdt.h"
#include "kernel/io.h"
#include "kernel/kprintf.h"

#define PD_VA      ((volatile uint32_t *)RECURSIVE_PD)
#define PT_VA(pdx) ((volatile uint32_t *)(RECURSIVE_BASE + (uintptr_t)(pdx)*PAGE_SIZE))

/* One row of the kernel's own mappings. `flags` 0 = read-only; KMAP_NONE = leave unmapped. */
struct kmap {
    const char *name;
    uintptr_t start, end; /* virtual, page-aligned */
    uint32_t flags;
};
#define KMAP_NONE 0x80000000u

static paddr_t kernel_pd;
static uint32_t pde_generation;
static uint32_t tables_allocated;
static uint32_t global_flag; /* PTE_G when the CPU has PGE, else 0 */

/* The regions, from the linker script's symbols: the whole policy in one table. */
static int kernel_regions(struct kmap *r)
{
    int n = 0;
    r[n++] = (struct kmap){"text", (uintptr_t)text_start, (uintptr_t)text_end, 0};
    r[n++] = (struct kmap){"rodata", (uintptr_t)rodata_start, (uintptr_t)rodata_end, 0};
    r[n++] = (struct kmap){"data", (uintptr_t)data_start, (uintptr_t)data_end, PTE_W};
    r[n++] = (struct kmap){"bss", (uintptr_t)bss_start, (uintptr_t)boot_stack_guard, PTE_W};
    r[n++] =
        (struct kmap){"stack guard", (uintptr_t)boot_stack_guard, (uintptr_t)boot_stack_bottom, KMAP_NONE};
    r[n++] = (struct kmap){"stack+bss", (uintptr_t)boot_stack_bottom, (uintptr_t)bss_end, PTE_W};
    r[n++] = (struct kmap){"vga text", VGA_TEXT_VIRT, VGA_TEXT_VIRT + 0x8000, PTE_W};
    return n;
}
#define MAX_REGIONS 8

/* ------------------------------------------------ building the directory */

static void zero_frame(paddr_t f)
{
    volatile uint32_t *p = fixmap_set(FIXMAP_SLOT_ZERO, f);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        p[i] = 0;
    fixmap_clear(FIXMAP_SLOT_ZERO);
}

static paddr_t alloc_zeroed(const char *what)
{
    paddr_t f = pmm_alloc();
    if (f == PMM_NO_FRAME)
        panic("vmm_init: out of memory for the %s", what);
    zero_frame(f);
    return f;
}

/* Write one entry of the directory being built (not yet in CR3). */
static void offline_map(paddr_t pd, uintptr_t va, paddr_t pa, uint32_t flags)
{
    volatile uint32_t *dir = fixmap_set(FIXMAP_SLOT_VMM, pd);
    uint32_t pde = dir[PDX(va)];
    if (!pte_present(pde)) {
        fixmap_clear(FIXMAP_SLOT_VMM);
        paddr_t t = alloc_zeroed("kernel page tables");
        tables_allocated++;
        dir = fixmap_set(FIXMAP_SLOT_VMM, pd);
        pde = dir[PDX(va)] = pde_make(t, PTE_W);
    }
    fixmap_clear(FIXMAP_SLOT_VMM);
    volatile uint32_t *table = fixmap_set(FIXMAP_SLOT_VMM, pte_frame(pde));
    table[PTX(va)] = pte_make(pa, flags);
    fixmap_clear(FIXMAP_SLOT_VMM);
}

static void decide_features(void)
{
    if (cpu_has(CPUID_EDX_PSE))
        kprintf("cpu: PSE (4 MiB pages) available, not used: the kernel maps everything with 4 KiB pages\n");
    else
        kprintf("cpu: PSE (4 MiB pages) not available: 4 KiB pages only\n");
    if (cpu_has(CPUID_EDX_PGE)) {
        global_flag = PTE_G;
        kprintf("cpu: PGE available: kernel image pages are global (kept across CR3 reloads)\n");
    } else {
        kprintf("cpu: PGE not available: no global pages\n");
    }
}

void vmm_init(void)
{
    struct kmap r[MAX_REGIONS];
    int n = kernel_regions(r);

    decide_features();
    kernel_pd = alloc_zeroed("kernel page directory");

    for (int i = 0; i < n; i++) {
        char perm[4] = {'r', (r[i].flags & PTE_W) ? 'w' : '-', 0, 0};
        bool image =
            r[i].start < (uintptr_t)kernel_virtual_end && r[i].start >= (uintptr_t)kernel_virtual_start;
        perm[2] = (r[i].flags == 0 && r[i].start == (uintptr_t)text_start) ? 'x' : '-';
        if (r[i].start == r[i].end)
            continue; /* an empty region (e.g. no .bss below the stack) */
        if (r[i].flags == KMAP_NONE) {
            kprintf("vmm: %-11s 0x%08x-0x%08x unmapped (guard)\n", r[i].name, (unsigned)r[i].start,
                    (unsigned)(r[i].end - 1));
            continue;
        }
        kprintf("vmm: %-11s 0x%08x-0x%08x %s%s\n", r[i].name, (unsigned)r[i].start, (unsigned)(r[i].end - 1),
                perm, image && global_flag ? " global" : "");
        for (uintptr_t va = r[i].start; va < r[i].end; va += PAGE_SIZE)
            offline_map(kernel_pd, va, (paddr_t)(va - KERNEL_BASE), r[i].flags | (image ? global_flag : 0));
    }

    /* The fixmap table: a fresh one, with the frame allocator's bitmap slots copied over
     * (the temporary slots are idle here). Then the recursive slot. */
    paddr_t fixmap_table = alloc_zeroed("fixmap page table");
    tables_allocated++;
    volatile uint32_t *t = fixmap_set(FIXMAP_SLOT_VMM, fixmap_table);
    for (unsigned s = FIXMAP_TEMP_SLOTS; s < PT_ENTRIES; s++)
        t[s] = fixmap_pte(s);
    fixmap_clear(FIXMAP_SLOT_VMM);
    volatile uint32_t *dir = fixmap_set(FIXMAP_SLOT_VMM, kernel_pd);
    dir[FIXMAP_PDX] = pde_make(fixmap_table, PTE_W);
    dir[RECURSIVE_PDX] = pde_make(kernel_pd, PTE_W);
    fixmap_clear(FIXMAP_SLOT_VMM);

    /* Switch. From here the recursive window shows the new tables. */
    write_cr3(kernel_pd);
    gdt_set_double_fault_cr3(kernel_pd);
    if (global_flag)
        write_cr4(read_cr4() | CR4_PGE);
    kprintf("vmm: kernel page directory at 0x%08x, %u page tables; CR0.WP on\n", (unsigned)kernel_pd,
            (unsigned)tables_allocated);

    /* The boot directory and tables are unused now: give their frames back. */
    paddr_t bt_start = (paddr_t)((uintptr_t)boot_tables_start - KERNEL_BASE);
    paddr_t bt_end = (paddr_t)((uintptr_t)boot_tables_end - KERNEL_BASE);
    if (pmm_donate(bt_start, bt_end) != PMM_OK)
        panic("vmm_init: could not return the boot page tables to the frame allocator");
    kprintf("vmm: boot page tables 0x%08x-0x%08x returned to the frame allocator (%u frames)\n",
            (unsigned)bt_start, (unsigned)(bt_end - 1), (unsigned)((bt_end - bt_start) / PAGE_SIZE));
}

/* ---------------------------------------------------------- the API */

static bool va_ok(uintptr_t va)
{
    return va >= KERNEL_BASE && va < FIXMAP_BASE;
}

/* Make sure the page table covering va exists; VMM_E_NOMEM if no frame for it. */
static int ensure_table(uintptr_t va)
{
    unsigned pdx = PDX(va);
    if (pte_present(PD_VA[pdx]))
        return VMM_OK;
    paddr_t f = pmm_alloc();
    if (f == PMM_NO_FRAME)
        return VMM_E_NOMEM;
    /* Zero the table before the directory points at it: for a moment the old
     * contents of the frame would otherwise be live page-table entries. */
    zero_frame(f);
    PD_VA[pdx] = pde_make(f, PTE_W);
    invlpg((uintptr_t)PT_VA(pdx)); /* the recursive-window page for this table is new */
    tables_allocated++;
    if (pdx >= KERNEL_PDX_FIRST) {
        /* A new kernel-half table: the kernel directory is the master copy every
         * process directory is synchronised from (mm/uvm.c, on its next switch). */
        if ((read_cr3() & PTE_ADDR_MASK) != kernel_pd) {
            volatile uint32_t *master = fixmap_set(FIXMAP_SLOT_VMM, kernel_pd);
            master[pdx] = PD_VA[pdx];
            fixmap_clear(FIXMAP_SLOT_VMM);
        }
        pde_generation++;
    }
    return VMM_OK;
}

int vmm_map(uintptr_t va, paddr_t pa, uint32_t flags)
{
    if (!IS_PAGE_ALIGNED(va) || !IS_PAGE_ALIGNED(pa))
        return VMM_E_ALIGN;
    if (!va_ok(va))
        return VMM_E_RANGE;
    if (flags & ~(uint32_t)(PTE_ALLOWED_FLAGS | VMM_REMAP))
        return VMM_E_FLAGS;
    int err = ensure_table(va);
    if (err)
        return err;
    volatile uint32_t *pte = &PT_VA(PDX(va))[PTX(va)];
    bool was_present = pte_present(*pte);
    if (was_present && !(flags & VMM_REMAP))
        return VMM_E_EXISTS;
    *pte = pte_make(pa, flags & PTE_ALLOWED_FLAGS);
    if (was_present)
        invlpg(va); /* the old translation may be cached */
    return VMM_OK;
}

int vmm_reserve_tables(uintptr_t va, size_t size)
{
    if (!va_ok(va) || size == 0 || !va_ok(va + size - 1))
        return VMM_E_RANGE;
    for (uintptr_t t = va & ~(uintptr_t)(PT_SPAN - 1); t < va + size; t += PT_SPAN) {
        int err = ensure_table(t);
        if (err)
            return err;
    }
    return VMM_OK;
}

uint32_t vmm_pde(uintptr_t va)
{
    return PD_VA[PDX(va)];
}

uint32_t vmm_pte(uintptr_t va)
{
    if (!pte_present(PD_VA[PDX(va)]))
        return 0;
    return PT_VA(PDX(va))[PTX(va)];
}

paddr_t vmm_unmap(uintptr_t va)
{
    va = PAGE_ROUND_DOWN(va);
    if (!va_ok(va))
        return PMM_NO_FRAME;
    uint32_t e = vmm_pte(va);
    if (!pte_present(e))
        return PMM_NO_FRAME;
    PT_VA(PDX(va))[PTX(va)] = 0;
    invlpg(va);
    return pte_frame(e);
}

bool vmm_translate(uintptr_t va, paddr_t *pa, uint32_t *flags)
{
    uint32_t e = vmm_pte(va);
    if (!pte_present(e))
        return false;
    if (pa)
        *pa = pte_frame(e) | (paddr_t)PGOFF(va);
    if (flags)
        *flags = pte_flags(e);
    return true;
}

int vmm_map_range(uintptr_t va, paddr_t pa, size_t size, uint32_t flags)
{
    if (!IS_PAGE_ALIGNED(size))
        return VMM_E_ALIGN;
    for (size_t off = 0; off < size; off += PAGE_SIZE) {
        int err = vmm_map(va + off, pa + (paddr_t)off, flags);
        if (err) {
            vmm_unmap_range(va, off); /* all or nothing */
            return err;
        }
    }
    return VMM_OK;
}

void vmm_unmap_range(uintptr_t va, size_t size)
{
    for (size_t off = 0; off < size; off += PAGE_SIZE)
        vmm_unmap(va + off);
}

int vmm_alloc_range(uintptr_t va, size_t size, uint32_t flags)
{
    if (!IS_PAGE_ALIGNED(size) || !IS_PAGE_ALIGNED(va))
        return VMM_E_ALIGN;
    for (size_t off = 0; off < size; off += PAGE_SIZE) {
        paddr_t f = pmm_alloc();
        int err = f == PMM_NO_FRAME ? VMM_E_NOMEM : vmm_map(va + off, f, flags);
        if (err) {
            if (f != PMM_NO_FRAME)
                pmm_free(f);
            vmm_free_range(va, off);
            return err;
        }
    }
    return VMM_OK;
}

void vmm_free_range(uintptr_t va, size_t size)
{
    for (size_t off = 0; off < size; off += PAGE_SIZE) {
        paddr_t f = vmm_unmap(va + off);
        if (f != PMM_NO_FRAME)
            pmm_free(f);
    }
}

paddr_t vmm_kernel_pd(void)
{
    return kernel_pd;
}
uint32_t vmm_kernel_pde_generation(void)
{
    return pde_generation;
}
uint32_t vmm_tables_allocated(void)
{
    return tables_allocated;
}

bool vmm_guard_unmapped(void)
{
    return !vmm_translate((uintptr_t)boot_stack_guard, 0, 0);
}
