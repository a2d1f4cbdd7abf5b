/*
 * kernel/string.c - memset, memcpy, memmove and memcmp for compiler-generated calls.
 *
 * There is no C library, but GCC and clang both require these four from a
 * freestanding environment: they may emit calls to them for struct copies and
 * for zeroing arrays (clang does, for `uint32_t a[N] = {0}` in heap_check()),
 * whatever -fno-builtin says. Byte loops: simple, and fast enough for the
 * kernel's few and small uses. -O1 does not turn these loops back into calls.
 */
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Fill n bytes at dst with (unsigned char)c; returns dst. */
void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

/* Copy n bytes from src to dst, which must not overlap; returns dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

/* Copy n bytes from src to dst, which may overlap; returns dst. */
void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((uintptr_t)d <= (uintptr_t)s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

/* Compare n bytes as unsigned char: <0, 0 or >0, as the first difference says. */
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (size_t i = 0; i < n; i++)
        if (p[i] != q[i])
            return p[i] - q[i];
    return 0;
}
