/*
 * tests/host/test_region.c - a process's address-space regions (mm/region.c).
 *
 * Pictures show pages from BASE, one character per page:
 *   A B C   regions (a capital is rw- anon unless the picture says otherwise)
 *   .       nothing mapped
 *   [..]    the range the operation is given
 * Every test starts from an empty set (reset()) and compares the whole set with
 * what it expects, and region_check() with true.
 */
#include <stdlib.h>

#include "check.h"
#include "host_shim.h"
#include "mm/region.h"

#define P    ((uintptr_t)4096)
#define BASE ((uintptr_t)0x40000000)
#define RO   REGION_R
#define RW   (REGION_R | REGION_W)
#define RX   (REGION_R | REGION_X)
#define ANON REGION_ANON
/* The highest page-aligned address: no region can end above it. */
#define TOP  (UINTPTR_MAX & ~(P - 1))

static struct region_set s;

static uintptr_t pg(int i)
{
    return BASE + (uintptr_t)i * P;
}

static struct region R(int a, int b, uint32_t prot, uint32_t kind) {
    return (struct region){pg(a), pg(b), prot, kind};
}

static void
reset(void)
{
    host_alloc_fail_in = 0;
    region_set_free(&s);
    CHECK(s.r == NULL && s.n == 0 && s.cap == 0);
}

static int ins(int a, int b, uint32_t prot, uint32_t kind)
{
    return region_insert(&s, pg(a), pg(b), prot, kind);
}

/* Is set x exactly want[0..n), and consistent? Prints the difference if not. */
static bool same(const struct region_set *x, int n, const struct region *want)
{
    bool ok = region_check(x) && x->n == n;

    for (int i = 0; ok && i < n; i++)
        ok = x->r[i].start == want[i].start && x->r[i].end == want[i].end && x->r[i].prot == want[i].prot &&
             x->r[i].kind == want[i].kind;
    if (!ok) {
        fprintf(stderr, "  set (n=%d, cap=%d, check=%d):", x->n, x->cap, region_check(x));
        for (int i = 0; i < x->n; i++)
            fprintf(stderr, " [%#lx,%#lx) p%u k%u", (unsigned long)x->r[i].start, (unsigned long)x->r[i].end,
                    x->r[i].prot, x->r[i].kind);
        fprintf(stderr, "\n  want:");
        for (int i = 0; i < n; i++)
            fprintf(stderr, " [%#lx,%#lx) p%u k%u", (unsigned long)want[i].start, (unsigned long)want[i].end,
                    want[i].prot, want[i].kind);
        fprintf(stderr, "\n");
    }
    return ok;
}

#define EXPECT_SET(...)                                                \
    do {                                                               \
        const struct region want_[] = {__VA_ARGS__};                   \
        CHECK(same(&s, (int)(sizeof want_ / sizeof want_[0]), want_)); \
    } while (0)
#define EXPECT_EMPTY() CHECK(same(&s, 0, NULL))

/* A copy of the set's entries, to prove an operation changed nothing. */
static struct region saved[64];
static int saved_n;

static void save(void)
{
    saved_n = s.n;
    for (int i = 0; i < s.n; i++)
        saved[i] = s.r[i];
}

#define EXPECT_UNCHANGED() CHECK(same(&s, saved_n, saved))

/* ---------------------------------------------------------------- insert */

/* ........  insert [2,5)  ->  ..AAA...   Expect one region [2,5). */
static void test_insert_empty(void)
{
    reset();
    CHECK_EQ(ins(2, 5, RW, ANON), REGION_OK);
    EXPECT_SET(R(2, 5, RW, ANON));
    CHECK_EQ(region_total(&s), 3 * P);
}

/* ....BB....  insert A [0,2) before B, C [8,10) after it, D [6,7) between (all different
 * kinds)  ->  AA..BBD.CC   Expect four regions in address order. */
static void test_insert_before_after_between(void)
{
    reset();
    CHECK_EQ(ins(4, 6, RW, REGION_BRK), REGION_OK);
    CHECK_EQ(ins(0, 2, RX, REGION_IMAGE), REGION_OK);
    CHECK_EQ(ins(8, 10, RW, REGION_STACK), REGION_OK);
    CHECK_EQ(ins(6, 7, RW, ANON), REGION_OK);
    EXPECT_SET(R(0, 2, RX, REGION_IMAGE), R(4, 6, RW, REGION_BRK), R(6, 7, RW, ANON),
               R(8, 10, RW, REGION_STACK));
    CHECK_EQ(region_total(&s), 7 * P);
}

/* AA......  insert [2,4) same prot and kind  ->  AAAA....   Expect A grown up (brk). */
static void test_merge_left(void)
{
    reset();
    CHECK_EQ(ins(0, 2, RW, REGION_BRK), REGION_OK);
    CHECK_EQ(ins(2, 4, RW, REGION_BRK), REGION_OK);
    EXPECT_SET(R(0, 4, RW, REGION_BRK));
}

/* ......AA  insert [4,6)  ->  ....AAAA   Expect A grown down (a stack). */
static void test_merge_right(void)
{
    reset();
    CHECK_EQ(ins(6, 8, RW, REGION_STACK), REGION_OK);
    CHECK_EQ(ins(4, 6, RW, REGION_STACK), REGION_OK);
    CHECK_EQ(ins(3, 4, RW, REGION_STACK), REGION_OK);
    EXPECT_SET(R(3, 8, RW, REGION_STACK));
}

/* AA..BB  insert [2,4)  ->  AAAAAA   Expect one region: the three merge, B's entry goes. */
static void test_merge_three_way(void)
{
    reset();
    CHECK_EQ(ins(0, 2, RW, ANON), REGION_OK);
    CHECK_EQ(ins(4, 6, RW, ANON), REGION_OK);
    CHECK_EQ(ins(8, 9, RO, ANON), REGION_OK);
    CHECK_EQ(ins(2, 4, RW, ANON), REGION_OK);
    EXPECT_SET(R(0, 6, RW, ANON), R(8, 9, RO, ANON));
}

/* AA..  insert [2,4) with another kind, then [4,6) with another prot: AABBCC - Expect three regions. */
static void test_no_merge_different(void)
{
    reset();
    CHECK_EQ(ins(0, 2, RW, ANON), REGION_OK);
    CHECK_EQ(ins(2, 4, RW, REGION_BRK), REGION_OK);
    CHECK_EQ(ins(4, 6, RO, REGION_BRK), REGION_OK);
    CHECK_EQ(ins(6, 8, RO, ANON), REGION_OK);
    EXPECT_SET(R(0, 2, RW, ANON), R(2, 4, RW, REGION_BRK), R(4, 6, RO, REGION_BRK), R(6, 8, RO, ANON));
}

/* ..AAAA..  insert meeting A at the top [5,7), the bottom [1,3), within [3,4), exactly
 * [2,6), enclosing [1,7), on its first or last page only: Expect REGION_E_OVERLAP each
 * time and A unchanged; then one page touching each end is accepted. */
static void test_overlap_refused(void)
{
    reset();
    CHECK_EQ(ins(2, 6, RW, ANON), REGION_OK);
    save();
    CHECK_EQ(ins(5, 7, RW, ANON), REGION_E_OVERLAP); /* top */
    CHECK_EQ(ins(1, 3, RW, ANON), REGION_E_OVERLAP); /* bottom */
    CHECK_EQ(ins(3, 4, RW, ANON), REGION_E_OVERLAP); /* within */
    CHECK_EQ(ins(2, 6, RW, ANON), REGION_E_OVERLAP); /* exact */
    CHECK_EQ(ins(1, 7, RO, ANON), REGION_E_OVERLAP); /* enclosing */
    CHECK_EQ(ins(5, 6, RO, ANON), REGION_E_OVERLAP); /* the last page */
    CHECK_EQ(ins(2, 3, RO, ANON), REGION_E_OVERLAP); /* the first page */
    EXPECT_UNCHANGED();
    /* but touching is not overlapping */
    CHECK_EQ(ins(6, 7, RO, ANON), REGION_OK);
    CHECK_EQ(ins(1, 2, RO, ANON), REGION_OK);
    EXPECT_SET(R(1, 2, RO, ANON), R(2, 6, RW, ANON), R(6, 7, RO, ANON));
}

/* Unaligned, empty, wrapping ranges, bad prot or kind: Expect REGION_E_ARG, nothing changed. */
static void test_insert_bad_args(void)
{
    reset();
    CHECK_EQ(ins(0, 1, RW, ANON), REGION_OK);
    save();
    CHECK_EQ(region_insert(&s, pg(4) + 1, pg(5), RW, ANON), REGION_E_ARG);
    CHECK_EQ(region_insert(&s, pg(4), pg(5) - 1, RW, ANON), REGION_E_ARG);
    CHECK_EQ(ins(4, 4, RW, ANON), REGION_E_ARG);
    CHECK_EQ(ins(5, 4, RW, ANON), REGION_E_ARG);
    CHECK_EQ(ins(4, 5, 8, ANON), REGION_E_ARG);
    CHECK_EQ(ins(4, 5, RW, 0), REGION_E_ARG);
    CHECK_EQ(ins(4, 5, RW, REGION_STACK + 1), REGION_E_ARG);
    EXPECT_UNCHANGED();
    /* prot 0 (PROT_NONE) and every kind are fine */
    CHECK_EQ(ins(4, 5, 0, REGION_IMAGE), REGION_OK);
    CHECK_EQ(ins(5, 6, RW | REGION_X, REGION_STACK), REGION_OK);
}

/* ---------------------------------------------------------------- remove */

/* ..AAAA..BB  remove [2,6) exactly  ->  ........BB   Expect only B left. */
static void test_remove_exact(void)
{
    reset();
    ins(2, 6, RW, ANON);
    ins(8, 10, RO, ANON);
    CHECK_EQ(region_remove(&s, pg(2), pg(6)), REGION_OK);
    EXPECT_SET(R(8, 10, RO, ANON));
    CHECK_EQ(region_remove(&s, pg(8), pg(10)), REGION_OK);
    EXPECT_EMPTY();
    CHECK(s.r == NULL && s.cap == 0); /* an empty set holds no memory */
}

/* ..AAAA..  remove [1,4) (the head, and a page before it)  ->  ....AA..   Expect [4,6). */
static void test_remove_head(void)
{
    reset();
    ins(2, 6, RW, ANON);
    CHECK_EQ(region_remove(&s, pg(1), pg(4)), REGION_OK);
    EXPECT_SET(R(4, 6, RW, ANON));
}

/* ..AAAA..  remove [5,8) (the tail)  ->  ..AAA...   Expect [2,5). */
static void test_remove_tail(void)
{
    reset();
    ins(2, 6, RW, ANON);
    CHECK_EQ(region_remove(&s, pg(5), pg(8)), REGION_OK);
    EXPECT_SET(R(2, 5, RW, ANON));
}

/* AAAAAAAA  remove [3,5)  ->  AAA..AAA   Expect A split in two, same prot and kind. */
static void test_remove_middle_split(void)
{
    reset();
    ins(0, 8, RX, REGION_IMAGE);
    CHECK_EQ(region_remove(&s, pg(3), pg(5)), REGION_OK);
    EXPECT_SET(R(0, 3, RX, REGION_IMAGE), R(5, 8, RX, REGION_IMAGE));
    CHECK_EQ(region_total(&s), 6 * P);
}

/* AAA.BBCC.DDD..E  remove [1,11)  ->  A..........D..E   Expect A's head and D's tail, B and C gone. */
static void test_remove_spanning(void)
{
    reset();
    ins(0, 3, RW, ANON);
    ins(4, 6, RW, ANON);
    ins(6, 8, RO, ANON);
    ins(9, 12, RW, REGION_STACK);
    ins(14, 15, RW, ANON);
    CHECK_EQ(region_remove(&s, pg(1), pg(11)), REGION_OK);
    EXPECT_SET(R(0, 1, RW, ANON), R(11, 12, RW, REGION_STACK), R(14, 15, RW, ANON));
}

/* .AA..BB.  remove [0,8) (holes before, between and after)  ->  ........   Expect empty. */
static void test_remove_with_holes(void)
{
    reset();
    ins(1, 3, RW, ANON);
    ins(5, 7, RW, ANON);
    CHECK_EQ(region_remove(&s, pg(0), pg(8)), REGION_OK);
    EXPECT_EMPTY();
}

/* .AA..BB.  remove [3,5), [8,20) and from the empty set: Expect OK and nothing changed. */
static void test_remove_nothing(void)
{
    reset();
    CHECK_EQ(region_remove(&s, pg(0), pg(4)), REGION_OK);
    EXPECT_EMPTY();
    ins(1, 3, RW, ANON);
    ins(5, 7, RW, ANON);
    save();
    CHECK_EQ(region_remove(&s, pg(3), pg(5)), REGION_OK);
    CHECK_EQ(region_remove(&s, pg(8), pg(20)), REGION_OK);
    CHECK_EQ(region_remove(&s, 0, pg(1)), REGION_OK);
    EXPECT_UNCHANGED();
    CHECK_EQ(region_remove(&s, pg(1) + 1, pg(3)), REGION_E_ARG);
    CHECK_EQ(region_remove(&s, pg(3), pg(3)), REGION_E_ARG);
    CHECK_EQ(region_remove(&s, pg(3), pg(2)), REGION_E_ARG);
    EXPECT_UNCHANGED();
}

/* --------------------------------------------------------------- protect */

/* AAAA  protect all of it r--  ->  aaaa   Expect one region, now read-only. */
static void test_protect_whole(void)
{
    reset();
    ins(0, 4, RW, ANON);
    CHECK_EQ(region_protect(&s, pg(0), pg(4), RO), REGION_OK);
    EXPECT_SET(R(0, 4, RO, ANON));
}

/* AAAA  protect [0,1) r--  ->  aAAA   Expect the head split off. */
static void test_protect_head(void)
{
    reset();
    ins(0, 4, RW, ANON);
    CHECK_EQ(region_protect(&s, pg(0), pg(1), RO), REGION_OK);
    EXPECT_SET(R(0, 1, RO, ANON), R(1, 4, RW, ANON));
}

/* AAAA  protect [2,4) r-x  ->  AAaa   Expect the tail split off. */
static void test_protect_tail(void)
{
    reset();
    ins(0, 4, RW, ANON);
    CHECK_EQ(region_protect(&s, pg(2), pg(4), RX), REGION_OK);
    EXPECT_SET(R(0, 2, RW, ANON), R(2, 4, RX, ANON));
}

/* AAAAAA  protect [2,4) ---  ->  AAaaAA   Expect three regions; protecting back rw- merges them. */
static void test_protect_middle(void)
{
    reset();
    ins(0, 6, RW, REGION_BRK);
    CHECK_EQ(region_protect(&s, pg(2), pg(4), 0), REGION_OK);
    EXPECT_SET(R(0, 2, RW, REGION_BRK), R(2, 4, 0, REGION_BRK), R(4, 6, RW, REGION_BRK));
    CHECK_EQ(region_protect(&s, pg(2), pg(4), RW), REGION_OK);
    EXPECT_SET(R(0, 6, RW, REGION_BRK));
}

/* AAbbCCdd (A, b, C rw-/r--, d another kind)  protect [1,7) r--  ->  Abbbbbdd
 * Expect A's tail, b and C merged into one r-- anon region; d (stack) stays apart. */
static void test_protect_spanning_merge(void)
{
    reset();
    ins(0, 2, RW, ANON);
    ins(2, 4, RO, ANON);
    ins(4, 6, RW, ANON);
    ins(6, 8, RW, REGION_STACK);
    CHECK_EQ(region_protect(&s, pg(1), pg(7), RO), REGION_OK);
    EXPECT_SET(R(0, 1, RW, ANON), R(1, 6, RO, ANON), R(6, 7, RO, REGION_STACK), R(7, 8, RW, REGION_STACK));
    /* and all of it rw-: two regions, one per kind */
    CHECK_EQ(region_protect(&s, pg(0), pg(8), RW), REGION_OK);
    EXPECT_SET(R(0, 6, RW, ANON), R(6, 8, RW, REGION_STACK));
}

/* AAAA  protect [1,3) with the prot it already has: Expect no split, and no allocation needed. */
static void test_protect_same_prot(void)
{
    reset();
    ins(0, 4, RW, ANON);
    ins(5, 6, RW, ANON);
    ins(7, 8, RW, ANON);
    ins(9, 10, RW, ANON); /* the array is full: cap 4 */
    CHECK_EQ(s.cap, 4);
    host_alloc_fail_in = 1;
    CHECK_EQ(region_protect(&s, pg(1), pg(3), RW), REGION_OK);
    CHECK_EQ(host_alloc_fail_in, 1);
    EXPECT_SET(R(0, 4, RW, ANON), R(5, 6, RW, ANON), R(7, 8, RW, ANON), R(9, 10, RW, ANON));
}

/* AA.BB  protect [0,5), [2,3), [1,4), [4,6), and anything on an empty set:
 * Expect REGION_E_HOLE each time and nothing changed. */
static void test_protect_hole(void)
{
    reset();
    CHECK_EQ(region_protect(&s, pg(0), pg(1), RO), REGION_E_HOLE);
    ins(0, 2, RW, ANON);
    ins(3, 5, RW, ANON);
    save();
    CHECK_EQ(region_protect(&s, pg(0), pg(5), RO), REGION_E_HOLE);
    CHECK_EQ(region_protect(&s, pg(2), pg(3), RO), REGION_E_HOLE);
    CHECK_EQ(region_protect(&s, pg(1), pg(4), RO), REGION_E_HOLE);
    CHECK_EQ(region_protect(&s, pg(4), pg(6), RO), REGION_E_HOLE); /* runs off the end */
    CHECK_EQ(region_protect(&s, pg(-1), pg(1), RO), REGION_E_HOLE);
    CHECK_EQ(region_protect(&s, pg(0), pg(1), 9), REGION_E_ARG);
    CHECK_EQ(region_protect(&s, pg(0), pg(1) + 4, RO), REGION_E_ARG);
    EXPECT_UNCHANGED();
}

/* ------------------------------------------------------------------ find */

/* ..AAAABB..  Expect find() on start, end-1 and end of each region, and in the holes. */
static void test_find_boundaries(void)
{
    reset();
    CHECK(region_find(&s, pg(0)) == NULL);
    CHECK(region_first_from(&s, 0) == NULL);
    ins(2, 6, RW, ANON);
    ins(6, 8, RO, ANON);
    ins(10, 11, RX, REGION_IMAGE);
    const struct region *a = &s.r[0], *b = &s.r[1], *c = &s.r[2];
    CHECK(region_find(&s, 0) == NULL);
    CHECK(region_find(&s, pg(2) - 1) == NULL);
    CHECK(region_find(&s, pg(2)) == a);
    CHECK(region_find(&s, pg(6) - 1) == a);
    CHECK(region_find(&s, pg(6)) == b); /* A's end is B's start */
    CHECK(region_find(&s, pg(8) - 1) == b);
    CHECK(region_find(&s, pg(8)) == NULL);
    CHECK(region_find(&s, pg(10)) == c);
    CHECK(region_find(&s, pg(11) - 1) == c);
    CHECK(region_find(&s, pg(11)) == NULL);
    CHECK(region_find(&s, UINTPTR_MAX) == NULL);
    /* first_from: the region holding va, else the next one up */
    CHECK(region_first_from(&s, 0) == a);
    CHECK(region_first_from(&s, pg(6) - 1) == a);
    CHECK(region_first_from(&s, pg(6)) == b);
    CHECK(region_first_from(&s, pg(8)) == c);
    CHECK(region_first_from(&s, pg(11)) == NULL);
    /* iterating visits each region once, in order */
    int visited = 0;
    for (const struct region *r = region_first_from(&s, 0); r; r = region_first_from(&s, r->end))
        CHECK(r == &s.r[visited++]);
    CHECK_EQ(visited, 3);
    /* range_free */
    CHECK(region_range_free(&s, pg(0), pg(2)));
    CHECK(!region_range_free(&s, pg(0), pg(2) + 1));
    CHECK(region_range_free(&s, pg(8), pg(10)));
    CHECK(!region_range_free(&s, pg(7), pg(10)));
    CHECK(!region_range_free(&s, pg(9), pg(12)));
    CHECK(region_range_free(&s, pg(11), UINTPTR_MAX));
    CHECK(!region_range_free(&s, pg(9), pg(9))); /* empty */
    CHECK(!region_range_free(&s, pg(9), pg(8))); /* wrapping */
}

/* -------------------------------------------------------------- find_gap */

/* ................  Expect the highest fit under top, never below floor, never 0. */
static void test_gap_empty(void)
{
    reset();
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(16), 0), pg(14));
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(16), 5 * P), pg(14)); /* no region: guard is free */
    CHECK_EQ(region_find_gap(&s, 16 * P, pg(0), pg(16), 0), pg(0));     /* exactly fits */
    CHECK_EQ(region_find_gap(&s, 17 * P, pg(0), pg(16), 0), 0);         /* does not */
    CHECK_EQ(region_find_gap(&s, P, 0, P, 0), 0);                       /* only page 0 would do: "none" */
    CHECK_EQ(region_find_gap(&s, P, 0, 2 * P, 0), P);
    CHECK_EQ(region_find_gap(&s, 0, pg(0), pg(16), 0), 0); /* empty request */
}

/* ....AA....BB..|  (top at 14)  Expect fits above B, between, below A, by guard and len. */
static void test_gap_between(void)
{
    reset();
    ins(4, 6, RW, ANON);
    ins(10, 12, RW, ANON);
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(14), 0), pg(12));
    CHECK_EQ(region_find_gap(&s, 3 * P, pg(0), pg(14), 0), pg(7));     /* 2 pages above B only */
    CHECK_EQ(region_find_gap(&s, 4 * P, pg(0), pg(14), 0), pg(6));     /* exactly fills [6,10) */
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(14), P), pg(7));     /* .g[xx]g between */
    CHECK_EQ(region_find_gap(&s, 3 * P, pg(0), pg(14), P), pg(0));     /* [0,3)g below A */
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(14), 2 * P), pg(0)); /* [0,2)gg below A */
    CHECK_EQ(region_find_gap(&s, 3 * P, pg(1), pg(14), P), 0);         /* floor 1 rules that out */
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(7), pg(9), 0), pg(7));      /* top 9 */
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(8), pg(14), P), 0);         /* floor 8 and the guard */
    CHECK_EQ(region_find_gap(&s, 5 * P, pg(0), pg(14), 0), 0);         /* nowhere */
}

/* AA.....BB  (top at 7, inside the gap)  Expect the guard to respect B above top too. */
static void test_gap_region_above_top(void)
{
    reset();
    ins(0, 2, RW, ANON);
    ins(7, 9, RW, ANON);
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(7), 0), pg(5));
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(7), P), pg(4));
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(8), 0), pg(5)); /* top inside B */
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(9), 0), pg(5));
    CHECK_EQ(region_find_gap(&s, 2 * P, pg(0), pg(11), 0), pg(9));
}

/* Unaligned len, guard, floor and top round up, up, up and down; huge values find nothing. */
static void test_gap_rounding_and_overflow(void)
{
    reset();
    ins(4, 6, RW, ANON);
    CHECK_EQ(region_find_gap(&s, P + 1, pg(0), pg(12) + 100, 0), pg(10));
    CHECK_EQ(region_find_gap(&s, P, pg(0), pg(12), 1), pg(11));
    CHECK_EQ(region_find_gap(&s, 3 * P, pg(0) + 1, pg(7), 1), 0); /* [1,4)g: floor rounds up to 1 */
    CHECK_EQ(region_find_gap(&s, 3 * P, pg(0), pg(7), 1), pg(0));
    CHECK_EQ(region_find_gap(&s, SIZE_MAX, 0, UINTPTR_MAX, 0), 0);
    CHECK_EQ(region_find_gap(&s, P, 0, UINTPTR_MAX, SIZE_MAX), 0);
    CHECK_EQ(region_find_gap(&s, P, UINTPTR_MAX, UINTPTR_MAX, 0), 0);
    /* A region at 8 KiB: one page fits below it, but not with a two-page guard
     * (start - len - guard would wrap below 0). */
    reset();
    CHECK_EQ(region_insert(&s, 2 * P, 3 * P, RW, ANON), REGION_OK);
    CHECK_EQ(region_find_gap(&s, P, 0, 2 * P, 0), P);
    CHECK_EQ(region_find_gap(&s, P, 0, 2 * P, 2 * P), 0);
    CHECK_EQ(region_find_gap(&s, 3 * P, 0, 2 * P, 0), 0);
    /* A region at the very top of the address space: below.end + guard would wrap. */
    reset();
    CHECK_EQ(region_insert(&s, TOP - 2 * P, TOP - P, RW, ANON), REGION_OK);
    CHECK_EQ(region_find_gap(&s, P, P, UINTPTR_MAX, 0), TOP - P);
    CHECK_EQ(region_find_gap(&s, P, P, UINTPTR_MAX, 2 * P), TOP - 5 * P);
    CHECK_EQ(region_total(&s), P);
    CHECK_EQ(region_insert(&s, TOP - P, TOP, RW, ANON), REGION_OK);
    CHECK_EQ(region_insert(&s, 0, P, RO, ANON), REGION_OK);
    EXPECT_SET((struct region){0, P, RO, ANON}, (struct region){TOP - 2 * P, TOP, RW, ANON});
    CHECK_EQ(region_total(&s), 3 * P);
    CHECK(region_find(&s, UINTPTR_MAX) == NULL);
    CHECK(region_find(&s, TOP - 1) == &s.r[1]);
}

/* ------------------------------------------------------------------ copy */

/* AA.BB  copied: Expect the same regions in a separate array; a non-empty dst refused. */
static void test_copy(void)
{
    struct region_set d;

    reset();
    region_set_init(&d);
    CHECK_EQ(region_set_copy(&d, &s), REGION_OK); /* empty: allocates nothing */
    CHECK(d.r == NULL && d.n == 0);
    ins(0, 2, RW, ANON);
    ins(3, 5, RX, REGION_IMAGE);
    CHECK_EQ(region_set_copy(&d, &s), REGION_OK);
    CHECK(same(&d, 2, s.r));
    CHECK(d.r != s.r);
    CHECK_EQ(region_set_copy(&d, &s), REGION_E_ARG);
    CHECK_EQ(region_remove(&s, pg(0), pg(5)), REGION_OK); /* the copy does not follow */
    CHECK_EQ(d.n, 2);
    CHECK_EQ(region_total(&d), 4 * P);
    region_set_free(&d);
    CHECK(d.r == NULL && d.n == 0 && d.cap == 0);
}

/* ----------------------------------------------------- out of memory */

/* A|B|C|D fill the array (cap 4). Expect each operation that needs a fifth entry
 * to fail with REGION_E_NOMEM and leave the set as it was; then succeed. */
static void test_nomem(void)
{
    struct region_set d;

    reset();
    ins(0, 4, RW, ANON);
    ins(5, 6, RW, ANON);
    ins(7, 8, RW, ANON);
    ins(9, 10, RW, ANON);
    CHECK_EQ(s.cap, 4);
    save();

    /* insert a new, unmergeable region */
    host_alloc_fail_in = 1;
    CHECK_EQ(ins(11, 12, RO, ANON), REGION_E_NOMEM);
    EXPECT_UNCHANGED();
    /* insert that merges needs no entry: no allocation is even tried */
    host_alloc_fail_in = 1;
    CHECK_EQ(ins(10, 11, RW, ANON), REGION_OK);
    CHECK_EQ(host_alloc_fail_in, 1);
    CHECK_EQ(region_remove(&s, pg(10), pg(11)), REGION_OK);
    CHECK_EQ(host_alloc_fail_in, 1);
    EXPECT_UNCHANGED();

    /* remove from the middle of A: a split */
    CHECK_EQ(region_remove(&s, pg(1), pg(2)), REGION_E_NOMEM);
    EXPECT_UNCHANGED();
    /* protect the middle of A: two splits */
    host_alloc_fail_in = 1;
    CHECK_EQ(region_protect(&s, pg(1), pg(2), RO), REGION_E_NOMEM);
    EXPECT_UNCHANGED();
    /* copy */
    region_set_init(&d);
    host_alloc_fail_in = 1;
    CHECK_EQ(region_set_copy(&d, &s), REGION_E_NOMEM);
    CHECK(d.r == NULL && d.n == 0 && d.cap == 0);
    /* the second allocation failing does not touch the first */
    host_alloc_fail_in = 2;
    CHECK_EQ(region_set_copy(&d, &s), REGION_OK);
    CHECK_EQ(region_protect(&s, pg(1), pg(2), RO), REGION_E_NOMEM);
    EXPECT_UNCHANGED();

    /* with memory: A becomes A a A, and the array doubles */
    CHECK_EQ(host_alloc_fail_in, 0);
    CHECK_EQ(region_protect(&s, pg(1), pg(2), RO), REGION_OK);
    CHECK_EQ(s.cap, 8);
    EXPECT_SET(R(0, 1, RW, ANON), R(1, 2, RO, ANON), R(2, 4, RW, ANON), R(5, 6, RW, ANON), R(7, 8, RW, ANON),
               R(9, 10, RW, ANON));
    CHECK(same(&d, saved_n, saved));
    region_set_free(&d);
}

/* 16 one-page regions, then removed from the top one by one. Expect the array to
 * grow 4, 8, 16 and shrink at a quarter full: 8 at n=4; at n=2 the shrink fails
 * (harmless: the removal succeeds), so 4 at n=1; no array at n=0. */
static void test_grow_shrink(void)
{
    reset();
    for (int i = 0; i < 16; i++) {
        CHECK_EQ(ins(2 * i, 2 * i + 1, RW, ANON), REGION_OK);
        CHECK_EQ(s.cap, i < 4 ? 4 : i < 8 ? 8 : 16);
    }
    CHECK_EQ(region_total(&s), 16 * P);
    for (int i = 15; i >= 0; i--) {
        if (i == 2)
            host_alloc_fail_in = 1; /* the shrink at n=2 fails */
        CHECK_EQ(region_remove(&s, pg(2 * i), pg(2 * i + 1)), REGION_OK);
        CHECK(region_check(&s));
        CHECK_EQ(s.n, i);
        CHECK_EQ(s.cap, i > 4 ? 16 : i >= 2 ? 8 : i == 1 ? 4 : 0);
    }
    CHECK(s.r == NULL);
    /* a shrink that works */
    for (int i = 0; i < 9; i++)
        ins(2 * i, 2 * i + 1, RW, ANON);
    CHECK_EQ(s.cap, 16);
    CHECK_EQ(region_remove(&s, pg(0), pg(13)), REGION_OK); /* 9 -> 2 */
    CHECK_EQ(s.cap, 8);
    EXPECT_SET(R(14, 15, RW, ANON), R(16, 17, RW, ANON));
}

/* ------------------------------------------------------------ region_check */

/* Hand-made broken sets: a good first region, then each bad second one in turn.
 * Expect region_check() to accept the good pair and refuse every other. */
static void test_check_catches(void)
{
    const struct region second[] = {
        R(2, 4, RW, ANON),            /* adjacent and alike: should have been merged */
        R(1, 4, RO, ANON),            /* overlapping */
        R(3, 3, RO, ANON),            /* empty */
        {pg(3), pg(4) + 8, RO, ANON}, /* unaligned */
        R(3, 4, 0x10, ANON),          /* bad prot */
        R(3, 4, RO, 0),               /* bad kind */
        R(-2, -1, RO, ANON),          /* below the first: unsorted */
    };
    struct region good[2] = {R(0, 2, RW, ANON), R(3, 4, RW, ANON)};
    const struct region_set ok = {good, 2, 2}, too_many = {good, 3, 2}, no_array = {NULL, 0, 4};

    CHECK(region_check(&ok));
    CHECK(!region_check(&too_many));
    CHECK(!region_check(&no_array));
    for (size_t i = 0; i < sizeof second / sizeof second[0]; i++) {
        struct region pair[2] = {good[0], second[i]};
        const struct region_set bad = {pair, 2, 2};
        CHECK(!region_check(&bad));
    }
}

int main(void)
{
    RUN(test_insert_empty);
    RUN(test_insert_before_after_between);
    RUN(test_merge_left);
    RUN(test_merge_right);
    RUN(test_merge_three_way);
    RUN(test_no_merge_different);
    RUN(test_overlap_refused);
    RUN(test_insert_bad_args);
    RUN(test_remove_exact);
    RUN(test_remove_head);
    RUN(test_remove_tail);
    RUN(test_remove_middle_split);
    RUN(test_remove_spanning);
    RUN(test_remove_with_holes);
    RUN(test_remove_nothing);
    RUN(test_protect_whole);
    RUN(test_protect_head);
    RUN(test_protect_tail);
    RUN(test_protect_middle);
    RUN(test_protect_spanning_merge);
    RUN(test_protect_same_prot);
    RUN(test_protect_hole);
    RUN(test_find_boundaries);
    RUN(test_gap_empty);
    RUN(test_gap_between);
    RUN(test_gap_region_above_top);
    RUN(test_gap_rounding_and_overflow);
    RUN(test_copy);
    RUN(test_nomem);
    RUN(test_grow_shrink);
    RUN(test_check_catches);
    reset();
    return check_summary("test_region");
}
