/*
 * mm/mmu.h - the i386 two-level paging hardware, as constants and macros.
 *
 * With CR0.PG set and no PAE, the MMU splits every 32-bit virtual address:
 *
 *    31            22 21            12 11              0
 *   +----------------+----------------+-----------------+
 *   | directory idx  |   table idx    |  offset in page |
 *   |  PDX(va): 10b  |  PTX(va): 10b  |      12 bits    |
 *   +----------------+----------------+-----------------+
 *
 * CR3 holds the physical address of a 4 KiB page directory of 1024 entries
 * (PDEs); each present PDE points to a 4 KiB page table of 1024 entries (PTEs);
 * each present PTE points to a 4 KiB physical frame. Entries are plain 32-bit
 * words: frame address in the top 20 bits, flags in the low 12.
 *
 * This header is also turned into build/gen/mmu.inc for NASM (simple integer
 * #defines between the NASM markers), so C and assembly share one definition.
 */
#ifndef MM_MMU_H
#define MM_MMU_H

/* NASM-BEGIN */
#define PAGE_SIZE  4096
#define PAGE_SHIFT 12
#define PDX_SHIFT  22
#define PT_ENTRIES 1024
#define PD_ENTRIES 1024
#define PT_SPAN    0x400000

#define PTE_P   0x001 /* present: the entry is valid; otherwise any access faults */
#define PTE_W   0x002 /* writable: writes allowed (for ring 0 only when CR0.WP is set) */
#define PTE_U   0x004 /* user: ring 3 may access the page */
#define PTE_PWT 0x008 /* write-through caching */
#define PTE_PCD 0x010 /* cache disable (memory-mapped devices) */
#define PTE_A   0x020 /* accessed: set by the CPU on any access */
#define PTE_D   0x040 /* dirty: set by the CPU on a write (PTEs only) */
#define PTE_PS  0x080 /* in a PDE: 4 MiB page (needs CR4.PSE; we never assume it) */
#define PTE_G   0x100 /* global: survives CR3 reloads (needs CR4.PGE) */

#define CR0_PE  0x00000001 /* protected mode enable */
#define CR0_WP  0x00010000 /* write protect: ring 0 honours read-only pages */
#define CR0_PG  0x80000000 /* paging enable */
#define CR4_PSE 0x00000010 /* page size extension (4 MiB pages) */
#define CR4_PGE 0x00000080 /* page global enable */
/* NASM-END */

#define PTE_FLAGS_MASK 0x00000FFFu
#define PTE_ADDR_MASK  0xFFFFF000u

#define PDX(va)   (((uintptr_t)(va) >> PDX_SHIFT) & 0x3FF)  /* page-directory index */
#define PTX(va)   (((uintptr_t)(va) >> PAGE_SHIFT) & 0x3FF) /* page-table index */
#define PGOFF(va) ((uintptr_t)(va) & (PAGE_SIZE - 1))       /* offset within the page */
#define PGADDR(pdx, ptx, off) \
    ((uintptr_t)(((uint32_t)(pdx) << PDX_SHIFT) | ((uint32_t)(ptx) << PAGE_SHIFT) | (off)))

#define PTE_ADDR(pte)  ((pte)&PTE_ADDR_MASK) /* frame address held in an entry */
#define PTE_FLAGS(pte) ((pte)&PTE_FLAGS_MASK)

#define PAGE_ROUND_DOWN(x) ((x) & ~(uintptr_t)(PAGE_SIZE - 1))
#define PAGE_ROUND_UP(x)   (((x) + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1))
#define IS_PAGE_ALIGNED(x) (((x) & (PAGE_SIZE - 1)) == 0)

/* Page-fault error code bits (pushed by the CPU for vector 14). */
#define PF_P    0x01 /* 0: page not present; 1: protection violation */
#define PF_W    0x02 /* 0: read; 1: write */
#define PF_U    0x04 /* 0: kernel mode; 1: user mode */
#define PF_RSVD 0x08 /* a reserved bit was set in a paging entry */
#define PF_I    0x10 /* instruction fetch */

#endif
