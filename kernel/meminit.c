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
 * 3. Kernel page tables (mm/vmm.c): the image remapped with per-section
 *    permissions, the boot tables given back.
 * 4. The heap (mm/heap.c) in its own kernel virtual range (mm/vrange.c),
 *    backed by frames the vmm maps on demand.
 */
#include "meminit.h"
#include "kstring.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "kprintf.h"
#include "selftest.h"
#include "mm/fixmap.h"
#include "mm/memlayout.h"
#include "mm/memmap.h"
#include "mm/mmu.h"
#include "mm/pmm.h"
#include "mm/heap.h"
#include "mm/mm_selftest.h"
#include "mm/vmm.h"
#include "mm/vrange.h"

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
static struct memmap map;      /* final usable ranges, after the bitmap was taken */
static struct pmm_facts facts; /* what the self-checks compare against */
static uintptr_t heap_base;

/* The heap's page source: fresh frames mapped through the paging API. */
static int heap_commit(void *ctx, uintptr_t va, size_t npages)
{
    (void)ctx;
    return vmm_alloc_range(va, npages * PAGE_SIZE, PTE_W) == VMM_OK ? 0 : -1;
}

static void heap_release(void *ctx, uintptr_t va, size_t npages)
{
    (void)ctx;
    vmm_free_range(va, npages * PAGE_SIZE);
}

/* Room for every range the kernel can need to carve: image, boot tables, all of the
 * loader's data (bootinfo.h bounds it), and the frame bitmap. */
_Static_assert(MEMMAP_MAX_CARVE >= 2 + BOOTINFO_RANGES_MAX + 1, "carve-out table too small");

/* Record a range that must never be handed out; returns its index. */
static int add_carve(uint64_t start, uint64_t end, const char *what)
{
    if (ncarve == MEMMAP_MAX_CARVE)
        panic("too many carve-outs (%s)", what);
    carve[ncarve].start = start;
    carve[ncarve].end = end;
    carve_what[ncarve] = what;
    kprintf("mem: carve 0x%08llx-0x%08llx %s\n", (unsigned long long)start, (unsigned long long)(end - 1),
            what);
    return ncarve++;
}

static void read_memory_map(void)
{
    const struct multiboot_info *m = &bootinfo.mbi;
    /* "nommap" pretends the loader gave no map, to exercise the fallback an old loader needs. */
    if ((m->flags & MBI_MEM_MAP) && cmdline_flag("nommap") != CMDLINE_ON) {
        nraw = memmap_parse_multiboot(bootinfo.mmap, bootinfo.mmap_length, raw, MEMMAP_MAX_RAW);
        kprintf("mem: %d entries in the loader's memory map\n", nraw);
    } else if (m->flags & MBI_MEMORY) {
        /* Only the two old BIOS counters: RAM below 640 KiB and from 1 MiB to the first hole. */
        kprintf("mem: fix no memory map from the loader: using mem_lower %u KiB, mem_upper %u KiB\n",
                (unsigned)m->mem_lower, (unsigned)m->mem_upper);
        raw[0] = (struct mmap_raw_entry){0, (uint64_t)m->mem_lower << 10, MMAP_AVAILABLE};
        raw[1] = (struct mmap_raw_entry){0x100000, (uint64_t)m->mem_upper << 10, MMAP_AVAILABLE};
        nraw = 2;
    } else {
        panic("the loader gave no memory information (multiboot flags 0x%08x)", (unsigned)m->flags);
    }
}

void mem_init(void)
{
    read_memory_map();

    add_carve((uintptr_t)kernel_physical_start, (uintptr_t)kernel_physical_end, "kernel image");
    int boot_tables = add_carve((uintptr_t)boot_tables_start - KERNEL_BASE,
                                (uintptr_t)boot_tables_end - KERNEL_BASE, "boot page tables");
    for (int i = 0; i < bootinfo.nranges; i++)
        add_carve(bootinfo.ranges[i].start, bootinfo.ranges[i].end, bootinfo.range_what[i]);

    memmap_sanitise(raw, nraw, carve, ncarve, &map);

    if (map.usable_bytes < (uint64_t)MIN_USABLE_KIB << 10) {
        kprintf("PANIC: not enough memory: found %llu KiB of usable RAM, the kernel needs at least %u KiB "
                "(about 3 MiB installed)\n",
                (unsigned long long)(map.usable_bytes >> 10), MIN_USABLE_KIB);
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
    for (uint32_t i = 0; i < pages; i++)
        fixmap_set(FIXMAP_PMM_SLOT + i, (paddr_t)(at + (uint64_t)i * PAGE_SIZE));
    pmm_init(&map, (void *)FIXMAP_SLOT_VA(FIXMAP_PMM_SLOT));
    kprintf("pmm: bitmap %u bytes at 0x%08llx; %u frames (%u KiB) free\n", (unsigned)bytes,
            (unsigned long long)at, (unsigned)pmm_free_frames(), (unsigned)(pmm_free_frames() * 4u));

    /* What the self-checks hold the allocator to: the bitmap joins the never-free list,
     * the boot tables leave it once vmm_init has given them back. */
    facts.frames_at_init = pmm_free_frames();
    add_carve(at, at + (uint64_t)pages * PAGE_SIZE, "frame bitmap");
    facts.map = &map;
    facts.carve = carve;
    facts.ncarve = ncarve;

    vmm_init();
    facts.donated = carve[boot_tables]; /* given back by vmm_init */
    carve[boot_tables].start = carve[boot_tables].end = 0;

    /* The heap: its own range of kernel virtual space, backed on demand. */
    vrange_init(KVA_BASE, KVA_END);
    heap_base = vrange_alloc(HEAP_VIRT_SIZE, PAGE_SIZE);
    if (!heap_base)
        panic("no virtual space for the heap");
    static const struct heap_page_source source = {0, heap_commit, heap_release};
    heap_init(&source, heap_base, HEAP_VIRT_SIZE);
    if (cmdline_flag("heapdebug") == CMDLINE_ON)
        heap_set_debug(true); /* poison, redzones, quarantine (mm/heap.h) */
    kprintf("heap: 0x%08x-0x%08x (%u MiB of address space), pages mapped on demand\n", (unsigned)heap_base,
            (unsigned)(heap_base + HEAP_VIRT_SIZE - 1), (unsigned)(HEAP_VIRT_SIZE >> 20));
}

void mem_print_map(void)
{
    kprintf("raw memory map from the loader (%d entries):\n", nraw);
    for (int i = 0; i < nraw; i++) {
        /* The inclusive end, saturated: firmware lengths can be absurd. */
        uint64_t len = raw[i].len ? raw[i].len - 1 : 0;
        uint64_t last = len > UINT64_MAX - raw[i].base ? UINT64_MAX : raw[i].base + len;
        kprintf("  0x%016llx-0x%016llx %s\n", (unsigned long long)raw[i].base, (unsigned long long)last,
                memmap_type_name(raw[i].type));
    }
    kprintf("never handed out:\n");
    for (int i = 0; i < ncarve; i++)
        if (carve[i].end > carve[i].start)
            kprintf("  0x%08llx-0x%08llx %s\n", (unsigned long long)carve[i].start,
                    (unsigned long long)(carve[i].end - 1), carve_what[i] ? carve_what[i] : "frame bitmap");
    kprintf("usable after sanitising (%d ranges, %llu KiB):\n", map.n_usable,
            (unsigned long long)(map.usable_bytes >> 10));
    for (int i = 0; i < map.n_usable; i++)
        kprintf("  0x%08llx-0x%08llx\n", (unsigned long long)map.usable[i].start,
                (unsigned long long)(map.usable[i].end - 1));
    if (facts.donated.end > facts.donated.start)
        kprintf("  0x%08llx-0x%08llx (boot page tables, given back after paging was set up)\n",
                (unsigned long long)facts.donated.start, (unsigned long long)(facts.donated.end - 1));
    if (map.ignored_above_4g)
        kprintf("ignored above 4 GiB: %llu MiB\n", (unsigned long long)(map.ignored_above_4g >> 20));
}

uintptr_t mem_heap_base(void)
{
    return heap_base;
}

/* The self-checks allocate a few dozen frames at once (patterns, a contiguous
 * run, page tables); with fewer free they would fail for the wrong reason. */
#define SELFTEST_MIN_FRAMES 64

void mem_selftest(void)
{
    if (pmm_free_frames() < SELFTEST_MIN_FRAMES) {
        kprintf("selftest: memory checks not run: %u free frames, they need %u (not enough memory to run)\n",
                (unsigned)pmm_free_frames(), SELFTEST_MIN_FRAMES);
        return;
    }
    pmm_selftest(&facts);
    vmm_selftest();
    heap_selftest();
}

void mem_run_test(const char *name)
{
    if (kstreq(name, "pmm-all")) {
        pmm_selftest_exhaustive(&facts);
        selftest_summary();
    } else if (kstreq(name, "heap-oom")) {
        heap_selftest_oom();
        selftest_summary();
    } else if (kstreq(name, "heap-double-free")) {
        void *p = kmalloc(48);
        kprintf("test: freeing heap object %p twice\n", p);
        kfree(p);
        kfree(p); /* NOLINT(clang-analyzer-unix.Malloc): the misuse under test */
    } else if (kstreq(name, "heap-foreign-free")) {
        static int not_from_the_heap;
        kprintf("test: freeing %p, which kmalloc never returned\n", (void *)&not_from_the_heap);
        kfree(&not_from_the_heap); /* NOLINT(clang-analyzer-unix.Malloc): as above */
    } else if (kstreq(name, "heap-interior-free")) {
        char *p = kmalloc(256);
        kprintf("test: freeing %p, 16 bytes into a heap object\n", (void *)(p + 16));
        kfree(p + 16);
    } else if (kstreq(name, "heap-use-after-free")) {
        /* With heapdebug, freed memory holds HEAP_POISON_FREE: a pointer read from it
         * is 0x5a5a5a5a, and following it faults with a hint naming the poison. */
        void **obj = kmalloc(sizeof *obj);
        *obj = obj;
        kprintf("test: following a pointer read from freed object %p\n", (void *)obj);
        kfree(obj);
        // NOLINTNEXTLINE(clang-analyzer-unix.Malloc): the use after free is the test
        (void)**(void *volatile *volatile *)obj;
        kprintf("test: no fault: freed memory is poisoned only with heapdebug\n");
    } else if (kstreq(name, "heap-uninitialised")) {
        /* With heapdebug, new memory holds HEAP_POISON_ALLOC (0xa5a5a5a5 as a pointer). */
        void **obj = kmalloc(sizeof *obj);
        kprintf("test: following an uninitialised pointer in new object %p\n", (void *)obj);
        (void)**(void *volatile *volatile *)obj;
        kprintf("test: no fault: new memory is poisoned only with heapdebug\n");
        kfree(obj);
    } else if (kstreq(name, "heap-redzone")) {
        char *p = kmalloc(24);
        kprintf("test: writing one byte past the 24-byte object %p, then freeing it\n", (void *)p);
        p[24] = 'X'; // NOLINT(clang-analyzer-security.ArrayBound): the overflow under test
        kfree(p);
        kprintf("test: the overflow went unnoticed: redzones are checked only with heapdebug\n");
    } else if (kstreq(name, "pmm-double-free")) {
        paddr_t f = pmm_alloc();
        kprintf("test: freeing frame 0x%08x twice\n", (unsigned)f);
        pmm_free(f);
        pmm_free(f);
    } else {
        kprintf("kernel: unknown test '%s'\n", name);
    }
}
