/*
 * mm/memmap.h - turning the firmware's memory map into trustworthy usable RAM.
 *
 * GRUB hands the kernel the BIOS E820 map (or the UEFI map converted to E820
 * types) as a list of variable-sized records. Firmware maps are messy: entries
 * overlap, come unsorted, have zero length or unaligned edges, describe memory
 * above 4 GiB, or use types the multiboot specification never names. This module
 * parses the records and reduces them to a short sorted list of page-aligned
 * ranges the frame allocator may hand out, logging every correction it makes.
 *
 * Plain C with no kernel dependencies: built into the kernel and into the host
 * tests/fuzzer (see mm/mm_shim.h).
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "types.h"

/* E820 / multiboot memory types. Only MMAP_AVAILABLE is usable RAM. */
#define MMAP_AVAILABLE        1
#define MMAP_RESERVED         2
#define MMAP_ACPI_RECLAIMABLE 3
#define MMAP_ACPI_NVS         4
#define MMAP_BAD              5

#define MEMMAP_MAX_RAW    128 /* raw entries kept; more are dropped (and logged) */
#define MEMMAP_MAX_USABLE 128 /* usable ranges after sanitising */
#define MEMMAP_MAX_CARVE  80  /* carve-outs the caller may pass (32 modules and their strings fit) */

#define MEMMAP_LOW_LIMIT 0x100000ull    /* the first MiB is never handed out */
#define MEMMAP_4G        0x100000000ull /* nothing at or above this is usable */

/* One firmware entry, with full 64-bit fields: [base, base + len). */
struct mmap_raw_entry {
    uint64_t base;
    uint64_t len;
    uint32_t type;
};

/* A half-open physical range [start, end). 64-bit so 4 GiB itself fits. */
struct mem_range {
    uint64_t start;
    uint64_t end;
};

/* The sanitised result. */
struct memmap {
    struct mem_range usable[MEMMAP_MAX_USABLE]; /* sorted, disjoint, page-aligned */
    int n_usable;
    uint64_t usable_bytes;     /* sum of usable[] */
    uint64_t ignored_above_4g; /* bytes of type-1 RAM at or above 4 GiB */
    int corrections;           /* how many corrections were logged */
};

/* Printable name of an E820 type ("available", "reserved", "ACPI NVS", ... or "type 20"). */
const char *memmap_type_name(uint32_t type);

/*
 * Parse a multiboot memory map: `length` bytes at `buf`, each record a 32-bit
 * `size` followed by `size` bytes holding base (u64), length (u64), type (u32).
 * Records are walked by their size field, never by sizeof. A record whose size
 * is below 20 or that runs past the buffer ends the walk (logged). Stores at most
 * `max` entries into `out` and returns how many were stored.
 */
int memmap_parse_multiboot(const void *buf, uint32_t length, struct mmap_raw_entry *out, int max);

/*
 * Reduce raw entries to usable RAM: type 1 only; overlaps resolved with the
 * non-usable type winning; zero-length dropped; everything at/above 4 GiB
 * ignored (counted in ignored_above_4g); ranges aligned inward to 4 KiB; the first
 * MiB removed; each of the `ncarve` carve-outs (kernel image, multiboot data,
 * boot page tables...) removed. The raw map, every correction and the final
 * ranges are logged through mm_log(). Returns the number of usable ranges.
 */
int memmap_sanitise(const struct mmap_raw_entry *raw, int nraw, const struct mem_range *carve, int ncarve,
                    struct memmap *out);

/*
 * Remove [start, end) from the usable ranges of an already sanitised map (used
 * to carve out the frame allocator's own bitmap once its place is chosen).
 */
void memmap_carve(struct memmap *map, uint64_t start, uint64_t end);

/*
 * Find `bytes` (rounded up to whole pages) of usable memory below `limit`,
 * page-aligned, remove it from the map and return its start; 0 if none fits.
 */
uint64_t memmap_take(struct memmap *map, uint64_t bytes, uint64_t limit);

#endif
