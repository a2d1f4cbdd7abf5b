/*
 * user/lib/syscall.h - the way into the kernel: int 0x80 and one wrapper per call.
 *
 * The contract (Linux i386): the call number in EAX, up to six arguments in
 * EBX, ECX, EDX, ESI, EDI, EBP, then `int $0x80`; the result comes back in EAX
 * and every other register is preserved. A result from -4095 to -1 is an
 * error, -Exxx (errno.h); anything else is success, even a "negative" address
 * such as 0xB7FFF000 from mmap2 - hence sys_failed().
 *
 * The wrappers return that result as it is (no errno, no -1), and their names
 * are the system calls' names. They take the kernel's argument types: pointers
 * are plain pointers, so a test can hand the kernel NULL or a kernel address.
 */
#ifndef ULIB_SYSCALL_H
#define ULIB_SYSCALL_H

#include <stddef.h>
#include <stdint.h>
#include "abi.h"
#include "sysnum.h"

/* Raw calls with 0 to 6 arguments. */
long syscall0(long n);
long syscall1(long n, long a);
long syscall2(long n, long a, long b);
long syscall3(long n, long a, long b, long c);
long syscall4(long n, long a, long b, long c, long d);
long syscall5(long n, long a, long b, long c, long d, long e);
long syscall6(long n, long a, long b, long c, long d, long e, long f);

/* Did a call that returns an address or a count fail? (-4095 <= r <= -1) */
static inline int sys_failed(long r)
{
    return (unsigned long)r > -4096UL;
}

/* Processes. exit ends the calling thread, exit_group every thread of the
 * process (the same here: one thread each); neither returns. */
_Noreturn void exit(int status);
_Noreturn void exit_group(int status);
long fork(void);
long execve(const char *path, char *const argv[], char *const envp[]);
long wait4(long pid, int *status, int options, void *rusage);
long waitpid(long pid, int *status, int options); /* wait4 without rusage */
long getpid(void);
long gettid(void);
long set_tid_address(int *tidptr);
long sched_yield(void);
long nanosleep(const struct timespec *req, struct timespec *rem);

/* File descriptors: the console (0, 1, 2) and pipes. */
long read(int fd, void *buf, size_t n);
long write(int fd, const void *buf, size_t n);
long readv(int fd, const struct iovec *iov, int iovcnt);
long writev(int fd, const struct iovec *iov, int iovcnt);
long close(int fd);
long pipe(int fds[2]); /* fds[0] reads, fds[1] writes */
long ioctl(int fd, unsigned long request, void *arg);

/* Memory. brk returns the new break, or the old one when it cannot move it
 * (never -Exxx); brk(0) asks where it is. mmap2's offset is in pages. */
long brk(void *addr);
long mmap2(void *addr, size_t len, int prot, int flags, int fd, long pgoff);
long munmap(void *addr, size_t len);
long mprotect(void *addr, size_t len, int prot);

/* Information and the rest of what a C library asks at start-up. */
long uname(struct utsname *u);
long sysinfo(struct sysinfo *info);
long set_thread_area(struct user_desc *desc);
long rt_sigprocmask(int how, const void *set, void *oldset, size_t sigsetsize);

#endif
