/*
 * kernel/meminit.c - memory bring-up at boot (see meminit.h).
 */
#include "meminit.h"
#include "kprintf.h"

void mem_init(void)
{
}

void mem_selftest(void)
{
}

void mem_run_test(const char *name)
{
    kprintf("kernel: unknown test '%s'\n", name);
}
