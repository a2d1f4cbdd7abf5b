/*
 * mm/heap.c - the kernel heap: size-class slabs for small objects, runs of
 * pages for large ones, all inside one virtual range the heap owns.
 *
 * Layout of the range [base, base + size), in 4 KiB pages:
 *
 *   page 0 .. M-1   page descriptors: 64 bytes for every page of the range,
 *                   descriptor i at base + 64 * i. A descriptor page is
 *                   committed only while some descriptor in it is in use
 *                   (a reference count per descriptor page).
 *   page M .. N-1   data pages: slabs, large blocks and free runs.
 *
 * Every data page belongs to exactly one region, and the first and last page
 * of every region are "tagged" (their descriptor says what they are):
 *
 *   free run      FREE at the head (length), FREE_TAIL at the last page
 *                 (length): boundary tags, so a freed block finds its free
 *                 neighbours in O(1) and coalesces with them. Free runs are
 *                 never committed; they sit in 240 segregated bins (exact
 *                 lengths below 16 pages, then 8 bins per power of two) with a
 *                 bitmap of non-empty bins: a good fit in O(1).
 *   slab          1-8 pages carved into equal objects of one size class. The
 *                 head descriptor holds the class (and a copy of its object
 *                 size, count and reciprocal, so kfree reads one cache line),
 *                 the live count and a 256-bit allocation bitmap; every other
 *                 page is SLAB_TAIL with its offset back to the head (in
 *                 `back`, which is 0 on every other descriptor, so kfree finds
 *                 the head without a branch). Objects carry no header: the
 *                 bitmap makes double-free detection exact.
 *   large block   LARGE at the head (length, requested size, caller),
 *                 LARGE_TAIL at the last page.
 *
 * Interior pages of runs and large blocks are untagged, so nothing walks or
 * rewrites them. Per class there is a partial-slab list and one cached empty
 * slab; a class that would need a fresh slab first borrows an object from a
 * slightly larger class with a slab's worth to spare, if there is one (see
 * slab_lender()). Further empty slabs and freed large blocks of up to 16 pages
 * go to a page cache that keeps them committed for a while (see "page cache"
 * below), so an alloc/free loop at a boundary does not commit and release
 * every time.
 * Before fresh pages are committed, the cached empty slabs join the page cache
 * and the cache is used or shed first: the caches never raise the peak.
 * Every operation is O(1) apart from copying data and committing pages (and
 * giving back aged cache entries, amortised O(1)); only heap_check() and
 * heap_leak_report() walk the heap.
 *
 * Misuse (double free, pointers the heap never returned, corrupted metadata)
 * is reported through mm_misuse() naming the pointer and the caller; when
 * mm_misuse() returns (host tests) the operation changes nothing.
 *
 * The file is freestanding C11 (no libc): it builds into the kernel and into
 * host programs unchanged.
 */
#include "heap.h"
#include "mm_shim.h"

#ifndef HEAP_DEBUG
#define HEAP_DEBUG 0
#endif

#define PAGE          HEAP_PAGE_SIZE
#define PAGE_SHIFT    12
#define DESC_SIZE     64u
#define DESC_PER_PAGE (PAGE / DESC_SIZE)
#define MAX_PAGES     (1u << 20) /* a 4 GiB range */
#define MAX_META      (MAX_PAGES / DESC_PER_PAGE)
#define NBINS         240u
#define NIL           0u /* page 0 is a descriptor page: never a list member */
#define MAX_SLAB_OBJS 256u
#define PCACHE_MAX_N  16u        /* cache freed blocks of up to 16 pages ... */
#define PCACHE_PAGES  4096u      /* ... at most 16 MiB of them ... */
#define PCACHE_DECAY  (1u << 17) /* ... each for this many heap operations */
#define TRAILER_SIZE  32u        /* debug-mode trailer at the end of a block */
#define REDZONE_MIN   8u

enum page_kind {
    PK_NONE,       /* untagged: interior of a region (or a never-used descriptor) */
    PK_FREE,       /* head of a free run; npages = length */
    PK_FREE_TAIL,  /* last page of a free run of >= 2 pages; npages = length */
    PK_SLAB,       /* first page of a slab */
    PK_SLAB_TAIL,  /* later page of a slab; npages = offset back to the head */
    PK_LARGE,      /* head of a large block; npages = length */
    PK_LARGE_TAIL, /* last page of a large block of >= 2 pages; npages = length */
    PK_COUNT
};

#define PF_PARTIAL 1u /* slab on its class's partial list */
#define PF_EMPTY   2u /* slab cached as its class's empty slab */
#define PF_CACHED  4u /* large block in the large cache */
#define PF_INBIN   8u /* free run in its bin */

struct page_desc {
    union {
        uint32_t map[8]; /* slab: 1 bit per object, 1 = allocated */
        struct {
            uint64_t size, caller;
        } big; /* large: requested size, caller */
    } u;
    uint8_t kind, cls, hint, flags; /* hint: first map word that may have a 0 */
    uint16_t inuse;
    uint8_t spare8;
    uint8_t back;                /* slab page: offset back to the head (0 elsewhere) */
    uint32_t npages, prev, next; /* prev/next: page indices in a list */
    union {
        struct {
            uint32_t age_prev, age_next, cached_at;
        }; /* page cache: age list, time cached */
        struct {
            uint32_t mul;
            uint16_t nobj, size;
        }; /* slab head: its class's, at hand */
    };
};
_Static_assert(sizeof(struct page_desc) == DESC_SIZE, "page descriptor must be 64 bytes");

/* Debug mode: the last TRAILER_SIZE bytes of every block. */
struct dbg_trailer {
    uint32_t magic, size;
    uint64_t alloc_caller, free_caller;
    uint32_t pad[2];
};
_Static_assert(sizeof(struct dbg_trailer) == TRAILER_SIZE, "trailer size");
#define TRAILER_LIVE  0x4c697665u
#define TRAILER_FREED 0x46726565u

/* A word type that may alias anything, for fills, copies and compares. */
typedef uintptr_t __attribute__((may_alias)) heap_word;

/*
 * Steps of 16 bytes up to 512 (kernel objects are mostly small, and a finer
 * step wastes less on rounding), then 8 classes per doubling up to 2048.
 */
static const uint16_t class_size[HEAP_NCLASSES] = {
    16,  32,  48,  64,  80,  96,  112, 128,  144,  160,  176,  192,  208,  224,  240,  256,
    272, 288, 304, 320, 336, 352, 368, 384,  400,  416,  432,  448,  464,  480,  496,  512,
    576, 640, 704, 768, 832, 896, 960, 1024, 1152, 1280, 1408, 1536, 1664, 1792, 1920, 2048,
};

/* How many larger classes (of at most twice the size) may lend: slab_lender(). */
#define LEND_CLASSES 8u

struct class_info {
    uint32_t mul; /* floor(2^32 / size) + 1: offset * mul >> 32 == offset / size */
    uint16_t nobj;
    uint16_t size;
    uint8_t pages, nwords;
    uint8_t lend_last; /* classes c + 1 .. lend_last may lend objects to c */
};

struct class_state {
    uint32_t partial;                  /* the partial-slab list: allocations come from its head */
    uint64_t allocs, frees, requested; /* live objects: allocs - frees */
    uint32_t empty;                    /* the cached empty slab, or NIL */
    uint32_t slabs;
};

static struct heap {
    struct heap_page_source src;
    uintptr_t base, data, end; /* range, first data page, end */
    uint32_t npages, nmeta;    /* pages in the range, descriptor pages (M) */
    bool ready, debug;
    size_t fast_small;   /* kmalloc's fast path takes sizes below this (0 in debug mode) */
    uintptr_t fast_span; /* kfree's fast path takes [data, data + fast_span) (0 in debug mode) */
    struct class_info ci[HEAP_NCLASSES];
    struct class_state cs[HEAP_NCLASSES];
    uint8_t size_class[HEAP_SMALL_MAX / 16 + 1];
    uint32_t bin_head[NBINS], bin_map[(NBINS + 31) / 32];
    uint32_t pc_head[PCACHE_MAX_N + 1], pc_pages; /* page cache: a list per block length */
    uint32_t age_old, age_new;                    /* ... and all of it oldest first */
    uint32_t clock;                               /* heap operations so far */
    uintptr_t quarantine[HEAP_QUARANTINE_SLOTS];
    uint32_t q_head, q_count;
    /* accounting */
    uint32_t pages_held, pages_peak, meta_held, slab_pages, large_pages, large_live;
    uint32_t free_runs;
    uint64_t large_requested;
    uint64_t large_allocs, large_frees, reallocs, failed, commits, releases;
    uint32_t misuse;
} H;

static uint32_t meta_map[MAX_META / 32]; /* descriptor page committed? */
static uint8_t meta_ref[MAX_META];       /* tagged descriptors in each descriptor page (non-zero: backed) */

/* ------------------------------------------------------------ tiny helpers */

static void fill(void *dst, uint8_t byte, size_t n)
{
    uint8_t *d = dst;
    heap_word w = byte;
    for (size_t i = 1; i < sizeof w; i++)
        w = (w << 8) | byte;
    while (n && ((uintptr_t)d & (sizeof w - 1))) {
        *d++ = byte;
        n--;
    }
    for (; n >= sizeof w; n -= sizeof w, d += sizeof w)
        *(heap_word *)d = w;
    while (n--)
        *d++ = byte;
}

/* Copy n bytes between 16-byte-aligned heap blocks. */
static void copy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (; n >= sizeof(heap_word); n -= sizeof(heap_word), d += sizeof(heap_word), s += sizeof(heap_word))
        *(heap_word *)d = *(const heap_word *)s;
    while (n--)
        *d++ = *s++;
}

/* Offset of the first byte in [p, p + n) that is not `byte`, or n. */
static size_t first_not(const void *p, uint8_t byte, size_t n)
{
    const uint8_t *b = p;
    size_t i = 0;
    heap_word w = byte;
    for (size_t k = 1; k < sizeof w; k++)
        w = (w << 8) | byte;
    while (i < n && ((uintptr_t)(b + i) & (sizeof w - 1)))
        if (b[i] != byte)
            return i;
        else
            i++;
    while (i + sizeof w <= n && *(const heap_word *)(b + i) == w)
        i += sizeof w;
    for (; i < n; i++)
        if (b[i] != byte)
            return i;
    return n;
}

static unsigned ctz32(uint32_t x)
{
    return (unsigned)__builtin_ctz(x);
}
static unsigned log2_32(uint32_t x)
{
    return 31u - (unsigned)__builtin_clz(x);
}

static unsigned popcount32(uint32_t x)
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

#define CALLER() __builtin_return_address(0)
#define MISUSE(...)             \
    do {                        \
        H.misuse++;             \
        mm_misuse(__VA_ARGS__); \
    } while (0)

static inline struct page_desc *desc(uint32_t i)
{
    return (struct page_desc *)(H.base + (uintptr_t)i * DESC_SIZE);
}

static inline uintptr_t page_addr(uint32_t i)
{
    return H.base + ((uintptr_t)i << PAGE_SHIFT);
}

static inline bool meta_committed(uint32_t i)
{
    uint32_t m = i / DESC_PER_PAGE;
    return (meta_map[m / 32] >> (m % 32)) & 1u;
}

static void note_commit(uint32_t n)
{
    H.pages_held += n;
    H.commits++;
    if (H.pages_held > H.pages_peak)
        H.pages_peak = H.pages_held;
}

static void note_release(uint32_t n)
{
    H.pages_held -= n;
    H.releases++;
}

/* ----------------------------------------------- descriptor pages and tags */

/* Make sure descriptor i is backed. 0 on success, -1 when out of memory. */
static int meta_ensure(uint32_t i)
{
    uint32_t m = i / DESC_PER_PAGE;
    if (meta_committed(i))
        return 0;
    if (H.src.commit(H.src.ctx, page_addr(m), 1) != 0)
        return -1;
    fill((void *)page_addr(m), 0, PAGE);
    meta_map[m / 32] |= 1u << (m % 32);
    meta_ref[m] = 0;
    H.meta_held++;
    note_commit(1);
    return 0;
}

/* Give back descriptor i's page if nothing in it is tagged (undoes meta_ensure). */
static void meta_idle(uint32_t i)
{
    uint32_t m = i / DESC_PER_PAGE;
    if (i >= H.npages || !meta_committed(i) || meta_ref[m] != 0)
        return;
    H.src.release(H.src.ctx, page_addr(m), 1);
    meta_map[m / 32] &= ~(1u << (m % 32));
    H.meta_held--;
    note_release(1);
}

/* Tag page i (its descriptor page must be backed). Clears the flags. */
static struct page_desc *set_tag(uint32_t i, enum page_kind kind, uint32_t npages)
{
    struct page_desc *d = desc(i);
    if (d->kind == PK_NONE)
        meta_ref[i / DESC_PER_PAGE]++;
    d->kind = (uint8_t)kind;
    d->flags = 0;
    d->back = 0;
    d->npages = npages;
    return d;
}

/* Untag page i; its descriptor page goes back when nothing in it is tagged. */
static void untag(uint32_t i)
{
    if (!meta_committed(i)) /* already untagged, page given back */
        return;
    struct page_desc *d = desc(i);
    if (d->kind == PK_NONE)
        return;
    d->kind = PK_NONE;
    d->flags = 0;
    d->back = 0;
    if (--meta_ref[i / DESC_PER_PAGE] == 0)
        meta_idle(i);
}

/* ------------------------------------------------------------- free runs */

static unsigned bin_floor(uint32_t n)
{
    if (n < 16)
        return n;
    unsigned fl = log2_32(n);
    return 16 + (fl - 4) * 8 + ((n >> (fl - 3)) & 7);
}

/* The first bin whose runs all hold at least n pages. */
static unsigned bin_ceil(uint32_t n)
{
    if (n < 16)
        return n;
    return bin_floor(n + (1u << (log2_32(n) - 3)) - 1);
}

static void bin_insert(uint32_t h, uint32_t n)
{
    unsigned b = bin_floor(n);
    struct page_desc *d = desc(h);
    d->prev = NIL;
    d->next = H.bin_head[b];
    if (d->next != NIL)
        desc(d->next)->prev = h;
    H.bin_head[b] = h;
    H.bin_map[b / 32] |= 1u << (b % 32);
    d->flags |= PF_INBIN;
    H.free_runs++;
}

static void bin_remove(uint32_t h)
{
    struct page_desc *d = desc(h);
    unsigned b = bin_floor(d->npages);
    if (d->prev != NIL)
        desc(d->prev)->next = d->next;
    else
        H.bin_head[b] = d->next;
    if (d->next != NIL)
        desc(d->next)->prev = d->prev;
    if (H.bin_head[b] == NIL)
        H.bin_map[b / 32] &= ~(1u << (b % 32));
    d->flags &= (uint8_t)~PF_INBIN;
    H.free_runs--;
}

/* Head of a free run of at least n pages, or NIL. */
static uint32_t bin_find(uint32_t n)
{
    unsigned b = bin_ceil(n);
    if (b >= NBINS)
        return NIL;
    unsigned w = b / 32;
    uint32_t bits = H.bin_map[w] & (~0u << (b % 32));
    while (!bits) {
        if (++w >= (NBINS + 31) / 32)
            return NIL;
        bits = H.bin_map[w];
    }
    return H.bin_head[w * 32 + ctz32(bits)];
}

/* Tag a free run [h, h + n) (not in a bin). */
static void tag_run(uint32_t h, uint32_t n)
{
    set_tag(h, PK_FREE, n);
    if (n >= 2)
        set_tag(h + n - 1, PK_FREE_TAIL, n);
}

/*
 * Allocate n committed pages aligned to align_pages pages (a power of two) and
 * return the first page's index, tagged FREE/FREE_TAIL for the caller to
 * retag; with slab set, every page's descriptor is backed. NIL when out of
 * address space or memory; then nothing changed.
 */
static uint32_t pages_alloc(uint32_t n, uint32_t align_pages, bool slab)
{
    uint32_t h = bin_find(n + align_pages - 1);
    if (h == NIL)
        return NIL;
    uint32_t len = desc(h)->npages;
    uint32_t lead = 0;
    if (align_pages > 1) {
        uintptr_t mask = ((uintptr_t)align_pages << PAGE_SHIFT) - 1;
        lead = (uint32_t)((((page_addr(h) + mask) & ~mask) - page_addr(h)) >> PAGE_SHIFT);
    }
    uint32_t a = h + lead;

    /* Back every descriptor the new tags need before changing anything. */
    uint32_t need[4] = {a - 1, a, a + n - 1, a + n};
    int k;
    for (k = 0; k < 4; k++)
        if (need[k] >= h && need[k] < h + len && meta_ensure(need[k]) != 0)
            goto fail;
    if (slab)
        for (uint32_t j = a; j < a + n; j++)
            if (meta_ensure(j) != 0)
                goto fail;
    if (H.src.commit(H.src.ctx, page_addr(a), n) != 0)
        goto fail;
    note_commit(n);

    bin_remove(h);
    if (lead) {
        tag_run(h + lead, len - lead);
        tag_run(h, lead);
        bin_insert(h, lead);
        h = a;
        len -= lead;
    }
    if (len > n) {
        tag_run(h + n, len - n);
        tag_run(h, n);
        bin_insert(h + n, len - n);
    }
    return h;

fail:
    for (k = 0; k < 4; k++)
        if (need[k] >= h && need[k] < h + len)
            meta_idle(need[k]);
    if (slab)
        for (uint32_t j = a; j < a + n; j++)
            meta_idle(j);
    return NIL;
}

/*
 * Give back the n committed pages at h (tagged at h and h + n - 1, interior
 * pages untagged) and merge them with free neighbours into one run.
 */
static void pages_free(uint32_t h, uint32_t n)
{
    H.src.release(H.src.ctx, page_addr(h), n);
    note_release(n);
    tag_run(h, n);

    uint32_t L = h, R = h + n;
    if (h > H.nmeta) {
        struct page_desc *l = desc(h - 1); /* tagged: the neighbour region's last page */
        if (l->kind == PK_FREE || l->kind == PK_FREE_TAIL) {
            L = h - l->npages;
            bin_remove(L);
        }
    }
    if (R < H.npages && desc(R)->kind == PK_FREE) {
        uint32_t rn = desc(R)->npages;
        bin_remove(R);
        R += rn;
    }
    if (L != h || R != h + n) {
        tag_run(L, R - L);
        uint32_t stale[4] = {h - 1, h, h + n - 1, h + n};
        for (int k = 0; k < 4; k++)
            if (stale[k] >= L && stale[k] < R && stale[k] != L && stale[k] != R - 1)
                untag(stale[k]);
    }
    bin_insert(L, R - L);
}

/* ------------------------------------------------------------- page cache */

/*
 * Freed blocks of up to 16 pages (large blocks, and slabs beyond the one empty
 * slab each class keeps) stay committed in a cache, so a workload that frees
 * and allocates again does not pay a release and a commit per page. A cached
 * block is tagged LARGE/LARGE_TAIL with PF_CACHED, sits in a list per length
 * and in one age list; it is reused exactly or split, and given back when it
 * has not been reused for PCACHE_DECAY heap operations, when the cache holds
 * more than PCACHE_PAGES, when fresh pages are needed (so the cache never adds
 * to the peak footprint) and on heap_trim().
 */
static void cache_unlink(uint32_t h)
{
    struct page_desc *d = desc(h);
    if (d->prev != NIL)
        desc(d->prev)->next = d->next;
    else
        H.pc_head[d->npages] = d->next;
    if (d->next != NIL)
        desc(d->next)->prev = d->prev;
    if (d->age_prev != NIL)
        desc(d->age_prev)->age_next = d->age_next;
    else
        H.age_old = d->age_next;
    if (d->age_next != NIL)
        desc(d->age_next)->age_prev = d->age_prev;
    else
        H.age_new = d->age_prev;
    d->flags = 0;
    H.pc_pages -= d->npages;
}

/* Cache the committed block at h, tagged LARGE (and LARGE_TAIL) with its length. */
static void cache_push(uint32_t h)
{
    struct page_desc *d = desc(h);
    d->flags = PF_CACHED;
    d->prev = NIL;
    d->next = H.pc_head[d->npages];
    if (d->next != NIL)
        desc(d->next)->prev = h;
    H.pc_head[d->npages] = h;
    d->age_next = NIL;
    d->age_prev = H.age_new;
    if (H.age_new != NIL)
        desc(H.age_new)->age_next = h;
    else
        H.age_old = h;
    H.age_new = h;
    d->cached_at = H.clock;
    H.pc_pages += d->npages;
}

/* Give back cached blocks, oldest first: at least n pages, or all stale ones. */
static void cache_shed(uint32_t n)
{
    uint32_t freed = 0;
    while (H.age_old != NIL) {
        uint32_t h = H.age_old, m = desc(h)->npages;
        if (freed >= n && H.clock - desc(h)->cached_at < PCACHE_DECAY && H.pc_pages <= PCACHE_PAGES)
            break;
        cache_unlink(h);
        pages_free(h, m);
        freed += m;
    }
}

/* Retag the block [h, h + n) as a large block (flags cleared). */
static void tag_large(uint32_t h, uint32_t n)
{
    set_tag(h, PK_LARGE, n);
    if (n >= 2)
        set_tag(h + n - 1, PK_LARGE_TAIL, n);
}

/* A cached block of n pages (split from a longer one if need be), or NIL. */
static uint32_t cache_take(uint32_t n)
{
    for (uint32_t m = n; m <= PCACHE_MAX_N; m++) {
        uint32_t h = H.pc_head[m];
        if (h == NIL)
            continue;
        if (m > n && (meta_ensure(h + n - 1) != 0 || meta_ensure(h + n) != 0)) {
            meta_idle(h + n - 1);
            return NIL;
        }
        cache_unlink(h);
        if (m > n) {
            tag_large(h + n, m - n);
            tag_large(h, n);
            cache_push(h + n);
        }
        return h;
    }
    return NIL;
}

/* ------------------------------------------------------------------ slabs */

/*
 * Each class keeps its partial slabs in one list and allocates from its head,
 * the first free object by the bitmap. A full slab that gets an object back
 * goes to the head: it is nearly full, and its descriptor was just touched.
 * A full slab is on no list; an empty one becomes the class's cached empty
 * slab or goes to the page cache. (In a steady state the fast paths move a
 * slab on or off the list on almost every call.)
 */
static inline void partial_push(struct class_state *cs, uint32_t h, struct page_desc *d)
{
    uint32_t next = cs->partial;
    d->flags = PF_PARTIAL;
    d->prev = NIL;
    d->next = next;
    if (next != NIL)
        desc(next)->prev = h;
    cs->partial = h;
}

static inline void partial_remove(struct class_state *cs, struct page_desc *d)
{
    uint32_t prev = d->prev, next = d->next;
    if (next != NIL)
        desc(next)->prev = prev;
    if (prev != NIL)
        desc(prev)->next = next;
    else
        cs->partial = next;
    d->flags = 0;
}

static void slab_reset_map(struct page_desc *d, const struct class_info *ci)
{
    for (unsigned w = 0; w < 8; w++) {
        unsigned lo = w * 32;
        if (lo >= ci->nobj)
            d->u.map[w] = ~0u;
        else if (ci->nobj - lo >= 32)
            d->u.map[w] = 0;
        else
            d->u.map[w] = ~0u << (ci->nobj - lo); /* bits past the last object read as taken */
    }
    d->hint = 0;
}

static void slab_release(unsigned c, uint32_t h)
{
    uint32_t n = H.ci[c].pages;
    for (uint32_t j = 1; j + 1 < n; j++)
        untag(h + j);
    H.cs[c].slabs--;
    H.slab_pages -= n;
    tag_large(h, n);
    cache_push(h);
    cache_shed(0);
}

/*
 * Before committing fresh pages, hand every class's cached empty slab to the
 * page cache, where any class or large block can reuse it: the hysteresis
 * caches never add to the peak footprint.
 */
static void slabs_uncache_empty(void)
{
    for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
        uint32_t h = H.cs[c].empty;
        if (h != NIL) {
            H.cs[c].empty = NIL;
            desc(h)->flags = 0;
            slab_release(c, h);
        }
    }
}

/* A fresh slab for class c (on no list), or NIL when out of memory. */
static uint32_t slab_new(unsigned c)
{
    const struct class_info *ci = &H.ci[c];
    uint32_t h = cache_take(ci->pages);
    if (h == NIL) {
        slabs_uncache_empty();
        h = cache_take(ci->pages);
    }
    if (h != NIL) {
        for (uint32_t j = 1; j + 1 < ci->pages; j++) {
            if (meta_ensure(h + j) != 0) {
                for (uint32_t k = 1; k <= j; k++)
                    meta_idle(h + k);
                cache_push(h);
                return NIL;
            }
        }
    } else {
        cache_shed(ci->pages);
        h = pages_alloc(ci->pages, 1, true);
        if (h == NIL)
            return NIL;
    }
    struct page_desc *d = set_tag(h, PK_SLAB, ci->pages);
    for (uint32_t j = 1; j < ci->pages; j++)
        set_tag(h + j, PK_SLAB_TAIL, j)->back = (uint8_t)j;
    d->cls = (uint8_t)c;
    d->inuse = 0;
    d->mul = ci->mul;
    d->nobj = ci->nobj;
    d->size = ci->size;
    slab_reset_map(d, ci);
    H.cs[c].slabs++;
    H.slab_pages += ci->pages;
    return h;
}

/*
 * Take the first free object of slab h, the head of class c's partial list
 * (descriptor d), from bitmap word w (its hint, which has a free object). A
 * slab that fills up leaves the list.
 */
static inline void *slab_take(unsigned c, uint32_t h, struct page_desc *d, unsigned w)
{
    uint32_t m = d->u.map[w];
    unsigned bit = ctz32(~m);
    void *p = (void *)(page_addr(h) + (uintptr_t)(w * 32 + bit) * d->size);
    m |= 1u << bit;
    d->u.map[w] = m;
    if (++d->inuse == d->nobj) {
        partial_remove(&H.cs[c], d);
        d->hint = 8; /* full: the first free word is past the map */
    } else if (m == ~0u) {
        while (d->u.map[++w] == ~0u) /* a free object is left: the scan stops in the map */
            ;
        d->hint = (uint8_t)w;
    }
    return p;
}

/*
 * A class that lends: one of c + 1 .. lend_last holding at least a whole
 * slab's worth of free objects on its partial slabs, or HEAP_NCLASSES if none.
 *
 * Why lend: with many sizes in use, each class's population goes up and down,
 * and a slab goes back only once all of its objects are freed, so every class
 * ends up holding free objects scattered over its slabs (objects cannot be
 * moved to pack them). Letting a class that is growing take a slightly larger
 * free object that another class is holding anyway, instead of committing a
 * fresh slab, shares that slack between neighbouring classes. The lender must
 * hold a slab's worth of spare objects, so it does not run short itself; the
 * cost is at most twice the object size, and only for objects that would
 * otherwise have needed new memory. (On the mixed-size benchmark it takes the
 * peak from 1482 to 1441 pages; see docs/04-the-heap.md.)
 */
static unsigned slab_lender(unsigned c)
{
    for (unsigned b = c + 1; b <= H.ci[c].lend_last; b++) {
        const struct class_state *cs = &H.cs[b];
        if (cs->partial == NIL)
            continue;
        /* Objects in its full and partial slabs (the cached empty one is its
         * reserve, not spare), less the live ones: the free objects it holds. */
        uint64_t held = (uint64_t)(cs->slabs - (cs->empty != NIL)) * H.ci[b].nobj;
        if (held - (cs->allocs - cs->frees) >= H.ci[b].nobj)
            return b;
    }
    return HEAP_NCLASSES;
}

/*
 * An object of class c (or, with may_lend, of a class that lends to c: *served
 * says which), or NULL when out of memory. In order: the class's partial
 * slabs, its cached empty slab, a lending class, a fresh slab.
 */
static void *slab_alloc(unsigned c, bool may_lend, unsigned *served)
{
    *served = c;
    struct class_state *cs = &H.cs[c];
    uint32_t h = cs->partial;
    if (h == NIL) {
        unsigned b;
        h = cs->empty;
        if (h != NIL) {
            cs->empty = NIL;
        } else if (may_lend && (b = slab_lender(c)) < HEAP_NCLASSES) {
            c = b;
            cs = &H.cs[b];
            h = cs->partial;
        } else if (!H.ready || (h = slab_new(c)) == NIL) {
            return NULL;
        }
        if (h != cs->partial)
            partial_push(cs, h, desc(h));
    }
    *served = c;
    struct page_desc *d = desc(h);
    if (d->hint >= 8 || d->u.map[d->hint] == ~0u) {
        MISUSE("heap: corrupted metadata: partial slab %p of class %u has no free object at its hint %u\n",
               (void *)page_addr(h), c, d->hint);
        return NULL;
    }
    return slab_take(c, h, d, d->hint);
}

/*
 * Slab h (descriptor d) of class c just got object (w, bit) back and stays
 * in use: update its bitmap and count, and its place in the partial list.
 */
static inline void slab_put(unsigned c, uint32_t h, struct page_desc *d, unsigned w, uint32_t bit)
{
    struct class_state *cs = &H.cs[c];
    d->u.map[w] &= ~bit;
    d->hint = (uint8_t)(w < d->hint ? w : d->hint);
    cs->frees++;
    if (d->inuse-- == d->nobj)
        partial_push(cs, h, d); /* was full */
}

/* Return object (w, bit) of slab h to it: the object was validated. */
static void slab_free_obj(unsigned c, uint32_t h, struct page_desc *d, unsigned w, uint32_t bit)
{
    struct class_state *cs = &H.cs[c];
    if (d->inuse != 1) {
        slab_put(c, h, d, w, bit);
        return;
    }
    d->u.map[w] &= ~bit;
    d->hint = (uint8_t)(w < d->hint ? w : d->hint);
    cs->frees++;
    d->inuse = 0;
    if (d->flags & PF_PARTIAL)
        partial_remove(cs, d);
    if (cs->empty == NIL) {
        cs->empty = h;
        d->flags = PF_EMPTY;
    } else {
        slab_release(c, h);
    }
}

/* ------------------------------------------------------------ large blocks */

static uint32_t large_alloc_pages(uint32_t n, uint32_t align_pages)
{
    uint32_t h = NIL;
    if (align_pages <= 1 && n <= PCACHE_MAX_N && !H.debug)
        h = cache_take(n);
    if (h != NIL)
        return h;
    slabs_uncache_empty();
    cache_shed(n);
    h = pages_alloc(n, align_pages, false);
    if (h != NIL)
        tag_large(h, n);
    return h;
}

static void large_free_pages(uint32_t h, uint32_t n)
{
    if (!H.debug && n <= PCACHE_MAX_N) {
        cache_push(h);
        cache_shed(0);
    } else {
        pages_free(h, n);
    }
}

/* ------------------------------------------------------------- debug mode */

static struct dbg_trailer *trailer_of(uintptr_t a, size_t block)
{
    return (struct dbg_trailer *)(a + block - TRAILER_SIZE);
}

static void dbg_arm(uintptr_t a, size_t block, size_t size, void *caller)
{
    fill((void *)a, HEAP_POISON_ALLOC, size);
    fill((void *)(a + size), HEAP_POISON_REDZONE, block - TRAILER_SIZE - size);
    struct dbg_trailer *t = trailer_of(a, block);
    t->magic = TRAILER_LIVE;
    t->size = (uint32_t)size;
    t->alloc_caller = (uint64_t)(uintptr_t)caller;
    t->free_caller = 0;
}

/* Check a live block's trailer and redzone: -1 (reported) if damaged, else 0. */
static int dbg_check_live(uintptr_t a, size_t block, void *caller)
{
    struct dbg_trailer *t = trailer_of(a, block);
    if (t->magic != TRAILER_LIVE || t->size > block - TRAILER_SIZE - REDZONE_MIN) {
        MISUSE("heap: trailer of %p overwritten (block of %u bytes) (caller %p)\n", (void *)a,
               (unsigned)block, caller);
        return -1;
    }
    size_t rz = block - TRAILER_SIZE - t->size;
    size_t off = first_not((void *)(a + t->size), HEAP_POISON_REDZONE, rz);
    if (off != rz) {
        MISUSE("heap: redzone of %p (size %u) overwritten at offset %u (allocated by %p) (caller %p)\n",
               (void *)a, (unsigned)t->size, (unsigned)(t->size + off), (void *)(uintptr_t)t->alloc_caller,
               caller);
        return -1;
    }
    return 0;
}

/* An object leaves the quarantine: check it was not written, then really free it. */
static void quarantine_evict(uintptr_t a)
{
    uint32_t i = (uint32_t)((a - H.base) >> PAGE_SHIFT);
    struct page_desc *d = desc(i);
    uint32_t h = d->kind == PK_SLAB_TAIL ? i - d->npages : i;
    d = desc(h);
    unsigned c = d->cls;
    size_t block = class_size[c];
    struct dbg_trailer *t = trailer_of(a, block);
    size_t off = first_not((void *)a, HEAP_POISON_FREE, block - TRAILER_SIZE);
    if (off != block - TRAILER_SIZE || t->magic != TRAILER_FREED)
        MISUSE("heap: use after free: %p written at offset %u after kfree (size %u, allocated by %p, freed "
               "by %p)\n",
               (void *)a, (unsigned)(off != block - TRAILER_SIZE ? off : block - TRAILER_SIZE),
               (unsigned)t->size, (void *)(uintptr_t)t->alloc_caller, (void *)(uintptr_t)t->free_caller);
    uint32_t idx = (uint32_t)(((uint64_t)(uint32_t)(a - page_addr(h)) * H.ci[c].mul) >> 32);
    slab_free_obj(c, h, d, idx / 32, 1u << (idx % 32));
}

static void quarantine_push(uintptr_t a)
{
    if (H.q_count == HEAP_QUARANTINE_SLOTS) {
        uintptr_t old = H.quarantine[H.q_head];
        H.quarantine[H.q_head] = a;
        H.q_head = (H.q_head + 1) % HEAP_QUARANTINE_SLOTS;
        quarantine_evict(old);
        return;
    }
    H.quarantine[(H.q_head + H.q_count) % HEAP_QUARANTINE_SLOTS] = a;
    H.q_count++;
}

void heap_quarantine_flush(void)
{
    while (H.q_count) {
        uintptr_t a = H.quarantine[H.q_head];
        H.q_head = (H.q_head + 1) % HEAP_QUARANTINE_SLOTS;
        H.q_count--;
        quarantine_evict(a);
    }
}

/* ---------------------------------------------------------- the front end */

static const char op_kfree[] = "kfree";

/* Where a pointer lives, as lookup() found it. */
struct loc {
    uintptr_t a;
    uint32_t h;          /* head page of the slab or large block */
    struct page_desc *d; /* its descriptor */
    bool small;
    unsigned c, w; /* small: class, bitmap word */
    uint32_t bit;  /* small: bitmap bit */
    size_t block;  /* bytes in the block (class size, or pages * 4096) */
};

/*
 * Find the live allocation ptr names. On misuse (a pointer outside the heap,
 * misaligned, not the start of a block, already free) report it naming `op`
 * and the caller, and return -1.
 */
static int lookup(const void *ptr, const char *op, void *caller, struct loc *l)
{
    uintptr_t a = (uintptr_t)ptr;
    l->a = a;
    if (!H.ready || a < H.data || a >= H.end) {
        MISUSE("heap: %s of %p, a foreign pointer outside the heap (caller %p)\n", op, ptr, caller);
        return -1;
    }
    if (a & 15) {
        MISUSE("heap: %s of misaligned pointer %p, never returned by kmalloc (caller %p)\n", op, ptr, caller);
        return -1;
    }
    uint32_t i = (uint32_t)((a - H.base) >> PAGE_SHIFT);
    struct page_desc *d = meta_committed(i) ? desc(i) : NULL;
    unsigned kind = d ? d->kind : PK_NONE;
    switch (kind) {
    case PK_SLAB_TAIL:
    case PK_SLAB: {
        uint32_t h = kind == PK_SLAB ? i : i - d->npages;
        if (h < H.nmeta || h > i || !meta_committed(h) || desc(h)->kind != PK_SLAB) {
            MISUSE("heap: corrupted metadata: page %p claims a slab head at page %u (%s of %p, caller %p)\n",
                   (void *)page_addr(i), (unsigned)h, op, ptr, caller);
            return -1;
        }
        d = desc(h);
        unsigned c = d->cls;
        if (c >= HEAP_NCLASSES || d->npages != H.ci[c].pages) {
            MISUSE("heap: corrupted metadata: slab %p has class %u (%s of %p, caller %p)\n",
                   (void *)page_addr(h), c, op, ptr, caller);
            return -1;
        }
        uint32_t off = (uint32_t)(a - page_addr(h));
        uint32_t idx = (uint32_t)(((uint64_t)off * H.ci[c].mul) >> 32);
        if (idx >= H.ci[c].nobj || idx * class_size[c] != off) {
            MISUSE("heap: %s of %p, never returned by kmalloc: inside a %u-byte slab object (caller %p)\n",
                   op, ptr, (unsigned)class_size[c], caller);
            return -1;
        }
        l->h = h, l->d = d, l->small = true, l->c = c;
        l->w = idx / 32, l->bit = 1u << (idx % 32), l->block = class_size[c];
        bool quarantined =
            H.debug && (d->u.map[l->w] & l->bit) && trailer_of(a, l->block)->magic == TRAILER_FREED;
        if (!(d->u.map[l->w] & l->bit) || quarantined) {
            if (op == op_kfree)
                MISUSE("heap: double free of %p (caller %p)\n", ptr, caller);
            else
                MISUSE("heap: %s of %p, which is free (caller %p)\n", op, ptr, caller);
            return -1;
        }
        if (d->inuse == 0) {
            MISUSE("heap: corrupted metadata: slab %p counts no objects (%s of %p, caller %p)\n",
                   (void *)page_addr(h), op, ptr, caller);
            return -1;
        }
        return 0;
    }
    case PK_LARGE:
        if (a & (PAGE - 1)) {
            MISUSE("heap: %s of %p, never returned by kmalloc: inside the block at %p (caller %p)\n", op, ptr,
                   (void *)page_addr(i), caller);
            return -1;
        }
        if (d->flags & PF_CACHED) {
            if (op == op_kfree)
                MISUSE("heap: double free of %p (caller %p)\n", ptr, caller);
            else
                MISUSE("heap: %s of %p, which is free (caller %p)\n", op, ptr, caller);
            return -1;
        }
        l->h = i, l->d = d, l->small = false, l->block = (size_t)d->npages << PAGE_SHIFT;
        return 0;
    case PK_LARGE_TAIL:
        MISUSE("heap: %s of %p, never returned by kmalloc: inside the block at %p (caller %p)\n", op, ptr,
               (void *)page_addr(i + 1 - d->npages), caller);
        return -1;
    case PK_FREE:
    case PK_FREE_TAIL:
    case PK_NONE:
        if (!(a & (PAGE - 1)) && kind != PK_NONE && op == op_kfree)
            MISUSE("heap: double free of %p (caller %p)\n", ptr, caller);
        else
            MISUSE("heap: %s of %p, never returned by kmalloc or already freed (caller %p)\n", op, ptr,
                   caller);
        return -1;
    default:
        MISUSE("heap: corrupted metadata: page %p has kind %u (%s of %p, caller %p)\n", (void *)page_addr(i),
               kind, op, ptr, caller);
        return -1;
    }
}

/* Bytes a block needs for a request of size (debug mode adds redzone + trailer). */
static size_t block_need(size_t size)
{
    return H.debug ? size + REDZONE_MIN + TRAILER_SIZE : size;
}

/* Kept out of line so that the fast paths, which fall back on them, stay lean. */
#define SLOW_PATH __attribute__((noinline))

static SLOW_PATH void *alloc(size_t size, size_t align, void *caller)
{
    if (!H.ready || size > H.end - H.data) {
        H.failed++;
        return NULL;
    }
    H.clock++;
    size_t need = block_need(size);
    if (need == 0)
        need = 1;
    void *p = NULL;
    size_t block = 0;
    if (need <= HEAP_SMALL_MAX && align <= HEAP_SMALL_MAX) {
        unsigned c = H.size_class[(need + 15) >> 4];
        if (align > 16) { /* power-of-two classes are naturally aligned */
            size_t pow = 16;
            while (pow < need || pow < align)
                pow <<= 1;
            c = H.size_class[pow >> 4];
        }
        p = slab_alloc(c, align <= 16, &c);
        if (p) {
            H.cs[c].allocs++;
            H.cs[c].requested += size;
            block = class_size[c];
        }
    } else {
        uint32_t n = (uint32_t)((need + PAGE - 1) >> PAGE_SHIFT);
        uint32_t ap = align > PAGE ? (uint32_t)(align >> PAGE_SHIFT) : 1;
        uint32_t h = large_alloc_pages(n, ap);
        if (h != NIL) {
            struct page_desc *d = desc(h);
            d->u.big.size = size;
            d->u.big.caller = (uint64_t)(uintptr_t)caller;
            H.large_pages += n;
            H.large_live++;
            H.large_requested += size;
            p = (void *)page_addr(h);
            H.large_allocs++;
        }
        block = (size_t)n << PAGE_SHIFT;
    }
    if (!p) {
        H.failed++;
        return NULL;
    }
    if (H.debug)
        dbg_arm((uintptr_t)p, block, size, caller);
    return p;
}

static void large_account_free(struct page_desc *d)
{
    H.large_pages -= d->npages;
    H.large_live--;
    H.large_requested -= d->u.big.size;
}

static void release(const struct loc *l, void *caller)
{
    if (H.debug) {
        dbg_check_live(l->a, l->block, caller); /* reports damage; the block is freed all the same */
        struct dbg_trailer *t = trailer_of(l->a, l->block);
        fill((void *)l->a, HEAP_POISON_FREE, l->block - TRAILER_SIZE);
        t->magic = TRAILER_FREED;
        t->free_caller = (uint64_t)(uintptr_t)caller;
    }
    H.clock++;
    if (l->small) {
        if (H.debug)
            quarantine_push(l->a);
        else
            slab_free_obj(l->c, l->h, l->d, l->w, l->bit);
    } else {
        H.large_frees++;
        large_account_free(l->d);
        large_free_pages(l->h, l->d->npages);
    }
}

static SLOW_PATH void heap_free(void *ptr, void *caller)
{
    struct loc l;
    if (!ptr)
        return;
    if (lookup(ptr, op_kfree, caller, &l) == 0)
        release(&l, caller);
}

/*
 * kmalloc's fast path: a small size on a ready heap outside debug mode, and a
 * partial slab in the class. Everything else goes through alloc().
 */
void *kmalloc(size_t size)
{
    if (size < H.fast_small) {
        unsigned c = H.size_class[(size + 15) >> 4];
        struct class_state *cs = &H.cs[c];
        uint32_t h = cs->partial;
        if (h != NIL) {
            struct page_desc *d = desc(h);
            unsigned w = d->hint & 7u; /* (a partial slab's hint is below 8) */
            if (d->u.map[w] != ~0u) {
                cs->allocs++;
                cs->requested += size;
                return slab_take(c, h, d, w);
            }
        }
    }
    return alloc(size, 16, CALLER());
}

/*
 * kfree's fast path: a ready heap outside debug mode and an allocated slab
 * object, checked as lookup() checks it, whose slab does not become empty.
 * Everything else (NULL, misuse, large blocks, emptied slabs) goes through
 * heap_free() and its full checks.
 */
void kfree(void *ptr)
{
    uintptr_t a = (uintptr_t)ptr;
    if (a - H.data < H.fast_span && !(a & 15)) {
        uint32_t i = (uint32_t)((a - H.base) >> PAGE_SHIFT);
        if (meta_ref[i / DESC_PER_PAGE] == 0)
            goto slow; /* nothing tagged there: maybe not even backed */
        if (desc(i)->back > i % DESC_PER_PAGE)
            goto slow;                  /* the head's descriptor is in another page */
        uint32_t h = i - desc(i)->back; /* the slab's head page (i itself when not in a slab) */
        struct page_desc *d = desc(h);
        unsigned c = d->cls;
        if (d->kind != PK_SLAB || c >= HEAP_NCLASSES || d->inuse <= 1)
            goto slow; /* not a slab, corrupted, or the slab empties */
        /* off * mul: its high half is off / size and its low half is below mul
         * exactly when size divides off (the multiply and the divisibility
         * test in one; test_reciprocal in tests/host/test_heap.c checks it for
         * every class and every 16-byte offset in a slab). */
        uint32_t off = (uint32_t)(a - page_addr(h));
        uint64_t q = (uint64_t)off * d->mul;
        uint32_t idx = (uint32_t)(q >> 32);
        unsigned w = idx / 32;
        uint32_t bit = 1u << (idx % 32);
        if (idx >= d->nobj || (uint32_t)q >= d->mul || !(d->u.map[w] & bit))
            goto slow;
        slab_put(c, h, d, w, bit);
        return;
    }
slow:
    heap_free(ptr, CALLER());
}

void *kcalloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size) {
        H.failed++;
        return NULL;
    }
    void *p = alloc(n * size, 16, CALLER());
    if (p)
        fill(p, 0, n * size);
    return p;
}

void *kmalloc_aligned(size_t size, size_t align)
{
    void *caller = CALLER();
    if (align == 0 || (align & (align - 1)) || align > HEAP_MAX_ALIGN) {
        MISUSE("heap: kmalloc_aligned(%u, %u): alignment must be a power of two up to %u (caller %p)\n",
               (unsigned)size, (unsigned)align, HEAP_MAX_ALIGN, caller);
        return NULL;
    }
    return alloc(size, align < 16 ? 16 : align, caller);
}

size_t ksize(const void *ptr)
{
    struct loc l;
    if (lookup(ptr, "ksize", CALLER(), &l) != 0)
        return 0;
    if (H.debug)
        return trailer_of(l.a, l.block)->size;
    return l.block;
}

/* Try to resize large block l to n pages where it is. true on success. */
static bool large_resize_in_place(const struct loc *l, uint32_t n)
{
    uint32_t h = l->h, old = l->d->npages;
    if (n == old)
        return true;
    if (n < old) {
        /* Shrink: the tail [h + n, h + old) becomes a block of its own, then is freed. */
        if (meta_ensure(h + n - 1) != 0 || meta_ensure(h + n) != 0) {
            meta_idle(h + n - 1);
            return false;
        }
        set_tag(h, PK_LARGE, n)->flags = 0;
        if (n >= 2)
            set_tag(h + n - 1, PK_LARGE_TAIL, n);
        set_tag(h + n, PK_LARGE, old - n);
        if (old - n >= 2)
            set_tag(h + old - 1, PK_LARGE_TAIL, old - n);
        H.large_pages -= old - n;
        pages_free(h + n, old - n);
        return true;
    }
    /* Grow into the free run that follows, if it is long enough. */
    uint32_t r = h + old, extra = n - old;
    if (r >= H.npages || desc(r)->kind != PK_FREE || desc(r)->npages < extra)
        return false;
    /* Like every commit of fresh pages, this one must not raise the peak while
     * the caches hold pages: give those back first. (That can only lengthen the
     * run at r: no cached block ends right before it, since our block does.) */
    slabs_uncache_empty();
    cache_shed(extra);
    uint32_t rlen = desc(r)->npages;
    if (meta_ensure(h + n - 1) != 0 || meta_ensure(h + n < r + rlen ? h + n : h + n - 1) != 0) {
        meta_idle(h + n - 1);
        return false;
    }
    if (H.src.commit(H.src.ctx, page_addr(r), extra) != 0) {
        meta_idle(h + n - 1);
        meta_idle(h + n);
        return false;
    }
    note_commit(extra);
    bin_remove(r);
    if (rlen > extra) {
        tag_run(r + extra, rlen - extra);
        tag_run(r, extra);
        bin_insert(r + extra, rlen - extra);
    }
    struct page_desc *d = l->d;
    d->npages = n;
    set_tag(h + n - 1, PK_LARGE_TAIL, n);
    if (r != h + n - 1)
        untag(r);
    if (old >= 2)
        untag(h + old - 1);
    H.large_pages += extra;
    return true;
}

void *krealloc(void *ptr, size_t size)
{
    void *caller = CALLER();
    struct loc l;
    if (!ptr)
        return alloc(size, 16, caller);
    if (lookup(ptr, "krealloc", caller, &l) != 0)
        return NULL;
    H.reallocs++;
    size_t have = l.block;
    if (H.debug) {
        if (dbg_check_live(l.a, l.block, caller) != 0)
            return NULL;
        have = trailer_of(l.a, l.block)->size;
    } else if (l.small) {
        if (size <= l.block && (size * 2 > l.block || l.c == 0)) {
            H.cs[l.c].requested += size;
            return ptr;
        }
    } else if (size > HEAP_SMALL_MAX && size <= H.end - H.data) {
        uint32_t n = (uint32_t)((size + PAGE - 1) >> PAGE_SHIFT);
        if (large_resize_in_place(&l, n)) {
            H.large_requested += size - l.d->u.big.size;
            l.d->u.big.size = size;
            return ptr;
        }
    }
    void *q = alloc(size, 16, caller);
    if (!q)
        return NULL;
    copy(q, ptr, have < size ? have : size);
    release(&l, caller);
    return q;
}

/* ------------------------------------------------------ setup and control */

/* The fast paths of kmalloc and kfree run only on a ready heap outside debug mode. */
static void set_fast_paths(void)
{
    bool on = H.ready && !H.debug;
    H.fast_small = on ? HEAP_SMALL_MAX + 1 : 0;
    H.fast_span = on ? H.end - H.data : 0;
}

void heap_init(const struct heap_page_source *src, uintptr_t base, size_t size)
{
    fill(&H, 0, sizeof H);
    fill(meta_map, 0, sizeof meta_map);
    fill(meta_ref, 0, sizeof meta_ref); /* kfree's fast path trusts a non-zero count */
    H.src = *src;
    H.debug = HEAP_DEBUG != 0;

    /* The classes: slab length, objects per slab, and the size lookup table. */
    for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
        uint32_t s = class_size[c], best = 1, best_waste = PAGE;
        for (uint32_t p = 1; p <= 8; p++) {
            uint32_t nobj = p * PAGE / s;
            if (nobj > MAX_SLAB_OBJS)
                break;
            uint32_t waste = p * PAGE - nobj * s;
            if (waste * best < best_waste * p) { /* less waste per page */
                best = p;
                best_waste = waste;
            }
            if (waste <= p * PAGE / 32)
                break;
        }
        struct class_info *ci = &H.ci[c];
        ci->pages = (uint8_t)best;
        ci->nobj = (uint16_t)(best * PAGE / s);
        if (ci->nobj > MAX_SLAB_OBJS)
            ci->nobj = MAX_SLAB_OBJS;
        ci->nwords = (uint8_t)((ci->nobj + 31) / 32);
        ci->size = (uint16_t)s;
        ci->mul = (uint32_t)(0xffffffffu / s) + 1;
    }
    for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
        unsigned last = c;
        while (last + 1 < HEAP_NCLASSES && last + 1 <= c + LEND_CLASSES &&
               class_size[last + 1] <= 2u * class_size[c])
            last++;
        H.ci[c].lend_last = (uint8_t)last;
    }
    for (unsigned k = 0, c = 0; k <= HEAP_SMALL_MAX / 16; k++) {
        while (class_size[c] < k * 16)
            c++;
        H.size_class[k] = (uint8_t)c;
    }

    uintptr_t lo = (base + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    size_t usable = size > lo - base ? size - (lo - base) : 0;
    size_t npages = usable >> PAGE_SHIFT;
    if (npages > MAX_PAGES)
        npages = MAX_PAGES;
    uint32_t nmeta = (uint32_t)((npages + DESC_PER_PAGE - 1) / DESC_PER_PAGE);
    H.base = lo;
    H.npages = (uint32_t)npages;
    H.nmeta = nmeta;
    H.data = lo + ((uintptr_t)nmeta << PAGE_SHIFT);
    H.end = lo + ((uintptr_t)npages << PAGE_SHIFT);
    if (npages < (size_t)nmeta + 16) {
        mm_log("heap: range %p+%u too small, heap disabled\n", (void *)base, (unsigned)size);
        return;
    }
    uint32_t n = H.npages - nmeta;
    if (meta_ensure(nmeta) != 0 || meta_ensure(nmeta + n - 1) != 0) {
        meta_idle(nmeta);
        mm_log("heap: no memory for the first descriptor page, heap disabled\n");
        return;
    }
    tag_run(nmeta, n);
    bin_insert(nmeta, n);
    H.ready = true;
    set_fast_paths();
    mm_log("heap: %u KiB at %p, %u descriptor pages, %u size classes 16..%u, debug %s\n",
           (unsigned)(n * (PAGE / 1024)), (void *)H.data, (unsigned)nmeta, HEAP_NCLASSES, HEAP_SMALL_MAX,
           H.debug ? "on" : "off");
}

static uint32_t live_allocations(void)
{
    uint32_t n = H.large_live;
    for (unsigned c = 0; c < HEAP_NCLASSES; c++)
        n += (uint32_t)(H.cs[c].allocs - H.cs[c].frees);
    return n;
}

int heap_set_debug(bool on)
{
    heap_quarantine_flush();
    if (on == H.debug)
        return 0;
    if (live_allocations() != 0) {
        mm_log("heap: debug mode cannot change while %u allocations are live\n",
               (unsigned)live_allocations());
        return -1;
    }
    heap_trim(); /* cached large blocks carry no trailer state; start clean */
    H.debug = on;
    set_fast_paths();
    mm_log("heap: debug mode %s\n", on ? "on" : "off");
    return 0;
}

bool heap_debug_enabled(void)
{
    return H.debug;
}

size_t heap_trim(void)
{
    size_t before = H.pages_held;
    slabs_uncache_empty();
    cache_shed(H.pc_pages);
    return before - H.pages_held;
}

void heap_stats(struct heap_stats *out)
{
    fill(out, 0, sizeof *out);
    uint32_t cached = H.pc_pages;
    for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
        struct heap_class_stats *s = &out->cls[c];
        const struct class_state *cs = &H.cs[c];
        s->size = class_size[c];
        s->slab_pages = H.ci[c].pages;
        s->objs_per_slab = H.ci[c].nobj;
        s->slabs = cs->slabs;
        s->live = (uint32_t)(cs->allocs - cs->frees);
        s->bytes_held = (uint64_t)cs->slabs * H.ci[c].pages * PAGE;
        s->bytes_live = (uint64_t)s->live * class_size[c];
        out->allocs += cs->allocs;
        out->frees += cs->frees;
        s->bytes_requested = cs->requested;
        s->allocs = cs->allocs;
        s->frees = cs->frees;
        if (cs->empty != NIL)
            cached += H.ci[c].pages;
    }
    out->pages_total = H.npages > H.nmeta ? H.npages - H.nmeta : 0;
    out->pages_held = H.pages_held;
    out->pages_peak = H.pages_peak;
    out->meta_pages = H.meta_held;
    out->slab_pages = H.slab_pages;
    out->large_pages = H.large_pages;
    out->cached_pages = cached;
    out->large_live = H.large_live;
    out->large_bytes_requested = H.large_requested;
    out->free_runs = H.free_runs;
    out->quarantined = H.q_count;
    out->allocs += H.large_allocs;
    out->frees += H.large_frees + H.q_count;
    out->reallocs = H.reallocs;
    out->failed_allocs = H.failed;
    out->commits = H.commits;
    out->releases = H.releases;
    out->misuse_reports = H.misuse;
}

/* ------------------------------------------------------------ inspection */

static bool slab_obj_quarantined(uintptr_t a, size_t block)
{
    return H.debug && trailer_of(a, block)->magic == TRAILER_FREED;
}

size_t heap_leak_report(void)
{
    size_t count = 0;
    if (!H.ready)
        return 0;
    for (uint32_t i = H.nmeta; i < H.npages;) {
        if (!meta_committed(i))
            break; /* broken metadata: heap_check() says more */
        struct page_desc *d = desc(i);
        uint32_t n = d->npages ? d->npages : 1;
        if (d->kind == PK_SLAB) {
            unsigned c = d->cls;
            for (uint32_t k = 0; k < H.ci[c].nobj; k++) {
                if (!(d->u.map[k / 32] & (1u << (k % 32))))
                    continue;
                uintptr_t a = page_addr(i) + (uintptr_t)k * class_size[c];
                if (slab_obj_quarantined(a, class_size[c]))
                    continue;
                count++;
                if (H.debug) {
                    struct dbg_trailer *t = trailer_of(a, class_size[c]);
                    mm_log("heap: live %p size %u caller %p\n", (void *)a, (unsigned)t->size,
                           (void *)(uintptr_t)t->alloc_caller);
                } else {
                    mm_log("heap: live %p size %u (class) caller ?\n", (void *)a, (unsigned)class_size[c]);
                }
            }
        } else if (d->kind == PK_LARGE && !(d->flags & PF_CACHED)) {
            count++;
            mm_log("heap: live %p size %u (%u pages) caller %p\n", (void *)page_addr(i),
                   (unsigned)d->u.big.size, (unsigned)n, (void *)(uintptr_t)d->u.big.caller);
        } else if (d->kind != PK_FREE && d->kind != PK_LARGE) {
            break; /* broken metadata: heap_check() says more */
        }
        i += n;
    }
    mm_log("heap: %u live allocations\n", (unsigned)count);
    return count;
}

#define BAD(...)                 \
    do {                         \
        if (bad++ < 8)           \
            MISUSE(__VA_ARGS__); \
    } while (0)

int heap_check(void)
{
    int bad = 0;
    uint32_t runs = 0, partial[HEAP_NCLASSES] = {0}, slabs[HEAP_NCLASSES] = {0};
    uint32_t live[HEAP_NCLASSES] = {0}, slab_pages = 0, large_pages = 0, large_live = 0;
    uint32_t cached_large = 0, quarantined = 0;
    bool prev_free = false;

    if (!H.ready)
        return 0;
    for (uint32_t i = H.nmeta; i < H.npages;) {
        if (!meta_committed(i)) {
            BAD("heap: check: page %u starts a region but has no descriptor\n", (unsigned)i);
            return bad;
        }
        struct page_desc *d = desc(i);
        uint32_t n = d->npages;
        if (n == 0 || n > H.npages - i) {
            BAD("heap: check: page %u (kind %u) has length %u\n", (unsigned)i, d->kind, (unsigned)n);
            return bad;
        }
        uint32_t tail_kind = PK_NONE;
        switch (d->kind) {
        case PK_FREE:
            runs++;
            tail_kind = PK_FREE_TAIL;
            if (prev_free)
                BAD("heap: check: free run at page %u follows another free run\n", (unsigned)i);
            if (!(d->flags & PF_INBIN))
                BAD("heap: check: free run at page %u is in no bin\n", (unsigned)i);
            break;
        case PK_SLAB: {
            unsigned c = d->cls;
            if (c >= HEAP_NCLASSES || n != H.ci[c].pages) {
                BAD("heap: check: slab at page %u has class %u, length %u\n", (unsigned)i, c, (unsigned)n);
                return bad;
            }
            for (uint32_t j = 1; j < n; j++)
                if (desc(i + j)->kind != PK_SLAB_TAIL || desc(i + j)->npages != j)
                    BAD("heap: check: slab page %u lacks its tail tag\n", (unsigned)(i + j));
            unsigned cnt = 0;
            for (unsigned w = 0; w < 8; w++) {
                uint32_t pad = 0;
                for (unsigned b = 0; b < 32; b++)
                    if (w * 32 + b >= H.ci[c].nobj)
                        pad |= 1u << b;
                if ((d->u.map[w] & pad) != pad)
                    BAD("heap: check: slab at page %u: padding bits clear in word %u\n", (unsigned)i, w);
                cnt += popcount32(d->u.map[w] & ~pad);
                if (w < d->hint && (d->u.map[w] | pad) != ~0u)
                    BAD("heap: check: slab at page %u: hint %u skips a free object\n", (unsigned)i, d->hint);
            }
            if (cnt != d->inuse)
                BAD("heap: check: slab at page %u: bitmap has %u objects, count %u\n", (unsigned)i, cnt,
                    (unsigned)d->inuse);
            uint8_t want = d->inuse == 0 ? PF_EMPTY : d->inuse < H.ci[c].nobj ? PF_PARTIAL : 0;
            if (d->flags != want)
                BAD("heap: check: slab at page %u (%u of %u used) has flags %x\n", (unsigned)i,
                    (unsigned)d->inuse, (unsigned)H.ci[c].nobj, d->flags);
            if (d->inuse < H.ci[c].nobj && (d->hint >= 8 || d->u.map[d->hint] == ~0u))
                BAD("heap: check: slab at page %u (%u of %u used) has no free object at hint %u\n",
                    (unsigned)i, (unsigned)d->inuse, (unsigned)H.ci[c].nobj, d->hint);
            if (d->back != 0)
                BAD("heap: check: slab head at page %u has back offset %u\n", (unsigned)i, d->back);
            if (d->mul != H.ci[c].mul || d->nobj != H.ci[c].nobj || d->size != class_size[c])
                BAD("heap: check: slab at page %u: its copy of class %u's geometry is damaged\n", (unsigned)i,
                    c);
            for (uint32_t j = 1; j < n; j++)
                if (desc(i + j)->back != j)
                    BAD("heap: check: slab page %u has back offset %u, not %u\n", (unsigned)(i + j),
                        desc(i + j)->back, (unsigned)j);
            if (d->inuse == 0 && H.cs[c].empty != i)
                BAD("heap: check: empty slab at page %u is not the cached one\n", (unsigned)i);
            if (d->flags & PF_PARTIAL)
                partial[c]++;
            slabs[c]++;
            live[c] += d->inuse;
            slab_pages += n;
            break;
        }
        case PK_LARGE:
            tail_kind = PK_LARGE_TAIL;
            if (d->flags & PF_CACHED)
                cached_large += n;
            else if (d->flags)
                BAD("heap: check: large block at page %u has flags %x\n", (unsigned)i, d->flags);
            else
                large_live++, large_pages += n;
            break;
        default:
            BAD("heap: check: page %u starts a region but has kind %u\n", (unsigned)i, d->kind);
            return bad;
        }
        if (n >= 2 && tail_kind != PK_NONE &&
            (!meta_committed(i + n - 1) || desc(i + n - 1)->kind != tail_kind ||
             desc(i + n - 1)->npages != n))
            BAD("heap: check: region at page %u (%u pages) lacks its tail tag\n", (unsigned)i, (unsigned)n);
        if (tail_kind != PK_NONE) {
            /* Interior pages are untagged (where their descriptors are backed). */
            for (uint32_t j = i + 1; j + 1 < i + n;) {
                if (!meta_committed(j)) {
                    j = (j / DESC_PER_PAGE + 1) * DESC_PER_PAGE;
                    continue;
                }
                if (desc(j)->kind != PK_NONE)
                    BAD("heap: check: page %u inside region %u is tagged %u\n", (unsigned)j, (unsigned)i,
                        desc(j)->kind);
                j++;
            }
        }
        prev_free = d->kind == PK_FREE;
        i += n;
    }

    /* Bins hold exactly the free runs, each in the right bin. */
    uint32_t binned = 0;
    for (unsigned b = 0; b < NBINS; b++) {
        bool set = (H.bin_map[b / 32] >> (b % 32)) & 1u;
        if (set != (H.bin_head[b] != NIL))
            BAD("heap: check: bin %u bitmap bit disagrees with its list\n", b);
        uint32_t prev = NIL;
        for (uint32_t h = H.bin_head[b]; h != NIL; h = desc(h)->next) {
            if (h < H.nmeta || h >= H.npages || !meta_committed(h) || desc(h)->kind != PK_FREE ||
                bin_floor(desc(h)->npages) != b || desc(h)->prev != prev || ++binned > runs) {
                BAD("heap: check: bin %u holds a bad entry at page %u\n", b, (unsigned)h);
                break;
            }
            prev = h;
        }
    }
    if (binned != runs || runs != H.free_runs)
        BAD("heap: check: %u free runs, %u in bins, %u counted\n", (unsigned)runs, (unsigned)binned,
            (unsigned)H.free_runs);

    for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
        uint32_t k = 0, prev = NIL;
        for (uint32_t h = H.cs[c].partial; h != NIL; h = desc(h)->next) {
            if (h < H.nmeta || h >= H.npages || !meta_committed(h) || desc(h)->kind != PK_SLAB ||
                desc(h)->cls != c || !(desc(h)->flags & PF_PARTIAL) || desc(h)->prev != prev ||
                ++k > partial[c]) {
                BAD("heap: check: class %u partial list holds a bad entry at page %u\n", c, (unsigned)h);
                break;
            }
            prev = h;
        }
        if (k != partial[c])
            BAD("heap: check: class %u: %u partial slabs, %u listed\n", c, (unsigned)partial[c], (unsigned)k);
        uint32_t counted = (uint32_t)(H.cs[c].allocs - H.cs[c].frees);
        if (slabs[c] != H.cs[c].slabs || live[c] != counted)
            BAD("heap: check: class %u: %u slabs / %u live found, %u / %u counted\n", c, (unsigned)slabs[c],
                (unsigned)live[c], (unsigned)H.cs[c].slabs, (unsigned)counted);
        uint32_t e = H.cs[c].empty;
        if (e != NIL && (e < H.nmeta || e >= H.npages || desc(e)->kind != PK_SLAB || desc(e)->inuse != 0))
            BAD("heap: check: class %u caches a bad empty slab at page %u\n", c, (unsigned)e);
    }

    uint32_t lc = 0, aged = 0;
    for (uint32_t n = 1; n <= PCACHE_MAX_N; n++) {
        uint32_t prev = NIL;
        for (uint32_t h = H.pc_head[n]; h != NIL; h = desc(h)->next) {
            if (h < H.nmeta || h >= H.npages || !meta_committed(h) || desc(h)->kind != PK_LARGE ||
                desc(h)->npages != n || !(desc(h)->flags & PF_CACHED) || desc(h)->prev != prev ||
                lc > cached_large) {
                BAD("heap: check: page cache %u holds a bad entry at page %u\n", (unsigned)n, (unsigned)h);
                break;
            }
            lc += n;
            prev = h;
        }
    }
    uint32_t prev = NIL;
    for (uint32_t h = H.age_old; h != NIL; h = desc(h)->age_next) {
        if (h < H.nmeta || h >= H.npages || !meta_committed(h) || !(desc(h)->flags & PF_CACHED) ||
            desc(h)->age_prev != prev || aged > cached_large) {
            BAD("heap: check: page cache age list holds a bad entry at page %u\n", (unsigned)h);
            break;
        }
        aged += desc(h)->npages;
        prev = h;
    }
    if (lc != cached_large || aged != lc || lc != H.pc_pages || prev != H.age_new)
        BAD("heap: check: page cache holds %u pages (%u by age), %u found, %u counted\n", (unsigned)lc,
            (unsigned)aged, (unsigned)cached_large, (unsigned)H.pc_pages);
    if (large_pages != H.large_pages || large_live != H.large_live)
        BAD("heap: check: %u large blocks / %u pages found, %u / %u counted\n", (unsigned)large_live,
            (unsigned)large_pages, (unsigned)H.large_live, (unsigned)H.large_pages);

    /* Descriptor pages: backed exactly while something in them is tagged. */
    uint32_t metas = 0;
    for (uint32_t m = 0; m < H.nmeta; m++) {
        if (!((meta_map[m / 32] >> (m % 32)) & 1u))
            continue;
        metas++;
        unsigned tags = 0;
        for (uint32_t j = m * DESC_PER_PAGE; j < (m + 1) * DESC_PER_PAGE; j++)
            if (desc(j)->kind != PK_NONE)
                tags++;
        if (tags != meta_ref[m] || tags == 0)
            BAD("heap: check: descriptor page %u has %u tags, count %u\n", (unsigned)m, tags,
                (unsigned)meta_ref[m]);
    }
    if (metas != H.meta_held || slab_pages != H.slab_pages ||
        metas + slab_pages + large_pages + cached_large != H.pages_held)
        BAD("heap: check: pages held %u, found %u meta + %u slab + %u large + %u cached\n",
            (unsigned)H.pages_held, (unsigned)metas, (unsigned)slab_pages, (unsigned)large_pages,
            (unsigned)cached_large);

    for (uint32_t k = 0; k < H.q_count; k++) {
        uintptr_t a = H.quarantine[(H.q_head + k) % HEAP_QUARANTINE_SLOTS];
        uint32_t i = (uint32_t)((a - H.base) >> PAGE_SHIFT);
        struct page_desc *d = desc(i);
        uint32_t h = d->kind == PK_SLAB_TAIL ? i - d->npages : i;
        if (desc(h)->kind != PK_SLAB || !slab_obj_quarantined(a, class_size[desc(h)->cls]))
            BAD("heap: check: quarantine entry %p is not a freed slab object\n", (void *)a);
        else
            quarantined++;
    }
    (void)quarantined;
    return bad;
}
