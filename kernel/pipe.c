/*
 * kernel/pipe.c - pipes (see pipe.h).
 *
 * The queue is a ring of PIPE_SIZE bytes with two free-running counters: bytes
 * ever written and bytes ever read. Their difference is the fill level, and
 * each taken modulo the size is a position, so "full" and "empty" need no
 * extra flag. Sleepers wait on the counters' addresses.
 */
#include "pipe.h"
#include "errno.h"
#include "sched.h"
#include "mm/heap.h"

struct pipe {
    uint8_t buf[PIPE_SIZE];
    uint32_t nread, nwritten;
    int readers, writers;
};

struct pipe *pipe_create(void)
{
    struct pipe *p = kmalloc(sizeof *p);
    if (!p)
        return 0;
    p->nread = p->nwritten = 0;
    p->readers = p->writers = 1;
    return p;
}

void pipe_close(struct pipe *p, bool writer)
{
    if (writer) {
        p->writers--;
        sched_wakeup(&p->nread); /* readers see end of file */
    } else {
        p->readers--;
        sched_wakeup(&p->nwritten); /* writers see -EPIPE */
    }
    if (p->readers == 0 && p->writers == 0)
        kfree(p);
}

int pipe_read(struct pipe *p, uintptr_t ubuf, size_t n)
{
    while (p->nread == p->nwritten) {
        if (p->writers == 0)
            return 0;
        sched_sleep(&p->nread);
    }
    size_t i = 0;
    uint8_t *dst = (uint8_t *)ubuf;
    for (; i < n && p->nread != p->nwritten; i++)
        dst[i] = p->buf[p->nread++ % PIPE_SIZE];
    sched_wakeup(&p->nwritten);
    return (int)i;
}

int pipe_write(struct pipe *p, uintptr_t ubuf, size_t n)
{
    const uint8_t *src = (const uint8_t *)ubuf;
    size_t i = 0;
    while (i < n) {
        if (p->readers == 0)
            return i ? (int)i : -EPIPE;
        if (p->nwritten - p->nread == PIPE_SIZE) {
            sched_wakeup(&p->nread);
            sched_sleep(&p->nwritten);
            continue;
        }
        p->buf[p->nwritten++ % PIPE_SIZE] = src[i++];
    }
    sched_wakeup(&p->nread);
    return (int)i;
}
