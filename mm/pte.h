/*
 * mm/pte.h - building and reading page-table entries.
 *
 * An entry is a plain uint32_t: frame address in bits 31..12, flags in 11..0
 * (mm/mmu.h names each bit). These helpers are the only place entries are put
 * together, so the rules live in one spot: the frame must be page-aligned and
 * below 4 GiB, and only real hardware flag bits may be set. Pure functions,
 * unit-tested on the host (tests/host/test_mmu.c).
 */
#ifndef MM_PTE_H
#define MM_PTE_H

#include "types.h"
#include "mmu.h"

/* The flag bits a caller may ask for in a leaf entry (P is added by pte_make). */
#define PTE_ALLOWED_FLAGS (PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_G)

/* A present entry for frame `pa` with `flags`; 0 (not present) if pa is not page-aligned
 * or flags has bits outside PTE_ALLOWED_FLAGS. */
static inline uint32_t pte_make(paddr_t pa, uint32_t flags)
{
    if ((pa & (PAGE_SIZE - 1)) || (flags & ~(uint32_t)PTE_ALLOWED_FLAGS))
        return 0;
    return pa | flags | PTE_P;
}

/* A directory entry pointing at a page table. Kernel tables are writable and
 * never global (in the recursive window a PDE is read as a PTE; a G bit there
 * would make the window survive CR3 reloads). */
static inline uint32_t pde_make(paddr_t table, uint32_t flags)
{
    if (table & (PAGE_SIZE - 1))
        return 0;
    return table | ((flags & (PTE_W | PTE_U)) | PTE_P);
}

/*
 * A page that is in swap: the entry is not present (P = 0, so the CPU ignores
 * every other bit and faults on any access), and the kernel keeps the swap
 * slot in the frame-number bits, marked with a bit the hardware leaves to
 * software (bits 9-11 are "available" in every entry).
 */
#define PTE_SWAPPED 0x200u

static inline uint32_t pte_make_swapped(uint32_t slot)
{
    return (slot << 12) | PTE_SWAPPED;
}
static inline bool pte_swapped(uint32_t e)
{
    return !(e & PTE_P) && (e & PTE_SWAPPED);
}
static inline uint32_t pte_slot(uint32_t e)
{
    return e >> 12;
}

static inline bool pte_present(uint32_t e)
{
    return (e & PTE_P) != 0;
}
static inline paddr_t pte_frame(uint32_t e)
{
    return e & PTE_ADDR_MASK;
}
static inline uint32_t pte_flags(uint32_t e)
{
    return e & PTE_FLAGS_MASK;
}

/*
 * Describe an entry's flags as text, e.g. "P W - A D G" style: one letter per set
 * bit in the order P W U T C A D S G (T = write-through, C = cache disabled,
 * S = 4 MiB page). Writes at most size bytes; returns buf.
 */
static inline char *pte_flags_str(uint32_t e, char *buf, unsigned size)
{
    static const char letters[] = "PWUTCADSG";
    unsigned n = 0;
    for (unsigned bit = 0; bit < 9 && n + 1 < size; bit++)
        buf[n++] = (char)((e & (1u << bit)) ? letters[bit] : '-');
    if (size)
        buf[n < size ? n : size - 1] = '\0';
    return buf;
}

#endif
