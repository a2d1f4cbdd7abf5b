/*
 * tests/host/test_mmu.c - page-table entry construction (mm/pte.h) and the
 * address macros (mm/mmu.h), on the host.
 */
#include "check.h"
#include "mm/pte.h"
#include "mm/memlayout.h"

int main(void)
{
    /* Address split: 10 bits directory, 10 bits table, 12 bits offset. */
    CHECK_EQ(PDX(0xC0100000u), 768);
    CHECK_EQ(PTX(0xC0100000u), 256);
    CHECK_EQ(PGOFF(0xC0100123u), 0x123);
    CHECK_EQ(PDX(0xFFFFFFFFu), 1023);
    CHECK_EQ(PTX(0xFFFFFFFFu), 1023);
    CHECK_EQ(PGADDR(768, 256, 0x123), 0xC0100123u);
    CHECK_EQ(PDX(KERNEL_BASE), KERNEL_PDX_FIRST);
    CHECK_EQ(PDX(FIXMAP_BASE), FIXMAP_PDX);
    CHECK_EQ(PDX(RECURSIVE_BASE), RECURSIVE_PDX);
    /* The recursive window: table i at RECURSIVE_BASE + i * 4 KiB, the directory last. */
    CHECK_EQ(RECURSIVE_BASE + RECURSIVE_PDX * PAGE_SIZE, RECURSIVE_PD);
    CHECK_EQ(PAGE_ROUND_UP(0x1001u), 0x2000);
    CHECK_EQ(PAGE_ROUND_DOWN(0x1fffu), 0x1000);
    CHECK(IS_PAGE_ALIGNED(0x3000u) && !IS_PAGE_ALIGNED(0x3004u));
    /* The memory-layout regions are ordered and do not overlap. */
    CHECK(KERNEL_BASE < KERNEL_LINK && KERNEL_LINK < KVA_BASE && KVA_BASE < KVA_END);
    CHECK(KVA_END <= FIXMAP_BASE && FIXMAP_BASE + PT_SPAN == RECURSIVE_BASE);
    CHECK(KERNEL_LINK - KERNEL_BASE == KERNEL_LOAD_PHYS);
    CHECK(FIXMAP_SLOT_VA(FIXMAP_PMM_SLOT + FIXMAP_PMM_MAX - 1) < RECURSIVE_BASE);
    CHECK(HEAP_VIRT_SIZE <= KVA_END - KVA_BASE);

    /* pte_make: frame | flags | P. */
    CHECK_EQ(pte_make(0x00123000, PTE_W), 0x00123003);
    CHECK_EQ(pte_make(0xFFFFF000u, PTE_W | PTE_G), 0xFFFFF103u);
    CHECK_EQ(pte_make(0x00123000, 0), 0x00123001); /* read-only, kernel */
    CHECK_EQ(pte_make(0x00123000, PTE_U | PTE_PCD), 0x00123015);
    /* ... and refuses what is not an entry: unaligned frames, non-hardware or A/D/PS bits. */
    CHECK_EQ(pte_make(0x00123004, PTE_W), 0);
    CHECK_EQ(pte_make(0x00123000, PTE_A), 0);
    CHECK_EQ(pte_make(0x00123000, PTE_D), 0);
    CHECK_EQ(pte_make(0x00123000, PTE_PS), 0);
    CHECK_EQ(pte_make(0x00123000, 0x10000), 0);

    /* pde_make: only W and U survive; never G or PS (see pte.h). */
    CHECK_EQ(pde_make(0x00200000, PTE_W), 0x00200003);
    CHECK_EQ(pde_make(0x00200000, PTE_W | PTE_G | PTE_PS), 0x00200003);
    CHECK_EQ(pde_make(0x00200010, PTE_W), 0);

    /* Reading entries back. */
    uint32_t e = pte_make(0xABCDE000u, PTE_W | PTE_U) | PTE_A | PTE_D;
    CHECK(pte_present(e));
    CHECK(!pte_present(e & ~(uint32_t)PTE_P));
    CHECK_EQ(pte_frame(e), 0xABCDE000u);
    CHECK_EQ(pte_flags(e), PTE_P | PTE_W | PTE_U | PTE_A | PTE_D);
    char buf[16];
    CHECK_STR(pte_flags_str(e, buf, sizeof buf), "PWU--AD--");
    CHECK_STR(pte_flags_str(pte_make(0x1000, PTE_G), buf, sizeof buf), "P-------G");
    CHECK_STR(pte_flags_str(e, buf, 4), "PWU");

    return check_summary("test_mmu");
}
