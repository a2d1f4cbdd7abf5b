/*
 * mm/vrange.c - kernel virtual ranges with guard gaps (see vrange.h).
 *
 * The live ranges sit in an array sorted by address; each reserves its size plus
 * VRANGE_GUARD. Allocation is first fit over the gaps between them. There are
 * few ranges (a heap, a framebuffer, some stacks), so a linear scan of at most
 * VRANGE_MAX entries is the simple, obviously correct choice.
 */
#include "vrange.h"

#define PAGE 4096u

struct vr {
    uintptr_t start;
    size_t size; /* without the guard */
};

static struct vr ranges[VRANGE_MAX];
static int count;
static uintptr_t lo, hi;

void vrange_init(uintptr_t base, uintptr_t end)
{
    lo = base;
    hi = end;
    count = 0;
}

static uintptr_t align_up(uintptr_t a, size_t align)
{
    return (a + (align - 1)) & ~(uintptr_t)(align - 1);
}

uintptr_t vrange_alloc(size_t size, size_t align)
{
    if (size == 0 || count == VRANGE_MAX || align < PAGE || (align & (align - 1)))
        return 0;
    if (size > (size_t)(hi - lo))
        return 0;
    size = (size + PAGE - 1) & ~(size_t)(PAGE - 1);
    uintptr_t need = size + VRANGE_GUARD;
    uintptr_t cursor = lo;
    for (int i = 0; i <= count; i++) {
        uintptr_t gap_end = i < count ? ranges[i].start : hi;
        uintptr_t start = align_up(cursor, align);
        if (start >= cursor && start <= gap_end && gap_end - start >= need) {
            for (int j = count; j > i; j--)
                ranges[j] = ranges[j - 1];
            ranges[i].start = start;
            ranges[i].size = size;
            count++;
            return start;
        }
        if (i < count)
            cursor = ranges[i].start + ranges[i].size + VRANGE_GUARD;
    }
    return 0;
}

static int find(uintptr_t va)
{
    for (int i = 0; i < count; i++)
        if (ranges[i].start == va)
            return i;
    return -1;
}

int vrange_free(uintptr_t va)
{
    int i = find(va);
    if (i < 0)
        return -1;
    for (; i + 1 < count; i++)
        ranges[i] = ranges[i + 1];
    count--;
    return 0;
}

size_t vrange_size(uintptr_t va)
{
    int i = find(va);
    return i < 0 ? 0 : ranges[i].size;
}

int vrange_count(void)
{
    return count;
}
