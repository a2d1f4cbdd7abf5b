/*
 * user/lib/errno.h - Linux's error numbers (include/uapi/asm-generic/errno-base.h
 * and errno.h), the values a failing system call returns negated.
 *
 * This library has no `errno` variable: every wrapper in syscall.h returns the
 * kernel's answer untouched, a result >= 0 or -Exxx. A C library such as musl
 * turns -Exxx into -1 and errno = Exxx; we keep the kernel's view, because the
 * tests are about exactly that value. errname() gives the symbol for messages.
 */
#ifndef ULIB_ERRNO_H
#define ULIB_ERRNO_H

/* clang-format off */
#define EPERM    1  /* operation not permitted */
#define ENOENT   2  /* no such file or directory */
#define ESRCH    3  /* no such process */
#define EINTR    4  /* interrupted system call */
#define EIO      5  /* I/O error */
#define ENXIO    6  /* no such device or address */
#define E2BIG    7  /* argument list too long */
#define ENOEXEC  8  /* exec format error */
#define EBADF    9  /* bad file descriptor */
#define ECHILD   10 /* no child processes */
#define EAGAIN   11 /* try again (also: no process slot for fork) */
#define ENOMEM   12 /* out of memory */
#define EACCES   13 /* permission denied */
#define EFAULT   14 /* bad address */
#define EBUSY    16 /* device or resource busy */
#define EEXIST   17 /* file exists */
#define ENODEV   19 /* no such device */
#define ENOTDIR  20 /* not a directory */
#define EISDIR   21 /* is a directory */
#define EINVAL   22 /* invalid argument */
#define ENFILE   23 /* file table overflow */
#define EMFILE   24 /* too many open files */
#define ENOTTY   25 /* not a typewriter: ioctl on something that is not a terminal */
#define EFBIG    27 /* file too large */
#define ENOSPC   28 /* no space left on device */
#define ESPIPE   29 /* illegal seek */
#define EPIPE    32 /* broken pipe: write with no reader left */
#define ERANGE   34 /* result out of range */
#define ENAMETOOLONG 36 /* file name too long */
#define ENOSYS   38 /* no such system call */
/* clang-format on */

/* "EBADF" for 9 (or for -9); "E?" for a number not listed above. */
const char *errname(int e);

#endif
