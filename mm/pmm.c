/*
 * mm/pmm.c - the physical frame allocator: a bitmap with summary levels.
 *
 * Level 0 has one bit per 4 KiB frame, from frame 0 up to the highest usable
 * frame; a set bit means "free". Level 1 has one bit per 32-bit word of level 0,
 * set when that word holds any free frame; level 2 summarises level 1 the same
 * way, and so on until a level fits in a single word (at most four levels for
 * 4 GiB: 2^20 frames -> 2^15 -> 2^10 -> 2^5 -> 1). Finding a free frame is one
 * count-trailing-zeros per level, walking down from the top word; allocating or
 * freeing updates the summaries only when a word becomes empty or non-empty.
 * So every operation costs a handful of instructions at any occupancy.
 *
 * __builtin_ctz compiles to BSF, which every i386 has. Frames the sanitiser
 * rejected are simply never set; a copy of the usable ranges tells a reserved
 * frame from a managed one when a free looks suspicious.
 *
 * Plain freestanding C; all storage is handed in by the caller.
 */
#include "pmm.h"
#include "mm_shim.h"

#define PAGE_SHIFT 12
#define MAX_LEVELS 5               /* 2^20 frames need 4; one spare */
#define NONE       0xFFFFFFFFu     /* "no such bit" */

struct level {
    uint32_t *words;
    uint32_t nbits;                /* meaningful bits; the rest stay clear */
    uint32_t nwords;
};

static struct level lv[MAX_LEVELS];
static int nlevels;                /* 0 until pmm_init() */
static uint32_t nframes;           /* frames covered by level 0 */
static uint32_t total, nfree;
static uint32_t hint;              /* every level-0 word below this one is empty */
static struct mem_range ranges[MEMMAP_MAX_USABLE];  /* managed memory, sorted */
static int nranges;

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
    while (to - from >= 32) {
        w[from >> 5] = 0xFFFFFFFFu;
        from += 32;
    }
    while (from < to) {
        w[from >> 5] |= 1u << (from & 31);
        from++;
    }
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
        ranges[nranges++] = map->usable[i];
        fill((uint32_t)s, (uint32_t)e);
        total += (uint32_t)(e - s);
    }
    nfree = total;
    hint = 0;

    /* Build each summary from the level below: bit j = (word j != 0). */
    for (int k = 1; k < nlevels; k++)
        for (uint32_t j = 0; j < lv[k - 1].nwords; j++)
            if (lv[k - 1].words[j] != 0)
                lv[k].words[j >> 5] |= 1u << (j & 31);

    mm_log("pmm: %u frames free of %u tracked, %d levels, %u bytes of bitmap\n",
           nfree, nframes, nlevels, words * 4u);
}

/* Mark frame f free and propagate "non-empty" upwards. */
static void set_free(uint32_t f)
{
    for (int k = 0; k < nlevels; k++) {
        uint32_t *w = &lv[k].words[f >> 5];
        uint32_t was = *w;

        *w = was | 1u << (f & 31);
        if (was != 0)
            break;
        f >>= 5;
    }
}

/* Mark frame f allocated and propagate "empty" upwards. */
static void set_used(uint32_t f)
{
    for (int k = 0; k < nlevels; k++) {
        uint32_t *w = &lv[k].words[f >> 5];

        *w &= ~(1u << (f & 31));
        if (*w != 0)
            break;
        f >>= 5;
    }
}

static bool is_free(uint32_t f)
{
    return (lv[0].words[f >> 5] >> (f & 31)) & 1;
}

/* The first free frame at or after `pos`, or NONE. Climbs past full words. */
static uint32_t next_free(uint32_t pos)
{
    int k = 0;
    uint32_t idx = pos;

    for (;;) {
        uint32_t w;

        if (idx >= lv[k].nbits)
            return NONE;
        w = lv[k].words[idx >> 5] & (0xFFFFFFFFu << (idx & 31));
        if (w != 0) {
            idx = (idx & ~31u) + (uint32_t)__builtin_ctz(w);
            break;
        }
        if (k + 1 == nlevels)
            return NONE;
        idx = (idx >> 5) + 1;      /* next word of this level, via the level above */
        k++;
    }
    while (k > 0) {
        k--;
        idx = idx * 32 + (uint32_t)__builtin_ctz(lv[k].words[idx]);
    }
    return idx;
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

paddr_t pmm_alloc(void)
{
    uint32_t w, f = 0;

    if (nlevels == 0)
        return PMM_NO_FRAME;
    /* Fast path: the lowest non-empty word is usually the one we used last. */
    w = lv[0].words[hint];
    if (w != 0) {
        f = hint * 32 + (uint32_t)__builtin_ctz(w);
    } else {
        /* Nothing free below the hint, so the next free frame is the lowest. */
        f = next_free(hint * 32);
        if (f == NONE)
            return PMM_NO_FRAME;
        hint = f >> 5;
    }
    /* set_used(f), with its common case (the word stays non-empty) inline */
    w = lv[0].words[f >> 5] & ~(1u << (f & 31));
    lv[0].words[f >> 5] = w;
    if (w == 0)
        set_used(f);
    nfree--;
    return (paddr_t)(f << PAGE_SHIFT);
}

/* Is frame f inside one of the usable ranges? (binary search) */
static bool managed(uint32_t f)
{
    uint64_t a = (uint64_t)f << PAGE_SHIFT;
    int lo = 0, hi = nranges;

    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (a < ranges[mid].start)
            hi = mid;
        else if (a >= ranges[mid].end)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

static int free_one(paddr_t frame, void *caller)
{
    uint32_t f = frame >> PAGE_SHIFT;

    if (frame & (PMM_FRAME_SIZE - 1)) {
        mm_misuse("pmm: free of unaligned address 0x%08x (caller %p)\n", frame, caller);
        return PMM_E_UNALIGNED;
    }
    if (nranges == 0 || (uint64_t)frame < ranges[0].start ||
        (uint64_t)frame >= ranges[nranges - 1].end) {
        mm_misuse("pmm: free of unmanaged address 0x%08x (caller %p)\n", frame, caller);
        return PMM_E_RANGE;
    }
    if (!managed(f)) {
        mm_misuse("pmm: free of reserved frame 0x%08x (caller %p)\n", frame, caller);
        return PMM_E_RESERVED;
    }
    if (is_free(f)) {
        mm_misuse("pmm: double free of frame 0x%08x (caller %p)\n", frame, caller);
        return PMM_E_DOUBLE;
    }
    set_free(f);
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
    uint32_t aligned = 0;              /* bit p set when p is a multiple of step */
    uint32_t i;

    for (uint32_t p = 0; p < 32; p += step)
        aligned |= 1u << p;

    for (i = hint; i < lv[0].nwords;) {   /* all words below hint are empty */
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
        while (len < n) {              /* x &= x >> 1, n - 1 times, in log steps */
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

        if (start < f || start > end - n)   /* wrapped, or past the limit */
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
