/*
 * kernel/usercopy.h - moving bytes between the kernel and a process, checked.
 *
 * A system call's pointer arguments come from the program and may point
 * anywhere: at NULL, into the kernel half, at memory it never mapped, at code it
 * may not write. Every such pointer goes through these functions, which check
 * the whole range against the process's regions (kernel/vm.h) before a byte
 * moves, and return -EFAULT instead of faulting. Pages need not be present: the
 * copy's own page faults fill them as the program's would (a read() into memory
 * never touched works), and a write to a copy-on-write page copies it first
 * (CR0.WP makes the kernel's writes fault too). The kernel runs with interrupts
 * off and a process's regions change only through its own system calls, so a
 * range checked here stays valid for the copy.
 */
#ifndef KERNEL_USERCOPY_H
#define KERNEL_USERCOPY_H

#include "mm/types.h"

/* Copy n bytes from user address `usrc` to kernel `dst`: 0 or -EFAULT. */
int copyin(void *dst, uintptr_t usrc, size_t n);

/* Copy n bytes from kernel `src` to user address `udst`: 0 or -EFAULT. */
int copyout(uintptr_t udst, const void *src, size_t n);

/* Copy a NUL-terminated string of at most max-1 characters: its length,
 * -EFAULT, or -ENAMETOOLONG when no NUL comes within max bytes. */
int copyinstr(char *dst, uintptr_t usrc, size_t max);

/* May the current process's memory [va, va + n) be read (write = false) or written? */
bool user_range_ok(uintptr_t va, size_t n, bool write);

#endif
