/*
 * mm/memlayout.h - every address-space constant of the kernel, in one place.
 *
 * Virtual address space once the kernel runs (after vmm_init):
 *
 *   virtual                                                   perm  backed by
 *   0xFFFFFFFF +------------------------------------------+
 *              | page tables, seen through the recursive   | RW   PD[1023] = the
 *              | slot: table i at 0xFFC00000 + i*4 KiB,    |      directory itself
 *              | the directory itself at 0xFFFFF000        |
 *   0xFFC00000 +------------------------------------------+ RECURSIVE_BASE
 *              | fixmap: temporary one-page windows        | RW   any frame, briefly
 *              | (slots 0..15) and the frame allocator's   | RW   pmm bitmap frames
 *              | bitmap (from slot 256)                    |
 *   0xFF800000 +------------------------------------------+ FIXMAP_BASE
 *              | kernel virtual ranges: heap, framebuffer, | RW   frames mapped on
 *              | boot modules (R), process kernel stacks   |      demand by the vmm
 *              | (one slot per process, guard page below); |
 *              | each range with a guard gap after it      |
 *   0xD0000000 +------------------------------------------+ KVA_BASE
 *              | unused (faults)                           | --
 *              +------------------------------------------+ kernel_virtual_end
 *              | .bss, with the boot stack and its         | RW   kernel image
 *              |   unmapped guard page below it            | --   (guard)
 *              | .data                                     | RW
 *              | .rodata (+ the linked-in symbol table)    | R
 *              | .text                                     | R X
 *   0xC0100000 +------------------------------------------+ KERNEL_LINK = 1 MiB phys
 *              | low MiB: only the VGA text buffer         | RW   0xB8000 (phys)
 *              |   at 0xC00B8000 is mapped                 |
 *   0xC0000000 +------------------------------------------+ KERNEL_BASE = USER_TOP
 *              | user stack, growing down (argv, envp and  | RW U one page table per
 *              |   the auxiliary vector at its top)        |      process: every
 *   0xBF800000 +- - - - - - - - - - - - - - - - - - - - - + USER_STACK_LIMIT (8 MiB)
 *              | mmap2 area, handed out from the top down  | per   process has its
 *              |   (anonymous private memory)              | mmap  own directory for
 *              |            ...                            |      PDEs 0..767; the
 *              | brk heap, growing up from the image's end | RW U kernel half
 *              | program image: text, rodata, data, bss    | R/RW (768..1022) is the
 *   0x08048000 +- - - - - (the usual link address) - - - - +  U   same in all of them
 *              | also usable from USER_LOW = 0x1000        |
 *   0x00001000 +------------------------------------------+ USER_LOW
 *              | page 0: never mapped, so NULL faults      | --
 *   0x00000000 +------------------------------------------+
 *
 * The kernel image and the VGA buffer sit at physical + KERNEL_BASE; nothing
 * else does: every other frame is reached through a mapping the vmm makes.
 *
 * This header is also turned into build/gen/memlayout.inc for NASM (the simple
 * integer #defines between the NASM markers), so C and assembly share one
 * definition of each constant.
 */
#ifndef MM_MEMLAYOUT_H
#define MM_MEMLAYOUT_H

/* NASM-BEGIN */
#define KERNEL_BASE      0xC0000000 /* virtual = physical + KERNEL_BASE for the image */
#define KERNEL_LOAD_PHYS 0x00100000 /* GRUB loads the image at 1 MiB */
#define KERNEL_LINK      0xC0100000 /* the image is linked here */
#define KVA_BASE         0xD0000000 /* kernel virtual ranges (heap, framebuffer...) */
#define KVA_END          0xFF800000
#define FIXMAP_BASE      0xFF800000 /* one page table's worth of fixed slots */
#define FIXMAP_PDX       1022
#define RECURSIVE_PDX    1023       /* PD[1023] points at the directory itself */
#define RECURSIVE_BASE   0xFFC00000 /* page table i is visible at RECURSIVE_BASE + i*4096 */
#define RECURSIVE_PD     0xFFFFF000 /* the page directory itself */
#define BOOT_STACK_SIZE  16384      /* the kernel stack (below it: one guard page) */
/* NASM-END */

#define VGA_TEXT_PHYS 0x000B8000u
#define VGA_TEXT_VIRT (KERNEL_BASE + VGA_TEXT_PHYS)

#define HEAP_VIRT_SIZE 0x20000000u /* 512 MiB of KVA for the heap (backed on demand) */

#define FIXMAP_TEMP_SLOTS 16  /* slots 0..15: temporary windows (mm/vmm.c) */
#define FIXMAP_PMM_SLOT   256 /* slots 256..: the frame allocator's bitmap */
#define FIXMAP_PMM_MAX    512 /* at most 2 MiB of bitmap (far more than 4 GiB needs) */
#define FIXMAP_SLOT_VA(i) (FIXMAP_BASE + (uintptr_t)(i)*4096u)

#define KERNEL_PDX_FIRST (KERNEL_BASE >> 22) /* 768: first kernel-half directory entry */

/* User space (road 2): every process's own half of the address space. */
#define USER_LOW         0x00001000u /* lowest user address: page 0 stays unmapped */
#define USER_TOP         KERNEL_BASE /* first address user code may not touch */
#define USER_STACK_TOP   USER_TOP    /* the initial stack ends just below the kernel */
#define USER_STACK_LIMIT 0x00800000u /* the stack grows on faults down to 8 MiB below USER_STACK_TOP */
#define USER_MMAP_TOP    (USER_STACK_TOP - USER_STACK_LIMIT) /* mmap2 hands out below this */

/* Kernel stacks of processes: one slot per process in one kernel virtual range,
 * the lowest page of each slot left unmapped as its guard. */
#define KSTACK_PAGES     4 /* 16 KiB of stack */
#define KSTACK_SLOT_SIZE ((KSTACK_PAGES + 1) * 4096u)

#ifndef __ASSEMBLER__
#include "types.h"

/* Linker-script symbols (linker.ld): their addresses are the values. */
extern char kernel_virtual_start[], kernel_virtual_end[];
extern char kernel_physical_start[], kernel_physical_end[];
extern char text_start[], text_end[], rodata_start[], rodata_end[];
extern char data_start[], data_end[], bss_start[], bss_end[];
extern char boot_tables_start[], boot_tables_end[];
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

/*
 * Checked conversions for the kernel image (the only memory mapped at a fixed
 * offset). A wrong-side address is a bug: panic with file and line (JOS's
 * PADDR/KADDR).
 */
void memlayout_bad_conversion(const char *file, int line, const char *what, uintptr_t addr)
    __attribute__((noreturn));

static inline paddr_t kimg_paddr_(const char *file, int line, const void *va)
{
    uintptr_t v = (uintptr_t)va;
    if (v < KERNEL_BASE)
        memlayout_bad_conversion(file, line, "KIMG_PADDR of a low address", v);
    return (paddr_t)(v - KERNEL_BASE);
}
#define KIMG_PADDR(va) kimg_paddr_(__FILE__, __LINE__, (va))

#endif
#endif
