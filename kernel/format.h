/*
 * kernel/format.h - printf-style formatting with no libc (see format.c).
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, the length modifiers l, ll and z,
 * a field width (or *), the flags '-' (left-justify) and '0' (zero padding).
 * Plain C, also compiled for the host where tests/host/test_kprintf.c checks it.
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_emit_fn)(char c, void *ctx);

/* Format into emit(); returns the number of characters produced. */
int kformat(format_emit_fn emit, void *ctx, const char *fmt, va_list ap);

/* Format into buf (always NUL-terminated when size > 0); returns the full length. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
