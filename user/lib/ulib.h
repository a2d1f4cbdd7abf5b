/*
 * user/lib/ulib.h - everything the project's own C library offers, in one header.
 *
 * The library is small on purpose: system calls (syscall.h), the memory and
 * string functions the compiler and the programs need (string.c), printf
 * (printf.c) and a heap (malloc.c). It is not a standard C library - there is
 * no stdio FILE, no errno, no locale - and its system-call wrappers return the
 * kernel's -Exxx directly, which is what the kernel's tests want to see.
 * Programs that want a real C library are built with musl instead (user/musl/).
 *
 * Start-up is crt0.asm: it calls main(argc, argv, envp) and passes main's
 * return value to exit().
 */
#ifndef ULIB_H
#define ULIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi.h"
#include "errno.h"
#include "syscall.h"

/* string.c */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strchr(const char *s, int c);
int atoi(const char *s);

/* printf.c: printf writes to fd 1, dprintf to any descriptor; each call
 * reaches the kernel before it returns (no buffer is kept between calls). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* malloc.c: the heap, grown with brk. */
void *malloc(size_t n);
void free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);

/* The program's entry, called by crt0. */
int main(int argc, char **argv, char **envp);

#endif
