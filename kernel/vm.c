/*
 * kernel/vm.c - demand paging and copy-on-write (see vm.h).
 *
 * vm_fault() is the whole policy. It runs for the process in CR3, so it edits
 * that process's tables through the recursive window (uvm_cur_pte). Its steps:
 *
 *   1. Which region holds the address? None: maybe the stack grows (a fault
 *      just below the stack region, within 64 KiB of ESP and the 8 MiB limit,
 *      with a free guard page below). Otherwise -EFAULT.
 *   2. Does the region allow the access? A write to a read-only region, any
 *      access to PROT_NONE: -EFAULT.
 *   3. Not present: fill it (zero page, fresh frame, program page, or a
 *      private copy of a program page for a write to data).
 *      Present: it lacked W (copy-on-write: copy, or re-mark when the frame is
 *      ours alone) or U (a PROT_NONE page made accessible again).
 *
 * A not-present entry is never cached by the TLB, so filling one needs no
 * flush; changing a present one does (invlpg).
 */
#include "vm.h"
#include "elf.h"
#include "errno.h"
#include "io.h"
#include "kmem.h"
#include "kprintf.h"
#include "proc.h"
#include "programs.h"
#include "mm/frameref.h"
#include "mm/frametable.h"
#include "reclaim.h"
#include "swap.h"
#include "mm/heap.h"
#include "mm/memlayout.h"
#include "mm/pmm.h"
#include "mm/pte.h"
#include "mm/region.h"
#include "mm/uvm.h"

#define SIGKILL 9

/* How far below ESP an access may be and still grow the stack: PUSHA writes 32
 * bytes below ESP before it moves, ENTER with a big frame more; Linux allows 64 KiB. */
#define STACK_SLACK (65536u + 32u)

struct vm_stats vm_stats;

/* ---------------------------------------------------------- program pages */

int vm_program_prepare(struct program *prog)
{
    if (prog->img)
        return 0;
    struct elf_image *img = kmalloc(sizeof *img);
    if (!img)
        return -ENOMEM;
    const char *why = 0;
    if (!prog->size || elf_parse(prog->data, prog->size, img, &why) != ELF_OK) {
        kprintf("exec: '%s' is not a program this kernel runs: %s\n", prog->name,
                prog->size ? why : "the module is empty");
        kfree(img);
        return -ENOEXEC;
    }
    uint32_t npages = (img->high - img->low) / PAGE_SIZE;
    prog->pages = kmalloc(npages * sizeof *prog->pages);
    if (!prog->pages) {
        kfree(img);
        return -ENOMEM;
    }
    memset(prog->pages, 0, npages * sizeof *prog->pages);
    prog->img = img;
    return 0;
}

/* The frame with the contents of image page `va`: every segment's file bytes
 * that fall in it, zeros elsewhere. Made once per program and kept in its cache
 * (which holds a reference for ever: modules never go away). A page with no file
 * byte is the zero page. PMM_NO_FRAME when out of memory. The caller takes its
 * own reference. */
static paddr_t image_page(struct program *prog, uintptr_t va)
{
    const struct elf_image *img = prog->img;
    paddr_t *slot = &prog->pages[(va - img->low) / PAGE_SIZE];
    paddr_t cached = *slot;
    if (cached)
        return cached;
    paddr_t f = uvm_zero_page();
    for (int i = 0; i < img->nseg; i++) {
        const struct elf_segment *s = &img->seg[i];
        uintptr_t lo = s->vaddr > va ? s->vaddr : va;
        uintptr_t file_end = (uintptr_t)s->vaddr + s->filesz;
        uintptr_t hi = file_end < va + PAGE_SIZE ? file_end : va + PAGE_SIZE;
        if (lo >= hi)
            continue;
        if (f == uvm_zero_page() && (f = uvm_new_frame()) == PMM_NO_FRAME)
            return PMM_NO_FRAME;
        uvm_fill_frame(f, lo - va, prog->data + s->offset + (lo - s->vaddr), hi - lo);
    }
    if (f != uvm_zero_page()) {
        *slot = f;
        vm_stats.image_fills++;
    }
    return f;
}

/* ELF segment flags to region protection. */
static uint32_t seg_prot(uint32_t flags)
{
    return ((flags & ELF_R) ? REGION_R : 0) | ((flags & ELF_W) ? REGION_W : 0) |
           ((flags & ELF_X) ? REGION_X : 0);
}

int vm_image_regions(struct region_set *rs, const struct elf_image *img, uintptr_t stack_low)
{
    /* Page by page, so a page two segments share gets both permissions;
     * region_insert merges the runs back into one region per permission. */
    for (uintptr_t va = img->low; va < img->high; va += PAGE_SIZE) {
        uint32_t prot = 0;
        for (int i = 0; i < img->nseg; i++) {
            const struct elf_segment *s = &img->seg[i];
            if (s->vaddr < va + PAGE_SIZE && (uintptr_t)s->vaddr + s->memsz > va)
                prot |= seg_prot(s->flags);
        }
        if (prot && region_insert(rs, va, va + PAGE_SIZE, prot, REGION_IMAGE) != REGION_OK)
            return -ENOMEM;
    }
    if (region_insert(rs, stack_low, USER_STACK_TOP, REGION_R | REGION_W, REGION_STACK) != REGION_OK)
        return -ENOMEM;
    return 0;
}

/* ------------------------------------------------------------ the faults */

/* Extend the stack region down to cover `va`, if this is a stack growing. */
static const struct region *grow_stack(struct proc *p, uintptr_t va, uint32_t esp)
{
    const struct region *above = region_first_from(&p->regions, va);
    if (!above || above->kind != REGION_STACK || va >= above->start)
        return 0;
    if (va < USER_STACK_TOP - USER_STACK_LIMIT || (uint64_t)va + STACK_SLACK < esp)
        return 0; /* past the limit, or far below the stack pointer: a wild access */
    uintptr_t low = PAGE_ROUND_DOWN(va);
    if (low < USER_LOW + PAGE_SIZE || !region_range_free(&p->regions, low - PAGE_SIZE, above->start))
        return 0; /* the guard page below would be gone */
    if (region_insert(&p->regions, low, above->start, above->prot, REGION_STACK) != REGION_OK)
        return 0;
    vm_stats.stack_grows++;
    return region_find(&p->regions, va);
}

/* A frame for a page that was not present. */
static paddr_t fill(struct proc *p, const struct region *r, uintptr_t page, bool write, uint32_t *flags)
{
    *flags = PTE_U;
    if (r->kind == REGION_IMAGE) {
        paddr_t src = image_page(p->prog, page);
        if (src == PMM_NO_FRAME || !write) {
            if (src != PMM_NO_FRAME && src != uvm_zero_page()) {
                frameref_get(src);
                vm_stats.image_maps++;
            }
            return src; /* shared, read-only: data pages are copied on their first write */
        }
        paddr_t f = uvm_new_frame();
        if (f != PMM_NO_FRAME) {
            if (src != uvm_zero_page()) {
                uvm_copy_frame(f, src);
                vm_stats.cow_copies++;
            }
            ft_set_page(f, page); /* the process's own copy now: it may go to swap */
        }
        *flags |= PTE_W;
        return f;
    }
    if (!write) {
        vm_stats.zero_maps++;
        return uvm_zero_page();
    }
    vm_stats.demand_zero++;
    *flags |= PTE_W;
    paddr_t f = uvm_new_frame();
    if (f != PMM_NO_FRAME)
        ft_set_page(f, page);
    return f;
}

int vm_fault(uintptr_t va, bool write, uint32_t esp)
{
    struct proc *p = proc_current();
    if (!p || va < USER_LOW || va >= USER_TOP)
        return -EFAULT;
    const struct region *r = region_find(&p->regions, va);
    if (!r && !(r = grow_stack(p, va, esp)))
        return -EFAULT;
    if (!(r->prot & (REGION_R | REGION_W | REGION_X)) || (write && !(r->prot & REGION_W)))
        return -EFAULT;

    uintptr_t page = PAGE_ROUND_DOWN(va);
    volatile uint32_t *pte = uvm_cur_pte(page, true);
    if (!pte)
        return -ENOMEM;
    uint32_t e = *pte;
    if (pte_swapped(e)) {
        /* Back from swap, read-only: if the page is written, its copy in swap is
         * stale, and the write fault below (now or later) drops it. */
        int err = 0;
        paddr_t f = reclaim_swap_in(pte_slot(e), page, &err);
        if (f == PMM_NO_FRAME)
            return err;
        *pte = pte_make(f, PTE_U);
        e = *pte;
        if (!write)
            return 0;
    }
    if (!pte_present(e)) {
        uint32_t flags;
        paddr_t f = fill(p, r, page, write, &flags);
        if (f == PMM_NO_FRAME)
            return -ENOMEM;
        *pte = pte_make(f, flags);
        return 0;
    }
    paddr_t f = pte_frame(e);
    if (write && !(e & PTE_W)) {
        if (f != uvm_zero_page() && frameref_count(f) == 1) {
            reclaim_drop_copy(f);     /* about to be written: a copy in swap would be stale */
            *pte = e | PTE_W | PTE_U; /* nobody else maps it any more */
            vm_stats.cow_remarks++;
        } else {
            paddr_t copy = uvm_new_frame();
            if (copy == PMM_NO_FRAME)
                return -ENOMEM;
            /* The allocation may have swapped pages out, this one's old frame among
             * them: look again before copying. */
            e = *pte;
            if (!pte_present(e))
                return uvm_drop_frame(copy), 0; /* retry the access: it faults again */
            f = pte_frame(e);
            if (f == uvm_zero_page()) {
                vm_stats.demand_zero++; /* a read page of zeros, now written */
            } else {
                uvm_copy_frame(copy, f);
                vm_stats.cow_copies++;
            }
            ft_set_page(copy, page);
            *pte = pte_make(copy, PTE_U | PTE_W);
            uvm_drop_frame(f);
        }
    } else {
        *pte = e | PTE_U; /* accessible again after PROT_NONE, or a stale TLB entry */
    }
    invlpg(page);
    return 0;
}

bool vm_range_ok(uintptr_t va, size_t n, bool write)
{
    struct proc *p = proc_current();
    if (n == 0)
        return true;
    if (!p || va < USER_LOW || va >= USER_TOP || n > USER_TOP - va)
        return false;
    for (uintptr_t page = PAGE_ROUND_DOWN(va); page < va + n;) {
        const struct region *r = region_find(&p->regions, page);
        if (!r) {
            /* A buffer just below the stack: the same growth a push would get. */
            if (!(r = grow_stack(p, page, p->tf->user_esp)))
                return false;
        }
        if (!(r->prot & (REGION_R | REGION_W | REGION_X)) || (write && !(r->prot & REGION_W)))
            return false;
        page = r->end; /* the whole region allows it */
    }
    return true;
}

void vm_oom_kill(uintptr_t va)
{
    struct proc *p = proc_current();
    vm_stats.oom_kills++;
    kprintf("pid %d (%s): out of memory at 0x%08x: killed%s\n", p->pid, p->name, (unsigned)va,
            swap_enabled() ? " (RAM and swap are full)" : "");
    proc_kill_current(SIGKILL);
}
