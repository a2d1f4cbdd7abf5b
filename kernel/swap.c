/*
 * kernel/swap.c - finding and using the swap area (see swap.h).
 */
#include "swap.h"
#include "cmdline.h"
#include "kprintf.h"
#include "kstring.h"
#include "drivers/block.h"
#include "mm/heap.h"
#include "mm/mmu.h"
#include "mm/swaparea.h"
#include "mm/swapmap.h"

#define SECTORS_PER_PAGE (PAGE_SIZE / BLOCK_SECTOR)

static struct blockdev *dev;
static struct swapmap map;
static uint32_t *cache; /* slot -> the frame holding a copy of it (the swap cache), 0 if none */

/* Is there a usable swap area on `d`? Logs why not when `say` (the disk was asked for). */
static bool try_device(struct blockdev *d, bool say)
{
    static struct swap_area_info info; /* 2.5 KiB: not on the stack */
    uint8_t *page = kmalloc(PAGE_SIZE);
    if (!page)
        return false;
    int err = block_read(d, 0, SECTORS_PER_PAGE, page);
    const char *why = block_strerror(err);
    int r = err ? SWAP_E_FORMAT : swap_parse_header(page, d->sectors / SECTORS_PER_PAGE, &info, &why);
    kfree(page);
    if (r != SWAP_OK) {
        if (say || r != SWAP_E_NONE)
            kprintf("swap: %s: %s: not used\n", d->name, why);
        return false;
    }
    uint32_t nslots = info.last_page + 1;
    void *storage = kmalloc(swapmap_storage_bytes(nslots));
    cache = kmalloc((size_t)nslots * sizeof *cache);
    if (!storage || !cache) {
        kfree(storage);
        kfree(cache);
        kprintf("swap: %s: no memory to track %u slots: not used\n", d->name, (unsigned)nslots);
        return false;
    }
    for (uint32_t i = 0; i < nslots; i++)
        cache[i] = 0;
    swapmap_init(&map, storage, nslots, info.bad, info.nr_bad);
    dev = d;
    uint32_t usable = nslots - 1 - info.nr_bad;
    kprintf("swap: %s, %u pages (%u MiB)%s%s%s\n", d->name, (unsigned)usable, (unsigned)(usable >> 8),
            info.label[0] ? ", label \"" : "", info.label, info.label[0] ? "\"" : "");
    if (info.nr_bad)
        kprintf("swap: %u bad pages in the header are never used\n", (unsigned)info.nr_bad);
    return true;
}

void swap_init(void)
{
    const char *want = cmdline_get("swap");
    if (want && kstreq(want, "off")) {
        kprintf("swap: off (swap=off)\n");
        return;
    }
    if (want && *want) {
        struct blockdev *d = block_find(want);
        if (!d) {
            kprintf("swap: no disk named '%s' (disks:", want);
            for (int i = 0; i < block_count(); i++)
                kprintf(" %s", block_at(i)->name);
            kprintf("%s): no swap\n", block_count() ? "" : " none");
            return;
        }
        try_device(d, true);
        return;
    }
    for (int i = 0; i < block_count() && !dev; i++)
        try_device(block_at(i), false);
    if (!dev)
        kprintf("swap: no swap area on %d disk%s (make one with mkswap): no swap\n", block_count(),
                block_count() == 1 ? "" : "s");
}

bool swap_enabled(void)
{
    return dev != 0;
}

uint32_t swap_alloc(void)
{
    return dev ? swapmap_alloc(&map) : 0;
}

void swap_dup(uint32_t slot)
{
    swapmap_dup(&map, slot);
}

void swap_put(uint32_t slot)
{
    swapmap_put(&map, slot);
}

int swap_write_page(uint32_t slot, const void *page)
{
    return block_write(dev, (uint64_t)slot * SECTORS_PER_PAGE, SECTORS_PER_PAGE, page);
}

int swap_read_page(uint32_t slot, void *page)
{
    return block_read(dev, (uint64_t)slot * SECTORS_PER_PAGE, SECTORS_PER_PAGE, page);
}

paddr_t swap_cache_frame(uint32_t slot)
{
    return dev && slot < map.nslots ? cache[slot] : 0;
}

void swap_cache_set(uint32_t slot, paddr_t frame)
{
    if (dev && slot < map.nslots)
        cache[slot] = frame;
}

uint32_t swap_used(void)
{
    return dev ? swapmap_used(&map) : 0;
}

uint32_t swap_total(void)
{
    return dev ? map.nslots - 1 : 0;
}

const char *swap_device(void)
{
    return dev ? dev->name : "none";
}
