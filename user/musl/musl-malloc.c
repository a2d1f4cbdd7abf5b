/*
 * user/musl/musl-malloc.c - musl's malloc over our brk and mmap2.
 *
 * musl's allocator (mallocng) takes small blocks from groups it maps with
 * mmap2, and gives each block above about 128 KiB a mapping of its own, so
 * free() of a big block is a munmap and realloc() of one may be an mremap.
 * This program allocates, fills, checks, grows, shrinks and frees blocks of
 * many sizes in a scrambled order, so every one of those paths runs, and
 * checks after each step that no block's bytes changed under it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 300

static unsigned char *blk[N];
static size_t len[N];
static unsigned failures;

static uint32_t rng = 12345;
static uint32_t next(void) /* a small linear congruential generator: the same run every time */
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static unsigned char fill(size_t i, size_t k)
{
    return (unsigned char)(i * 31 + k * 7 + 1);
}

static void check(size_t i, const char *when)
{
    for (size_t k = 0; k < len[i]; k++) {
        if (blk[i][k] != fill(i, k)) {
            printf("musl-malloc: FAIL block %zu (%zu bytes) byte %zu changed %s\n", i, len[i], k, when);
            failures++;
            return;
        }
    }
}

static size_t pick_size(void)
{
    switch (next() % 8) {
    case 0: return next() % 16; /* tiny, 0 included */
    case 1: return 16 + next() % 240;
    case 2: return 256 + next() % 3840;                /* up to a page */
    case 3: return 4096 + next() % 61440;              /* up to 64 KiB */
    case 4: return 128 * 1024 + next() % (384 * 1024); /* 128 to 512 KiB: mmap'd */
    default: return next() % 1024;
    }
}

int main(void)
{
    for (size_t i = 0; i < N; i++) {
        len[i] = pick_size();
        blk[i] = malloc(len[i]);
        if (!blk[i] && len[i]) {
            printf("musl-malloc: FAIL malloc(%zu) returned NULL\n", len[i]);
            return 1;
        }
        for (size_t k = 0; k < len[i]; k++)
            blk[i][k] = fill(i, k);
    }
    for (size_t i = 0; i < N; i++)
        check(i, "after allocation");

    /* Free a scrambled half, then regrow or shrink the rest with realloc. */
    for (size_t n = 0; n < N / 2; n++) {
        size_t i = next() % N;
        free(blk[i]);
        blk[i] = NULL;
        len[i] = 0;
    }
    for (size_t i = 0; i < N; i++) {
        if (!blk[i])
            continue;
        size_t nlen = pick_size() + 1;
        unsigned char *p = realloc(blk[i], nlen);
        if (!p) {
            printf("musl-malloc: FAIL realloc(%zu) returned NULL\n", nlen);
            return 1;
        }
        blk[i] = p;
        size_t keep = nlen < len[i] ? nlen : len[i];
        len[i] = keep;
        check(i, "after realloc");
        for (size_t k = keep; k < nlen; k++)
            p[k] = fill(i, k);
        len[i] = nlen;
    }
    for (size_t i = 0; i < N; i++) {
        if (blk[i])
            check(i, "at the end");
        free(blk[i]);
    }

    /* Big blocks: 1 and 4 MiB, a realloc between them, calloc's zeroes. */
    unsigned char *big = malloc(1 << 20);
    if (!big) {
        printf("musl-malloc: FAIL malloc(1 MiB) returned NULL\n");
        return 1;
    }
    memset(big, 0x5a, 1 << 20);
    big = realloc(big, 4 << 20);
    if (!big || big[0] != 0x5a || big[(1 << 20) - 1] != 0x5a) {
        printf("musl-malloc: FAIL realloc to 4 MiB lost the contents\n");
        return 1;
    }
    free(big);
    unsigned *z = calloc(300000, sizeof *z);
    for (size_t k = 0; z && k < 300000; k++) {
        if (z[k] != 0) {
            printf("musl-malloc: FAIL calloc word %zu = %u\n", k, z[k]);
            failures++;
            break;
        }
    }
    if (!z) {
        printf("musl-malloc: FAIL calloc returned NULL\n");
        failures++;
    }
    free(z);

    if (failures) {
        printf("musl-malloc: %u FAIL\n", failures);
        return 1;
    }
    printf("musl-malloc: ok\n");
    return 0;
}
