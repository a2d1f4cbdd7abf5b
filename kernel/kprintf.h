/*
 * kernel/kprintf.h - the kernel's console output and panic().
 *
 * kprintf() writes to the serial port and the screen at once (format.h lists
 * the conversions). panic() prints "PANIC at file:line: message" and halts with
 * interrupts off; every panic and exception report starts with a line beginning
 * "PANIC", which the test harness matches.
 */
#ifndef KERNEL_KPRINTF_H
#define KERNEL_KPRINTF_H

#include <stdarg.h>
#include "format.h"

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

/* Write n bytes as they are (a program's output) to serial and the screen. */
void kprintf_write(const char *s, unsigned long n);

/* Where output goes in addition to the serial port (the screen driver). What
 * was printed before any screen was set is replayed to the first one set. */
void kprintf_set_screen(void (*putc)(char c));

void panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

/* Stop the machine for good: interrupts off, HLT forever. */
void halt_forever(void) __attribute__((noreturn));

/* Assertion that stays in release builds: the kernel never runs on after a broken invariant. */
#define kassert(cond)                             \
    do {                                          \
        if (!(cond))                              \
            panic("assertion failed: %s", #cond); \
    } while (0)

#endif
