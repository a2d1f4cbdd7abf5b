/*
 * user/musl/musl-sparse.c - big arrays from calloc and malloc, touched sparsely.
 *
 * A 64 MiB calloc'd array is read and written once every MiB (and every byte
 * between two of those checked on a few pages); then six 32 MiB malloc'd
 * blocks, one word per MiB each, are written, checked and freed in a
 * scrambled order; one of them is first grown to 48 MiB with realloc (the marks
 * must survive the move). That is 256 MiB asked for and little touched (the
 * realloc may copy the whole 32 MiB where mremap is missing): on a 128 MiB
 * machine it runs only when memory is given on first touch (musl maps blocks
 * this big with mmap2, and its calloc relies on fresh mappings being zero
 * instead of clearing them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB    (1u << 20)
#define BIG    (64u * MiB)
#define BLOCKS 6
#define BLOCK  (32u * MiB)

static unsigned failures;

static void fail(const char *what, size_t where)
{
    if (failures++ < 5)
        printf("musl-sparse: FAIL %s at offset %zu\n", what, where);
}

static uint32_t mark(size_t block, size_t off)
{
    return (uint32_t)(block * 1000003u + off / MiB) | 1u;
}

int main(void)
{
    unsigned char *z = calloc(BIG, 1);
    if (!z) {
        printf("musl-sparse: FAIL calloc(64 MiB) returned NULL\n");
        return 1;
    }
    for (size_t off = 0; off < BIG; off += MiB) {
        if (z[off + 4095] != 0)
            fail("calloc'd byte not zero", off + 4095);
        z[off + 100] = (unsigned char)(off / MiB + 1);
    }
    for (size_t off = 0; off < BIG; off += MiB)
        if (z[off + 100] != (unsigned char)(off / MiB + 1))
            fail("calloc'd array lost a write", off + 100);
    for (size_t off = 0; off < BIG; off += 16 * MiB) /* whole pages around a mark */
        for (size_t k = 0; k < 8192; k++)
            if (k != 100 && z[off + k] != 0)
                fail("calloc'd byte next to a mark not zero", off + k);
    free(z);

    uint32_t *b[BLOCKS];
    for (size_t i = 0; i < BLOCKS; i++) {
        b[i] = malloc(BLOCK);
        if (!b[i]) {
            printf("musl-sparse: FAIL malloc(32 MiB) number %zu returned NULL\n", i + 1);
            return 1;
        }
        for (size_t off = 0; off < BLOCK; off += MiB)
            b[i][off / 4] = mark(i, off);
    }
    for (size_t i = 0; i < BLOCKS; i++)
        for (size_t off = 0; off < BLOCK; off += MiB)
            if (b[i][off / 4] != mark(i, off))
                fail("a malloc'd block lost a mark", off);
    for (size_t i = 0; i < 1; i++) { /* grow one block by 16 MiB */
        uint32_t *p = realloc(b[i], BLOCK + 16 * MiB);
        if (!p) {
            printf("musl-sparse: FAIL realloc to 48 MiB returned NULL\n");
            return 1;
        }
        b[i] = p;
        for (size_t off = 0; off < BLOCK; off += MiB)
            if (b[i][off / 4] != mark(i, off))
                fail("realloc lost a mark", off);
        b[i][(BLOCK + 16 * MiB) / 4 - 1] = 7;
    }
    static const int order[BLOCKS] = {3, 0, 5, 1, 4, 2};
    for (size_t n = 0; n < BLOCKS; n++) {
        size_t i = (size_t)order[n];
        for (size_t off = 0; off < BLOCK; off += 8 * MiB)
            if (b[i][off / 4] != mark(i, off))
                fail("a block lost a mark before its free", off);
        free(b[i]);
    }
    if (failures) {
        printf("musl-sparse: %u FAIL\n", failures);
        return 1;
    }
    printf("musl-sparse: ok\n");
    return 0;
}
