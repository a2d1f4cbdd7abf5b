/*
 * tests/host/test_memmap.c - host tests of the memory-map sanitiser (mm/memmap.c).
 *
 * In the style of Linux tools/testing/memblock: each case draws the firmware
 * entries it feeds in (U = usable, R = reserved or other, C = carve-out, with
 * addresses in MiB unless marked) and says what it expects; every case starts
 * from fresh state and asserts the exact ranges, counters and log text.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host_shim.h"
#include "memmap.h"

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull

static struct memmap map;

/* Fresh log, then sanitise; also checks one "mem: fix" line per correction. */
static int sanitise(const struct mmap_raw_entry *raw, int n, const struct mem_range *carve, int ncarve)
{
    int r, fixes = 0;
    const char *p;

    host_log_reset();
    host_log_capture = 1;
    memset(&map, 0xA5, sizeof map); /* stale garbage must not leak through */
    r = memmap_sanitise(raw, n, carve, ncarve, &map);
    for (p = host_log_buf; (p = strstr(p, "mem: fix ")) != NULL; p++)
        fixes++;
    CHECK_EQ(fixes, map.corrections);
    CHECK_EQ(r, map.n_usable);
    return r;
}

static int log_has(const char *s)
{
    return strstr(host_log_buf, s) != NULL;
}

/* Check map.usable against a list of {start, end} pairs and the byte total. */
#define EXPECT_RANGES(...)                                                     \
    do {                                                                       \
        const struct mem_range want_[] = {__VA_ARGS__};                        \
        expect_ranges(want_, (int)(sizeof want_ / sizeof want_[0]), __LINE__); \
    } while (0)

static void expect_ranges(const struct mem_range *want, int n, int line)
{
    uint64_t bytes = 0;
    int before = check_failed;

    CHECK_EQ(map.n_usable, n);
    for (int i = 0; i < n && i < map.n_usable; i++) {
        CHECK_EQ(map.usable[i].start, want[i].start);
        CHECK_EQ(map.usable[i].end, want[i].end);
        bytes += want[i].end - want[i].start;
    }
    CHECK_EQ(map.usable_bytes, bytes);
    if (check_failed != before)
        fprintf(stderr, "  (ranges expected at line %d)\n", line);
}

static void expect_none(void)
{
    CHECK_EQ(map.n_usable, 0);
    CHECK_EQ(map.usable_bytes, 0);
}

/*
 * A QEMU-like map for 128 MiB:
 *
 *   0        0x9fc00 0xa0000  0xf0000 1M                  0x7fe0000  ...  0xfffc0000
 *   |   U       | R  |          | R   |         U             | R |         | R |
 *
 * Expect one range 1 MiB..0x7fe0000; the low entry is aligned, then excluded
 * (two corrections); exact log lines for the raw entries and the result.
 */
static void test_qemu_map(void)
{
    const struct mmap_raw_entry raw[] = {
        {0x0, 0x9fc00, 1},        {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
        {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2},
    };

    sanitise(raw, 6, NULL, 0);
    EXPECT_RANGES({0x100000, 0x7fe0000});
    CHECK_EQ(map.corrections, 2);
    CHECK_EQ(map.ignored_above_4g, 0);
    CHECK(log_has("mem: raw 0x0000000000000000-0x000000000009fbff available\n"));
    CHECK(log_has("mem: raw 0x000000000009fc00-0x000000000009ffff reserved\n"));
    CHECK(log_has("mem: raw 0x00000000fffc0000-0x00000000ffffffff reserved\n"));
    CHECK(log_has("mem: fix aligned 0x00000000-0x0009fbff to 0x00000000-0x0009efff\n"));
    CHECK(log_has("mem: fix excluded 0x00000000-0x0009efff below 1 MiB\n"));
    CHECK(log_has("mem: usable 0x00100000-0x07fdffff\n"));
    CHECK(log_has("mem: total usable 129920 KiB (32480 frames)\n"));
    CHECK(!log_has("above 4 GiB"));
}

/*
 *   1M        4M   5M         16M
 *   |    U    | R  |    U     |
 *
 * Expect the reserved entry to punch a hole: 1..4 and 5..16.
 */
static void test_reserved_inside_usable(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 15 * MiB, 1}, {4 * MiB, 1 * MiB, 2}};

    sanitise(raw, 2, NULL, 0);
    EXPECT_RANGES({1 * MiB, 4 * MiB}, {5 * MiB, 16 * MiB});
    CHECK_EQ(map.corrections, 1);
    CHECK(log_has("mem: fix overlap available 0x00100000-0x00ffffff and reserved "
                  "0x00400000-0x004fffff: reserved wins\n"));
}

/*
 *   1M        4M   5M         16M
 *   |    R    | U  |    R     |
 *
 * Expect nothing usable: the usable entry lies inside a reserved one.
 */
static void test_usable_inside_reserved(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 15 * MiB, 2}, {4 * MiB, 1 * MiB, 1}};

    sanitise(raw, 2, NULL, 0);
    expect_none();
    CHECK_EQ(map.corrections, 1);
    CHECK(log_has("reserved wins\n"));
}

/*
 *   1M               6M     8M        10M
 *   |       U        |  U+R  |    R     |
 *
 * Expect the top of the usable entry cut at 6 MiB.
 */
static void test_overlap_top(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 7 * MiB, 1}, {6 * MiB, 4 * MiB, 2}};

    sanitise(raw, 2, NULL, 0);
    EXPECT_RANGES({1 * MiB, 6 * MiB});
}

/*
 *   1M      2M      3M               8M
 *   |   R   |  R+U  |       U        |
 *
 * Expect the bottom of the usable entry cut at 3 MiB.
 */
static void test_overlap_bottom(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 2 * MiB, 2}, {2 * MiB, 6 * MiB, 1}};

    sanitise(raw, 2, NULL, 0);
    EXPECT_RANGES({3 * MiB, 8 * MiB});
}

/*
 * The same two overlaps with the entries listed the other way round, and an
 * ACPI NVS entry overlapping both edges of a usable one:
 *
 *   2M   3M              7M   8M
 *   | N  |  U (N on top) |  N |      (N = ACPI NVS, spanning 2..3 and 7..8)
 *
 * Expect 3..7 in every order.
 */
static void test_overlap_order_independent(void)
{
    const struct mmap_raw_entry a[] = {
        {2 * MiB, 1 * MiB + 4 * KiB, 4},
        {2 * MiB, 6 * MiB, 1},
        {7 * MiB - 4 * KiB, 1 * MiB + 4 * KiB, 4},
    };
    const struct mmap_raw_entry b[] = {a[2], a[1], a[0]};
    const struct mmap_raw_entry c[] = {a[1], a[2], a[0]};

    sanitise(a, 3, NULL, 0);
    EXPECT_RANGES({3 * MiB + 4 * KiB, 7 * MiB - 4 * KiB});
    CHECK(log_has("ACPI NVS wins\n"));
    sanitise(b, 3, NULL, 0);
    EXPECT_RANGES({3 * MiB + 4 * KiB, 7 * MiB - 4 * KiB});
    CHECK(log_has("mem: fix entries out of order, sorted by base\n"));
    sanitise(c, 3, NULL, 0);
    EXPECT_RANGES({3 * MiB + 4 * KiB, 7 * MiB - 4 * KiB});
}

/*
 *   1M  2M     4M  5M     8M  9M
 *   | U |      | U |      | U |     listed as 8, 4, 1
 *
 * Expect three sorted ranges and one "sorted" correction.
 */
static void test_unsorted(void)
{
    const struct mmap_raw_entry raw[] = {
        {8 * MiB, 1 * MiB, 1},
        {4 * MiB, 1 * MiB, 1},
        {1 * MiB, 1 * MiB, 1},
    };

    sanitise(raw, 3, NULL, 0);
    EXPECT_RANGES({1 * MiB, 2 * MiB}, {4 * MiB, 5 * MiB}, {8 * MiB, 9 * MiB});
    CHECK_EQ(map.corrections, 1);
    CHECK(log_has("mem: fix entries out of order, sorted by base\n"));
}

/*
 *   1M            16M
 *   |  U (twice)  |     then the same with a reserved duplicate
 *
 * Expect one range for the usable duplicate, nothing when a reserved twin
 * exists (whichever comes first).
 */
static void test_duplicates(void)
{
    const struct mmap_raw_entry twice[] = {{1 * MiB, 15 * MiB, 1}, {1 * MiB, 15 * MiB, 1}};
    const struct mmap_raw_entry twin1[] = {{1 * MiB, 15 * MiB, 1}, {1 * MiB, 15 * MiB, 2}};
    const struct mmap_raw_entry twin2[] = {{1 * MiB, 15 * MiB, 2}, {1 * MiB, 15 * MiB, 1}};

    sanitise(twice, 2, NULL, 0);
    EXPECT_RANGES({1 * MiB, 16 * MiB});
    CHECK(log_has("mem: fix overlap available 0x00100000-0x00ffffff and "
                  "0x00100000-0x00ffffff merged\n"));
    sanitise(twin1, 2, NULL, 0);
    expect_none();
    sanitise(twin2, 2, NULL, 0);
    expect_none();
}

/*
 *   1M    2M    3M
 *   |  U  |  U  |       adjacent usable entries (and an unaligned pair)
 *
 * Expect one merged range; the unaligned pair loses no page at the seam.
 */
static void test_adjacent_merged(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 1 * MiB, 1}, {2 * MiB, 1 * MiB, 1}};
    const struct mmap_raw_entry odd[] = {{1 * MiB, 0x80800, 1}, {0x180800, 0x7f800, 1}};

    sanitise(raw, 2, NULL, 0);
    EXPECT_RANGES({1 * MiB, 3 * MiB});
    CHECK(log_has("mem: fix merged adjacent available 0x00100000-0x001fffff and "
                  "0x00200000-0x002fffff\n"));
    sanitise(odd, 2, NULL, 0);
    EXPECT_RANGES({1 * MiB, 2 * MiB});
    CHECK(!log_has("aligned"));
}

/*
 *   1M   2M(len 0, U)  3M(len 0, R)   8M
 *   |         U                        |
 *
 * Expect both zero-length entries dropped (the reserved one must not split).
 */
static void test_zero_length(void)
{
    const struct mmap_raw_entry raw[] = {
        {1 * MiB, 7 * MiB, 1},
        {2 * MiB, 0, 1},
        {3 * MiB, 0, 2},
    };

    sanitise(raw, 3, NULL, 0);
    EXPECT_RANGES({1 * MiB, 8 * MiB});
    CHECK_EQ(map.corrections, 2);
    CHECK(log_has("mem: fix dropped zero-length entry at 0x0000000000200000\n"));
    CHECK(log_has("mem: fix dropped zero-length entry at 0x0000000000300000\n"));
    CHECK(log_has("mem: raw 0x0000000000200000-0x0000000000200000 available\n"));
}

/*
 *   0x100123            0x103123      0x200010 (len 0x800)
 *   |        U           |            |U|
 *
 * Expect the first aligned inward to 0x101000..0x103000, the sub-page one dropped.
 */
static void test_unaligned(void)
{
    const struct mmap_raw_entry raw[] = {{0x100123, 0x3000, 1}, {0x200010, 0x800, 1}};

    sanitise(raw, 2, NULL, 0);
    EXPECT_RANGES({0x101000, 0x103000});
    CHECK(log_has("mem: fix aligned 0x00100123-0x00103122 to 0x00101000-0x00102fff\n"));
    CHECK(log_has("mem: fix dropped 0x00200010-0x0020080f (no whole page)\n"));
    CHECK_EQ(map.corrections, 2);
}

/*
 *   1M          0x180800 0x180900         2M
 *   |     U        | R (256 B) |     U     |
 *
 * Expect the whole page holding the reserved bytes removed.
 */
static void test_unaligned_reserved(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 1 * MiB, 1}, {0x180800, 0x100, 2}};

    sanitise(raw, 2, NULL, 0);
    EXPECT_RANGES({1 * MiB, 0x180000}, {0x181000, 2 * MiB});
}

/*
 *   3G                4G                 5G
 *   |        U        |        U         |     (one entry crossing 4 GiB)
 *
 * Expect 3G..4G usable and 1 GiB counted as ignored.
 */
static void test_cross_4g(void)
{
    const struct mmap_raw_entry raw[] = {{3 * GiB, 2 * GiB, 1}};

    sanitise(raw, 1, NULL, 0);
    EXPECT_RANGES({3 * GiB, 4 * GiB});
    CHECK_EQ(map.ignored_above_4g, 1 * GiB);
    CHECK(log_has("mem: fix clipped 0x00000000c0000000-0x000000013fffffff at 4 GiB\n"));
    CHECK(log_has("mem: ignoring 1024 MiB above 4 GiB\n"));
    CHECK(log_has("mem: usable 0xc0000000-0xffffffff\n"));
}

/*
 *   1M    16M   ...   4G          6G
 *   |  U  |           |     U     |       plus a reserved entry above 4 GiB
 *
 * Expect only 1..16, 2048 MiB ignored, the reserved entry above 4G harmless.
 */
static void test_above_4g(void)
{
    const struct mmap_raw_entry raw[] = {
        {1 * MiB, 15 * MiB, 1},
        {4 * GiB, 2 * GiB, 1},
        {0xfd00000000ull, 0x300000000ull, 2},
    };

    sanitise(raw, 3, NULL, 0);
    EXPECT_RANGES({1 * MiB, 16 * MiB});
    CHECK_EQ(map.ignored_above_4g, 2 * GiB);
    CHECK(log_has("mem: ignoring 2048 MiB above 4 GiB\n"));
    CHECK(log_has("mem: fix ignored 0x0000000100000000-0x000000017fffffff above 4 GiB\n"));
    CHECK_EQ(map.corrections, 1);
}

/*
 *   1M                                   4G ... 2^64
 *   |  U (len 0xFFFFFFFFFFFFFFFF: base + len wraps)
 *
 * Expect 1M..4G usable, the rest ignored without wrapping; an entry near the
 * top of the 64-bit space whose end wraps is ignored too.
 */
static void test_64bit_lengths(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 0xFFFFFFFFFFFFFFFFull, 1}};
    const struct mmap_raw_entry wrap[] = {
        {0xFFFFFFFFFFFFF000ull, 0x2000, 1},
        {2 * MiB, 1 * MiB, 1},
    };
    const struct mmap_raw_entry all_reserved[] = {
        {2 * MiB, 1 * MiB, 1},
        {0, 0xFFFFFFFFFFFFFFFFull, 2},
    };

    sanitise(raw, 1, NULL, 0);
    EXPECT_RANGES({1 * MiB, 4 * GiB});
    CHECK_EQ(map.ignored_above_4g, 0xFFFFFFFFFFFFFFFFull - (4 * GiB - 1 * MiB));
    CHECK(log_has("mem: raw 0x0000000000100000-0xffffffffffffffff available\n"));
    CHECK(log_has("mem: total usable 4193280 KiB (1048320 frames)\n"));

    sanitise(wrap, 2, NULL, 0);
    EXPECT_RANGES({2 * MiB, 3 * MiB});
    CHECK_EQ(map.ignored_above_4g, 0x2000);
    CHECK(log_has("mem: ignoring 8 KiB above 4 GiB\n"));
    CHECK(log_has("mem: raw 0xfffffffffffff000-0xffffffffffffffff available\n"));

    sanitise(all_reserved, 2, NULL, 0);
    expect_none();
}

/* Only reserved entries. Expect nothing usable and a zero total line. */
static void test_no_usable(void)
{
    const struct mmap_raw_entry raw[] = {{0, 640 * KiB, 2}, {1 * MiB, 63 * MiB, 3}};

    sanitise(raw, 2, NULL, 0);
    expect_none();
    CHECK(log_has("mem: total usable 0 KiB (0 frames)\n"));
    CHECK(log_has("mem: raw 0x0000000000100000-0x0000000003ffffff ACPI reclaimable\n"));
    sanitise(NULL, 0, NULL, 0);
    expect_none();
    CHECK_EQ(map.corrections, 0);
}

/*
 *   0         640K       1M
 *   |    U     |    U    |      (all below 1 MiB)
 *
 * Expect nothing usable: the first MiB is never handed out.
 */
static void test_only_low_memory(void)
{
    const struct mmap_raw_entry raw[] = {{0, 640 * KiB, 1}, {640 * KiB, 384 * KiB, 1}};

    sanitise(raw, 2, NULL, 0);
    expect_none();
    CHECK(log_has("mem: fix excluded 0x00000000-0x000fffff below 1 MiB\n"));
}

/*
 *   1M          8M  9M             64M
 *   |     U     | 20 |      U      |     (type 20: UEFI persistent memory)
 *
 * Expect type 20 treated as reserved and named "type 20".
 */
static void test_unknown_type(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 63 * MiB, 1}, {8 * MiB, 1 * MiB, 20}};

    sanitise(raw, 2, NULL, 0);
    EXPECT_RANGES({1 * MiB, 8 * MiB}, {9 * MiB, 64 * MiB});
    CHECK(log_has("mem: raw 0x0000000000800000-0x00000000008fffff type 20\n"));
    CHECK(log_has("type 20 wins\n"));
    CHECK_STR(memmap_type_name(1), "available");
    CHECK_STR(memmap_type_name(2), "reserved");
    CHECK_STR(memmap_type_name(3), "ACPI reclaimable");
    CHECK_STR(memmap_type_name(4), "ACPI NVS");
    CHECK_STR(memmap_type_name(5), "bad RAM");
    CHECK_STR(memmap_type_name(0), "type 0");
    CHECK_STR(memmap_type_name(20), "type 20");
    CHECK_STR(memmap_type_name(0xFFFFFFFFu), "type 4294967295");
}

/*
 *   1M   kernel  ~1.5M     7.5M   8M   9M   9.5M       16M
 *   |C C C C|  U    ...   |C C C| R  |C C C|   U       |
 *            (module C straddles the reserved entry)   info C at 64K
 *
 * Expect the kernel carve rounded up to a page, the module cut from both usable
 * neighbours, and the carve-out below 1 MiB touching nothing.
 */
static void test_carve_outs(void)
{
    const struct mmap_raw_entry raw[] = {
        {1 * MiB, 7 * MiB, 1},
        {8 * MiB, 1 * MiB, 2},
        {9 * MiB, 7 * MiB, 1},
    };
    const struct mem_range carve[] = {
        {0x100000, 0x17a123},
        {0x780000, 0x980000},
        {0x10000, 0x10100},
    };

    sanitise(raw, 3, carve, 3);
    EXPECT_RANGES({0x17b000, 0x780000}, {0x980000, 16 * MiB});
    CHECK(log_has("mem: fix carved 0x00100000-0x0017afff\n"));
    CHECK(log_has("mem: fix carved 0x00780000-0x007fffff\n"));
    CHECK(log_has("mem: fix carved 0x00900000-0x0097ffff\n"));
    CHECK_EQ(map.corrections, 3);
}

/*
 *   1M      4M  5M        16M     plus empty and above-4G carve-outs
 *   |   U   |C C|    U    |
 *
 * Expect a split in two; a carve-out covering everything empties the map.
 */
static void test_carve_split(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 15 * MiB, 1}};
    const struct mem_range carve[] = {
        {4 * MiB, 5 * MiB},
        {6 * MiB, 6 * MiB},
        {5 * GiB, 6 * GiB},
    };
    const struct mem_range all[] = {{0, 0xFFFFFFFFFFFFFFFFull}};

    sanitise(raw, 1, carve, 3);
    EXPECT_RANGES({1 * MiB, 4 * MiB}, {5 * MiB, 16 * MiB});
    CHECK_EQ(map.corrections, 1);
    sanitise(raw, 1, all, 1);
    expect_none();
}

/*
 * memmap_carve on a sanitised map:  1M..16M, carve 2M..3M then 15M..20M.
 * Expect 1..2, 3..15 and usable_bytes kept in step.
 */
static void test_memmap_carve(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 15 * MiB, 1}};

    sanitise(raw, 1, NULL, 0);
    memmap_carve(&map, 2 * MiB, 3 * MiB);
    memmap_carve(&map, 15 * MiB, 20 * MiB);
    EXPECT_RANGES({1 * MiB, 2 * MiB}, {3 * MiB, 15 * MiB});
    CHECK(log_has("mem: fix carved 0x00200000-0x002fffff\n"));
    memmap_carve(&map, 0, 0); /* empty: no change */
    EXPECT_RANGES({1 * MiB, 2 * MiB}, {3 * MiB, 15 * MiB});
}

/*
 *   1M    2M          8M                  32M
 *   |  U  |           |         U         |
 *
 * memmap_take(): rounded up to pages, first fit below the limit, removed.
 */
static void test_memmap_take(void)
{
    const struct mmap_raw_entry raw[] = {{1 * MiB, 1 * MiB, 1}, {8 * MiB, 24 * MiB, 1}};

    sanitise(raw, 2, NULL, 0);
    CHECK_EQ(memmap_take(&map, 0x2100, 16 * MiB), 1 * MiB);
    EXPECT_RANGES({1 * MiB + 0x3000, 2 * MiB}, {8 * MiB, 32 * MiB});
    CHECK_EQ(memmap_take(&map, 4 * MiB, 16 * MiB), 8 * MiB);
    EXPECT_RANGES({1 * MiB + 0x3000, 2 * MiB}, {12 * MiB, 32 * MiB});
    CHECK_EQ(memmap_take(&map, 4 * MiB + 1, 16 * MiB), 0); /* only 4 MiB below 16M */
    CHECK_EQ(memmap_take(&map, 4 * MiB, 16 * MiB), 12 * MiB);
    CHECK_EQ(memmap_take(&map, 1 * MiB, 1 * MiB), 0); /* nothing below 1M */
    CHECK_EQ(memmap_take(&map, 0, 0), 0);
    CHECK_EQ(memmap_take(&map, 8 * MiB, 0), 16 * MiB); /* 0 = no limit */
    CHECK_EQ(memmap_take(&map, 64 * MiB, 0), 0);
    EXPECT_RANGES({1 * MiB + 0x3000, 2 * MiB}, {24 * MiB, 32 * MiB});
}

/* Raw multiboot buffer builder: one record with a given size field. */
static uint8_t mb[4096];
static uint32_t mb_len;

static void mb_put32(uint32_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        mb[at + i] = (uint8_t)(v >> (8 * i));
}

static void mb_add(uint32_t size, uint64_t base, uint64_t len, uint32_t type)
{
    memset(mb + mb_len, 0xEE, 4 + size); /* padding is junk, must be skipped */
    mb_put32(mb_len, size);
    if (size >= 20) {
        mb_put32(mb_len + 4, (uint32_t)base);
        mb_put32(mb_len + 8, (uint32_t)(base >> 32));
        mb_put32(mb_len + 12, (uint32_t)len);
        mb_put32(mb_len + 16, (uint32_t)(len >> 32));
        mb_put32(mb_len + 20, type);
    }
    mb_len += 4 + size;
}

/*
 * Records of size 20, 24 and 32 (walked by their size field), with 64-bit
 * fields at odd alignment. Expect all three parsed with full 64-bit values.
 */
static void test_parse_sizes(void)
{
    struct mmap_raw_entry e[8];

    mb_len = 0;
    mb_add(20, 0, 0x9fc00, 1);
    mb_add(24, 0x100000, 0x7ee0000, 1);
    mb_add(32, 0x123456789ull << 4, 0xFFFFFFFFFFFFFFFFull, 20);
    mb_add(20, 0xfffc0000, 0x40000, 2);
    host_log_reset();
    CHECK_EQ(memmap_parse_multiboot(mb, mb_len, e, 8), 4);
    CHECK_EQ(e[0].base, 0);
    CHECK_EQ(e[0].len, 0x9fc00);
    CHECK_EQ(e[0].type, 1);
    CHECK_EQ(e[1].base, 0x100000);
    CHECK_EQ(e[1].len, 0x7ee0000);
    CHECK_EQ(e[2].base, 0x1234567890ull);
    CHECK_EQ(e[2].len, 0xFFFFFFFFFFFFFFFFull);
    CHECK_EQ(e[2].type, 20);
    CHECK_EQ(e[3].base, 0xfffc0000);
    CHECK_EQ(host_log_len, 0);
    /* max limits what is stored */
    CHECK_EQ(memmap_parse_multiboot(mb, mb_len, e, 2), 2);
    CHECK(strstr(host_log_buf, "mem: fix more than 2 entries") != NULL);
}

/*
 * Broken buffers: a record with size < 20 ends the walk; so does a record
 * running past the end, a size field cut short, or a size near 2^32.
 */
static void test_parse_broken(void)
{
    struct mmap_raw_entry e[8];

    mb_len = 0;
    mb_add(20, 1 * MiB, 1 * MiB, 1);
    mb_add(12, 0, 0, 0);
    mb_add(20, 2 * MiB, 1 * MiB, 1);
    host_log_reset();
    CHECK_EQ(memmap_parse_multiboot(mb, mb_len, e, 8), 1);
    CHECK(log_has("mem: fix record at offset 24 has size 12 (< 20), stopping\n"));

    mb_len = 0;
    mb_add(20, 1 * MiB, 1 * MiB, 1);
    mb_add(24, 2 * MiB, 1 * MiB, 1);
    host_log_reset();
    CHECK_EQ(memmap_parse_multiboot(mb, mb_len - 3, e, 8), 1); /* truncated last */
    CHECK(log_has("mem: fix record at offset 24 (size 24) runs past the end of the 49-byte map, stopping\n"));
    CHECK_EQ(memmap_parse_multiboot(mb, 26, e, 8), 1); /* cut size field */
    CHECK(log_has("mem: fix truncated record at offset 24 (2 bytes left), stopping\n"));
    CHECK_EQ(memmap_parse_multiboot(mb, 0, e, 8), 0);
    CHECK_EQ(memmap_parse_multiboot(NULL, 100, e, 8), 0);

    mb_len = 0;
    mb_add(20, 1 * MiB, 1 * MiB, 1);
    mb_put32(mb_len, 0xFFFFFFF0u); /* huge size */
    mb_len += 24;
    CHECK_EQ(memmap_parse_multiboot(mb, mb_len, e, 8), 1);
}

/* Parse then sanitise a whole QEMU-style buffer. Expect the usual result. */
static void test_parse_then_sanitise(void)
{
    struct mmap_raw_entry e[MEMMAP_MAX_RAW];
    int n;

    mb_len = 0;
    mb_add(20, 0, 0x9fc00, 1);
    mb_add(20, 0x9fc00, 0x400, 2);
    mb_add(20, 0xf0000, 0x10000, 2);
    mb_add(20, 0x100000, 0x7ee0000, 1);
    mb_add(20, 0x7fe0000, 0x20000, 2);
    mb_add(20, 0xfffc0000, 0x40000, 2);
    mb_add(20, 0x100000000ull, 0x80000000ull, 1);
    n = memmap_parse_multiboot(mb, mb_len, e, MEMMAP_MAX_RAW);
    CHECK_EQ(n, 7);
    sanitise(e, n, NULL, 0);
    EXPECT_RANGES({0x100000, 0x7fe0000});
    CHECK(log_has("mem: ignoring 2048 MiB above 4 GiB\n"));
}

/*
 * Limits: more raw entries than MEMMAP_MAX_RAW are cut (logged); a carve-out
 * splitting a range when the table is full drops the upper piece (logged).
 */
static void test_limits(void)
{
    static struct mmap_raw_entry raw[MEMMAP_MAX_RAW + 4];
    const struct mem_range carve[] = {{301 * MiB + 4 * KiB, 301 * MiB + 8 * KiB}};

    for (int i = 0; i < MEMMAP_MAX_RAW + 4; i++) {
        raw[i].base = (uint64_t)(i * 3 + 1) * MiB; /* 1M..2M, 4M..5M, ... */
        raw[i].len = 1 * MiB;
        raw[i].type = 1;
    }
    sanitise(raw, MEMMAP_MAX_RAW + 4, NULL, 0);
    CHECK_EQ(map.n_usable, MEMMAP_MAX_USABLE);
    CHECK_EQ(map.usable[MEMMAP_MAX_USABLE - 1].start, (uint64_t)(127 * 3 + 1) * MiB);
    CHECK(log_has("mem: fix 132 entries, ignoring all after the first 128\n"));

    sanitise(raw, MEMMAP_MAX_RAW, carve, 1);
    CHECK_EQ(map.n_usable, MEMMAP_MAX_USABLE);
    CHECK_EQ(map.usable[100].start, 301 * MiB);
    CHECK_EQ(map.usable[100].end, 301 * MiB + 4 * KiB);
    CHECK_EQ(map.usable[101].start, 304 * MiB);
    CHECK(log_has("mem: fix dropped 0x12d02000-0x12dfffff (no room to split)\n"));
}

int main(void)
{
    host_log_capture = 1;
    test_qemu_map();
    test_reserved_inside_usable();
    test_usable_inside_reserved();
    test_overlap_top();
    test_overlap_bottom();
    test_overlap_order_independent();
    test_unsorted();
    test_duplicates();
    test_adjacent_merged();
    test_zero_length();
    test_unaligned();
    test_unaligned_reserved();
    test_cross_4g();
    test_above_4g();
    test_64bit_lengths();
    test_no_usable();
    test_only_low_memory();
    test_unknown_type();
    test_carve_outs();
    test_carve_split();
    test_memmap_carve();
    test_memmap_take();
    test_parse_sizes();
    test_parse_broken();
    test_parse_then_sanitise();
    test_limits();
    return check_summary("test_memmap");
}
