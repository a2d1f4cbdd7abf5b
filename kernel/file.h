/*
 * kernel/file.h - open files: what a file descriptor refers to.
 *
 * A descriptor is an index into the process's table of `struct file *`. A file
 * is shared, with a reference count, by every descriptor that fork or a future
 * dup copied; it goes away when the last one is closed. There are two kinds
 * for now: the console (kernel/tty.c) and the two ends of a pipe (kernel/pipe.c).
 */
#ifndef KERNEL_FILE_H
#define KERNEL_FILE_H

#include "mm/types.h"

enum file_kind {
    FILE_CONSOLE,
    FILE_PIPE_READ,
    FILE_PIPE_WRITE
};

struct pipe;

struct file {
    enum file_kind kind;
    int refs;
    struct pipe *pipe;
};

/* A new reference to the console; 0 when the heap is exhausted. */
struct file *file_console(void);

/* A pipe: *rd and *wr, its two ends. -ENOMEM. */
int file_pipe(struct file **rd, struct file **wr);

struct file *file_dup(struct file *f);
void file_close(struct file *f);

/* Move up to n bytes between the file and user memory at `ubuf` (already
 * checked by the caller): bytes moved, 0 at end of file, or -errno. */
int file_read(struct file *f, uintptr_t ubuf, size_t n);
int file_write(struct file *f, uintptr_t ubuf, size_t n);

#endif
