/*
 * user/musl/musl-mallocstress.c - musl's malloc, many rounds of random sizes from 1 byte to 1 MiB.
 *
 * Each of ROUNDS rounds fills every empty slot with a block of a random size
 * (log-uniform: as many blocks of 1-2 bytes as of 512 KiB-1 MiB), grows a third
 * of them with realloc (two to four times, up to 2 MiB), calloc()s some, and
 * frees about half in a shuffled order. Every block carries its own byte
 * pattern and is checked after each step: fully up to 8 KiB, above that its
 * first and last 256 bytes and every 61st byte between. At most LIVE_MAX bytes
 * are live at once, so the program fits a 128 MiB machine. On the kernel this
 * runs mmap2 and munmap of musl's groups and big blocks, brk, and realloc of
 * big blocks (musl tries mremap first and copies when that fails).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS    200
#define ROUNDS   6
#define LIVE_MAX (24u << 20)

static unsigned char *blk[SLOTS];
static size_t len[SLOTS];
static unsigned char tag[SLOTS];
static size_t live;
static unsigned failures;

static uint32_t rng = 2024;
static uint32_t next(void) /* the same run every time */
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static unsigned char byte(size_t i, size_t k)
{
    return (unsigned char)(tag[i] + k * 7 + (k >> 9));
}

static void fill_from(size_t i, size_t from)
{
    for (size_t k = from; k < len[i]; k++)
        blk[i][k] = byte(i, k);
}

static int check_byte(size_t i, size_t k, const char *when)
{
    if (blk[i][k] == byte(i, k))
        return 0;
    printf("musl-mallocstress: FAIL block %zu (%zu bytes) byte %zu is %u, want %u, %s\n", i, len[i], k,
           blk[i][k], byte(i, k), when);
    failures++;
    return 1;
}

static void check(size_t i, const char *when)
{
    size_t n = len[i];
    if (!blk[i])
        return;
    if (n <= 8192) {
        for (size_t k = 0; k < n; k++)
            if (check_byte(i, k, when))
                return;
        return;
    }
    for (size_t k = 0; k < 256; k++)
        if (check_byte(i, k, when) || check_byte(i, n - 1 - k, when))
            return;
    for (size_t k = 256; k < n - 256; k += 61)
        if (check_byte(i, k, when))
            return;
}

static void check_all(const char *when)
{
    for (size_t i = 0; i < SLOTS; i++)
        check(i, when);
}

static size_t pick_size(void)
{
    unsigned bits = next() % 21; /* 2^0 .. 2^20 */
    size_t n = 1 + next() % ((size_t)1 << bits);
    return live + n > LIVE_MAX ? 1 + next() % 4096 : n;
}

static int drop(size_t i)
{
    free(blk[i]);
    live -= len[i];
    blk[i] = NULL;
    len[i] = 0;
    return 0;
}

int main(void)
{
    size_t order[SLOTS];
    for (int round = 0; round < ROUNDS; round++) {
        /* Fill the empty slots: malloc, or calloc (which must come back zeroed). */
        for (size_t i = 0; i < SLOTS; i++) {
            if (blk[i])
                continue;
            size_t n = pick_size();
            bool zeroed = next() % 8 == 0;
            blk[i] = zeroed ? calloc(n, 1) : malloc(n);
            if (!blk[i]) {
                printf("musl-mallocstress: FAIL %s(%zu) returned NULL\n", zeroed ? "calloc" : "malloc", n);
                return 1;
            }
            for (size_t k = 0; zeroed && k < n; k += (n > 65536 ? 509 : 1)) {
                if (blk[i][k] != 0) {
                    printf("musl-mallocstress: FAIL calloc(%zu) byte %zu is %u\n", n, k, blk[i][k]);
                    return 1;
                }
            }
            len[i] = n;
            live += n;
            tag[i] = (unsigned char)next();
            fill_from(i, 0);
        }
        check_all("after allocation");

        /* Grow a third of them. */
        for (size_t i = 0; i < SLOTS; i++) {
            if (next() % 3 != 0)
                continue;
            size_t n = len[i] * (2 + next() % 3);
            if (n > (2u << 20))
                n = 2u << 20;
            if (n <= len[i] || live + n - len[i] > LIVE_MAX)
                continue;
            unsigned char *p = realloc(blk[i], n);
            if (!p) {
                printf("musl-mallocstress: FAIL realloc(%zu to %zu) returned NULL\n", len[i], n);
                return 1;
            }
            blk[i] = p;
            check(i, "after realloc"); /* the old length: what must have been kept */
            size_t old = len[i];
            live += n - old;
            len[i] = n;
            fill_from(i, old);
        }
        check_all("after the reallocs");

        /* Free about half, in a shuffled order. */
        for (size_t i = 0; i < SLOTS; i++)
            order[i] = i;
        for (size_t i = SLOTS - 1; i > 0; i--) {
            size_t j = next() % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < SLOTS / 2; i++)
            drop(order[i]);
        check_all("after the frees");
        if (failures)
            break;
    }
    for (size_t i = 0; i < SLOTS; i++)
        drop(i);
    if (failures) {
        printf("musl-mallocstress: %u FAIL\n", failures);
        return 1;
    }
    printf("musl-mallocstress: ok\n");
    return 0;
}
