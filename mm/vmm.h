/*
 * mm/vmm.h - the kernel's paging API.
 *
 * All page tables are reached through the recursive directory slot
 * (memlayout.h): PD[1023] holds the directory's own frame, so the table for
 * directory index i is visible at RECURSIVE_BASE + i * 4096 and the directory at
 * RECURSIVE_PD. Editing a mapping is then an ordinary memory write plus an
 * INVLPG for the page whose entry changed.
 *
 * Kernel-half page tables (0xC0000000 upwards) are created only in this kernel
 * directory and never freed; every creation bumps vmm_kernel_pde_generation(),
 * so a future per-process directory can copy entries 768..1021 and know when to
 * copy them again. All of them then share the same kernel tables.
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include "types.h"
#include "mmu.h"

/* Flags are PTE_* bits from mmu.h (PTE_W, PTE_U, PTE_PCD, PTE_PWT, PTE_G) plus: */
#define VMM_REMAP 0x10000u /* replace a present mapping instead of failing */

#define VMM_OK       0
#define VMM_E_EXISTS (-1) /* a present mapping is in the way (and VMM_REMAP not given) */
#define VMM_E_NOMEM  (-2) /* no frame for a new page table or page */
#define VMM_E_ALIGN  (-3) /* address or size not page-aligned */
#define VMM_E_RANGE  (-4) /* address outside [KERNEL_BASE, FIXMAP_BASE) */
#define VMM_E_FLAGS  (-5) /* flags other than the ones above */

/* Build the kernel page directory from the linker's sections, switch to it and
 * give the boot page tables back to the frame allocator. */
void vmm_init(void);

/* Map page `va` to frame `pa`. New page tables come zeroed from the frame allocator. */
int vmm_map(uintptr_t va, paddr_t pa, uint32_t flags);

/* Unmap page `va` and return the frame it mapped (not freed), or PMM_NO_FRAME. */
paddr_t vmm_unmap(uintptr_t va);

/* Is `va` mapped? If so, the frame (plus the offset of va) and the entry's flags. */
bool vmm_translate(uintptr_t va, paddr_t *pa, uint32_t *flags);

/* Map [va, va + size) to [pa, pa + size); all or nothing. */
int vmm_map_range(uintptr_t va, paddr_t pa, size_t size, uint32_t flags);

/* Unmap [va, va + size) (the frames are not freed). */
void vmm_unmap_range(uintptr_t va, size_t size);

/* Back [va, va + size) with fresh frames; all or nothing (VMM_E_NOMEM leaves
 * nothing mapped and no frame taken). */
int vmm_alloc_range(uintptr_t va, size_t size, uint32_t flags);

/* Unmap [va, va + size) and free the frames. */
void vmm_free_range(uintptr_t va, size_t size);

/* Create now every page table [va, va + size) will need, so later mappings
 * there never allocate one (kernel stacks: fork then costs no table). */
int vmm_reserve_tables(uintptr_t va, size_t size);

/* Raw entries, for inspection: the PDE covering va, and the PTE (0 if no table). */
uint32_t vmm_pde(uintptr_t va);
uint32_t vmm_pte(uintptr_t va);

/* Physical address of the kernel page directory. */
paddr_t vmm_kernel_pd(void);

/* Incremented whenever a kernel-half page table is created (see above). */
uint32_t vmm_kernel_pde_generation(void);

/* Page tables the vmm has allocated since boot. */
uint32_t vmm_tables_allocated(void);

/* Is the boot stack's guard page where it should be: unmapped? */
bool vmm_guard_unmapped(void);

#endif
