/*
 * user/lib/syscall.c - int 0x80 and the named system calls.
 *
 * Two pieces of inline assembly do all the work. syscall5 puts the number and
 * five arguments in their registers (the constraints "a" "b" "c" "d" "S" "D"
 * are EAX EBX ECX EDX ESI EDI) and traps; the kernel ignores registers a call
 * does not use, so syscall0..4 are syscall5 with zeros.
 *
 * syscall6 is mmap2's: the sixth argument goes in EBP, which the compiler may
 * be using as the frame pointer and cannot name as an operand. So the asm saves
 * EBP itself, and since every other register already holds an argument, it
 * reaches the sixth through the only pointer it has left: EAX points at a
 * two-word array {number, sixth}, read before EAX is loaded with the number.
 */
#include "syscall.h"

long syscall5(long n, long a, long b, long c, long d, long e)
{
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory"); /* the kernel may read or write any user memory */
    return ret;
}

long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    long nf[2] = {n, f};
    long ret;
    __asm__ volatile("pushl %%ebp\n\t"
                     "movl 4(%%eax), %%ebp\n\t" /* the sixth argument */
                     "movl (%%eax), %%eax\n\t"  /* the call number */
                     "int $0x80\n\t"
                     "popl %%ebp"
                     : "=a"(ret)
                     : "a"(nf), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory");
    return ret;
}

long syscall0(long n)
{
    return syscall5(n, 0, 0, 0, 0, 0);
}

long syscall1(long n, long a)
{
    return syscall5(n, a, 0, 0, 0, 0);
}

long syscall2(long n, long a, long b)
{
    return syscall5(n, a, b, 0, 0, 0);
}

long syscall3(long n, long a, long b, long c)
{
    return syscall5(n, a, b, c, 0, 0);
}

long syscall4(long n, long a, long b, long c, long d)
{
    return syscall5(n, a, b, c, d, 0);
}

/* ------------------------------------------------------------ processes */

_Noreturn void exit(int status)
{
    syscall1(SYS_exit, status);
    __builtin_trap(); /* exit returned: a kernel bug, make it loud (ud2) */
}

_Noreturn void exit_group(int status)
{
    syscall1(SYS_exit_group, status);
    __builtin_trap();
}

long fork(void)
{
    return syscall0(SYS_fork);
}

long execve(const char *path, char *const argv[], char *const envp[])
{
    return syscall3(SYS_execve, (long)path, (long)argv, (long)envp);
}

long wait4(long pid, int *status, int options, void *rusage)
{
    return syscall4(SYS_wait4, pid, (long)status, options, (long)rusage);
}

long waitpid(long pid, int *status, int options)
{
    return wait4(pid, status, options, NULL);
}

long getpid(void)
{
    return syscall0(SYS_getpid);
}

long gettid(void)
{
    return syscall0(SYS_gettid);
}

long set_tid_address(int *tidptr)
{
    return syscall1(SYS_set_tid_address, (long)tidptr);
}

long sched_yield(void)
{
    return syscall0(SYS_sched_yield);
}

long nanosleep(const struct timespec *req, struct timespec *rem)
{
    return syscall2(SYS_nanosleep, (long)req, (long)rem);
}

/* ----------------------------------------------------- file descriptors */

long read(int fd, void *buf, size_t n)
{
    return syscall3(SYS_read, fd, (long)buf, (long)n);
}

long write(int fd, const void *buf, size_t n)
{
    return syscall3(SYS_write, fd, (long)buf, (long)n);
}

long readv(int fd, const struct iovec *iov, int iovcnt)
{
    return syscall3(SYS_readv, fd, (long)iov, iovcnt);
}

long writev(int fd, const struct iovec *iov, int iovcnt)
{
    return syscall3(SYS_writev, fd, (long)iov, iovcnt);
}

long close(int fd)
{
    return syscall1(SYS_close, fd);
}

long pipe(int fds[2])
{
    return syscall1(SYS_pipe, (long)fds);
}

long ioctl(int fd, unsigned long request, void *arg)
{
    return syscall3(SYS_ioctl, fd, (long)request, (long)arg);
}

/* --------------------------------------------------------------- memory */

long brk(void *addr)
{
    return syscall1(SYS_brk, (long)addr);
}

long mmap2(void *addr, size_t len, int prot, int flags, int fd, long pgoff)
{
    return syscall6(SYS_mmap2, (long)addr, (long)len, prot, flags, fd, pgoff);
}

long munmap(void *addr, size_t len)
{
    return syscall2(SYS_munmap, (long)addr, (long)len);
}

long mprotect(void *addr, size_t len, int prot)
{
    return syscall3(SYS_mprotect, (long)addr, (long)len, prot);
}

/* --------------------------------------------------------- information */

long uname(struct utsname *u)
{
    return syscall1(SYS_uname, (long)u);
}

long sysinfo(struct sysinfo *info)
{
    return syscall1(SYS_sysinfo, (long)info);
}

long set_thread_area(struct user_desc *desc)
{
    return syscall1(SYS_set_thread_area, (long)desc);
}

long rt_sigprocmask(int how, const void *set, void *oldset, size_t sigsetsize)
{
    return syscall4(SYS_rt_sigprocmask, how, (long)set, (long)oldset, (long)sigsetsize);
}
