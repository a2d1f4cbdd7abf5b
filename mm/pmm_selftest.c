/*
 * mm/pmm_selftest.c - boot self-checks of the frame allocator.
 *
 * The quick checks (every boot) compare the free count with the sanitised map,
 * and exercise single and contiguous allocations. The exhaustive check
 * (test=pmm-all) takes every free frame, checks each is usable RAM outside all
 * carve-outs, writes a distinct pattern into each through a fixmap window,
 * verifies them all, checks exhaustion and gives everything back.
 */
#include "mm_selftest.h"
#include "fixmap.h"
#include "mmu.h"
#include "pmm.h"
#include "kernel/kprintf.h"
#include "kernel/selftest.h"


static const struct pmm_facts *facts;

static bool in_usable(paddr_t f)
{
    const struct memmap *map = facts->map;
    for (int i = 0; i < map->n_usable; i++)
        if (f >= map->usable[i].start && f + PAGE_SIZE <= map->usable[i].end)
            return true;
    return f >= facts->donated.start && f + PAGE_SIZE <= facts->donated.end;
}

static bool in_carve(paddr_t f)
{
    for (int i = 0; i < facts->ncarve; i++)
        if (f + PAGE_SIZE > facts->carve[i].start && f < facts->carve[i].end)
            return true;
    return false;
}

/* A distinct value per frame and per word, so a frame handed out twice shows up. */
static uint32_t pattern(paddr_t f, unsigned word)
{
    return (f ^ 0x5EED0000u) + word * 0x9E3779B9u;
}

static void write_pattern(paddr_t f)
{
    volatile uint32_t *w = fixmap_set(FIXMAP_SLOT_TEST, f);
    for (unsigned i = 0; i < PAGE_SIZE / 4; i += 64) /* every 256th byte: 16 words */
        w[i] = pattern(f, i);
    w[PAGE_SIZE / 4 - 1] = pattern(f, PAGE_SIZE / 4 - 1);
    fixmap_clear(FIXMAP_SLOT_TEST);
}

static bool check_pattern(paddr_t f)
{
    const volatile uint32_t *w = fixmap_set(FIXMAP_SLOT_TEST, f);
    bool ok = w[PAGE_SIZE / 4 - 1] == pattern(f, PAGE_SIZE / 4 - 1);
    for (unsigned i = 0; i < PAGE_SIZE / 4; i += 64)
        ok = ok && w[i] == pattern(f, i);
    fixmap_clear(FIXMAP_SLOT_TEST);
    return ok;
}

/*
 * Allocate every free frame, check each, write and verify a pattern in each,
 * check exhaustion, free everything. The frames are chained through their own
 * first word so the test needs no memory of its own.
 */
void pmm_selftest_exhaustive(const struct pmm_facts *f_)
{
    facts = f_;
    selftest_group_begin("pmm-all");
    uint32_t free0 = pmm_free_frames(), n = 0, bad_range = 0, bad_carve = 0, bad_pattern = 0;
    paddr_t head = PMM_NO_FRAME;
    for (;;) {
        paddr_t f = pmm_alloc();
        if (f == PMM_NO_FRAME)
            break;
        n++;
        bad_range += !in_usable(f);
        bad_carve += in_carve(f);
        write_pattern(f);
        volatile uint32_t *w = fixmap_set(FIXMAP_SLOT_TEST, f);
        w[1] = head; /* word 1: the chain (word 0 holds the pattern) */
        fixmap_clear(FIXMAP_SLOT_TEST);
        head = f;
    }
    SELFTEST(n == free0);
    SELFTEST(pmm_free_frames() == 0);
    SELFTEST(pmm_alloc() == PMM_NO_FRAME);
    SELFTEST(pmm_alloc_contig(1, PAGE_SIZE, 0) == PMM_NO_FRAME);
    SELFTEST(bad_range == 0);
    SELFTEST(bad_carve == 0);
    while (head != PMM_NO_FRAME) {
        volatile uint32_t *w = fixmap_set(FIXMAP_SLOT_TEST, head);
        paddr_t next = w[1];
        w[1] = pattern(head, 1); /* restore the word the chain borrowed */
        fixmap_clear(FIXMAP_SLOT_TEST);
        bad_pattern += !check_pattern(head);
        if (pmm_free(head) != PMM_OK)
            bad_pattern++;
        head = next;
    }
    SELFTEST(bad_pattern == 0);
    SELFTEST(pmm_free_frames() == free0);
    kprintf("pmm: allocated, patterned and freed all %u free frames\n", (unsigned)n);
    selftest_group_end();
}

void pmm_selftest(const struct pmm_facts *f_)
{
    facts = f_;
    selftest_group_begin("pmm");
    /* The free count matches the sanitised map (checked right after init). */
    uint64_t map_frames = 0;
    for (int i = 0; i < facts->map->n_usable; i++)
        map_frames += (facts->map->usable[i].end - facts->map->usable[i].start) / PAGE_SIZE;
    SELFTEST(facts->frames_at_init == map_frames);
    SELFTEST(pmm_total_frames() == map_frames + (facts->donated.end - facts->donated.start) / PAGE_SIZE);
    SELFTEST(pmm_used_frames() + pmm_free_frames() == pmm_total_frames());

    /* A few single frames: distinct, usable, outside every carve-out, writable. */
    paddr_t f[8];
    uint32_t before = pmm_free_frames();
    for (int i = 0; i < 8; i++) {
        f[i] = pmm_alloc();
        SELFTEST(f[i] != PMM_NO_FRAME && IS_PAGE_ALIGNED(f[i]));
        SELFTEST(in_usable(f[i]) && !in_carve(f[i]));
        SELFTEST(pmm_is_allocated(f[i]));
        write_pattern(f[i]);
    }
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++)
            SELFTEST(f[i] != f[j]);
    for (int i = 0; i < 8; i++) {
        SELFTEST(check_pattern(f[i]));
        SELFTEST(pmm_free(f[i]) == PMM_OK);
    }
    SELFTEST(pmm_free_frames() == before);

    /* Contiguous, DMA-style: 16 frames, 64 KiB aligned, below 16 MiB. Big boot
     * modules on a small machine may leave no such run down there, which is no
     * fault of the allocator: then anywhere will do. */
    uint64_t limit = 0x1000000;
    paddr_t c = pmm_alloc_contig(16, 0x10000, limit);
    if (c == PMM_NO_FRAME) {
        kprintf("selftest: no 16 free contiguous frames below 16 MiB (boot modules may fill it): checked "
                "anywhere\n");
        limit = (uint64_t)pmm_span_frames() * PAGE_SIZE;
        c = pmm_alloc_contig(16, 0x10000, 0);
    }
    SELFTEST(c != PMM_NO_FRAME);
    if (c != PMM_NO_FRAME) {
        SELFTEST((c & 0xFFFF) == 0);
        SELFTEST(c + 16 * PAGE_SIZE <= limit);
        for (int i = 0; i < 16; i++)
            SELFTEST(pmm_is_allocated(c + i * PAGE_SIZE) && in_usable(c + i * PAGE_SIZE));
        SELFTEST(pmm_free_contig(c, 16) == PMM_OK);
    }
    /* More than all of memory, contiguous: a clean "no frame". */
    SELFTEST(pmm_alloc_contig(pmm_total_frames() + 1, PAGE_SIZE, 0) == PMM_NO_FRAME);
    SELFTEST(pmm_free_frames() == before);
    selftest_group_end();
}
