/*
 * mm/frametable.c - the frame table (see frametable.h).
 */
#include "frametable.h"
#include "mmu.h"

static struct frame_entry *table;
static uint32_t nframes;

size_t frametable_storage_bytes(uint32_t n)
{
    return (size_t)n * sizeof(struct frame_entry);
}

void frametable_init(void *storage, uint32_t n)
{
    table = storage;
    nframes = n;
    for (uint32_t i = 0; i < n; i++)
        table[i] = (struct frame_entry){0, 0};
}

uint32_t frametable_frames(void)
{
    return nframes;
}

/* The entry of a frame; 0 for one outside the table (the caller ignores it). */
static struct frame_entry *entry(paddr_t frame)
{
    uint32_t i = frame >> PAGE_SHIFT;
    return i < nframes ? &table[i] : 0;
}

void ft_set_page(paddr_t frame, uintptr_t va)
{
    struct frame_entry *e = entry(frame);
    if (e) {
        e->va_age = (uint32_t)PAGE_ROUND_DOWN(va) | FT_SWAPPABLE;
        e->slot = 0;
    }
}

void ft_clear(paddr_t frame)
{
    struct frame_entry *e = entry(frame);
    if (e)
        *e = (struct frame_entry){0, 0};
}

bool ft_swappable(paddr_t frame)
{
    const struct frame_entry *e = entry(frame);
    return e && (e->va_age & FT_SWAPPABLE);
}

uintptr_t ft_va(paddr_t frame)
{
    const struct frame_entry *e = entry(frame);
    return e ? PAGE_ROUND_DOWN(e->va_age) : 0;
}

uint32_t ft_age(paddr_t frame)
{
    const struct frame_entry *e = entry(frame);
    return e ? e->va_age & FT_AGE_MASK : 0;
}

void ft_set_age(paddr_t frame, uint32_t age)
{
    struct frame_entry *e = entry(frame);
    if (e)
        e->va_age = (e->va_age & ~FT_AGE_MASK) | (age > FT_AGE_MASK ? FT_AGE_MASK : age);
}

uint32_t ft_slot(paddr_t frame)
{
    const struct frame_entry *e = entry(frame);
    return e ? e->slot : 0;
}

void ft_set_slot(paddr_t frame, uint32_t slot)
{
    struct frame_entry *e = entry(frame);
    if (e)
        e->slot = slot;
}

uint32_t ft_count_swappable(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < nframes; i++)
        n += (table[i].va_age & FT_SWAPPABLE) != 0;
    return n;
}
