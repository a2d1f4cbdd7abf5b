/*
 * tests/fuzz/fuzz_memmap.c - libFuzzer target for the memory-map sanitiser.
 *
 * Input layout:
 *   byte 0            low 2 bits: number of carve-outs (0..3);
 *                     bit 2: also exercise memmap_take()
 *   8 bytes each      carve-out: u32 start, u32 length (little-endian)
 *   8 bytes if bit 2  memmap_take(): u32 bytes, u32 limit
 *   the rest          a multiboot memory map, fed to memmap_parse_multiboot()
 *
 * After sanitising, every usable byte must be covered by input type-1 entries,
 * lie in [1 MiB, 4 GiB), touch no non-usable entry and no carve-out; ranges
 * must be sorted, disjoint, non-adjacent and page-aligned, and the byte total
 * must add up. Any violation is a __builtin_trap().
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "memmap.h"

#define REQUIRE(c)            \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t end_sat(uint64_t base, uint64_t len)
{
    return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

/* Is every byte of [s, e) inside the union of the type-1 entries? */
static int covered_by_ram(const struct mmap_raw_entry *raw, int n, uint64_t s, uint64_t e)
{
    uint64_t pos = s;

    while (pos < e) {
        uint64_t best = pos;
        for (int i = 0; i < n; i++) {
            uint64_t re = end_sat(raw[i].base, raw[i].len);
            if (raw[i].type == MMAP_AVAILABLE && raw[i].len != 0 && raw[i].base <= pos && pos < re &&
                re > best)
                best = re;
        }
        if (best == pos)
            return 0;
        pos = best;
    }
    return 1;
}

static void check_map(const struct memmap *m, const struct mmap_raw_entry *raw, int n,
                      const struct mem_range *carve, int ncarve)
{
    uint64_t bytes = 0;

    REQUIRE(m->n_usable >= 0 && m->n_usable <= MEMMAP_MAX_USABLE);
    for (int i = 0; i < m->n_usable; i++) {
        uint64_t s = m->usable[i].start, e = m->usable[i].end;

        REQUIRE(s < e);
        REQUIRE((s & 0xFFF) == 0 && (e & 0xFFF) == 0);
        REQUIRE(s >= MEMMAP_LOW_LIMIT && e <= MEMMAP_4G);
        if (i > 0)
            REQUIRE(m->usable[i - 1].end < s);
        REQUIRE(covered_by_ram(raw, n, s, e));
        for (int j = 0; j < n; j++) {
            uint64_t rs = raw[j].base, re = end_sat(raw[j].base, raw[j].len);
            if (raw[j].type != MMAP_AVAILABLE && raw[j].len != 0)
                REQUIRE(re <= s || rs >= e);
        }
        for (int j = 0; j < ncarve; j++)
            if (carve[j].end > carve[j].start)
                REQUIRE(carve[j].end <= s || carve[j].start >= e);
        bytes += e - s;
    }
    REQUIRE(bytes == m->usable_bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mmap_raw_entry raw[MEMMAP_MAX_RAW];
    static struct memmap map, before;
    struct mem_range carve[4];
    int ncarve, n, take = 0;
    uint32_t take_bytes = 0, take_limit = 0;

    if (size < 1)
        return 0;
    ncarve = data[0] & 3;
    take = (data[0] >> 2) & 1;
    data++;
    size--;
    if (size < (size_t)ncarve * 8 + (take ? 8 : 0))
        return 0;
    for (int i = 0; i < ncarve; i++) {
        carve[i].start = get32(data);
        carve[i].end = (uint64_t)get32(data) + get32(data + 4);
        data += 8;
        size -= 8;
    }
    if (take) {
        take_bytes = get32(data);
        take_limit = get32(data + 4);
        data += 8;
        size -= 8;
    }
    if (size > UINT32_MAX)
        return 0;

    n = memmap_parse_multiboot(data, (uint32_t)size, raw, MEMMAP_MAX_RAW);
    REQUIRE(n >= 0 && n <= MEMMAP_MAX_RAW);
    REQUIRE(memmap_sanitise(raw, n, carve, ncarve, &map) == map.n_usable);
    check_map(&map, raw, n, carve, ncarve);

    if (take) {
        uint64_t got, want = ((uint64_t)take_bytes + 0xFFF) & ~0xFFFull;
        uint64_t limit = take_limit ? take_limit : MEMMAP_4G;
        int inside = 0;

        before = map;
        got = memmap_take(&map, take_bytes, take_limit);
        check_map(&map, raw, n, carve, ncarve);
        if (got != 0) {
            struct mem_range cut = {got, got + want};

            REQUIRE(take_bytes != 0 && (got & 0xFFF) == 0 && got + want <= limit);
            for (int i = 0; i < before.n_usable; i++)
                if (before.usable[i].start <= got && got + want <= before.usable[i].end)
                    inside = 1;
            REQUIRE(inside);
            REQUIRE(map.usable_bytes == before.usable_bytes - want);
            check_map(&map, raw, n, &cut, 1);
        } else {
            REQUIRE(map.usable_bytes == before.usable_bytes);
            for (int i = 0; i < before.n_usable && take_bytes != 0; i++) {
                uint64_t e =
                    before.usable[i].end < (limit & ~0xFFFull) ? before.usable[i].end : (limit & ~0xFFFull);
                REQUIRE(e <= before.usable[i].start || e - before.usable[i].start < want);
            }
        }
    }
    return 0;
}
