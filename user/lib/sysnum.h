/*
 * user/lib/sysnum.h - the system-call numbers this library uses.
 *
 * The kernel speaks the Linux i386 system-call ABI, so these are Linux's own
 * numbers (arch/x86/entry/syscalls/syscall_32.tbl), not numbers of our choosing:
 * that is what lets a program built against musl, which knows nothing of this
 * kernel, run on it unchanged. A number missing here is one no program of ours
 * calls; the kernel answers any number it does not implement with -ENOSYS.
 */
#ifndef ULIB_SYSNUM_H
#define ULIB_SYSNUM_H

/* clang-format off */
#define SYS_exit             1
#define SYS_fork             2
#define SYS_read             3
#define SYS_write            4
#define SYS_close            6
#define SYS_waitpid          7   /* only wait4 is used: waitpid() below is wait4 without rusage */
#define SYS_execve           11
#define SYS_getpid           20
#define SYS_pipe             42
#define SYS_brk              45
#define SYS_ioctl            54
#define SYS_munmap           91
#define SYS_wait4            114
#define SYS_sysinfo          116
#define SYS_uname            122 /* "newuname": six fields of 65 bytes */
#define SYS_mprotect         125
#define SYS_readv            145
#define SYS_writev           146
#define SYS_sched_yield      158
#define SYS_nanosleep        162 /* 32-bit struct timespec */
#define SYS_rt_sigprocmask   175
#define SYS_mmap2            192 /* offset in 4096-byte pages, not bytes */
#define SYS_gettid           224
#define SYS_set_thread_area  243
#define SYS_exit_group       252
#define SYS_set_tid_address  258
/* clang-format on */

#endif
