/*
 * kernel/vm.h - a process's virtual memory: regions are the truth, page tables
 * a cache of them, filled on demand by the page-fault handler.
 *
 * A process owns a set of regions (mm/region.h): its program image, its brk
 * heap, its anonymous mmaps, its stack, each with a protection. Making a
 * region costs no frame. A page gets one the first time it is touched:
 *
 *   untouched --read--> the shared zero page (read-only)
 *       |                     |
 *       +------write----------+--> a private zeroed frame (writable)
 *
 *   program image: text maps the program's cached page, shared by every process
 *   running it; data maps it read-only and copies it on the first write.
 *
 *   after fork: every page is shared read-only by parent and child; the first
 *   write copies it, or just makes it writable again when nobody else maps the
 *   frame any more (its reference count is 1).
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include "mm/types.h"

struct proc;
struct program;
struct region_set;
struct elf_image;

/* What the fault handler has done since boot (the monitor's vmstat). */
struct vm_stats {
    uint32_t demand_zero; /* a first write: a fresh zeroed frame */
    uint32_t zero_maps;   /* a first read: the zero page mapped */
    uint32_t image_fills; /* a program page read from its module into the cache */
    uint32_t image_maps;  /* a cached program page mapped (shared) */
    uint32_t cow_copies;  /* a write to a shared page: copied */
    uint32_t cow_remarks; /* a write to a page nobody else maps any more: made writable */
    uint32_t stack_grows; /* the stack region extended down */
    uint32_t oom_kills;   /* processes killed for want of a frame */
};
extern struct vm_stats vm_stats;

/* Service a page fault of the running process at `va` (`write`: a write access;
 * `esp`: its user stack pointer, for stack growth). 0: retry the access;
 * -EFAULT: no region allows it (the caller kills with SIGSEGV); -ENOMEM: no frame. */
int vm_fault(uintptr_t va, bool write, uint32_t esp);

/* Do the running process's regions allow reading (or writing) all of [va, va + n)?
 * Pages need not be present: the kernel's own accesses fault them in. */
bool vm_range_ok(uintptr_t va, size_t n, bool write);

/* The regions of a freshly loaded program into the empty set `rs`: its image
 * page by page (each page the union of the permissions of the segments in it)
 * and the stack [stack_low, USER_STACK_TOP). -ENOMEM. */
int vm_image_regions(struct region_set *rs, const struct elf_image *img, uintptr_t stack_low);

/* The program's parsed header and its page cache (one frame slot per page of
 * the image, filled on first touch), made on its first exec. -ENOEXEC (logged)
 * or -ENOMEM. */
int vm_program_prepare(struct program *prog);

/* Kill the running process for want of memory at `va`, with one line. */
void vm_oom_kill(uintptr_t va) __attribute__((noreturn));

#endif
