/*
 * kernel/sys_file.c - system calls on file descriptors: read, write, readv,
 * writev, close, pipe, ioctl.
 *
 * A descriptor is checked first (-EBADF), then the user buffer as a whole
 * (-EFAULT), and only then does any byte move: a bad pointer never leaves a
 * half-done transfer behind.
 */
#include "errno.h"
#include "file.h"
#include "linux_abi.h"
#include "proc.h"
#include "syscall.h"
#include "tty.h"
#include "usercopy.h"

#define UNUSED6 (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6

#define IOV_MAX    1024
#define TIOCGWINSZ 0x5413

static struct file *fd_file(uint32_t fd)
{
    struct proc *p = proc_current();
    return fd < NOFILE ? p->files[fd] : 0;
}

static int rw(uint32_t fd, uintptr_t ubuf, size_t n, bool write)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if ((int32_t)n < 0)
        return -EINVAL;
    if (!user_range_ok(ubuf, n, !write))
        return -EFAULT;
    if (n == 0)
        return 0;
    return write ? file_write(f, ubuf, n) : file_read(f, ubuf, n);
}

SYSCALL(read)
{
    UNUSED6;
    return rw(a1, a2, a3, false);
}

SYSCALL(write)
{
    UNUSED6;
    return rw(a1, a2, a3, true);
}

/* readv/writev: each iovec in turn; a short transfer ends the call, as on Linux. */
static int rwv(uint32_t fd, uintptr_t uiov, uint32_t count, bool write)
{
    struct linux_iovec iov;
    if (!fd_file(fd))
        return -EBADF;
    if (count > IOV_MAX)
        return -EINVAL;
    if (!user_range_ok(uiov, (size_t)count * sizeof iov, false))
        return -EFAULT;
    /* Check every buffer before moving a byte. */
    uint32_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        copyin(&iov, uiov + i * sizeof iov, sizeof iov);
        if ((int32_t)iov.len < 0 || total + iov.len < total || (int32_t)(total + iov.len) < 0)
            return -EINVAL;
        total += iov.len;
        if (!user_range_ok(iov.base, iov.len, !write))
            return -EFAULT;
    }
    int done = 0;
    for (uint32_t i = 0; i < count; i++) {
        copyin(&iov, uiov + i * sizeof iov, sizeof iov);
        if (iov.len == 0)
            continue;
        int r = rw(fd, iov.base, iov.len, write);
        if (r < 0)
            return done ? done : r;
        done += r;
        if ((uint32_t)r < iov.len)
            break;
    }
    return done;
}

SYSCALL(readv)
{
    UNUSED6;
    return rwv(a1, a2, a3, false);
}

SYSCALL(writev)
{
    UNUSED6;
    return rwv(a1, a2, a3, true);
}

SYSCALL(close)
{
    UNUSED6;
    struct proc *p = proc_current();
    struct file *f = fd_file(a1);
    if (!f)
        return -EBADF;
    p->files[a1] = 0;
    file_close(f);
    return 0;
}

SYSCALL(pipe)
{
    UNUSED6;
    struct proc *p = proc_current();
    if (!user_range_ok(a1, 2 * sizeof(int), true))
        return -EFAULT;
    int fds[2] = {-1, -1};
    for (int fd = 0, k = 0; fd < NOFILE && k < 2; fd++)
        if (!p->files[fd] && fd != fds[0])
            fds[k++] = fd;
    if (fds[1] < 0)
        return -EMFILE;
    struct file *rd, *wr;
    int err = file_pipe(&rd, &wr);
    if (err)
        return err;
    p->files[fds[0]] = rd;
    p->files[fds[1]] = wr;
    return copyout(a1, fds, sizeof fds);
}

SYSCALL(ioctl)
{
    UNUSED6;
    struct file *f = fd_file(a1);
    if (!f)
        return -EBADF;
    if (f->kind != FILE_CONSOLE)
        return -ENOTTY;
    if (a2 != TIOCGWINSZ)
        return -EINVAL; /* the console is a terminal, but of one question only */
    unsigned cols, rows;
    tty_size(&cols, &rows);
    struct linux_winsize ws = {(uint16_t)rows, (uint16_t)cols, 0, 0};
    return copyout(a3, &ws, sizeof ws);
}
