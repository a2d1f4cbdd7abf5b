/*
 * user/musl/musl-forkmem.c - 8 MiB of malloc'd memory shared by fork, copied on write.
 *
 * The parent fills 8 MiB with a pattern and forks CHILDREN children that all
 * run at once: each checks every word of its copy, overwrites a different
 * share of it (all of it, one word per page, the second half, every other
 * page), checks what it wrote and what it did not, allocates and frees more
 * memory of its own, and exits 0. The parent checks their exit statuses and
 * that its own copy never changed. Then the other direction: a child waits on
 * a pipe while the parent overwrites half of the buffer, and must still see
 * the original pattern. Memory at most: 8 MiB per process, 40 MiB in all.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE     (8u << 20)
#define WORDS    (SIZE / 4)
#define PAGEW    1024u /* words per 4 KiB page */
#define CHILDREN 4

static uint32_t *buf;

static uint32_t orig(size_t i)
{
    return (uint32_t)i * 2654435761u ^ 0x5eed;
}

static uint32_t mine(size_t i, int c)
{
    return (uint32_t)i ^ ((uint32_t)(c + 1) << 24);
}

/* Does child c overwrite word i? */
static int writes(int c, size_t i)
{
    switch (c) {
    case 0: return 1;
    case 1: return i % PAGEW == 0;
    case 2: return i >= WORDS / 2;
    default: return (i / PAGEW) % 2 == 1;
    }
}

/* The first word of the buffer that is not what it should be, or -1. */
static long first_bad(int c)
{
    for (size_t i = 0; i < WORDS; i++) {
        uint32_t want = c >= 0 && writes(c, i) ? mine(i, c) : orig(i);
        if (buf[i] != want)
            return (long)i;
    }
    return -1;
}

static int child(int c)
{
    if (first_bad(-1) >= 0)
        return 1; /* did not see the parent's pattern */
    for (size_t i = 0; i < WORDS; i++)
        if (writes(c, i))
            buf[i] = mine(i, c);
    if (first_bad(c) >= 0)
        return 2;
    char *more = malloc(1u << 20); /* the child's own heap grows too */
    if (!more)
        return 3;
    memset(more, c, 1u << 20);
    for (size_t k = 0; k < (1u << 20); k += 4096)
        if (more[k] != c)
            return 4;
    free(more);
    return first_bad(c) >= 0 ? 5 : 0;
}

int main(void)
{
    int bad = 0;
    buf = malloc(SIZE);
    if (!buf) {
        printf("musl-forkmem: FAIL malloc(8 MiB) returned NULL\n");
        return 1;
    }
    for (size_t i = 0; i < WORDS; i++)
        buf[i] = orig(i);
    fflush(stdout);

    pid_t pids[CHILDREN];
    for (int c = 0; c < CHILDREN; c++) {
        pids[c] = fork();
        if (pids[c] < 0) {
            perror("musl-forkmem: FAIL fork");
            return 1;
        }
        if (pids[c] == 0)
            _exit(child(c));
    }
    long b = first_bad(-1); /* while they write */
    if (b >= 0) {
        printf("musl-forkmem: FAIL word %ld of the parent changed while the children ran\n", b);
        bad = 1;
    }
    for (int c = 0; c < CHILDREN; c++) {
        int st = 0;
        if (waitpid(pids[c], &st, 0) != pids[c] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            printf("musl-forkmem: FAIL child %d: status 0x%x (exit 1: it did not see the pattern, "
                   "2, 5: its writes did not stick, 3, 4: its own malloc)\n",
                   c, st);
            bad = 1;
        }
    }
    b = first_bad(-1);
    if (b >= 0) {
        printf("musl-forkmem: FAIL word %ld of the parent changed after the children wrote\n", b);
        bad = 1;
    }

    /* The parent writes while a child waits: the child keeps the original. */
    int p[2];
    if (pipe(p) != 0) {
        perror("musl-forkmem: FAIL pipe");
        return 1;
    }
    pid_t w = fork();
    if (w < 0) {
        perror("musl-forkmem: FAIL fork");
        return 1;
    }
    if (w == 0) {
        char x;
        close(p[1]);
        _exit(read(p[0], &x, 1) == 1 && first_bad(-1) < 0 ? 0 : 1);
    }
    close(p[0]);
    for (size_t i = 0; i < WORDS; i++)
        if (writes(2, i))
            buf[i] = mine(i, 2);
    int st = 0;
    if (write(p[1], "g", 1) != 1 || waitpid(w, &st, 0) != w || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("musl-forkmem: FAIL the waiting child saw the parent's writes (status 0x%x)\n", st);
        bad = 1;
    }
    if (first_bad(2) >= 0) {
        printf("musl-forkmem: FAIL the parent's own writes did not stick\n");
        bad = 1;
    }
    free(buf);
    printf(bad ? "musl-forkmem: FAIL\n" : "musl-forkmem: ok\n");
    return bad;
}
