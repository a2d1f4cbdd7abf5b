/*
 * mm/pmm.c - the physical frame allocator: a bitmap with summary levels.
 *
 * Level 0 has one bit per 4 KiB frame, from frame 0 up to the highest usable
 * frame; a set bit means "free". Level 1 has one bit per 32-bit word of level 0,
 * set whenever that word holds a free frame; level 2 summarises level 1 the same
 * way, and so on until a level fits in a single word (at most four levels for
 * 4 GiB: 2^20 frames -> 2^15 -> 2^10 -> 2^5 -> 1). Finding a free frame is one
 * count-trailing-zeros per level; a free sets summary bits only when a word
 * becomes non-empty.
 *
 * Allocation hands out the lowest free frame. It remembers the lowest word that
 * may hold one (the hint) and usually finds its frame there with one load.
 * When it empties a word it leaves that word's summary bit set: a clear bit
 * always means "empty", a set bit only "maybe". Frames are mostly freed and
 * reused soon, so the bit is often right again before anyone looks; a search
 * that does meet such a stale bit clears it and goes on. Each stale bit costs
 * one clearing, so allocation is constant time amortised at any occupancy.
 *
 * __builtin_ctz compiles to BSF, which every i386 has. Frames the sanitiser
 * rejected are simply never set; a copy of the usable ranges (in frame numbers,
 * so the hot paths never do 64-bit arithmetic) tells a reserved frame from a
 * managed one. A free checks the range it matched last time first, so on a
 * machine with one big range of RAM that check is a single comparison.
 * pmm_donate() can add carved-out frames to the managed ranges later.
 *
 * Plain freestanding C; all storage is handed in by the caller.
 */
#include "pmm.h"
#include "mm_shim.h"

#define PAGE_SHIFT 12
#define MAX_LEVELS 5           /* 2^20 frames need 4; one spare */
#define NONE       0xFFFFFFFFu /* "no such bit" */

struct level {
    uint32_t *words;
    uint32_t nbits; /* meaningful bits; the rest stay clear */
    uint32_t nwords;
};

static struct level lv[MAX_LEVELS];
static int nlevels;      /* 0 until pmm_init() */
static uint32_t nframes; /* frames covered by level 0 */
static uint32_t total, nfree;
static uint32_t hint; /* every level-0 word below this one is empty */

struct frange {
    uint32_t lo, hi; /* frames [lo, hi) */
};

static struct frange ranges[MEMMAP_MAX_USABLE]; /* managed memory, sorted, disjoint */
static int nranges;
static uint32_t lowest, span;  /* managed frames lie in [lowest, lowest + span) */
static struct frange last_hit; /* the range managed() matched most recently */

/* Lay out the levels for `frames` frames; returns the number of words needed. */
static uint32_t layout(uint32_t frames, struct level *l, int *count)
{
    uint32_t bits = frames ? frames : 1, words = 0;
    int k = 0;

    for (;;) {
        l[k].nbits = bits;
        l[k].nwords = (bits + 31) / 32;
        words += l[k].nwords;
        k++;
        if (l[k - 1].nwords == 1 || k == MAX_LEVELS)
            break;
        bits = l[k - 1].nwords;
    }
    *count = k;
    return words;
}

/* One past the highest usable frame of `map`. */
static uint32_t frames_of(const struct memmap *map)
{
    uint64_t top = 0;

    for (int i = 0; i < map->n_usable; i++)
        if (map->usable[i].end > top)
            top = map->usable[i].end;
    if (top > MEMMAP_4G)
        top = MEMMAP_4G;
    return (uint32_t)(top >> PAGE_SHIFT);
}

size_t pmm_storage_bytes(const struct memmap *map)
{
    struct level l[MAX_LEVELS];
    int k;

    return (size_t)layout(frames_of(map), l, &k) * sizeof(uint32_t);
}

/* Set bits [from, to) of level 0, a word at a time. */
static void fill(uint32_t from, uint32_t to)
{
    uint32_t *w = lv[0].words;

    while (from < to && (from & 31) != 0) {
        w[from >> 5] |= 1u << (from & 31);
        from++;
    }
    while (from + 32 <= to) {
        w[from >> 5] = 0xFFFFFFFFu;
        from += 32;
    }
    while (from < to) {
        w[from >> 5] |= 1u << (from & 31);
        from++;
    }
}

/* Recompute what managed() and free_one() derive from ranges[]. */
static void ranges_changed(void)
{
    if (nranges == 0) {
        lowest = span = 0;
        last_hit.lo = last_hit.hi = 0;
        return;
    }
    lowest = ranges[0].lo;
    span = ranges[nranges - 1].hi - lowest;
    last_hit = ranges[0];
}

/* Is frame f inside one of the managed ranges? (binary search) */
static bool managed_search(uint32_t f)
{
    int lo = 0, hi = nranges;

    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (f < ranges[mid].lo) {
            hi = mid;
        } else if (f >= ranges[mid].hi) {
            lo = mid + 1;
        } else {
            last_hit = ranges[mid];
            return true;
        }
    }
    return false;
}

/* Is frame f managed? The range that matched last time is tried first. */
static inline bool managed(uint32_t f)
{
    return f - last_hit.lo < last_hit.hi - last_hit.lo || managed_search(f);
}

void pmm_init(const struct memmap *map, void *storage)
{
    uint32_t *w = storage;
    uint32_t words;

    nframes = frames_of(map);
    words = layout(nframes, lv, &nlevels);
    for (uint32_t i = 0; i < words; i++)
        w[i] = 0;
    for (int k = 0; k < nlevels; k++) {
        lv[k].words = w;
        w += lv[k].nwords;
    }

    total = 0;
    nranges = 0;
    for (int i = 0; i < map->n_usable && i < MEMMAP_MAX_USABLE; i++) {
        uint64_t s = map->usable[i].start >> PAGE_SHIFT;
        uint64_t e = map->usable[i].end >> PAGE_SHIFT;

        if (e > nframes)
            e = nframes;
        if (s >= e)
            continue;
        ranges[nranges].lo = (uint32_t)s;
        ranges[nranges].hi = (uint32_t)e;
        nranges++;
        fill((uint32_t)s, (uint32_t)e);
        total += (uint32_t)(e - s);
    }
    nfree = total;
    hint = 0;
    ranges_changed();

    /* Build each summary from the level below: bit j = (word j != 0). */
    for (int k = 1; k < nlevels; k++)
        for (uint32_t j = 0; j < lv[k - 1].nwords; j++)
            if (lv[k - 1].words[j] != 0)
                lv[k].words[j >> 5] |= 1u << (j & 31);

    mm_log("pmm: %u frames free of %u tracked, %d levels, %u bytes of bitmap\n", nfree, nframes, nlevels,
           words * 4u);
}

/* Word `idx` of level 0 became non-empty: set its bit in level 1, and up. */
static void mark_nonempty(uint32_t idx)
{
    int top = nlevels; /* a local: the stores below may alias it */

    for (int k = 1; k < top; k++) {
        uint32_t *w = &lv[k].words[idx >> 5];
        uint32_t was = *w;

        *w = was | 1u << (idx & 31);
        if (was != 0)
            return;
        idx >>= 5;
    }
}

/*
 * Bit `idx` of level `k` should be clear (the word below it is empty): clear
 * it, and on up while words become empty.
 */
static void clear_summary(int k, uint32_t idx)
{
    int top = nlevels;

    for (; k < top; k++) {
        uint32_t *w = &lv[k].words[idx >> 5];

        *w &= ~(1u << (idx & 31));
        if (*w != 0)
            return;
        idx >>= 5;
    }
}

/* Mark frame f allocated. */
static void set_used(uint32_t f)
{
    uint32_t *w = lv[0].words + (f >> 5);

    *w &= ~(1u << (f & 31));
    if (*w == 0)
        clear_summary(1, f >> 5);
}

static bool is_free(uint32_t f)
{
    return (lv[0].words[f >> 5] >> (f & 31)) & 1;
}

/*
 * The first free frame at or after `pos`, or NONE. Climbs past empty words via
 * the summaries, then walks down. A summary bit may be stale (pmm_alloc leaves
 * it set when it empties a word): meeting one, clear it and search again. Each
 * stale bit is cleared once, so the cost stays constant amortised (one call
 * can clear many: a search through memory that was filled up and not revisited
 * since).
 */
static uint32_t next_free(uint32_t pos)
{
    for (;;) {
        int k = 0;
        uint32_t idx = pos, w;

        for (;;) {
            if (idx >= lv[k].nbits)
                return NONE;
            w = lv[k].words[idx >> 5] & (0xFFFFFFFFu << (idx & 31));
            if (w != 0)
                break;
            if (k + 1 == nlevels)
                return NONE;
            idx = (idx >> 5) + 1; /* next word of this level, via the level above */
            k++;
        }
        idx = (idx & ~31u) + (uint32_t)__builtin_ctz(w);
        while (k > 0 && (w = lv[k - 1].words[idx]) != 0) {
            idx = idx * 32 + (uint32_t)__builtin_ctz(w);
            k--;
        }
        if (k == 0)
            return idx;
        /* Stale: word idx of level k - 1 is empty, and nothing before it was free. */
        clear_summary(k, idx);
        pos = (idx + 1) << (5 * k); /* at most 2^20: frames fit in 32 bits */
    }
}

/* The first allocated (or untracked) frame in [from, to), or `to`. */
static uint32_t next_used(uint32_t from, uint32_t to)
{
    while (from < to) {
        uint32_t w = ~lv[0].words[from >> 5] & (0xFFFFFFFFu << (from & 31));

        if (w != 0) {
            uint32_t f = (from & ~31u) + (uint32_t)__builtin_ctz(w);
            return f < to ? f : to;
        }
        from = (from & ~31u) + 32;
    }
    return to;
}

/* The lowest free frame; emptying a word leaves its summary bit stale (see top). */
paddr_t pmm_alloc(void)
{
    uint32_t w, f;

    if (nfree == 0) /* also true before pmm_init() */
        return PMM_NO_FRAME;
    /* Fast path: the word at the hint, usually the one we used last. */
    w = lv[0].words[hint];
    if (w == 0) {
        f = next_free(hint * 32 + 32); /* words up to the hint are empty */
        if (f == NONE)                 /* cannot happen while nfree is right */
            return PMM_NO_FRAME;
        hint = f >> 5;
        w = lv[0].words[hint];
    }
    f = hint * 32 + (uint32_t)__builtin_ctz(w);
    lv[0].words[hint] = w & (w - 1); /* clear the lowest set bit: frame f */
    nfree--;
    return (paddr_t)(f << PAGE_SHIFT);
}

/* Report a refused free of `frame` (mm_misuse) and return `err`. Kept out of line. */
static __attribute__((noinline, cold)) int refuse_free(int err, paddr_t frame, void *caller)
{
    const char *what = err == PMM_E_UNALIGNED  ? "free of unaligned address"
                       : err == PMM_E_RANGE    ? "free of unmanaged address"
                       : err == PMM_E_RESERVED ? "free of reserved frame"
                                               : "double free of frame";

    mm_misuse("pmm: %s 0x%08x (caller %p)\n", what, frame, caller);
    return err;
}

/*
 * Free one frame. Checked in an order that keeps the common case cheap: a set
 * bit can only be a managed frame (reserved bits are never set), so the range
 * lookup is needed only for a clear bit, and then it is usually one compare.
 */
static inline __attribute__((always_inline)) int free_one(paddr_t frame, void *caller)
{
    uint32_t f = frame >> PAGE_SHIFT, bit, was, *w;

    if (frame & (PMM_FRAME_SIZE - 1))
        return refuse_free(PMM_E_UNALIGNED, frame, caller);
    if (f - lowest >= span) /* below lowest wraps round to a huge value */
        return refuse_free(PMM_E_RANGE, frame, caller);
    w = lv[0].words + (f >> 5);
    bit = 1u << (f & 31);
    was = *w;
    if (was & bit)
        return refuse_free(PMM_E_DOUBLE, frame, caller);
    if (!managed(f))
        return refuse_free(PMM_E_RESERVED, frame, caller);
    *w = was | bit;
    if (was == 0)
        mark_nonempty(f >> 5);
    nfree++;
    if ((f >> 5) < hint)
        hint = f >> 5;
    return PMM_OK;
}

int pmm_free(paddr_t frame)
{
    return free_one(frame, __builtin_return_address(0));
}

/* Take frames [start, start + n) and return the address of the first. */
static paddr_t take_run(uint32_t start, uint32_t n)
{
    for (uint32_t i = start; i < start + n; i++)
        set_used(i);
    nfree -= n;
    return (paddr_t)(start << PAGE_SHIFT);
}

/*
 * Runs of at most 32 frames with alignment of at most 32 frames, a word at a
 * time: in the 64-bit window of words i and i+1, AND-ing the window with
 * itself shifted leaves a 1 exactly where n free frames start. Words with no
 * free frame at all are skipped through the summary.
 */
static paddr_t contig_small(uint32_t n, uint32_t step, uint32_t end)
{
    uint32_t aligned = 0; /* bit p set when p is a multiple of step */
    uint32_t i;

    for (uint32_t p = 0; p < 32; p += step)
        aligned |= 1u << p;

    for (i = hint; i < lv[0].nwords;) { /* all words below hint are empty */
        uint64_t x;
        uint32_t len = 1, starts;

        if (lv[0].words[i] == 0) {
            uint32_t f = next_free(i * 32);
            if (f == NONE)
                break;
            i = f >> 5;
            continue;
        }
        x = lv[0].words[i];
        if (i + 1 < lv[0].nwords)
            x |= (uint64_t)lv[0].words[i + 1] << 32;
        while (len < n) { /* x &= x >> 1, n - 1 times, in log steps */
            uint32_t s = len < n - len ? len : n - len;
            x &= x >> s;
            len += s;
        }
        starts = (uint32_t)x & aligned;
        if (starts != 0) {
            uint32_t start = i * 32 + (uint32_t)__builtin_ctz(starts);
            if (start > end - n)
                break;
            return take_run(start, n);
        }
        if (i * 32 > end - n)
            break;
        i++;
    }
    return PMM_NO_FRAME;
}

/*
 * Any size and alignment: candidate starts are free frames rounded up to the
 * alignment. If the next n frames are not all free, resume at the first free
 * frame after the obstacle: each round skips at least one allocated frame, and
 * full regions are skipped a whole summary word at a time.
 */
static paddr_t contig_general(uint32_t n, uint32_t step, uint32_t end)
{
    uint32_t f = next_free(hint * 32);

    while (f != NONE) {
        uint32_t start = (f + step - 1) & ~(step - 1), stop;

        if (start < f || start > end - n) /* wrapped, or past the limit */
            return PMM_NO_FRAME;
        stop = next_used(start, start + n);
        if (stop == start + n)
            return take_run(start, n);
        f = next_free(stop + 1);
    }
    return PMM_NO_FRAME;
}

paddr_t pmm_alloc_contig(size_t n, size_t align, uint64_t limit)
{
    uint64_t step64 = (uint64_t)align >> PAGE_SHIFT;
    uint32_t step, end;

    if (nlevels == 0 || n == 0 || align < PMM_FRAME_SIZE || (align & (align - 1)) != 0)
        return PMM_NO_FRAME;
    end = nframes;
    if (limit != 0 && (limit >> PAGE_SHIFT) < end)
        end = (uint32_t)(limit >> PAGE_SHIFT);
    if (n > end)
        return PMM_NO_FRAME;
    /* Beyond 2^20 frames (4 GiB) every alignment admits only frame 0. */
    step = step64 > (1u << 20) ? (1u << 20) : (uint32_t)step64;
    if (n <= 32 && step <= 32)
        return contig_small((uint32_t)n, step, end);
    return contig_general((uint32_t)n, step, end);
}

int pmm_free_contig(paddr_t first, size_t n)
{
    void *caller = __builtin_return_address(0);
    int err = PMM_OK;

    for (size_t i = 0; i < n; i++) {
        int r = free_one(first + (paddr_t)(i << PAGE_SHIFT), caller);
        if (r != PMM_OK && err == PMM_OK)
            err = r;
    }
    return err;
}

int pmm_donate(paddr_t start, paddr_t end)
{
    void *caller = __builtin_return_address(0);
    uint32_t s = start >> PAGE_SHIFT, e = end >> PAGE_SHIFT;
    bool join_left, join_right;
    int i;

    if ((start | end) & (PMM_FRAME_SIZE - 1)) {
        mm_misuse("pmm: donation of unaligned range 0x%08x-0x%08x (caller %p)\n", start, end, caller);
        return PMM_E_UNALIGNED;
    }
    if (s > e || e > nframes) {
        mm_misuse("pmm: donation 0x%08x-0x%08x outside the bitmap (%u frames) (caller %p)\n", start, end,
                  nframes, caller);
        return PMM_E_RANGE;
    }
    if (s == e)
        return PMM_OK;

    /* ranges[i] is the first range ending after s; all before it end at or before s. */
    for (i = 0; i < nranges && ranges[i].hi <= s; i++)
        ;
    if (i < nranges && ranges[i].lo < e) {
        mm_misuse("pmm: donation 0x%08x-0x%08x overlaps managed memory 0x%08x-0x%08x (caller %p)\n", start,
                  end, ranges[i].lo << PAGE_SHIFT, ranges[i].hi << PAGE_SHIFT, caller);
        return PMM_E_MANAGED;
    }
    join_left = i > 0 && ranges[i - 1].hi == s;
    join_right = i < nranges && ranges[i].lo == e;
    if (join_left && join_right) { /* fills the hole between two ranges */
        ranges[i - 1].hi = ranges[i].hi;
        for (int j = i; j + 1 < nranges; j++)
            ranges[j] = ranges[j + 1];
        nranges--;
    } else if (join_left) {
        ranges[i - 1].hi = e;
    } else if (join_right) {
        ranges[i].lo = s;
    } else {
        if (nranges == MEMMAP_MAX_USABLE) {
            mm_log("pmm: cannot take donation 0x%08x-0x%08x: %d ranges already\n", start, end, nranges);
            return PMM_E_FULL;
        }
        for (int j = nranges; j > i; j--)
            ranges[j] = ranges[j - 1];
        ranges[i].lo = s;
        ranges[i].hi = e;
        nranges++;
    }
    ranges_changed();

    fill(s, e);
    for (uint32_t w = s >> 5; w <= (e - 1) >> 5; w++)
        mark_nonempty(w);
    total += e - s;
    nfree += e - s;
    if ((s >> 5) < hint)
        hint = s >> 5;
    mm_log("pmm: donated 0x%08x-0x%08x (%u frames), %u frames free of %u\n", start, end - 1, e - s, nfree,
           total);
    return PMM_OK;
}

bool pmm_is_allocated(paddr_t frame)
{
    uint32_t f = frame >> PAGE_SHIFT;

    return nlevels != 0 && f < nframes && managed(f) && !is_free(f);
}

uint32_t pmm_total_frames(void)
{
    return total;
}

uint32_t pmm_free_frames(void)
{
    return nfree;
}

uint32_t pmm_used_frames(void)
{
    return total - nfree;
}

bool pmm_is_managed(paddr_t frame)
{
    uint32_t f = frame >> PAGE_SHIFT;

    return nlevels != 0 && f < nframes && managed(f);
}

uint32_t pmm_span_frames(void)
{
    return nframes;
}
