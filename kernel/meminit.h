/*
 * kernel/meminit.h - bringing up memory management at boot, in order:
 * memory map -> frame allocator -> kernel page tables -> heap.
 */
#ifndef KERNEL_MEMINIT_H
#define KERNEL_MEMINIT_H

#include <stdbool.h>

void mem_init(void);

/* The quick memory self-checks run on every boot. */
void mem_selftest(void);

/* Run a named test from the command line (test=NAME); unknown names are reported. */
void mem_run_test(const char *name);

#endif
