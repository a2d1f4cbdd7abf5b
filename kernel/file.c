/*
 * kernel/file.c - open files and their reference counts (see file.h).
 */
#include "file.h"
#include "errno.h"
#include "pipe.h"
#include "tty.h"
#include "mm/heap.h"

static struct file *file_new(enum file_kind kind, struct pipe *p)
{
    struct file *f = kmalloc(sizeof *f);
    if (f) {
        f->kind = kind;
        f->refs = 1;
        f->pipe = p;
    }
    return f;
}

struct file *file_console(void)
{
    return file_new(FILE_CONSOLE, 0);
}

int file_pipe(struct file **rd, struct file **wr)
{
    struct pipe *p = pipe_create();
    if (!p)
        return -ENOMEM;
    *rd = file_new(FILE_PIPE_READ, p);
    *wr = file_new(FILE_PIPE_WRITE, p);
    if (!*rd || !*wr) {
        /* Close what exists; the pipe goes with its last end. */
        if (*rd)
            file_close(*rd);
        else
            pipe_close(p, false);
        if (*wr)
            file_close(*wr);
        else
            pipe_close(p, true);
        return -ENOMEM;
    }
    return 0;
}

struct file *file_dup(struct file *f)
{
    f->refs++;
    return f;
}

void file_close(struct file *f)
{
    if (--f->refs > 0)
        return;
    if (f->kind != FILE_CONSOLE)
        pipe_close(f->pipe, f->kind == FILE_PIPE_WRITE);
    kfree(f);
}

int file_read(struct file *f, uintptr_t ubuf, size_t n)
{
    switch (f->kind) {
    case FILE_CONSOLE: return tty_read((char *)ubuf, n);
    case FILE_PIPE_READ: return pipe_read(f->pipe, ubuf, n);
    default: return -EBADF; /* the write end of a pipe */
    }
}

int file_write(struct file *f, uintptr_t ubuf, size_t n)
{
    switch (f->kind) {
    case FILE_CONSOLE: tty_write((const char *)ubuf, n); return (int)n;
    case FILE_PIPE_WRITE: return pipe_write(f->pipe, ubuf, n);
    default: return -EBADF;
    }
}
