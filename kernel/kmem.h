/*
 * kernel/kmem.h - the four memory functions of kernel/string.c, declared once.
 *
 * There is no C library; kernel/string.c defines these because compilers may
 * call them for struct copies anyway. Kernel code that copies buffers calls them
 * through this header.
 */
#ifndef KERNEL_KMEM_H
#define KERNEL_KMEM_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
