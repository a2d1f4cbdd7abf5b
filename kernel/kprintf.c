/*
 * kernel/kprintf.c - console output to serial and screen, and panic().
 */
#include "kprintf.h"
#include "io.h"
#include "drivers/serial.h"
#include "debug.h"
#include "qemu.h"

static void (*screen_putc)(char c);

void kprintf_set_screen(void (*putc)(char c))
{
    screen_putc = putc;
}

static void console_emit(char c, void *ctx)
{
    (void)ctx;
    serial_putc(c);
    if (screen_putc)
        screen_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    return kformat(console_emit, 0, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

void halt_forever(void)
{
    qemu_exit(QEMU_EXIT_FAIL);     /* under the test harness: end the run now */
    for (;;) {
        cli();
        hlt();
    }
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    static int nested;
    va_list ap;

    cli();
    if (nested++) {
        /* A panic while panicking (say, the backtrace faulted): say so and stop. */
        kprintf("PANIC (nested) at %s:%d\n", file, line);
        halt_forever();
    }
    kprintf("PANIC at %s:%d: ", file, line);
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    backtrace_print(read_ebp());
    kprintf("kernel: halted\n");
    halt_forever();
}
