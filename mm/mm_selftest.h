/*
 * mm/mm_selftest.h - the kernel's boot self-checks of memory management.
 *
 * Each lives next to the code it checks (mm/pmm_selftest.c, mm/vmm_selftest.c,
 * mm/heap_selftest.c) and reports through kernel/selftest.h. The quick ones run
 * on every boot; the exhaustive ones when the command line asks (test=NAME).
 */
#ifndef MM_MM_SELFTEST_H
#define MM_MM_SELFTEST_H

#include "memmap.h"

/* What the frame-allocator checks compare against. */
struct pmm_facts {
    const struct memmap *map;      /* the usable ranges the allocator manages */
    const struct mem_range *carve; /* ranges that must never be handed out */
    int ncarve;
    struct mem_range donated; /* carved at first, given to the allocator later
                                          (the boot page tables) */
    uint32_t frames_at_init;  /* free frames right after pmm_init() */
};

void pmm_selftest(const struct pmm_facts *f);
void pmm_selftest_exhaustive(const struct pmm_facts *f); /* test=pmm-all */

void vmm_selftest(void);

void heap_selftest(void);
void heap_selftest_oom(void); /* test=heap-oom */

#endif
