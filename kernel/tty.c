/*
 * kernel/tty.c - the console file (see tty.h).
 *
 * Input is "cooked" as a terminal in canonical mode does it: the line being
 * typed is edited in `line`; Enter moves it, with its newline, into `ready`,
 * where read() takes it. A read returns at most one line, so a shell reading
 * line by line sees what the user meant. Echo goes through kprintf, so it
 * reaches the serial port and the screen like any other output.
 */
#include "tty.h"
#include "console.h"
#include "kprintf.h"
#include "sched.h"
#include "drivers/keyboard.h"
#include "drivers/serial.h"

#define TTY_LINE 256

static char line[TTY_LINE];
static unsigned line_len;
static char ready[TTY_LINE * 2];
static unsigned ready_len;
static unsigned eof_pending; /* Ctrl-D on an empty line: reads returning 0 owed */
static bool break_pending;
static bool monitor_active;

void tty_set_monitor(bool active)
{
    monitor_active = active;
}

bool tty_break_pending(void)
{
    bool b = break_pending;
    break_pending = false;
    return b;
}

static void complete_line(void)
{
    if (ready_len + line_len > sizeof ready)
        line_len = sizeof ready - ready_len; /* a reader that never reads loses the excess */
    for (unsigned i = 0; i < line_len; i++)
        ready[ready_len++] = line[i];
    line_len = 0;
    sched_wakeup(ready);
}

static void input(int c)
{
    if (c == TTY_BREAK_KEY) {
        break_pending = true;
        return;
    }
    if (c == '\r')
        c = '\n';
    if (c == '\b' || c == 127) {
        if (line_len) {
            line_len--;
            kprintf("\b \b");
        }
    } else if (c == 4) { /* Ctrl-D: end of file on an empty line, else send the line as it is */
        if (line_len == 0)
            eof_pending++;
        complete_line();
    } else if (c == '\n') {
        kprintf("\n");
        line[line_len++] = '\n';
        complete_line();
    } else if (c >= 32 && c < 127 && line_len < TTY_LINE - 1) {
        line[line_len++] = (char)c;
        kprintf("%c", c);
    }
    sched_wakeup(ready);
}

void tty_poll(void)
{
    if (monitor_active)
        return;
    for (;;) {
        int c = keyboard_getc();
        if (c < 0)
            c = serial_getc();
        if (c < 0)
            return;
        if (c < 256)
            input(c);
    }
}

int tty_read(char *dst, size_t n)
{
    while (ready_len == 0 && !eof_pending) {
        tty_poll(); /* without working interrupts, reading polls */
        if (ready_len == 0 && !eof_pending)
            sched_sleep(ready);
    }
    if (ready_len == 0) {
        eof_pending--;
        return 0;
    }
    unsigned i = 0;
    while (i < n && i < ready_len) {
        dst[i] = ready[i];
        if (ready[i++] == '\n')
            break;
    }
    for (unsigned j = i; j < ready_len; j++)
        ready[j - i] = ready[j];
    ready_len -= i;
    return (int)i;
}

void tty_write(const char *src, size_t n)
{
    kprintf_write(src, n);
}

void tty_size(unsigned *cols, unsigned *rows)
{
    console_size(cols, rows);
}
