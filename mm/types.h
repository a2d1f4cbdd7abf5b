/*
 * mm/types.h - the address types every part of the kernel agrees on.
 *
 * Physical and virtual addresses are both 32-bit numbers on i386, which makes
 * it dangerously easy to hand one to code that expects the other. Giving them
 * distinct names documents which is which at every interface; conversions
 * between them go through the checked helpers in mm/memlayout.h.
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* A physical address below 4 GiB: what goes into a page-table entry. */
typedef uint32_t paddr_t;

/* A physical address as firmware reports it: may lie above 4 GiB. */
typedef uint64_t paddr64_t;

/* Virtual addresses use the standard uintptr_t. */

#endif
