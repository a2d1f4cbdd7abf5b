/*
 * mm/region.c - the regions of an address space (see region.h).
 *
 * The data structure: one array of struct region, sorted by start.
 *
 *   r[0]          r[1]     r[2]                      r[n-1]
 *   [text r-x)[data rw-)   [brk rw-) ...   [mmap rw-)  [stack rw-)
 *
 * Lookup is a binary search, O(log n): because the regions are disjoint, their
 * ends are sorted as well, so "the first region with end > va" is one search and
 * answers both "which region holds va" and "what comes next". A page fault asks
 * exactly that. The array is also friendly to the cache: a search touches a few
 * neighbouring 16-byte entries, not a chain of pointers scattered over the heap.
 *
 * The price is paid on change: inserting or removing an entry moves the entries
 * after it, O(n). That is the right trade here because n is small (a static
 * program has text, data, brk and stack; a busy one a few dozen mmaps) and
 * faults and lookups far outnumber mmap/munmap/mprotect calls. A balanced tree
 * (Linux's red-black tree of VMAs, now its maple tree; SerenityOS's RedBlackTree)
 * makes every operation O(log n) but needs a node allocation per region,
 * rebalancing code, and pointer-chasing on every lookup; it pays off with
 * thousands of regions, which this kernel's processes never have.
 *
 * Memory: the array doubles when full and halves when three quarters empty (an
 * empty set holds no array). Every operation that needs a new entry reserves it
 * before changing anything, so an allocation failure leaves the set exactly as
 * it was. All sums are checked against overflow: a region may end anywhere up
 * to the top of the address space.
 */
#include "region.h"
#include "mm_shim.h"
#include "mmu.h"

#define PG      ((uintptr_t)PAGE_SIZE)
#define MIN_CAP 4
/* A 3 GiB user space has 786432 pages, so never more regions than this; it also
 * keeps cap * sizeof(struct region) far from overflowing. */
#define MAX_CAP (1 << 20)

/* Argument checks: page-aligned, non-empty, known prot bits and kind. */
static bool aligned(uintptr_t a)
{
    return (a & (PG - 1)) == 0;
}

static bool valid_range(uintptr_t start, uintptr_t end)
{
    return start < end && aligned(start) && aligned(end);
}

static bool valid_prot(uint32_t prot)
{
    return (prot & ~(REGION_R | REGION_W | REGION_X)) == 0;
}

static bool valid_kind(uint32_t kind)
{
    return kind >= REGION_IMAGE && kind <= REGION_STACK;
}

/* Do a and b touch and look alike, so that they must be one region? */
static bool mergeable(const struct region *a, const struct region *b)
{
    return a->end == b->start && a->prot == b->prot && a->kind == b->kind;
}

/* Move count entries from r[from] to r[to]; the two may overlap (a memmove). */
static void shift(struct region *r, int to, int from, int count)
{
    if (to < from) {
        for (int i = 0; i < count; i++)
            r[to + i] = r[from + i];
    } else {
        for (int i = count - 1; i >= 0; i--)
            r[to + i] = r[from + i];
    }
}

/* Move the n entries into a new array of cap (> 0) entries and free the old
 * one. false, with nothing changed, when out of memory. */
static bool resize(struct region_set *s, int cap)
{
    struct region *r = mm_alloc((size_t)cap * sizeof *r);

    if (!r)
        return false;
    for (int i = 0; i < s->n; i++)
        r[i] = s->r[i];
    mm_free(s->r);
    s->r = r;
    s->cap = cap;
    return true;
}

/* Make room for `need` entries, doubling the array. false (unchanged) if the
 * memory cannot be had. */
static bool reserve(struct region_set *s, int need)
{
    int cap = s->cap > 0 ? s->cap : MIN_CAP;

    if (need <= s->cap)
        return true;
    while (cap < need) {
        if (cap >= MAX_CAP)
            return false;
        cap *= 2;
    }
    return resize(s, cap);
}

/* After a set has shrunk: free an empty set's array, and halve an array that is
 * three quarters unused (not at half, so that alternating one insert and one
 * removal cannot reallocate every time). A failure to shrink is harmless. */
static void trim(struct region_set *s)
{
    if (s->n == 0)
        region_set_free(s);
    else if (s->cap > MIN_CAP && s->n <= s->cap / 4)
        (void)resize(s, s->cap / 2);
}

/* Index of the first region with end > va, or n: a binary search over the ends,
 * which are sorted because the regions are sorted and disjoint. */
static int first_ending_after(const struct region_set *s, uintptr_t va)
{
    int lo = 0, hi = s->n;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (s->r[mid].end > va)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Cut r[i] in two at `at` (strictly inside it). The caller reserved the room. */
static void split(struct region_set *s, int i, uintptr_t at)
{
    shift(s->r, i + 1, i, s->n - i);
    s->n++;
    s->r[i].end = at;
    s->r[i + 1].start = at;
}

/* Merge every mergeable neighbours among r[from..to), closing up the array. */
static void coalesce(struct region_set *s, int from, int to)
{
    int w = from; /* the last entry kept */

    for (int k = from + 1; k < to; k++) {
        if (mergeable(&s->r[w], &s->r[k]))
            s->r[w].end = s->r[k].end;
        else
            s->r[++w] = s->r[k];
    }
    shift(s->r, w + 1, to, s->n - to);
    s->n -= to - 1 - w;
}

/* Contracts of the public functions are in region.h; the notes here say how. */

void region_set_init(struct region_set *s)
{
    s->r = NULL;
    s->n = 0;
    s->cap = 0;
}

void region_set_free(struct region_set *s)
{
    mm_free(s->r);
    region_set_init(s);
}

/* One allocation of the right size (rounded to a power of two), then a copy. */
int region_set_copy(struct region_set *dst, const struct region_set *src)
{
    if (dst->n != 0)
        return REGION_E_ARG;
    if (!reserve(dst, src->n))
        return REGION_E_NOMEM;
    for (int i = 0; i < src->n; i++)
        dst->r[i] = src->r[i];
    dst->n = src->n;
    return REGION_OK;
}

/* One binary search: the first region ending above va holds va if it starts at or below it. */
const struct region *region_find(const struct region_set *s, uintptr_t va)
{
    int i = first_ending_after(s, va);

    return i < s->n && s->r[i].start <= va ? &s->r[i] : NULL;
}

/* The same search, without the containment test. */
const struct region *region_first_from(const struct region_set *s, uintptr_t va)
{
    int i = first_ending_after(s, va);

    return i < s->n ? &s->r[i] : NULL;
}

/* O(log n) to place it; O(n) only when a new entry has to be opened up or closed. */
int region_insert(struct region_set *s, uintptr_t start, uintptr_t end, uint32_t prot, uint32_t kind)
{
    const struct region add = {start, end, prot, kind};

    if (!valid_range(start, end) || !valid_prot(prot) || !valid_kind(kind))
        return REGION_E_ARG;
    /* r[i] is the first region ending after start: it must begin at or after end. */
    int i = first_ending_after(s, start);
    if (i < s->n && s->r[i].start < end)
        return REGION_E_OVERLAP;

    bool left = i > 0 && mergeable(&s->r[i - 1], &add);
    bool right = i < s->n && mergeable(&add, &s->r[i]);
    if (left && right) { /* [A).[B) + [.) : one region from A's start to B's end */
        s->r[i - 1].end = s->r[i].end;
        shift(s->r, i, i + 1, s->n - i - 1);
        s->n--;
        trim(s);
    } else if (left) { /* brk growing up */
        s->r[i - 1].end = end;
    } else if (right) { /* a stack growing down */
        s->r[i].start = start;
    } else {
        if (!reserve(s, s->n + 1))
            return REGION_E_NOMEM;
        shift(s->r, i + 1, i, s->n - i);
        s->r[i] = add;
        s->n++;
    }
    return REGION_OK;
}

/* Trim the first and last regions met, delete those in between in one shift. */
int region_remove(struct region_set *s, uintptr_t start, uintptr_t end)
{
    if (!valid_range(start, end))
        return REGION_E_ARG;
    /* r[lo..hi) are the regions that meet [start, end). */
    int lo = first_ending_after(s, start), hi = lo;
    while (hi < s->n && s->r[hi].start < end)
        hi++;
    if (lo == hi)
        return REGION_OK;

    if (hi - lo == 1 && s->r[lo].start < start && s->r[lo].end > end) {
        /* AAAAAA -> AA..AA: the one case that needs a new entry */
        if (!reserve(s, s->n + 1))
            return REGION_E_NOMEM;
        split(s, lo, start);
        s->r[lo + 1].start = end;
        return REGION_OK;
    }
    /* Keep the first one's head and the last one's tail; drop r[a..b). */
    int a = lo, b = hi;
    if (s->r[lo].start < start) {
        s->r[lo].end = start;
        a++;
    }
    if (s->r[hi - 1].end > end) {
        s->r[hi - 1].start = end;
        b--;
    }
    shift(s->r, a, b, s->n - b);
    s->n -= b - a;
    trim(s);
    return REGION_OK;
}

/* Check coverage, reserve the splits, split, set prot, coalesce the window. */
int region_protect(struct region_set *s, uintptr_t start, uintptr_t end, uint32_t prot)
{
    if (!valid_range(start, end) || !valid_prot(prot))
        return REGION_E_ARG;
    /* r[lo..hi) must cover [start, end) without a gap. */
    int lo = first_ending_after(s, start), hi = lo;
    uintptr_t covered = start; /* [start, covered) is covered */
    while (covered < end) {
        if (hi == s->n || s->r[hi].start > covered)
            return REGION_E_HOLE;
        covered = s->r[hi++].end;
    }

    /* Split only where the protection really changes, reserving first. */
    bool split_head = s->r[lo].start < start && s->r[lo].prot != prot;
    bool split_tail = s->r[hi - 1].end > end && s->r[hi - 1].prot != prot;
    if (!reserve(s, s->n + split_head + split_tail))
        return REGION_E_NOMEM;
    if (split_head) {
        split(s, lo, start);
        lo++;
        hi++;
    }
    if (split_tail)
        split(s, hi - 1, end);
    for (int i = lo; i < hi; i++)
        s->r[i].prot = prot;
    /* Only the changed regions and their two outer neighbours can merge now. */
    coalesce(s, lo > 0 ? lo - 1 : 0, hi < s->n ? hi + 1 : s->n);
    trim(s);
    return REGION_OK;
}

/* a rounded up to a page; the caller checked a <= UINTPTR_MAX - (PG - 1). */
static uintptr_t round_up(uintptr_t a)
{
    return (a + (PG - 1)) & ~(PG - 1);
}

/* Top-down over the gaps between regions, starting from the one under top. */
uintptr_t region_find_gap(const struct region_set *s, size_t len, uintptr_t floor, uintptr_t top,
                          size_t guard)
{
    const uintptr_t lim = UINTPTR_MAX - (PG - 1);

    if (len == 0 || len > lim || guard > lim || floor > lim)
        return 0;
    len = round_up(len);
    guard = round_up(guard);
    floor = floor < PG ? PG : round_up(floor);
    top &= ~(PG - 1);
    if (top < len || top - len < floor)
        return 0;

    /*
     * Gap i lies between r[i-1] (below) and r[i] (above); the first or last gap
     * has no region on one side. x must satisfy
     *     x + len + guard <= r[i].start    and    x - guard >= r[i-1].end.
     * Start at the gap just under top and walk down; the first fit is the highest.
     */
    for (int i = first_ending_after(s, top); i >= 0; i--) {
        uintptr_t x = top - len;
        if (i < s->n) {
            uintptr_t above = s->r[i].start;
            if (above < len || above - len < guard)
                return 0; /* no room below this region, nor below any lower one */
            if (above - len - guard < x)
                x = above - len - guard;
        }
        if (x < floor)
            return 0; /* every lower gap ends lower still */
        if (i == 0)
            return x;
        uintptr_t below = s->r[i - 1].end;
        if (below <= UINTPTR_MAX - guard && x >= below + guard)
            return x;
    }
    return 0;
}

/* Free if the first region ending above start begins at or after end. */
bool region_range_free(const struct region_set *s, uintptr_t start, uintptr_t end)
{
    if (start >= end)
        return false;
    int i = first_ending_after(s, start);
    return i == s->n || s->r[i].start >= end;
}

/* Disjoint regions below the top of the address space sum to less than it. */
size_t region_total(const struct region_set *s)
{
    size_t sum = 0;

    for (int i = 0; i < s->n; i++)
        sum += s->r[i].end - s->r[i].start;
    return sum;
}

/* The invariants of region.h, and n within the array. */
bool region_check(const struct region_set *s)
{
    if (s->n < 0 || s->n > s->cap || (s->cap == 0) != (s->r == NULL))
        return false;
    for (int i = 0; i < s->n; i++) {
        const struct region *r = &s->r[i];
        if (!valid_range(r->start, r->end) || !valid_prot(r->prot) || !valid_kind(r->kind))
            return false;
        if (i > 0 && (s->r[i - 1].end > r->start || mergeable(&s->r[i - 1], r)))
            return false;
    }
    return true;
}
