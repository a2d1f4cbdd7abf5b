/*
 * mm/frameref.c - per-frame reference counts (see frameref.h).
 */
#include "frameref.h"
#include "mm_shim.h"
#include "mmu.h"

#define FRAMEREF_MAX 0xFFFFu

static uint16_t *counts;
static uint32_t nframes;

size_t frameref_storage_bytes(uint32_t n)
{
    return (size_t)n * sizeof(uint16_t);
}

void frameref_init(void *storage, uint32_t n)
{
    counts = storage;
    nframes = n;
    for (uint32_t i = 0; i < n; i++)
        counts[i] = 0;
}

/* The frame's index, or nframes (with a report) when it has no counter. */
static uint32_t index_of(paddr_t frame, const char *what)
{
    uint32_t i = frame >> PAGE_SHIFT;
    if ((frame & (PAGE_SIZE - 1)) || i >= nframes) {
        mm_misuse("frameref: %s of 0x%08x, which is not a counted frame (%u frames counted)\n", what,
                  (unsigned)frame, (unsigned)nframes);
        return nframes;
    }
    return i;
}

uint32_t frameref_count(paddr_t frame)
{
    uint32_t i = frame >> PAGE_SHIFT;
    return (frame & (PAGE_SIZE - 1)) || i >= nframes ? 0 : counts[i];
}

void frameref_get(paddr_t frame)
{
    uint32_t i = index_of(frame, "get");
    if (i == nframes)
        return;
    if (counts[i] == FRAMEREF_MAX) {
        mm_misuse("frameref: frame 0x%08x already has %u references\n", (unsigned)frame, FRAMEREF_MAX);
        return;
    }
    counts[i]++;
}

uint32_t frameref_put(paddr_t frame)
{
    uint32_t i = index_of(frame, "put");
    if (i == nframes)
        return 0xFFFFFFFFu;
    if (counts[i] == 0) {
        mm_misuse("frameref: put of frame 0x%08x, which has no reference\n", (unsigned)frame);
        return 0xFFFFFFFFu;
    }
    return --counts[i];
}

uint32_t frameref_shared(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < nframes; i++)
        n += counts[i] > 1;
    return n;
}
