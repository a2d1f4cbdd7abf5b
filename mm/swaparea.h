/*
 * mm/swaparea.h - recognising a Linux swap area (the format mkswap writes).
 *
 * A swap area's first page is its header; pages 1 .. last_page hold swapped
 * pages. Version 1 ("new-style", Linux 2.2 on) puts the signature SWAPSPACE2
 * in the last 10 bytes of that 4 KiB page, and at byte 1024 (after room for a
 * boot sector) a little-endian header:
 *
 *   1024  version       1
 *   1028  last_page     the last usable page (the area is last_page + 1 pages)
 *   1032  nr_badpages   how many entries follow in badpages[]
 *   1036  uuid[16]      1052 volume_name[16]
 *   1068  padding[117]  1536 badpages[nr_badpages]: pages never to use
 *
 * A disk without the signature is never written: the kernel swaps only to an
 * area someone prepared on purpose. Plain C, host-tested.
 */
#ifndef MM_SWAPAREA_H
#define MM_SWAPAREA_H

#include "types.h"

#define SWAP_HEADER_SIZE 4096u
#define SWAP_MAX_BAD     637u /* badpages[] entries that fit before the signature */

#define SWAP_OK       0
#define SWAP_E_NONE   (-1) /* no swap signature: not a swap area */
#define SWAP_E_OLD    (-2) /* the version-0 "SWAP-SPACE" format (before Linux 2.2) */
#define SWAP_E_FORMAT (-3) /* signature, but a header that makes no sense */

struct swap_area_info {
    uint32_t last_page; /* pages 1 .. last_page are slots */
    uint32_t nr_bad;    /* entries of bad[] */
    uint32_t bad[SWAP_MAX_BAD];
    char label[17]; /* the volume name, NUL-terminated */
};

/* Check the first 4096 bytes of a disk. `device_pages` is the disk's size in 4 KiB
 * pages: an area claiming more than the disk holds is refused. SWAP_OK with *out
 * filled, or a SWAP_E_* code with *why a sentence. */
int swap_parse_header(const void *page, uint64_t device_pages, struct swap_area_info *out, const char **why);

#endif
