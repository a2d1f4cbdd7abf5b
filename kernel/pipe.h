/*
 * kernel/pipe.h - a pipe: a bounded byte queue between a writer and a reader.
 *
 * A reader finding it empty sleeps until a writer adds bytes or the last
 * writer closes (then read returns 0: end of file); a writer finding it full
 * sleeps until a reader makes room. Writing with no reader left fails with
 * -EPIPE (Linux would also send SIGPIPE; this kernel has no signals yet).
 */
#ifndef KERNEL_PIPE_H
#define KERNEL_PIPE_H

#include "mm/types.h"

#define PIPE_SIZE 4096

struct pipe *pipe_create(void);

/* A reader or writer end going away (the pipe is freed with the last). */
void pipe_close(struct pipe *p, bool writer);

int pipe_read(struct pipe *p, uintptr_t ubuf, size_t n);
int pipe_write(struct pipe *p, uintptr_t ubuf, size_t n);

#endif
