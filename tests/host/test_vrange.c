/*
 * tests/host/test_vrange.c - the kernel virtual-range allocator (mm/vrange.c).
 *
 * Ranges are drawn as  [AAAA]g[BB]g....  where g is the guard gap (one page) that
 * follows every range and . is free space.
 */
#include "check.h"
#include "mm/vrange.h"

#define P    4096u
#define BASE 0xD0000000u

int main(void)
{
    /* [A]g[B]g..........: first fit, in order, each followed by its guard. */
    vrange_init(BASE, BASE + 64 * P);
    uintptr_t a = vrange_alloc(P, P);
    uintptr_t b = vrange_alloc(2 * P, P);
    CHECK_EQ(a, BASE);
    CHECK_EQ(b, BASE + 2 * P); /* A's page, then A's guard */
    CHECK_EQ(vrange_size(b), 2 * P);
    CHECK_EQ(vrange_count(), 2);

    /* Sizes round up to pages: 1 byte takes a page. */
    uintptr_t c = vrange_alloc(1, P);
    CHECK_EQ(c, BASE + 5 * P);
    CHECK_EQ(vrange_size(c), P);

    /* Free A: [ ]g[B]g[C]g...: a one-page request fits A's old place again, a two-page one does not. */
    CHECK_EQ(vrange_free(a), 0);
    CHECK_EQ(vrange_alloc(2 * P, P), BASE + 7 * P);
    CHECK_EQ(vrange_alloc(P, P), BASE);

    /* Alignment: a 64 KiB-aligned range starts on a 64 KiB boundary. */
    uintptr_t d = vrange_alloc(P, 16 * P);
    CHECK_EQ(d, BASE + 16 * P);
    CHECK_EQ(d & (16 * P - 1), 0);

    /* Bad requests: size 0, alignment not a power of two or below a page. */
    CHECK_EQ(vrange_alloc(0, P), 0);
    CHECK_EQ(vrange_alloc(P, 3 * P), 0);
    CHECK_EQ(vrange_alloc(P, 16), 0);
    /* Freeing what is not a range start. */
    CHECK_EQ(vrange_free(BASE + P), -1);
    CHECK_EQ(vrange_free(0x1234), -1);

    /* Exhaustion: the space is 64 pages; a range needs its size plus a guard. */
    vrange_init(BASE, BASE + 8 * P);
    CHECK_EQ(vrange_alloc(7 * P, P), BASE);
    CHECK_EQ(vrange_alloc(P, P), 0); /* only the guard page is left */
    vrange_init(BASE, BASE + 8 * P);
    CHECK_EQ(vrange_alloc(8 * P, P), 0); /* no room for the guard */
    CHECK_EQ(vrange_alloc((size_t)1 << 40 >> 10 << 10, P), 0);

    /* Guards separate neighbours: no two ranges are ever adjacent. */
    vrange_init(BASE, BASE + 1024 * P);
    uintptr_t prev_end = 0;
    int adjacent = 0, n = 0;
    for (uintptr_t r; (r = vrange_alloc(((n % 3) + 1) * P, P)); n++) {
        if (prev_end && r < prev_end + VRANGE_GUARD)
            adjacent++;
        prev_end = r + vrange_size(r);
        if (n == VRANGE_MAX)
            break;
    }
    CHECK_EQ(adjacent, 0);
    CHECK_EQ(n, VRANGE_MAX); /* the table's limit, reported as 0 */
    CHECK_EQ(vrange_alloc(P, P), 0);

    return check_summary("test_vrange");
}
