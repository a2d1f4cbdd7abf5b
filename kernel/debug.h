/*
 * kernel/debug.h - symbols and backtraces for fault reports.
 *
 * The kernel carries its own symbol table: the build links the kernel once,
 * lists its text symbols with nm, turns the list into a table
 * (tools/gensyms.sh) placed at the end of .rodata, and links again. Text does not
 * move between the two links, so the table is exact (the Makefile checks it).
 */
#ifndef KERNEL_DEBUG_H
#define KERNEL_DEBUG_H

#include <stdint.h>

/* Name of the function containing addr, and the offset into it; NULL if none. */
const char *ksym_lookup(uintptr_t addr, uint32_t *offset);

/* Address of a named function, or 0 (used by tests). */
uintptr_t ksym_address(const char *name);

/* Print "eip 0x... <name+0x..>" style: the address with its symbol. */
void print_symbol(uintptr_t addr);

/* Walk the EBP chain from `ebp` and print each return address with its symbol. */
void backtrace_print(uint32_t ebp);

/* Ranges of memory that hold stacks, so a backtrace never follows a wild EBP. */
void debug_add_stack(uintptr_t lo, uintptr_t hi);

#endif
