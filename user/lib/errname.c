/*
 * user/lib/errname.c - error numbers to their names, for test messages.
 *
 * "got -14 (EFAULT), want -9 (EBADF)" reads faster than two numbers. A table
 * indexed by the number, filled with designated initializers, keeps each name
 * next to its value.
 */
#include "errno.h"

#define NAME(e) [e] = #e

static const char *const names[] = {
    NAME(EPERM),  NAME(ENOENT),  NAME(ESRCH),  NAME(EINTR),  NAME(EIO),          NAME(ENXIO),
    NAME(E2BIG),  NAME(ENOEXEC), NAME(EBADF),  NAME(ECHILD), NAME(EAGAIN),       NAME(ENOMEM),
    NAME(EACCES), NAME(EFAULT),  NAME(EBUSY),  NAME(EEXIST), NAME(ENODEV),       NAME(ENOTDIR),
    NAME(EISDIR), NAME(EINVAL),  NAME(ENFILE), NAME(EMFILE), NAME(ENOTTY),       NAME(EFBIG),
    NAME(ENOSPC), NAME(ESPIPE),  NAME(EPIPE),  NAME(ERANGE), NAME(ENAMETOOLONG), NAME(ENOSYS),
};

const char *errname(int e)
{
    if (e < 0)
        e = -e;
    if (e < (int)(sizeof names / sizeof names[0]) && names[e])
        return names[e];
    return "E?";
}
