/*
 * mm/vmm_selftest.c - boot self-checks of the kernel's page tables and the paging API.
 *
 * Like JOS's check_kern_pgdir, the mappings are verified by walking the page
 * tables in software and comparing every kernel page's frame and permission bits
 * with what the linker symbols say they must be; the API is then exercised on a
 * scratch range, including running out of frames while a page table is being
 * allocated. Each group prints one "selftest: <group> ok" line.
 */
#include "vmm.h"
#include "fixmap.h"
#include "memlayout.h"
#include "mm_selftest.h"
#include "pmm.h"
#include "pte.h"
#include "vrange.h"
#include "kernel/io.h"
#include "kernel/kprintf.h"
#include "kernel/selftest.h"

/* Every page of [start, end) maps frame va - KERNEL_BASE with exactly the W bit `w`; counts mismatches. */
static unsigned check_image_range(uintptr_t start, uintptr_t end, bool w)
{
    unsigned bad = 0;
    for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
        paddr_t pa;
        uint32_t fl;
        if (!vmm_translate(va, &pa, &fl) || pa != va - KERNEL_BASE || !!(fl & PTE_W) != w || (fl & PTE_U)) {
            if (bad++ < 4)
                kprintf("selftest: page 0x%08x maps 0x%08x flags 0x%03x, expected 0x%08x %s\n", (unsigned)va,
                        (unsigned)pa, (unsigned)fl, (unsigned)(va - KERNEL_BASE),
                        w ? "writable" : "read-only");
        }
    }
    return bad;
}

static void check_kernel_mappings(void)
{
    selftest_group_begin("vmm-layout");
    SELFTEST(check_image_range((uintptr_t)text_start, (uintptr_t)text_end, false) == 0);
    SELFTEST(check_image_range((uintptr_t)rodata_start, (uintptr_t)rodata_end, false) == 0);
    SELFTEST(check_image_range((uintptr_t)data_start, (uintptr_t)data_end, true) == 0);
    SELFTEST(check_image_range((uintptr_t)bss_start, (uintptr_t)boot_stack_guard, true) == 0);
    SELFTEST(check_image_range((uintptr_t)boot_stack_bottom, (uintptr_t)bss_end, true) == 0);
    SELFTEST(check_image_range(VGA_TEXT_VIRT, VGA_TEXT_VIRT + 0x8000, true) == 0);
    SELFTEST(vmm_guard_unmapped());

    /* Nothing below KERNEL_BASE: no directory entry at all, so NULL and the old identity map fault. */
    unsigned low = 0;
    for (uintptr_t pdx = 0; pdx < KERNEL_PDX_FIRST; pdx++)
        low += pte_present(vmm_pde(pdx << PDX_SHIFT));
    SELFTEST(low == 0);
    SELFTEST(!vmm_translate(0, 0, 0));
    SELFTEST(!vmm_translate(KERNEL_LOAD_PHYS, 0, 0));

    /* In the kernel's first 4 MiB only the image and the VGA buffer are mapped. */
    unsigned stray = 0;
    for (uintptr_t va = KERNEL_BASE; va < KERNEL_BASE + PT_SPAN; va += PAGE_SIZE) {
        bool image = va >= (uintptr_t)kernel_virtual_start && va < (uintptr_t)kernel_virtual_end;
        bool vga = va >= VGA_TEXT_VIRT && va < VGA_TEXT_VIRT + 0x8000;
        bool guard = va >= (uintptr_t)boot_stack_guard && va < (uintptr_t)boot_stack_bottom;
        if (vmm_translate(va, 0, 0) != ((image || vga) && !guard))
            stray++;
    }
    SELFTEST(stray == 0);
    /* Between the image's tables and KVA_BASE: no page tables. */
    unsigned gap = 0;
    for (uintptr_t va = PAGE_ROUND_UP((uintptr_t)kernel_virtual_end) + PT_SPAN; va < KVA_BASE; va += PT_SPAN)
        gap += pte_present(vmm_pde(va & ~(uintptr_t)(PT_SPAN - 1)));
    SELFTEST(gap == 0);

    /* The hardware state that makes the permissions real. */
    SELFTEST(read_cr0() & CR0_WP);
    SELFTEST((read_cr3() & PTE_ADDR_MASK) == vmm_kernel_pd());
    SELFTEST(pte_frame(vmm_pde(RECURSIVE_BASE)) == vmm_kernel_pd());
    selftest_group_end();
}

/*
 * Take every free frame, keeping their numbers in index frames of 1023 entries
 * (word 0 links the previous index frame), so even 4 GiB needs only a few
 * hundred temporary mappings. stash_return() frees them all.
 */
static paddr_t stash_all(uint32_t *count)
{
    paddr_t index = PMM_NO_FRAME;
    volatile uint32_t *w = 0;
    unsigned used = PT_ENTRIES;
    *count = 0;
    for (paddr_t f; (f = pmm_alloc()) != PMM_NO_FRAME; (*count)++) {
        if (used == PT_ENTRIES) { /* this frame becomes the next index frame */
            if (w)
                fixmap_clear(FIXMAP_SLOT_TEST);
            w = fixmap_set(FIXMAP_SLOT_TEST, f);
            w[0] = index;
            w[1] = PMM_NO_FRAME; /* empty until a frame is stored: it may be the last one */
            index = f;
            used = 1;
            continue;
        }
        w[used++] = f;
        if (used < PT_ENTRIES)
            w[used] = PMM_NO_FRAME;
    }
    if (w)
        fixmap_clear(FIXMAP_SLOT_TEST);
    return index;
}

static void stash_return(paddr_t index)
{
    while (index != PMM_NO_FRAME) {
        volatile uint32_t *w = fixmap_set(FIXMAP_SLOT_TEST, index);
        paddr_t prev = w[0];
        for (unsigned i = 1; i < PT_ENTRIES && w[i] != PMM_NO_FRAME; i++)
            pmm_free(w[i]);
        fixmap_clear(FIXMAP_SLOT_TEST);
        pmm_free(index);
        index = prev;
    }
}

static void check_api(void)
{
    selftest_group_begin("vmm-api");
    uintptr_t va = vrange_alloc(4 * PAGE_SIZE, PAGE_SIZE);
    SELFTEST(va != 0);
    paddr_t f1 = pmm_alloc(), f2 = pmm_alloc();
    SELFTEST(f1 != PMM_NO_FRAME && f2 != PMM_NO_FRAME);
    if (va == 0 || f1 == PMM_NO_FRAME || f2 == PMM_NO_FRAME) {
        /* The failure is recorded; going on would write through address 0 or a bogus frame. */
        if (f1 != PMM_NO_FRAME)
            pmm_free(f1);
        if (f2 != PMM_NO_FRAME)
            pmm_free(f2);
        if (va != 0)
            vrange_free(va);
        selftest_group_end();
        return;
    }

    /* Distinct contents in the two frames, written through the fixmap. */
    *(volatile uint32_t *)fixmap_set(FIXMAP_SLOT_TEST, f1) = 0x11111111;
    fixmap_clear(FIXMAP_SLOT_TEST);
    *(volatile uint32_t *)fixmap_set(FIXMAP_SLOT_TEST, f2) = 0x22222222;
    fixmap_clear(FIXMAP_SLOT_TEST);

    paddr_t pa;
    uint32_t fl;
    SELFTEST(!vmm_translate(va, 0, 0));
    SELFTEST(vmm_map(va, f1, PTE_W) == VMM_OK);
    SELFTEST(vmm_translate(va + 0x123, &pa, &fl) && pa == f1 + 0x123 && (fl & PTE_W) && (fl & PTE_P));
    SELFTEST(*(volatile uint32_t *)va == 0x11111111);
    /* Mapping over a present entry is refused unless asked for, and changes nothing. */
    SELFTEST(vmm_map(va, f2, PTE_W) == VMM_E_EXISTS);
    SELFTEST(vmm_translate(va, &pa, 0) && pa == f1);
    /* Remap: the TLB must not keep the old translation (the read would show f1). */
    SELFTEST(vmm_map(va, f2, VMM_REMAP) == VMM_OK);
    SELFTEST(*(volatile uint32_t *)va == 0x22222222);
    SELFTEST(vmm_translate(va, &pa, &fl) && pa == f2 && !(fl & PTE_W));
    SELFTEST(vmm_unmap(va) == f2);
    SELFTEST(!vmm_translate(va, 0, 0));
    SELFTEST(vmm_unmap(va) == PMM_NO_FRAME);
    /* Bad arguments. */
    SELFTEST(vmm_map(va + 1, f1, PTE_W) == VMM_E_ALIGN);
    SELFTEST(vmm_map(va, f1 + 8, PTE_W) == VMM_E_ALIGN);
    SELFTEST(vmm_map(0x1000, f1, PTE_W) == VMM_E_RANGE);
    SELFTEST(vmm_map(RECURSIVE_BASE, f1, PTE_W) == VMM_E_RANGE);
    SELFTEST(vmm_map(va, f1, PTE_A) == VMM_E_FLAGS);
    /* Ranges: map three pages, see each, unmap them. */
    SELFTEST(vmm_map_range(va, f1, 2 * PAGE_SIZE, PTE_W) == VMM_OK);
    SELFTEST(vmm_translate(va + PAGE_SIZE, &pa, 0) && pa == f1 + PAGE_SIZE);
    SELFTEST(vmm_map_range(va + PAGE_SIZE, f2, 2 * PAGE_SIZE, PTE_W) == VMM_E_EXISTS);
    SELFTEST(!vmm_translate(va + 2 * PAGE_SIZE, 0, 0)); /* all or nothing */
    vmm_unmap_range(va, 2 * PAGE_SIZE);
    SELFTEST(!vmm_translate(va, 0, 0) && !vmm_translate(va + PAGE_SIZE, 0, 0));
    uint32_t free_before = pmm_free_frames();
    SELFTEST(vmm_alloc_range(va, 3 * PAGE_SIZE, PTE_W) == VMM_OK);
    SELFTEST(pmm_free_frames() == free_before - 3);
    ((volatile uint32_t *)va)[3 * PAGE_SIZE / 4 - 1] = 0xABCD; /* last word is writable */
    vmm_free_range(va, 3 * PAGE_SIZE);
    SELFTEST(pmm_free_frames() == free_before);
    pmm_free(f1);
    pmm_free(f2);
    vrange_free(va);

    /*
     * Out of frames while a page table is needed: pick a directory slot with no
     * table, take every free frame, and map there. Expect VMM_E_NOMEM, no table
     * created, no frame lost; with the frames back, the same call succeeds.
     */
    uintptr_t far = 0;
    for (uintptr_t pdx = FIXMAP_PDX - 1; pdx >= PDX(KVA_BASE) && !far; pdx--)
        if (!pte_present(vmm_pde(pdx << PDX_SHIFT)))
            far = pdx << PDX_SHIFT;
    SELFTEST(far != 0);
    if (far) {
        paddr_t f = pmm_alloc();
        uint32_t stolen, tables = vmm_tables_allocated();
        paddr_t stash = stash_all(&stolen);
        SELFTEST(pmm_free_frames() == 0);
        SELFTEST(vmm_map(far, f, PTE_W) == VMM_E_NOMEM);
        SELFTEST(!pte_present(vmm_pde(far)));
        SELFTEST(vmm_tables_allocated() == tables);
        SELFTEST(vmm_alloc_range(far - PAGE_SIZE, PAGE_SIZE, PTE_W) == VMM_E_NOMEM);
        SELFTEST(pmm_free_frames() == 0);
        stash_return(stash);
        SELFTEST(pmm_free_frames() == stolen + 0);
        uint32_t gen = vmm_kernel_pde_generation();
        SELFTEST(vmm_map(far, f, PTE_W) == VMM_OK);
        SELFTEST(vmm_kernel_pde_generation() == gen + 1);
        SELFTEST(vmm_unmap(far) == f);
        pmm_free(f);
        kprintf("selftest: vmm ran out of frames for a page table with all %u free frames taken\n",
                (unsigned)stolen);
    }
    selftest_group_end();
}

void vmm_selftest(void)
{
    check_kernel_mappings();
    check_api();
}
