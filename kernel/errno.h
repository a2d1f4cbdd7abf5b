/*
 * kernel/errno.h - error numbers, Linux's values.
 *
 * A system call fails by returning -E...: programs built for Linux (their C
 * library turns a result between -4095 and -1 into errno) then understand
 * every failure, so these must be Linux's numbers exactly (asm-generic/errno-base.h).
 */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#define EPERM        1
#define ENOENT       2
#define ESRCH        3
#define EINTR        4
#define EIO          5
#define E2BIG        7
#define ENOEXEC      8
#define EBADF        9
#define ECHILD       10
#define EAGAIN       11
#define ENOMEM       12
#define EFAULT       14
#define ENODEV       19
#define EINVAL       22
#define EMFILE       24
#define ENOTTY       25
#define ESPIPE       29
#define EPIPE        32
#define ENAMETOOLONG 36
#define ENOSYS       38

#endif
