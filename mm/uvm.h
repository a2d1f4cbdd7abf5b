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

/* Unmap [va, va + len) and free the frames; returns how many pages were mapped. */
uint32_t uvm_unmap(paddr_t pd, uintptr_t va, size_t len);

/* Give every mapped page of [va, va + len) the user flags `flags`
 * (PTE_W, PTE_U: without PTE_U a page is PROT_NONE: present for the kernel's
 * bookkeeping, inaccessible to the program). */
void uvm_protect(paddr_t pd, uintptr_t va, size_t len, uint32_t flags);

/* Is no page of [va, va + len) mapped? */
bool uvm_range_free(paddr_t pd, uintptr_t va, size_t len);

/* Copy `n` bytes from kernel memory to user address `va` of `pd`, whose pages
 * must be mapped (any protection: this is the loader writing). -1 if not. */
int uvm_write(paddr_t pd, uintptr_t va, const void *src, size_t n);

/* Give `dst` (fresh from uvm_create) a private copy of every user page of
 * `src`, with the same flags. VMM_E_NOMEM leaves dst for uvm_destroy. */
int uvm_copy(paddr_t dst, paddr_t src);

/* User pages mapped in `pd` (the resident set), and its user page tables. */
uint32_t uvm_resident(paddr_t pd, uint32_t *tables);

/* Is [va, va + len) user memory the current process may read (or write)?
 * Walks the loaded directory through the recursive slot. */
bool uvm_user_ok(uintptr_t va, size_t len, bool write);

#endif
