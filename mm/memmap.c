/*
 * mm/memmap.c - parse and sanitise the firmware memory map.
 *
 * The BIOS (INT 15h, E820) or UEFI firmware describes physical memory as a list
 * of (base, length, type) entries; GRUB passes them on as multiboot records of
 * variable size. Nothing about that list can be trusted: entries overlap, come
 * unsorted, have zero length or unaligned edges, lie above 4 GiB (unreachable
 * for a 32-bit kernel without PAE) or carry types the specification never
 * names. This file turns it into a short sorted list of page-aligned ranges
 * that are certainly RAM, logging every correction it makes on the way.
 *
 * The method is a sweep over "elementary intervals": every entry edge is a
 * boundary, and between two consecutive boundaries the memory is usable only
 * if some type-1 entry covers it and no other entry does. That settles every
 * overlap with the non-usable type winning, and merges adjacent usable entries
 * for free. The result is then aligned inward to pages, the first MiB is
 * removed, and the caller's carve-outs (kernel image, boot modules...) are cut
 * out.
 *
 * Freestanding: no libc, fixed-size static working storage (this runs before
 * any allocator exists), 64-bit arithmetic with every addition checked.
 */
#include "memmap.h"
#include "mm_shim.h"

#define PAGE_SIZE 4096ull
#define U(x)      ((unsigned long long)(x)) /* matches %llx / %llu exactly */

/* An entry clipped to [0, 4 GiB), with its type. */
struct span {
    uint64_t start;
    uint64_t end;
    uint32_t type;
};

/* Working storage, static so stack use stays small. Not re-entrant (boot only). */
static struct span clip[MEMMAP_MAX_RAW];
static uint64_t points[2 * MEMMAP_MAX_RAW];
static struct mem_range runs[2 * MEMMAP_MAX_RAW];

static uint64_t page_down(uint64_t a)
{
    return a & ~(PAGE_SIZE - 1);
}

/* Round up to a page; callers only pass values <= 4 GiB, so this cannot wrap. */
static uint64_t page_up(uint64_t a)
{
    return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* base + len, saturating at 2^64 - 1 instead of wrapping. */
static uint64_t end_of(uint64_t base, uint64_t len)
{
    return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

/* The inclusive last byte of [base, base + len), for log lines. */
static uint64_t last_of(uint64_t base, uint64_t len)
{
    if (len == 0)
        return base;
    return len - 1 > UINT64_MAX - base ? UINT64_MAX : base + (len - 1);
}

const char *memmap_type_name(uint32_t type)
{
    /* A few buffers in rotation, so two names can appear in one log line. */
    static char names[4][16];
    static unsigned next;
    char digits[10];
    char *s;
    int n = 0, i = 0;

    switch (type) {
    case MMAP_AVAILABLE: return "available";
    case MMAP_RESERVED: return "reserved";
    case MMAP_ACPI_RECLAIMABLE: return "ACPI reclaimable";
    case MMAP_ACPI_NVS: return "ACPI NVS";
    case MMAP_BAD: return "bad RAM";
    }
    s = names[next++ % 4];
    do {
        digits[n++] = (char)('0' + type % 10);
        type /= 10;
    } while (type != 0);
    s[i++] = 't';
    s[i++] = 'y';
    s[i++] = 'p';
    s[i++] = 'e';
    s[i++] = ' ';
    while (n > 0)
        s[i++] = digits[--n];
    s[i] = '\0';
    return s;
}

/* Little-endian loads from an unaligned byte buffer. */
static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load64(const uint8_t *p)
{
    return (uint64_t)load32(p) | (uint64_t)load32(p + 4) << 32;
}

int memmap_parse_multiboot(const void *buf, uint32_t length, struct mmap_raw_entry *out, int max)
{
    const uint8_t *p = buf;
    uint64_t off = 0;
    int n = 0;

    if (p == NULL)
        return 0;
    while (off < length) {
        uint32_t size;

        if (length - off < 4) {
            mm_log("mem: fix truncated record at offset %u (%u bytes left), stopping\n", (unsigned)off,
                   (unsigned)(length - off));
            break;
        }
        size = load32(p + off);
        if (size < 20) {
            mm_log("mem: fix record at offset %u has size %u (< 20), stopping\n", (unsigned)off, size);
            break;
        }
        if (off + 4 + size > length) {
            mm_log("mem: fix record at offset %u (size %u) runs past the end of the %u-byte map, stopping\n",
                   (unsigned)off, size, length);
            break;
        }
        if (n >= max) {
            mm_log("mem: fix more than %d entries, ignoring the rest\n", max);
            break;
        }
        out[n].base = load64(p + off + 4);
        out[n].len = load64(p + off + 12);
        out[n].type = load32(p + off + 20);
        n++;
        off += 4 + (uint64_t)size;
    }
    return n;
}

static void sort_spans(struct span *s, int n)
{
    for (int i = 1; i < n; i++) {
        struct span x = s[i];
        int j = i - 1;
        while (j >= 0 && (s[j].start > x.start || (s[j].start == x.start && s[j].end > x.end))) {
            s[j + 1] = s[j];
            j--;
        }
        s[j + 1] = x;
    }
}

static void sort_points(uint64_t *p, int n)
{
    for (int i = 1; i < n; i++) {
        uint64_t x = p[i];
        int j = i - 1;
        while (j >= 0 && p[j] > x) {
            p[j + 1] = p[j];
            j--;
        }
        p[j + 1] = x;
    }
}

/* Log one correction and count it. */
#define FIX(map, ...)         \
    do {                      \
        mm_log(__VA_ARGS__);  \
        (map)->corrections++; \
    } while (0)

/*
 * Remove [start, end) (widened to whole pages) from map->usable. When `log`
 * is set, each piece actually removed is logged as a correction. A range split
 * in two when the table is full loses its upper part (logged): giving up RAM is
 * always safe.
 */
static void remove_range(struct memmap *map, uint64_t start, uint64_t end, bool log)
{
    if (start >= MEMMAP_4G || end <= start)
        return;
    if (end > MEMMAP_4G)
        end = MEMMAP_4G;
    start = page_down(start);
    end = page_up(end);

    for (int i = 0; i < map->n_usable; i++) {
        struct mem_range *r = &map->usable[i];
        uint64_t lo = r->start > start ? r->start : start;
        uint64_t hi = r->end < end ? r->end : end;

        if (lo >= hi)
            continue;
        if (log)
            FIX(map, "mem: fix carved 0x%08llx-0x%08llx\n", U(lo), U(hi - 1));
        if (lo == r->start && hi == r->end) { /* whole range */
            for (int j = i; j + 1 < map->n_usable; j++)
                map->usable[j] = map->usable[j + 1];
            map->n_usable--;
            i--;
        } else if (lo == r->start) { /* head */
            r->start = hi;
        } else if (hi == r->end) { /* tail */
            r->end = lo;
        } else if (map->n_usable == MEMMAP_MAX_USABLE) {
            FIX(map, "mem: fix dropped 0x%08llx-0x%08llx (no room to split)\n", U(hi), U(r->end - 1));
            r->end = lo;
        } else { /* middle: split */
            for (int j = map->n_usable; j > i + 1; j--)
                map->usable[j] = map->usable[j - 1];
            map->usable[i + 1].start = hi;
            map->usable[i + 1].end = r->end;
            r->end = lo;
            map->n_usable++;
            i++;
        }
    }
}

static void recount(struct memmap *map)
{
    map->usable_bytes = 0;
    for (int i = 0; i < map->n_usable; i++)
        map->usable_bytes += map->usable[i].end - map->usable[i].start;
}

/* Log every raw entry and clip it to [0, 4 GiB) into clip[]; returns the count. */
static int clip_entries(const struct mmap_raw_entry *raw, int nraw, struct memmap *out)
{
    int n = 0;

    for (int i = 0; i < nraw; i++)
        mm_log("mem: raw 0x%016llx-0x%016llx %s\n", U(raw[i].base), U(last_of(raw[i].base, raw[i].len)),
               memmap_type_name(raw[i].type));

    for (int i = 1; i < nraw; i++) {
        if (raw[i].base < raw[i - 1].base) {
            FIX(out, "mem: fix entries out of order, sorted by base\n");
            break;
        }
    }

    for (int i = 0; i < nraw; i++) {
        uint64_t base = raw[i].base, len = raw[i].len;
        uint64_t end = end_of(base, len);
        bool usable = raw[i].type == MMAP_AVAILABLE;

        if (len == 0) {
            FIX(out, "mem: fix dropped zero-length entry at 0x%016llx\n", U(base));
            continue;
        }
        if (base >= MEMMAP_4G) {
            if (usable) {
                out->ignored_above_4g = end_of(out->ignored_above_4g, len);
                FIX(out, "mem: fix ignored 0x%016llx-0x%016llx above 4 GiB\n", U(base),
                    U(last_of(base, len)));
            }
            continue;
        }
        if (end > MEMMAP_4G) {
            if (usable) {
                uint64_t above = len - (MEMMAP_4G - base);
                out->ignored_above_4g = end_of(out->ignored_above_4g, above);
                FIX(out, "mem: fix clipped 0x%016llx-0x%016llx at 4 GiB\n", U(base), U(last_of(base, len)));
            }
            end = MEMMAP_4G;
        }
        clip[n].start = base;
        clip[n].end = end;
        clip[n].type = raw[i].type;
        n++;
    }

    if (out->ignored_above_4g >= (1ull << 20))
        mm_log("mem: ignoring %llu MiB above 4 GiB\n", U(out->ignored_above_4g >> 20));
    else if (out->ignored_above_4g != 0)
        mm_log("mem: ignoring %llu KiB above 4 GiB\n", U(out->ignored_above_4g >> 10));
    return n;
}

/* Log the overlaps and adjacencies the sweep is about to resolve (clip[] sorted). */
static void log_overlaps(int n, struct memmap *out)
{
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n && clip[j].start <= clip[i].end; j++) {
            const struct span *a = &clip[i], *b = &clip[j];
            bool ua = a->type == MMAP_AVAILABLE, ub = b->type == MMAP_AVAILABLE;

            if (b->start == a->end) {
                if (ua && ub)
                    FIX(out, "mem: fix merged adjacent available 0x%08llx-0x%08llx and 0x%08llx-0x%08llx\n",
                        U(a->start), U(a->end - 1), U(b->start), U(b->end - 1));
            } else if (ua && ub) {
                FIX(out, "mem: fix overlap available 0x%08llx-0x%08llx and 0x%08llx-0x%08llx merged\n",
                    U(a->start), U(a->end - 1), U(b->start), U(b->end - 1));
            } else if (ua != ub) {
                const struct span *bad = ua ? b : a;
                FIX(out, "mem: fix overlap %s 0x%08llx-0x%08llx and %s 0x%08llx-0x%08llx: %s wins\n",
                    memmap_type_name(a->type), U(a->start), U(a->end - 1), memmap_type_name(b->type),
                    U(b->start), U(b->end - 1), memmap_type_name(bad->type));
            }
        }
    }
}

/* The sweep: usable runs = covered by type 1 and by nothing else. Returns count. */
static int sweep(int n)
{
    int np = 0, nr = 0;

    for (int i = 0; i < n; i++) {
        points[np++] = clip[i].start;
        points[np++] = clip[i].end;
    }
    sort_points(points, np);

    for (int k = 0; k + 1 < np; k++) {
        uint64_t a = points[k], b = points[k + 1];
        bool ram = false, other = false;

        if (a == b)
            continue;
        for (int i = 0; i < n; i++) {
            if (clip[i].start <= a && clip[i].end >= b) {
                if (clip[i].type == MMAP_AVAILABLE)
                    ram = true;
                else
                    other = true;
            }
        }
        if (!ram || other)
            continue;
        if (nr > 0 && runs[nr - 1].end == a) {
            runs[nr - 1].end = b;
        } else {
            runs[nr].start = a;
            runs[nr].end = b;
            nr++;
        }
    }
    return nr;
}

int memmap_sanitise(const struct mmap_raw_entry *raw, int nraw, const struct mem_range *carve, int ncarve,
                    struct memmap *out)
{
    int n, nr;

    out->n_usable = 0;
    out->usable_bytes = 0;
    out->ignored_above_4g = 0;
    out->corrections = 0;

    if (raw == NULL || nraw < 0)
        nraw = 0;
    if (nraw > MEMMAP_MAX_RAW) {
        FIX(out, "mem: fix %d entries, ignoring all after the first %d\n", nraw, MEMMAP_MAX_RAW);
        nraw = MEMMAP_MAX_RAW;
    }

    n = clip_entries(raw, nraw, out);
    sort_spans(clip, n);
    log_overlaps(n, out);
    nr = sweep(n);

    /* Page-align inward and drop the first MiB. */
    for (int i = 0; i < nr; i++) {
        uint64_t s = page_up(runs[i].start), e = page_down(runs[i].end);

        if (s >= e) {
            FIX(out, "mem: fix dropped 0x%08llx-0x%08llx (no whole page)\n", U(runs[i].start),
                U(runs[i].end - 1));
            continue;
        }
        if (s != runs[i].start || e != runs[i].end)
            FIX(out, "mem: fix aligned 0x%08llx-0x%08llx to 0x%08llx-0x%08llx\n", U(runs[i].start),
                U(runs[i].end - 1), U(s), U(e - 1));
        if (s < MEMMAP_LOW_LIMIT) {
            uint64_t cut = e < MEMMAP_LOW_LIMIT ? e : MEMMAP_LOW_LIMIT;
            FIX(out, "mem: fix excluded 0x%08llx-0x%08llx below 1 MiB\n", U(s), U(cut - 1));
            s = cut;
            if (s >= e)
                continue;
        }
        if (out->n_usable == MEMMAP_MAX_USABLE) {
            FIX(out, "mem: fix dropped 0x%08llx-0x%08llx (more than %d ranges)\n", U(s), U(e - 1),
                MEMMAP_MAX_USABLE);
            continue;
        }
        out->usable[out->n_usable].start = s;
        out->usable[out->n_usable].end = e;
        out->n_usable++;
    }

    if (carve != NULL)
        for (int i = 0; i < ncarve; i++)
            remove_range(out, carve[i].start, carve[i].end, true);

    recount(out);
    for (int i = 0; i < out->n_usable; i++)
        mm_log("mem: usable 0x%08llx-0x%08llx\n", U(out->usable[i].start), U(out->usable[i].end - 1));
    mm_log("mem: total usable %llu KiB (%llu frames)\n", U(out->usable_bytes >> 10),
           U(out->usable_bytes / PAGE_SIZE));
    return out->n_usable;
}

void memmap_carve(struct memmap *map, uint64_t start, uint64_t end)
{
    remove_range(map, start, end, true);
    recount(map);
}

uint64_t memmap_take(struct memmap *map, uint64_t bytes, uint64_t limit)
{
    if (bytes == 0 || bytes > MEMMAP_4G)
        return 0;
    bytes = page_up(bytes);
    if (limit == 0 || limit > MEMMAP_4G)
        limit = MEMMAP_4G;
    limit = page_down(limit);

    for (int i = 0; i < map->n_usable; i++) {
        uint64_t s = map->usable[i].start;
        uint64_t e = map->usable[i].end < limit ? map->usable[i].end : limit;

        if (s < e && e - s >= bytes) {
            remove_range(map, s, s + bytes, false);
            recount(map);
            mm_log("mem: took 0x%08llx-0x%08llx\n", U(s), U(s + bytes - 1));
            return s;
        }
    }
    mm_log("mem: cannot take %llu KiB below 0x%08llx\n", U(bytes >> 10), U(limit));
    return 0;
}
