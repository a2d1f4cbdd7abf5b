/*
 * kernel/sys_mem.c - system calls that shape a process's memory: brk, mmap2,
 * munmap, mprotect, madvise.
 *
 * They change regions (mm/region.h), never pages: a new brk or mmap costs no
 * frame until the program touches it (kernel/vm.c). Taking memory away does
 * touch the page tables, at once: munmap and a shrinking brk drop the pages'
 * frames, mprotect takes access away from the pages already mapped. There is
 * no execute bit without PAE: PROT_EXEC is implied by PROT_READ.
 *
 *   brk:   one region just above the program image, growing up;
 *   mmap2: handed out top-down below USER_MMAP_TOP (the stack's 8 MiB above).
 */
#include "errno.h"
#include "proc.h"
#include "syscall.h"
#include "mm/memlayout.h"
#include "mm/region.h"
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

#define MADV_NORMAL     0
#define MADV_RANDOM     1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED   3
#define MADV_DONTNEED   4
#define MADV_FREE       8

/* The page-table access that goes with a protection (PROT_* and REGION_* agree). */
static uint32_t pte_access(uint32_t prot)
{
    return (prot ? PTE_U : 0) | ((prot & PROT_WRITE) ? PTE_W : 0);
}

/* Take [va, va + len) out of the address space: its regions and its pages. */
static int unmap(struct proc *p, uintptr_t va, size_t len)
{
    if (region_remove(&p->regions, va, va + len) != REGION_OK)
        return -ENOMEM; /* a split needed memory: nothing changed */
    uvm_unmap(p->pd, va, len);
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
        if (!region_range_free(&p->regions, old_top, new_top) ||
            region_insert(&p->regions, old_top, new_top, PROT_READ | PROT_WRITE, REGION_BRK) != REGION_OK)
            return (int32_t)p->brk;
    } else if (new_top < old_top && unmap(p, new_top, old_top - new_top)) {
        return (int32_t)p->brk;
    }
    p->brk = want;
    return (int32_t)p->brk;
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
        return -EINVAL; /* shared memory would need pages shared for ever, not copied on write */
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
        int err = unmap(p, addr, len);
        if (err)
            return err;
    } else if (!(addr && IS_PAGE_ALIGNED(addr) && addr >= USER_LOW && addr <= USER_MMAP_TOP - len &&
                 region_range_free(&p->regions, addr, addr + len))) {
        /* No usable hint: the highest gap below the stack's reserve and above the brk. */
        addr = region_find_gap(&p->regions, len, PAGE_ROUND_UP(p->brk) + PAGE_SIZE, USER_MMAP_TOP, 0);
        if (!addr)
            return -ENOMEM;
    }
    if (region_insert(&p->regions, addr, addr + len, prot, REGION_ANON) != REGION_OK)
        return -ENOMEM;
    return (int32_t)addr;
}

/* A range a call may name: aligned, non-empty, below the kernel half (page 0
 * included: unmapping nothing there is not an error, as on Linux). */
static bool range_ok(uintptr_t addr, size_t len)
{
    return IS_PAGE_ALIGNED(addr) && len && addr < USER_TOP && len <= USER_TOP - addr;
}

SYSCALL(munmap)
{
    UNUSED6;
    size_t len = PAGE_ROUND_UP((size_t)a2);
    if (!range_ok(a1, len) || a2 == 0)
        return -EINVAL;
    return unmap(proc_current(), a1, len);
}

SYSCALL(mprotect)
{
    UNUSED6;
    struct proc *p = proc_current();
    size_t len = PAGE_ROUND_UP((size_t)a2);
    if (!IS_PAGE_ALIGNED(a1))
        return -EINVAL;
    if (a2 == 0)
        return 0; /* Linux looks at nothing else for an empty range */
    if (a3 & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    if (!range_ok(a1, len))
        return -ENOMEM;
    int err = region_protect(&p->regions, a1, a1 + len, a3);
    if (err == REGION_E_HOLE)
        return -ENOMEM; /* Linux: part of the range is not mapped */
    if (err)
        return -ENOMEM;
    /* Pages already there lose what the new protection forbids; what it newly
     * allows comes back through the fault handler, copy-on-write included. */
    uvm_set_access(p->pd, a1, len, pte_access(a3));
    return 0;
}

SYSCALL(madvise)
{
    UNUSED6;
    struct proc *p = proc_current();
    size_t len = PAGE_ROUND_UP((size_t)a2);
    if (!IS_PAGE_ALIGNED(a1))
        return -EINVAL;
    bool drop = a3 == MADV_DONTNEED ||
                a3 == MADV_FREE; /* MADV_FREE may free at once: the contents are lost either way */
    if (!drop && a3 != MADV_NORMAL && a3 != MADV_RANDOM && a3 != MADV_SEQUENTIAL && a3 != MADV_WILLNEED)
        return -EINVAL;
    if (a2 == 0)
        return 0;
    if (!range_ok(a1, len))
        return -EINVAL;
    for (uintptr_t va = a1; va < a1 + len;) {
        const struct region *r = region_find(&p->regions, va);
        if (!r)
            return -ENOMEM; /* Linux: part of the range is not mapped (for hints too) */
        va = r->end;
    }
    if (!drop)
        return 0; /* a hint */
    /* The pages go; the regions stay: the next touch finds zeros (or the
     * program's own bytes, for its image). */
    uvm_unmap(p->pd, a1, len);
    return 0;
}
