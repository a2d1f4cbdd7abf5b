/*
 * mm/uvm.h - user address spaces: one page directory per process.
 *
 * A process's directory has two halves (memlayout.h). Entries 0..767 map its
 * own user pages, 0x00000000-0xBFFFFFFF, through page tables that belong to it
 * alone; entries 768..1022 are copies of the kernel directory's, so every
 * process sees the same kernel through the same kernel page tables; entry 1023
 * points at the directory itself (the recursive slot), so while a directory is
 * loaded its tables appear at RECURSIVE_BASE like the kernel's do.
 *
 * These functions work on any directory, loaded or not: they reach its tables
 * through fixmap windows, and flush the TLB entry when the directory they edit
 * is the one in CR3. User pages are always PTE_U and never global.
 */
#ifndef MM_UVM_H
#define MM_UVM_H

#include "types.h"
#include "mmu.h"

/* Frames kept back for the kernel: a program's page gets no frame once only these are free. */
#define UVM_KERNEL_RESERVE 64
/* Below this many free frames, taking a frame for a program first reclaims some. */
#define UVM_LOW_WATER      (UVM_KERNEL_RESERVE + 64)
#define UVM_RECLAIM_BATCH  32

/* The reference counts (sized from the frame allocator) and the zero page; after the heap is up. */
void uvm_init(void);

/* The one read-only page of zeros every untouched-but-read page maps. */
paddr_t uvm_zero_page(void);

/* A zeroed frame for a user page, holding one reference; PMM_NO_FRAME when only
 * the kernel's reserve is left. */
paddr_t uvm_new_frame(void);

/* Drop one reference to a user frame (freeing it with the last); the zero page is never dropped. */
void uvm_drop_frame(paddr_t f);

/* Copy n bytes into frame `f` at offset `off` (off + n <= 4096). */
void uvm_fill_frame(paddr_t f, size_t off, const void *src, size_t n);

/* Copy the 4 KiB of frame `src` into frame `dst`. */
void uvm_copy_frame(paddr_t dst, paddr_t src);

/* A new address space: kernel half copied, user half empty. PMM_NO_FRAME when out of memory. */
paddr_t uvm_create(void);

/* Free every user frame, every user page table and the directory itself.
 * `pd` must not be in CR3 (switch to the kernel directory first). */
void uvm_destroy(paddr_t pd);

/* Load `pd` into CR3, first copying kernel-half entries made since *kgen (the
 * kernel directory's generation that the copy reflects; updated). */
void uvm_activate(paddr_t pd, uint32_t *kgen);

/* Map a fresh zeroed frame at user page `va` with `flags` (PTE_W; PTE_U is
 * implied). VMM_E_RANGE outside user space, VMM_E_EXISTS if mapped,
 * VMM_E_NOMEM when no frame is left (nothing changed then). */
int uvm_alloc_page(paddr_t pd, uintptr_t va, uint32_t flags);

/* Back [va, va + len) with fresh zeroed frames; all or nothing. */
int uvm_alloc_range(paddr_t pd, uintptr_t va, size_t len, uint32_t flags);

/* The entry mapping user page `va` in `pd`; 0 when none. */
uint32_t uvm_pte(paddr_t pd, uintptr_t va);

/* Call fn on the entry for user page `va` of `pd` (through a fixmap window; the
 * TLB entry is dropped afterwards if `pd` is loaded). -1 when va has no page table. */
int uvm_with_pte(paddr_t pd, uintptr_t va, int (*fn)(volatile uint32_t *pte, void *arg), void *arg);

/* Unmap [va, va + len), dropping each frame's reference (and each swapped
 * page's slot); returns how many pages were present. */
uint32_t uvm_unmap(paddr_t pd, uintptr_t va, size_t len);

/* Restrict the mapped pages of [va, va + len) to `flags` (PTE_U, PTE_W): U is
 * set or cleared as asked (a page without U is present for the kernel but
 * PROT_NONE for the program); W is only ever removed here. A writable region's
 * read-only page gets W back in the fault handler, which copies it first if the
 * frame is shared. */
void uvm_set_access(paddr_t pd, uintptr_t va, size_t len, uint32_t flags);

/* Copy `n` bytes from kernel memory to user address `va` of `pd`, whose pages
 * must be mapped (any protection: this is the loader writing). -1 if not. */
int uvm_write(paddr_t pd, uintptr_t va, const void *src, size_t n);

/* fork: give `dst` (fresh from uvm_create) page tables mapping the same frames
 * as `src`, every entry read-only in both (copy-on-write), one more reference on
 * each frame. Costs dst's page tables, no page. VMM_E_NOMEM leaves dst for
 * uvm_destroy. */
int uvm_share(paddr_t dst, paddr_t src);

/* User pages mapped in `pd` (the resident set), and its user page tables. */
uint32_t uvm_resident(paddr_t pd, uint32_t *tables);

/* The entry for user page `va` in the loaded directory, through the recursive
 * window; with `create`, its page table is made if missing. 0 outside user
 * space, or without a table (and none could be made). */
volatile uint32_t *uvm_cur_pte(uintptr_t va, bool create);

#endif
