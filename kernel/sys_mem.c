/*
 * kernel/sys_mem.c - system calls that shape a process's memory: brk, mmap2,
 * munmap, mprotect.
 *
 * For now every page is given its frame at once (the demand-paging issue makes
 * them arrive on first touch). The page tables are the record of what is
 * mapped: a range is free when no entry in it is present. PROT_NONE pages are
 * present but lack PTE_U, so the program cannot touch them and the kernel still
 * knows they are taken. There is no execute bit without PAE: PROT_EXEC is
 * implied by PROT_READ.
 *
 *   brk:   [brk_start, brk) just above the program image, growing up;
 *   mmap2: handed out top-down below USER_MMAP_TOP (the stack's 8 MiB above).
 */
#include "errno.h"
#include "proc.h"
#include "syscall.h"
#include "mm/memlayout.h"
#include "mm/pmm.h"
#include "mm/uvm.h"
#include "mm/vmm.h"

#define UNUSED6 (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6

#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
/* Hints Linux accepts and this kernel may ignore. */
#define MAP_IGNORED                                                                                  \
    (0x100 /* GROWSDOWN */ | 0x800 /* DENYWRITE */ | 0x1000 /* EXECUTABLE */ | 0x2000 /* LOCKED */ | \
     0x4000 /* NORESERVE */ | 0x8000 /* POPULATE */ | 0x10000 /* NONBLOCK */)

/* PROT_* to user PTE flags. */
static uint32_t prot_flags(uint32_t prot)
{
    if (prot == 0)
        return 0; /* PROT_NONE: present for the kernel only */
    return PTE_U | ((prot & PROT_WRITE) ? PTE_W : 0);
}

/* Would `pages` more frames (plus a page table per 4 MiB) fit at all? A quick
 * refusal instead of allocating everything and giving it back. */
static bool frames_for(size_t len)
{
    size_t pages = len / PAGE_SIZE;
    return pages + pages / PT_ENTRIES + 2 <= pmm_free_frames();
}

/* Back [va, va + len) with frames, then give it `prot`; -ENOMEM leaves it unmapped. */
static int populate(paddr_t pd, uintptr_t va, size_t len, uint32_t prot)
{
    if (!frames_for(len) || uvm_alloc_range(pd, va, len, PTE_W) != VMM_OK)
        return -ENOMEM;
    if (prot != (PROT_READ | PROT_WRITE))
        uvm_protect(pd, va, len, prot_flags(prot));
    return 0;
}

SYSCALL(brk)
{
    UNUSED6;
    struct proc *p = proc_current();
    uintptr_t want = a1;
    /* Linux's contract: the new break on success, the old one on any failure. */
    if (want < p->brk_start || want > USER_MMAP_TOP)
        return (int32_t)p->brk;
    uintptr_t old_top = PAGE_ROUND_UP(p->brk), new_top = PAGE_ROUND_UP(want);
    if (new_top > old_top) {
        if (!uvm_range_free(p->pd, old_top, new_top - old_top) ||
            populate(p->pd, old_top, new_top - old_top, PROT_READ | PROT_WRITE))
            return (int32_t)p->brk;
    } else if (new_top < old_top) {
        uvm_unmap(p->pd, new_top, old_top - new_top); /* frames back at once */
    }
    p->brk = want;
    return (int32_t)p->brk;
}

/* The highest free range of `len` bytes below USER_MMAP_TOP and above the brk
 * (with a page to spare after it); 0 if none. Walks down the loaded directory,
 * a whole 4 MiB at a time where there is no page table. */
static uintptr_t find_free(const struct proc *p, size_t len)
{
    uintptr_t floor = PAGE_ROUND_UP(p->brk) + PAGE_SIZE;
    uintptr_t run_top = USER_MMAP_TOP; /* the top of the free run being measured */
    uintptr_t va = USER_MMAP_TOP;      /* its bottom so far */
    while (va > floor && run_top - va < len) {
        if (!(vmm_pde(va - 1) & PTE_P)) {
            uintptr_t table = (va - 1) & ~(uintptr_t)(PT_SPAN - 1);
            va = table > floor ? table : floor;
            continue;
        }
        va -= PAGE_SIZE;
        if (vmm_pte(va) & PTE_P)
            run_top = va; /* taken: a new run starts below it */
    }
    return run_top - va >= len ? run_top - len : 0;
}

SYSCALL(mmap2)
{
    struct proc *p = proc_current();
    uintptr_t addr = a1;
    size_t len = PAGE_ROUND_UP((size_t)a2);
    uint32_t prot = a3, flags = a4;
    int fd = (int)a5;
    (void)a6;

    if (a2 == 0 || len == 0 || (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS))
        return (fd < 0 || fd >= NOFILE || !p->files[fd]) ? -EBADF : -ENODEV; /* no files to map yet */
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_PRIVATE)
        return -EINVAL; /* shared memory would not survive fork's copy: not offered */
    if (flags & ~(uint32_t)(MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_IGNORED))
        return -EINVAL;
    if (len > USER_TOP - USER_LOW)
        return -ENOMEM;

    if (flags & MAP_FIXED) {
        if (!IS_PAGE_ALIGNED(addr))
            return -EINVAL;
        if (addr < USER_LOW)
            return -EPERM; /* page 0 stays unmapped, as Linux's mmap_min_addr keeps it */
        if (addr > USER_TOP - len)
            return -ENOMEM;
        uvm_unmap(p->pd, addr, len);
    } else if (addr && IS_PAGE_ALIGNED(addr) && addr >= USER_LOW && addr <= USER_MMAP_TOP - len &&
               addr >= PAGE_ROUND_UP(p->brk) && uvm_range_free(p->pd, addr, len)) {
        /* the hint is free: take it */
    } else {
        addr = find_free(p, len);
        if (!addr)
            return -ENOMEM;
    }
    int err = populate(p->pd, addr, len, prot);
    return err ? err : (int32_t)addr;
}

/* A range a call may change: aligned, non-empty, inside user space. */
static bool range_ok(uintptr_t addr, size_t len)
{
    return IS_PAGE_ALIGNED(addr) && len && addr >= USER_LOW && addr < USER_TOP && len <= USER_TOP - addr;
}

SYSCALL(munmap)
{
    UNUSED6;
    size_t len = PAGE_ROUND_UP((size_t)a2);
    if (!range_ok(a1, len) || a2 == 0)
        return -EINVAL;
    uvm_unmap(proc_current()->pd, a1, len);
    return 0;
}

SYSCALL(mprotect)
{
    UNUSED6;
    struct proc *p = proc_current();
    size_t len = PAGE_ROUND_UP((size_t)a2);
    if (!IS_PAGE_ALIGNED(a1) || (a3 & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    if (a2 == 0)
        return 0;
    if (!range_ok(a1, len))
        return -ENOMEM;
    for (uintptr_t va = a1; va < a1 + len; va += PAGE_SIZE)
        if (!(vmm_pte(va) & PTE_P))
            return -ENOMEM; /* Linux: part of the range is not mapped */
    uvm_protect(p->pd, a1, len, prot_flags(a3));
    return 0;
}
