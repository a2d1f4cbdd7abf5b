/*
 * tests/host/test_pmm.c - host tests of the frame allocator (mm/pmm.c).
 *
 * Each case builds a sanitised map (drawn in its comment: U = usable,
 * . = not usable, addresses in MiB unless marked), gives pmm_init() fresh
 * storage and asserts exact frames, counts, error codes and misuse messages.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host_shim.h"
#include "memmap.h"
#include "pmm.h"

#define KiB      0x400ull
#define MiB      0x100000ull
#define GiB      0x40000000ull
#define FRAME(n) ((paddr_t)(4096u * (n)))

static struct memmap map;
static void *storage;

/* Reset everything and manage exactly the given ranges. */
#define SETUP(...)                                   \
    do {                                             \
        const struct mem_range r_[] = {__VA_ARGS__}; \
        setup(r_, (int)(sizeof r_ / sizeof r_[0]));  \
    } while (0)

static void setup(const struct mem_range *r, int n)
{
    memset(&map, 0, sizeof map);
    for (int i = 0; i < n; i++) {
        map.usable[i] = r[i];
        map.usable_bytes += r[i].end - r[i].start;
    }
    map.n_usable = n;
    free(storage);
    storage = malloc(pmm_storage_bytes(&map));
    memset(storage, 0x5A, pmm_storage_bytes(&map)); /* init must not trust it */
    pmm_init(&map, storage);
    host_misuse_reset();
}

static void check_counts(uint32_t total, uint32_t nfree)
{
    CHECK_EQ(pmm_total_frames(), total);
    CHECK_EQ(pmm_free_frames(), nfree);
    CHECK_EQ(pmm_used_frames(), total - nfree);
}

/*
 *   1M              16M
 *   |       U       |
 *
 * Expect 3840 frames, all free; 4096 tracked frames need 128 + 4 + 1 words.
 */
static void test_init_counts(void)
{
    SETUP({1 * MiB, 16 * MiB});
    check_counts(3840, 3840);
    CHECK_EQ(pmm_storage_bytes(&map), (128 + 4 + 1) * 4);
    CHECK(!pmm_is_allocated(FRAME(256)));
    CHECK_EQ(host_misuse_count, 0);

    SETUP({1 * MiB, 2 * MiB}, {3 * MiB, 4 * MiB});
    check_counts(512, 512);
}

/*
 *   1M    2M    3M    4M
 *   |  U  |  .  |  U  |
 *
 * Expect 512 distinct, aligned, managed frames lowest first, then
 * PMM_NO_FRAME; freeing them all restores every count.
 */
static void test_alloc_all(void)
{
    static unsigned char seen[1024];
    paddr_t got[512];
    int ok = 1;

    SETUP({1 * MiB, 2 * MiB}, {3 * MiB, 4 * MiB});
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 512; i++) {
        paddr_t f = pmm_alloc();
        got[i] = f;
        if (f == PMM_NO_FRAME || (f & 0xFFF) || f < 1 * MiB || f >= 4 * MiB ||
            (f >= 2 * MiB && f < 3 * MiB) || seen[f >> 12]++ || !pmm_is_allocated(f))
            ok = 0;
    }
    CHECK(ok);
    CHECK_EQ(got[0], 1 * MiB);
    CHECK_EQ(got[255], 2 * MiB - 4096);
    CHECK_EQ(got[256], 3 * MiB);
    CHECK_EQ(got[511], 4 * MiB - 4096);
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    check_counts(512, 0);

    ok = 1;
    for (int i = 0; i < 512; i++)
        if (pmm_free(got[i]) != PMM_OK || pmm_is_allocated(got[i]))
            ok = 0;
    CHECK(ok);
    check_counts(512, 512);
    CHECK_EQ(host_misuse_count, 0);
    CHECK_EQ(pmm_alloc(), 1 * MiB);
}

/*
 *   64K   1M    2M    3M    4M
 *   |  .  |  U  |  .  |  U  |  .  ...
 *
 * Expect each kind of bad free to be refused with its code, reported once,
 * naming the address and a caller, and to leave the counts alone.
 */
static void test_free_misuse(void)
{
    paddr_t f;

    SETUP({1 * MiB, 2 * MiB}, {3 * MiB, 4 * MiB});
    f = pmm_alloc();
    check_counts(512, 511);

    CHECK_EQ(pmm_free(f), PMM_OK);
    CHECK_EQ(host_misuse_count, 0);
    CHECK_EQ(pmm_free(f), PMM_E_DOUBLE); /* double free */
    CHECK_EQ(host_misuse_count, 1);
    CHECK(strstr(host_misuse_msg, "pmm: double free of frame 0x00100000 (caller 0x") != NULL);

    CHECK_EQ(pmm_free(0x00100800), PMM_E_UNALIGNED); /* unaligned */
    CHECK_EQ(host_misuse_count, 2);
    CHECK(strstr(host_misuse_msg, "unaligned address 0x00100800 (caller 0x") != NULL);
    CHECK_EQ(pmm_free(PMM_NO_FRAME), PMM_E_UNALIGNED);
    CHECK_EQ(host_misuse_count, 3);

    CHECK_EQ(pmm_free(0x00010000), PMM_E_RANGE); /* below managed memory */
    CHECK_EQ(host_misuse_count, 4);
    CHECK(strstr(host_misuse_msg, "unmanaged address 0x00010000 (caller 0x") != NULL);
    CHECK_EQ(pmm_free(4 * MiB), PMM_E_RANGE); /* just above */
    CHECK_EQ(pmm_free(0xFFFFF000u), PMM_E_RANGE);
    CHECK_EQ(host_misuse_count, 6);

    CHECK_EQ(pmm_free(2 * MiB), PMM_E_RESERVED); /* the hole */
    CHECK_EQ(host_misuse_count, 7);
    CHECK(strstr(host_misuse_msg, "reserved frame 0x00200000 (caller 0x") != NULL);
    CHECK_EQ(pmm_free(3 * MiB - 4096), PMM_E_RESERVED);
    CHECK_EQ(host_misuse_count, 8);

    check_counts(512, 512);
    CHECK(!pmm_is_allocated(2 * MiB));
    CHECK(!pmm_is_allocated(0));
    CHECK(!pmm_is_allocated(0xFFFFF000u));
}

/*
 *   frame 31 32         63 64
 *         | U ... ...... U |        (frames 31..64 only: 0x1f000..0x41000)
 *
 * Expect allocation to cross the level-0 word boundaries in order, and freed
 * boundary frames to come back lowest first.
 */
static void test_word_boundaries(void)
{
    int ok = 1;

    SETUP({FRAME(31), FRAME(65)});
    check_counts(34, 34);
    for (uint32_t n = 31; n <= 64; n++)
        if (pmm_alloc() != FRAME(n))
            ok = 0;
    CHECK(ok);
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    CHECK_EQ(pmm_free(FRAME(64)), PMM_OK); /* last frame */
    CHECK_EQ(pmm_free(FRAME(63)), PMM_OK);
    CHECK_EQ(pmm_free(FRAME(32)), PMM_OK);
    CHECK_EQ(pmm_alloc(), FRAME(32));
    CHECK_EQ(pmm_alloc(), FRAME(63));
    CHECK_EQ(pmm_alloc(), FRAME(64));
    CHECK_EQ(pmm_free(FRAME(31)), PMM_OK); /* first frame */
    CHECK_EQ(pmm_alloc(), FRAME(31));
    CHECK_EQ(pmm_free(FRAME(30)), PMM_E_RANGE);
    CHECK_EQ(pmm_free(FRAME(65)), PMM_E_RANGE);
    CHECK_EQ(host_misuse_count, 2);
}

/*
 *   0                                  256M
 *   |                U                  |     (65536 frames, four levels)
 *
 * Expect the summary levels to hand back frames 1023/1024 (level-1 word edge),
 * 32767/32768 (level-2 word edge) and 65535 (the very last) in order.
 */
static void test_summary_boundaries(void)
{
    uint32_t n;

    SETUP({0, 256 * MiB});
    check_counts(65536, 65536);
    for (n = 0; n < 65536; n++)
        if (pmm_alloc() != FRAME(n))
            break;
    CHECK_EQ(n, 65536);
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    CHECK_EQ(pmm_free(FRAME(65535)), PMM_OK);
    CHECK_EQ(pmm_free(FRAME(32768)), PMM_OK);
    CHECK_EQ(pmm_free(FRAME(32767)), PMM_OK);
    CHECK_EQ(pmm_free(FRAME(1024)), PMM_OK);
    CHECK_EQ(pmm_free(FRAME(1023)), PMM_OK);
    CHECK_EQ(pmm_alloc(), FRAME(1023));
    CHECK_EQ(pmm_alloc(), FRAME(1024));
    CHECK_EQ(pmm_alloc(), FRAME(32767));
    CHECK_EQ(pmm_alloc(), FRAME(32768));
    CHECK_EQ(pmm_alloc(), FRAME(65535));
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    check_counts(65536, 0);
}

/*
 *   1M                                   64M
 *   |                U                    |
 *
 * Contiguous allocation: aligned to 64 KiB, below 16 MiB, each frame marked.
 */
static void test_contig_basic(void)
{
    paddr_t a, b;
    int ok = 1;

    SETUP({1 * MiB, 64 * MiB});
    CHECK_EQ(pmm_alloc(), 1 * MiB); /* misalign the free space */
    a = pmm_alloc_contig(16, 64 * KiB, 16 * MiB);
    CHECK_EQ(a, 1 * MiB + 64 * KiB);
    for (int i = 0; i < 16; i++)
        if (!pmm_is_allocated(a + (paddr_t)i * 4096))
            ok = 0;
    CHECK(ok);
    CHECK(!pmm_is_allocated(a + 16 * 4096));
    check_counts(64 * 256 - 256, 64 * 256 - 256 - 17);
    b = pmm_alloc_contig(3, 4096, 0); /* fills the gap below a */
    CHECK_EQ(b, 1 * MiB + 4096);
    CHECK_EQ(pmm_free_contig(a, 16), PMM_OK);
    CHECK_EQ(pmm_free_contig(b, 3), PMM_OK);
    check_counts(64 * 256 - 256, 64 * 256 - 256 - 1);

    CHECK_EQ(pmm_alloc_contig(0, 4096, 0), PMM_NO_FRAME);
    CHECK_EQ(pmm_alloc_contig(1, 2048, 0), PMM_NO_FRAME);        /* align < page */
    CHECK_EQ(pmm_alloc_contig(1, 12288, 0), PMM_NO_FRAME);       /* not a power of 2 */
    CHECK_EQ(pmm_alloc_contig(64 * 256, 4096, 0), PMM_NO_FRAME); /* more than exists */
    CHECK_EQ(pmm_alloc_contig(16, 64 * KiB, 1 * MiB), PMM_NO_FRAME);
    CHECK_EQ(pmm_alloc_contig(1, 32 * MiB, 0), 32 * MiB);
    CHECK_EQ(pmm_alloc_contig(1, 64 * MiB, 0), PMM_NO_FRAME); /* 0 is not managed */
    CHECK_EQ(host_misuse_count, 0);
}

/*
 *   1M      4M (64K block B)   12M         16M      20M
 *   |######|..B minus 1 frame..|####|16 free unaligned|####|  ... free above 16M
 *
 * Everything below 16M allocated except block B (one frame short) and an
 * unaligned run of 16. Expect failure under the 16M limit until B's last
 * frame is freed, then B; with no limit, the first aligned run above 16M.
 */
static void test_contig_fragmented(void)
{
    const paddr_t blk = 4 * MiB, odd = 12 * MiB + 4096;

    SETUP({1 * MiB, 64 * MiB});
    for (uint32_t i = 256; i < 16 * 256; i++)
        if (pmm_alloc() != FRAME(i))
            CHECK(0);
    for (int i = 0; i < 15; i++)
        CHECK_EQ(pmm_free(blk + (paddr_t)i * 4096), PMM_OK);
    CHECK_EQ(pmm_free_contig(odd, 16), PMM_OK);

    CHECK_EQ(pmm_alloc_contig(16, 64 * KiB, 16 * MiB), PMM_NO_FRAME);
    CHECK_EQ(pmm_alloc_contig(16, 4096, 16 * MiB), odd); /* unaligned fits */
    CHECK_EQ(pmm_free_contig(odd, 16), PMM_OK);
    CHECK_EQ(pmm_alloc_contig(16, 64 * KiB, 0), 16 * MiB); /* above the limit */
    CHECK_EQ(pmm_free(blk + 15 * 4096), PMM_OK);
    CHECK_EQ(pmm_alloc_contig(16, 64 * KiB, 16 * MiB), blk);
    CHECK_EQ(pmm_alloc_contig(16, 64 * KiB, 16 * MiB), PMM_NO_FRAME);
    /* a run ending exactly at the limit is allowed */
    CHECK_EQ(pmm_alloc_contig(16, 4096, odd + 16 * 4096), odd);
    /* larger than a word (n > 32), and alignment larger than a word (64 frames) */
    CHECK_EQ(pmm_alloc_contig(40, 4096, 0), 16 * MiB + 64 * KiB);
    CHECK_EQ(pmm_alloc_contig(16, 256 * KiB, 0), 16 * MiB + 256 * KiB);
    CHECK_EQ(pmm_alloc_contig(40, 4096, 16 * MiB + 264 * KiB), PMM_NO_FRAME);
    CHECK_EQ(host_misuse_count, 0);

    /* pmm_free_contig reports a bad frame inside the run but frees the rest */
    CHECK_EQ(pmm_free(odd + 4096), PMM_OK);
    CHECK_EQ(pmm_free_contig(odd, 16), PMM_E_DOUBLE);
    CHECK_EQ(host_misuse_count, 1);
    CHECK(strstr(host_misuse_msg, "double free of frame 0x00c02000") != NULL);
    CHECK(!pmm_is_allocated(odd + 15 * 4096));
}

/* No usable memory at all. Expect nothing to allocate and every free refused. */
static void test_empty(void)
{
    setup(NULL, 0);
    check_counts(0, 0);
    CHECK(pmm_storage_bytes(&map) >= 4);
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    CHECK_EQ(pmm_alloc_contig(1, 4096, 0), PMM_NO_FRAME);
    CHECK_EQ(pmm_free(1 * MiB), PMM_E_RANGE);
    CHECK_EQ(host_misuse_count, 1);
}

/*
 *   1M                                           4G
 *   |                    U                        |     (1048320 frames)
 *
 * Expect the full 32-bit space to work: the last frame is 0xfffff000.
 */
static void test_4g(void)
{
    uint32_t n = 0;
    paddr_t last = 0, f;

    SETUP({1 * MiB, 4 * GiB});
    check_counts(1048320, 1048320);
    CHECK_EQ(pmm_storage_bytes(&map), (32768 + 1024 + 32 + 1) * 4);
    while ((f = pmm_alloc()) != PMM_NO_FRAME) {
        last = f;
        n++;
    }
    CHECK_EQ(n, 1048320);
    CHECK_EQ(last, 0xFFFFF000u);
    CHECK_EQ(pmm_free(0xFFFFF000u), PMM_OK);
    CHECK_EQ(pmm_alloc_contig(1, 4096, 0), 0xFFFFF000u);
    CHECK_EQ(pmm_alloc_contig(1, 4096, 0), PMM_NO_FRAME);
}

/*
 *   1M   2M   3M ... (eight 1 MiB ranges with 1 MiB holes up to 16M)
 *
 * Random alloc/free/contig against a simple model: expect identical state.
 */
static void test_random_model(void)
{
    static unsigned char model[4096]; /* 1 = allocated, per frame below 16M */
    static paddr_t live[4096];
    int nlive = 0, ok = 1;
    uint32_t rng = 12345;

    SETUP({1 * MiB, 2 * MiB}, {3 * MiB, 4 * MiB}, {5 * MiB, 6 * MiB}, {7 * MiB, 8 * MiB}, {9 * MiB, 10 * MiB},
          {11 * MiB, 12 * MiB}, {13 * MiB, 14 * MiB}, {15 * MiB, 16 * MiB});
    memset(model, 0, sizeof model);
    for (int step = 0; step < 200000 && ok; step++) {
        rng = rng * 1103515245u + 12345u;
        uint32_t r = rng >> 8;
        if (r % 3 != 0 || nlive == 0) {
            paddr_t f = pmm_alloc();
            if (nlive == 2048) {
                ok = f == PMM_NO_FRAME;
                continue;
            }
            if (f == PMM_NO_FRAME || model[f >> 12] || ((f >> 20) & 1) == 0) {
                ok = 0;
                break;
            }
            model[f >> 12] = 1;
            live[nlive++] = f;
        } else {
            int i = (int)(r % (uint32_t)nlive);
            if (pmm_free(live[i]) != PMM_OK)
                ok = 0;
            model[live[i] >> 12] = 0;
            live[i] = live[--nlive];
        }
        if (pmm_free_frames() != 2048u - (uint32_t)nlive)
            ok = 0;
    }
    CHECK(ok);
    for (uint32_t fr = 0; fr < 4096; fr++)
        if (pmm_is_allocated(FRAME(fr)) != (model[fr] == 1))
            ok = 0;
    CHECK(ok);
    CHECK_EQ(host_misuse_count, 0);
}

/*
 * The sanitiser feeding the allocator: the QEMU map with a kernel carve-out.
 * Expect the totals to agree and the kernel's frames never handed out.
 */
static void test_with_sanitiser(void)
{
    const struct mmap_raw_entry raw[] = {
        {0x0, 0x9fc00, 1},        {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
        {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2},
    };
    const struct mem_range kernel[] = {{0x100000, 0x200000}};
    paddr_t f;
    int ok = 1;

    memmap_sanitise(raw, 5, kernel, 1, &map);
    free(storage);
    storage = malloc(pmm_storage_bytes(&map));
    pmm_init(&map, storage);
    host_misuse_reset();
    CHECK_EQ(pmm_total_frames(), map.usable_bytes / 4096);
    CHECK_EQ(pmm_free(0x100000), PMM_E_RANGE);
    while ((f = pmm_alloc()) != PMM_NO_FRAME)
        if (f < 0x200000 || f >= 0x7fe0000)
            ok = 0;
    CHECK(ok);
    CHECK_EQ(pmm_free_frames(), 0);
}

/*
 *   1M    2M    3M    4M
 *   |  U  |  D  |  U  |          D = carved out by the sanitiser, then donated
 *
 * Expect the donation to join both neighbours into one managed range: 768
 * frames, all handed out lowest first (the donated ones in between), then
 * PMM_NO_FRAME. Donating while everything is allocated must still be found.
 */
static void test_donate_hole(void)
{
    int ok = 1;

    SETUP({1 * MiB, 2 * MiB}, {3 * MiB, 4 * MiB});
    CHECK_EQ(pmm_free(2 * MiB), PMM_E_RESERVED); /* not ours yet */
    host_misuse_reset();
    for (int i = 0; i < 512; i++) /* take everything first */
        if (pmm_alloc() == PMM_NO_FRAME)
            ok = 0;
    CHECK(ok);
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);

    CHECK_EQ(pmm_donate(2 * MiB, 3 * MiB), PMM_OK);
    check_counts(768, 256);
    CHECK(!pmm_is_allocated(2 * MiB));
    ok = 1;
    for (uint32_t n = 512; n < 768; n++)
        if (pmm_alloc() != FRAME(n) || !pmm_is_allocated(FRAME(n)))
            ok = 0;
    CHECK(ok);
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    check_counts(768, 0);

    /* now one range: freeing across the old edges is fine, and lowest-first again */
    CHECK_EQ(pmm_free_contig(2 * MiB - 4096, 3), PMM_OK);
    CHECK_EQ(pmm_free(3 * MiB), PMM_OK);
    CHECK_EQ(pmm_alloc(), 2 * MiB - 4096);
    CHECK_EQ(pmm_alloc(), 2 * MiB);
    CHECK_EQ(pmm_alloc(), 2 * MiB + 4096);
    CHECK_EQ(pmm_alloc(), 3 * MiB);
    CHECK_EQ(host_misuse_count, 0);
}

/*
 *   64K  128K    1M    2M     2M+256K  +8K     3M    4M
 *   | D2 |   .    |  U  |   .   |   D1   |   .   |  U  |
 *
 * Expect a donation touching neither neighbour to become a range of its own,
 * found through the summaries (it is several words past the range below): its
 * frames allocate and free normally, a freed donated frame freed again is a
 * double free, and the frames around it stay reserved. A donation below all
 * managed memory (D2) moves the lower bound of what may be freed.
 */
static void test_donate_island(void)
{
    const paddr_t d = 2 * MiB + 256 * KiB;
    paddr_t f;

    SETUP({1 * MiB, 2 * MiB}, {3 * MiB, 4 * MiB});
    CHECK_EQ(pmm_donate(d, d + 8 * KiB), PMM_OK);
    check_counts(514, 514);
    for (int i = 0; i < 256; i++) /* the range below */
        pmm_alloc();
    f = pmm_alloc();
    CHECK_EQ(f, d);
    CHECK_EQ(pmm_alloc(), d + 4096);
    CHECK_EQ(pmm_alloc(), 3 * MiB);
    CHECK(pmm_is_allocated(d));
    check_counts(514, 255);

    CHECK_EQ(pmm_free(d), PMM_OK); /* free of a donated frame */
    CHECK(!pmm_is_allocated(d));
    CHECK_EQ(host_misuse_count, 0);
    CHECK_EQ(pmm_free(d), PMM_E_DOUBLE); /* and again */
    CHECK_EQ(host_misuse_count, 1);
    CHECK(strstr(host_misuse_msg, "double free of frame 0x00240000 (caller 0x") != NULL);
    CHECK_EQ(pmm_free(d - 4096), PMM_E_RESERVED); /* its neighbours */
    CHECK_EQ(pmm_free(d + 8 * KiB), PMM_E_RESERVED);
    CHECK_EQ(pmm_free(d + 4096), PMM_OK); /* after the cached range missed */
    CHECK_EQ(host_misuse_count, 3);
    check_counts(514, 257);

    CHECK_EQ(pmm_free(64 * KiB), PMM_E_RANGE); /* D2, before it is donated */
    CHECK_EQ(pmm_donate(64 * KiB, 128 * KiB), PMM_OK);
    check_counts(530, 273);
    CHECK_EQ(pmm_alloc(), 64 * KiB);
    CHECK_EQ(pmm_free(64 * KiB), PMM_OK);
    CHECK_EQ(pmm_free(64 * KiB), PMM_E_DOUBLE);
    CHECK_EQ(pmm_free(128 * KiB), PMM_E_RESERVED);
    CHECK_EQ(host_misuse_count, 6);
}

/*
 *   1M    2M    3M    4M  | 5M (end of the bitmap)
 *   |  U  |  .  |  U  |   |
 *
 * Expect refusals, each reported once and leaving the counts alone: outside
 * the bitmap, unaligned, overlapping managed memory (free or allocated, whole
 * or in part, or a second donation of the same frames).
 */
static void test_donate_misuse(void)
{
    paddr_t f;

    SETUP({1 * MiB, 2 * MiB}, {3 * MiB, 4 * MiB});
    f = pmm_alloc();
    CHECK_EQ(pmm_donate(4 * MiB, 5 * MiB), PMM_E_RANGE); /* above the highest frame */
    CHECK_EQ(host_misuse_count, 1);
    CHECK(strstr(host_misuse_msg, "donation 0x00400000-0x00500000 outside the bitmap") != NULL);
    CHECK_EQ(pmm_donate(2 * MiB, 4 * MiB + 4096), PMM_E_RANGE);
    CHECK_EQ(pmm_donate(3 * MiB, 2 * MiB), PMM_E_RANGE); /* backwards */
    CHECK_EQ(pmm_donate(2 * MiB + 1, 3 * MiB), PMM_E_UNALIGNED);
    CHECK_EQ(pmm_donate(2 * MiB, 3 * MiB - 2048), PMM_E_UNALIGNED);
    CHECK_EQ(host_misuse_count, 5);

    CHECK_EQ(pmm_donate(f, f + 4096), PMM_E_MANAGED);                     /* allocated frame */
    CHECK_EQ(pmm_donate(1 * MiB + 8192, 1 * MiB + 12288), PMM_E_MANAGED); /* free frame */
    CHECK(strstr(host_misuse_msg, "overlaps managed memory 0x00100000-0x00200000 (caller 0x") != NULL);
    CHECK_EQ(pmm_donate(2 * MiB - 4096, 2 * MiB + 4096), PMM_E_MANAGED); /* straddles */
    CHECK_EQ(pmm_donate(2 * MiB, 3 * MiB + 4096), PMM_E_MANAGED);
    CHECK_EQ(pmm_donate(0, 8 * MiB), PMM_E_RANGE);
    CHECK_EQ(host_misuse_count, 10);
    check_counts(512, 511);

    CHECK_EQ(pmm_donate(2 * MiB, 2 * MiB + 4096), PMM_OK);
    CHECK_EQ(pmm_donate(2 * MiB, 2 * MiB + 4096), PMM_E_MANAGED); /* twice */
    CHECK_EQ(pmm_donate(2 * MiB, 2 * MiB), PMM_OK);               /* empty: nothing to do */
    CHECK_EQ(host_misuse_count, 11);
    check_counts(513, 512);

    setup(NULL, 0); /* no bitmap at all */
    CHECK_EQ(pmm_donate(1 * MiB, 2 * MiB), PMM_E_RANGE);
    check_counts(0, 0);
}

/*
 *   0 1 2 3 4 5 6 7 8 ... 508 509 510 511
 *   U . . . U . . . U ...  U   .   .   .     (128 one-frame ranges, frames 4i)
 *
 * Expect a donation that would need a 129th range to fail with PMM_E_FULL and
 * change nothing, while one that extends an existing range still works.
 */
static void test_donate_full(void)
{
    struct mem_range r[MEMMAP_MAX_USABLE];

    for (int i = 0; i < MEMMAP_MAX_USABLE; i++) {
        r[i].start = FRAME(4 * i);
        r[i].end = FRAME(4 * i + 1);
    }
    setup(r, MEMMAP_MAX_USABLE);
    check_counts(128, 128);
    CHECK_EQ(pmm_donate(FRAME(2), FRAME(3)), PMM_E_FULL);
    CHECK_EQ(host_misuse_count, 0);
    check_counts(128, 128);
    CHECK_EQ(pmm_free(FRAME(2)), PMM_E_RESERVED);
    CHECK_EQ(pmm_donate(FRAME(1), FRAME(2)), PMM_OK); /* extends range 0 */
    CHECK_EQ(pmm_donate(FRAME(3), FRAME(4)), PMM_OK); /* extends range 1 downwards */
    CHECK_EQ(pmm_donate(FRAME(2), FRAME(3)), PMM_OK); /* joins them: room again */
    CHECK_EQ(pmm_donate(FRAME(6), FRAME(7)), PMM_OK); /* a new range fits now */
    check_counts(132, 132);
    for (uint32_t n = 0; n < 8; n++)
        CHECK_EQ(pmm_alloc(), FRAME(n == 5 ? 6 : n == 6 ? 8 : n == 7 ? 12 : n));
}

/*
 *   0                                  256M
 *   |                U                  |
 *
 * Allocating leaves summary bits of emptied words set; searches clear them.
 * Expect, after taking every frame, three far-apart frees to come back lowest
 * first, a free below the hint to be found, and nothing after that.
 */
static void test_stale_summaries(void)
{
    uint32_t n;

    SETUP({0, 256 * MiB});
    for (n = 0; n < 65536; n++)
        if (pmm_alloc() != FRAME(n))
            break;
    CHECK_EQ(n, 65536);
    CHECK_EQ(pmm_free(FRAME(40000)), PMM_OK);
    CHECK_EQ(pmm_free(FRAME(1100)), PMM_OK);
    CHECK_EQ(pmm_free(FRAME(65000)), PMM_OK);
    CHECK_EQ(pmm_alloc(), FRAME(1100));
    CHECK_EQ(pmm_free(FRAME(3)), PMM_OK);
    CHECK_EQ(pmm_alloc(), FRAME(3));
    CHECK_EQ(pmm_alloc(), FRAME(40000));
    CHECK_EQ(pmm_alloc_contig(1, 4096, 0), FRAME(65000));
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    CHECK_EQ(pmm_free(FRAME(777)), PMM_OK);
    CHECK_EQ(pmm_alloc_contig(1, 4096, 0), FRAME(777));
    CHECK_EQ(pmm_alloc(), PMM_NO_FRAME);
    check_counts(65536, 0);
    CHECK_EQ(host_misuse_count, 0);
}

int main(void)
{
    test_init_counts();
    test_alloc_all();
    test_free_misuse();
    test_word_boundaries();
    test_summary_boundaries();
    test_contig_basic();
    test_contig_fragmented();
    test_empty();
    test_4g();
    test_random_model();
    test_with_sanitiser();
    test_donate_hole();
    test_donate_island();
    test_donate_misuse();
    test_donate_full();
    test_stale_summaries();
    free(storage);
    return check_summary("test_pmm");
}
