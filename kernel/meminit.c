/*
 * kernel/meminit.c - memory bring-up at boot (see meminit.h), and its self-tests.
 *
 * 1. Memory map: parse the loader's records (or fall back to mem_lower/upper),
 *    and sanitise them with every range the kernel must not hand out carved
 *    away: the image, the boot page tables, all of the loader's data.
 * 2. Frame allocator: its bitmap goes into usable RAM chosen from that map
 *    (memmap_take removes it from the map, so the bitmap is never "free"),
 *    mapped at the fixmap's bitmap slots, since no page tables can be allocated
 *    before the allocator exists.
 * 3. Kernel page tables (mm/vmm.c) and 4. the heap (mm/heap.c).
 */
#include "meminit.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "kprintf.h"
#include "selftest.h"
#include "mm/fixmap.h"
#include "mm/memlayout.h"
#include "mm/memmap.h"
#include "mm/mmu.h"
#include "mm/pmm.h"

/*
 * The least usable RAM (after the image and the loader's data are carved out)
 * the kernel agrees to run with: room for the frame bitmap, the kernel page
 * tables and a working heap. About 3 MiB of installed RAM gives this much.
 */
#define MIN_USABLE_KIB 1024u

static struct mmap_raw_entry raw[MEMMAP_MAX_RAW];
static int nraw;
static struct mem_range carve[MEMMAP_MAX_CARVE];
static const char *carve_what[MEMMAP_MAX_CARVE];
static int ncarve;
static struct memmap map;            /* final usable ranges, after the bitmap was taken */
static struct mem_range bitmap_range;
static uint32_t frames_at_init;

static void add_carve(uint64_t start, uint64_t end, const char *what)
{
    if (ncarve == MEMMAP_MAX_CARVE)
        panic("too many carve-outs (%s)", what);
    carve[ncarve].start = start;
    carve[ncarve].end = end;
    carve_what[ncarve] = what;
    ncarve++;
    kprintf("mem: carve 0x%08llx-0x%08llx %s\n", (unsigned long long)start,
            (unsigned long long)(end - 1), what);
}

static void read_memory_map(void)
{
    const struct multiboot_info *m = &bootinfo.mbi;
    if (m->flags & MBI_MEM_MAP) {
        nraw = memmap_parse_multiboot(bootinfo.mmap, bootinfo.mmap_length, raw, MEMMAP_MAX_RAW);
        kprintf("mem: %d entries in the loader's memory map\n", nraw);
    } else if (m->flags & MBI_MEMORY) {
        /* Only the two old BIOS counters: RAM below 640 KiB and from 1 MiB to the first hole. */
        kprintf("mem: fix no memory map from the loader: using mem_lower %u KiB, mem_upper %u KiB\n",
                (unsigned)m->mem_lower, (unsigned)m->mem_upper);
        raw[0] = (struct mmap_raw_entry){ 0, (uint64_t)m->mem_lower << 10, MMAP_AVAILABLE };
        raw[1] = (struct mmap_raw_entry){ 0x100000, (uint64_t)m->mem_upper << 10, MMAP_AVAILABLE };
        nraw = 2;
    } else {
        panic("the loader gave no memory information (multiboot flags 0x%08x)", (unsigned)m->flags);
    }
}

void mem_init(void)
{
    read_memory_map();

    add_carve((uintptr_t)kernel_physical_start, (uintptr_t)kernel_physical_end, "kernel image");
    add_carve((uintptr_t)boot_tables_start - KERNEL_BASE, (uintptr_t)boot_tables_end - KERNEL_BASE,
              "boot page tables");
    for (int i = 0; i < bootinfo.nranges; i++)
        add_carve(bootinfo.ranges[i].start, bootinfo.ranges[i].end, bootinfo.range_what[i]);

    memmap_sanitise(raw, nraw, carve, ncarve, &map);

    if (map.usable_bytes < (uint64_t)MIN_USABLE_KIB << 10) {
        kprintf("PANIC: not enough memory: found %llu KiB of usable RAM, the kernel needs at least %u KiB "
                "(about 3 MiB installed)\n", (unsigned long long)(map.usable_bytes >> 10), MIN_USABLE_KIB);
        kprintf("kernel: halted\n");
        halt_forever();
    }

    /* The frame allocator's bitmap: placed in RAM the map offers, mapped at the fixmap. */
    size_t bytes = pmm_storage_bytes(&map);
    uint32_t pages = (uint32_t)((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
    if (pages > FIXMAP_PMM_MAX)
        panic("frame bitmap needs %u pages, the fixmap has %u", (unsigned)pages, FIXMAP_PMM_MAX);
    uint64_t at = memmap_take(&map, (uint64_t)pages * PAGE_SIZE, 0);
    if (!at)
        panic("no room for the %u-byte frame bitmap", (unsigned)bytes);
    bitmap_range.start = at;
    bitmap_range.end = at + (uint64_t)pages * PAGE_SIZE;
    for (uint32_t i = 0; i < pages; i++)
        fixmap_set(FIXMAP_PMM_SLOT + i, (paddr_t)(at + (uint64_t)i * PAGE_SIZE));
    pmm_init(&map, (void *)FIXMAP_SLOT_VA(FIXMAP_PMM_SLOT));
    frames_at_init = pmm_free_frames();
    kprintf("pmm: bitmap %u bytes at 0x%08llx; %u frames (%u KiB) free\n", (unsigned)bytes,
            (unsigned long long)at, (unsigned)frames_at_init, (unsigned)(frames_at_init * 4u));
}

/* ------------------------------------------------------------ self-tests */

static bool in_usable(paddr_t f)
{
    for (int i = 0; i < map.n_usable; i++)
        if (f >= map.usable[i].start && f + PAGE_SIZE <= map.usable[i].end)
            return true;
    return false;
}

static bool in_carve(paddr_t f)
{
    for (int i = 0; i < ncarve; i++)
        if (f + PAGE_SIZE > carve[i].start && f < carve[i].end)
            return true;
    return f + PAGE_SIZE > bitmap_range.start && f < bitmap_range.end;
}

/* A distinct value per frame and per word, so a frame handed out twice shows up. */
static uint32_t pattern(paddr_t f, unsigned word)
{
    return (f ^ 0x5EED0000u) + word * 0x9E3779B9u;
}

static void write_pattern(paddr_t f)
{
    volatile uint32_t *w = fixmap_set(FIXMAP_SLOT_TEST, f);
    for (unsigned i = 0; i < PAGE_SIZE / 4; i += 64)   /* every 256th byte: 16 words */
        w[i] = pattern(f, i);
    w[PAGE_SIZE / 4 - 1] = pattern(f, PAGE_SIZE / 4 - 1);
    fixmap_clear(FIXMAP_SLOT_TEST);
}

static bool check_pattern(paddr_t f)
{
    volatile uint32_t *w = fixmap_set(FIXMAP_SLOT_TEST, f);
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
static void pmm_exhaustive_test(void)
{
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
        w[1] = head;                    /* word 1: the chain (word 0 holds the pattern) */
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
        w[1] = pattern(head, 1);        /* restore the word the chain borrowed */
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

static void pmm_quick_test(void)
{
    selftest_group_begin("pmm");
    /* The free count matches the sanitised map (checked right after init). */
    uint64_t map_frames = 0;
    for (int i = 0; i < map.n_usable; i++)
        map_frames += (map.usable[i].end - map.usable[i].start) / PAGE_SIZE;
    SELFTEST(frames_at_init == map_frames);
    SELFTEST(pmm_total_frames() == map_frames);
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

    /* Contiguous, DMA-style: 16 frames, 64 KiB aligned, below 16 MiB. */
    paddr_t c = pmm_alloc_contig(16, 0x10000, 0x1000000);
    SELFTEST(c != PMM_NO_FRAME);
    if (c != PMM_NO_FRAME) {
        SELFTEST((c & 0xFFFF) == 0);
        SELFTEST(c + 16 * PAGE_SIZE <= 0x1000000);
        for (int i = 0; i < 16; i++)
            SELFTEST(pmm_is_allocated(c + i * PAGE_SIZE) && in_usable(c + i * PAGE_SIZE));
        SELFTEST(pmm_free_contig(c, 16) == PMM_OK);
    }
    /* More than all of memory, contiguous: a clean "no frame". */
    SELFTEST(pmm_alloc_contig(pmm_total_frames() + 1, PAGE_SIZE, 0) == PMM_NO_FRAME);
    SELFTEST(pmm_free_frames() == before);
    selftest_group_end();
}

void mem_selftest(void)
{
    pmm_quick_test();
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void mem_run_test(const char *name)
{
    if (streq(name, "pmm-all")) {
        pmm_exhaustive_test();
        selftest_summary();
    } else if (streq(name, "pmm-double-free")) {
        paddr_t f = pmm_alloc();
        kprintf("test: freeing frame 0x%08x twice\n", (unsigned)f);
        pmm_free(f);
        pmm_free(f);
    } else {
        kprintf("kernel: unknown test '%s'\n", name);
    }
}
