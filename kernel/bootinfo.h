/*
 * kernel/bootinfo.h - what the kernel keeps of the loader's multiboot information.
 *
 * The loader may leave its structures anywhere in physical memory, including
 * beyond what the boot page tables map, and the identity mapping is gone by the
 * time kmain runs. bootinfo_init() therefore copies everything later stages need
 * into the kernel's own memory, reading the physical originals through
 * temporary fixmap windows, and records every physical range the loader's data
 * occupies so the memory-map sanitiser can carve them out.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "multiboot.h"
#include "mm/memmap.h"

#define BOOTINFO_CMDLINE_MAX 512
#define BOOTINFO_MMAP_MAX    8192
#define BOOTINFO_MODS_MAX    32
#define BOOTINFO_RANGES_MAX  (8 + 2 * BOOTINFO_MODS_MAX + 1)
#define BOOTINFO_MODNAME_MAX 64

struct bootinfo {
    struct multiboot_info mbi;          /* a copy of the info structure */
    char cmdline[BOOTINFO_CMDLINE_MAX]; /* "" when the loader gave none */
    char loader[64];                    /* boot loader name, "" if none */
    uint8_t mmap[BOOTINFO_MMAP_MAX];    /* the raw memory-map records */
    uint32_t mmap_length;               /* bytes of it copied */
    struct multiboot_module mods[BOOTINFO_MODS_MAX];
    char mod_cmdline[BOOTINFO_MODS_MAX][BOOTINFO_MODNAME_MAX]; /* each module's string ("" if none) */
    uint32_t mods_count;
    /* Physical ranges holding the loader's data (info, map, strings, modules...). */
    struct mem_range ranges[BOOTINFO_RANGES_MAX];
    const char *range_what[BOOTINFO_RANGES_MAX];
    int nranges;
};

extern struct bootinfo bootinfo;

/* Copy the multiboot information at physical address info_phys. */
void bootinfo_init(uint32_t info_phys);

/* Copy len bytes from physical memory (through a temporary window). */
void phys_read(void *dst, paddr_t src, uint32_t len);

#endif
