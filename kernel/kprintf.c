/*
 * kernel/kprintf.c - console output to serial and screen, and panic().
 */
#include "kprintf.h"
#include "io.h"
#include "drivers/serial.h"
#include "debug.h"
#include "qemu.h"

static void (*screen_putc)(char c);

/* Until a screen is attached, output is also kept here (the last EARLY_LOG_SIZE
 * bytes) and replayed onto the screen when one is, so a screen that comes up
 * late (a framebuffer needs paging) still shows the whole boot. */
#define EARLY_LOG_SIZE 8192
static char early_log[EARLY_LOG_SIZE];
static uint32_t early_len; /* bytes logged; the last EARLY_LOG_SIZE are kept */

void kprintf_set_screen(void (*putc)(char c))
{
    screen_putc = putc;
    if (!putc)
        return;
    uint32_t i = early_len > EARLY_LOG_SIZE ? early_len - EARLY_LOG_SIZE : 0;
    if (i > 0) /* lost the start: begin at a line boundary */
        while (i < early_len && early_log[i++ % EARLY_LOG_SIZE] != '\n')
            ;
    for (; i < early_len; i++)
        putc(early_log[i % EARLY_LOG_SIZE]);
    early_len = 0;
}

static void console_emit(char c, void *ctx)
{
    (void)ctx;
    serial_putc(c);
    if (screen_putc)
        screen_putc(c);
    else
        early_log[early_len++ % EARLY_LOG_SIZE] = c;
}

void kprintf_write(const char *s, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        console_emit(s[i], 0);
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
    qemu_exit(QEMU_EXIT_FAIL); /* under the test harness: end the run now */
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
