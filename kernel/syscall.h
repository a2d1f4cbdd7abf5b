/*
 * kernel/syscall.h - the system-call entry: Linux's i386 ABI.
 *
 * A program executes `int 0x80` with the call's number in EAX and up to six
 * arguments in EBX, ECX, EDX, ESI, EDI and EBP. The stub in isr.asm saves all
 * of them in the trapframe; syscall_dispatch() looks the number up in a table
 * indexed by Linux's numbers (arch/x86/entry/syscalls/syscall_32.tbl), calls
 * the handler with the six registers, and puts the result in the saved EAX,
 * which IRET hands back. Failures are -errno (kernel/errno.h). A number with no
 * handler returns -ENOSYS and is logged once.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include "trap.h"

/* Linux i386 numbers of the calls this kernel implements. */
#define SYS_exit            1
#define SYS_fork            2
#define SYS_read            3
#define SYS_write           4
#define SYS_close           6
#define SYS_execve          11
#define SYS_getpid          20
#define SYS_pipe            42
#define SYS_brk             45
#define SYS_ioctl           54
#define SYS_munmap          91
#define SYS_wait4           114
#define SYS_sysinfo         116
#define SYS_uname           122
#define SYS_mprotect        125
#define SYS_readv           145
#define SYS_writev          146
#define SYS_sched_yield     158
#define SYS_nanosleep       162
#define SYS_rt_sigprocmask  175
#define SYS_mmap2           192
#define SYS_madvise         219
#define SYS_gettid          224
#define SYS_set_thread_area 243
#define SYS_exit_group      252
#define SYS_set_tid_address 258
#define SYS_MAX             512 /* numbers at or above are unknown too */

void syscall_dispatch(struct trapframe *tf);

/* The handlers, by family (sys_proc.c, sys_mem.c, sys_file.c). Arguments are the raw registers. */
typedef int32_t (*syscall_fn)(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
#define SYSCALL(name) \
    int32_t sys_##name(uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5, uint32_t a6)

SYSCALL(exit);
SYSCALL(exit_group);
SYSCALL(fork);
SYSCALL(execve);
SYSCALL(wait4);
SYSCALL(getpid);
SYSCALL(gettid);
SYSCALL(sched_yield);
SYSCALL(nanosleep);
SYSCALL(uname);
SYSCALL(sysinfo);
SYSCALL(set_thread_area);
SYSCALL(set_tid_address);
SYSCALL(rt_sigprocmask);
SYSCALL(brk);
SYSCALL(mmap2);
SYSCALL(munmap);
SYSCALL(mprotect);
SYSCALL(madvise);
SYSCALL(read);
SYSCALL(write);
SYSCALL(readv);
SYSCALL(writev);
SYSCALL(close);
SYSCALL(pipe);
SYSCALL(ioctl);

#endif
