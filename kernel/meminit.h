/*
 * kernel/meminit.h - bringing up memory management at boot, in order:
 * memory map -> frame allocator -> kernel page tables -> heap.
 */
#ifndef KERNEL_MEMINIT_H
#define KERNEL_MEMINIT_H

#include <stdbool.h>
#include <stdint.h>

void mem_init(void);

/* The quick memory self-checks run on every boot. */
void mem_selftest(void);

/* Print the loader's raw memory map and the sanitised usable ranges (the monitor's `mmap`). */
void mem_print_map(void);

/* The heap's virtual range. */
uintptr_t mem_heap_base(void);

/* Run a named test from the command line (test=NAME); unknown names are reported. */
void mem_run_test(const char *name);

#endif
