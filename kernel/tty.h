/*
 * kernel/tty.h - the console as a file: line-edited input, output to serial and screen.
 *
 * While processes run, keys from the PS/2 keyboard and bytes from COM1 arrive
 * by interrupt (IRQ 1 and 4) and go into a line buffer, echoed as typed;
 * backspace edits, Enter completes the line and wakes a reader, Ctrl-D on an
 * empty line is end of file. One key is kept for the kernel: TTY_BREAK_KEY
 * stops the processes and opens the monitor, whatever they are doing
 * (`continue` there resumes them).
 */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include "mm/types.h"

#define TTY_BREAK_KEY 0x0B /* Ctrl-K: to the kernel monitor */

/* Drain the keyboard and serial port into the line buffer (from their IRQs). */
void tty_poll(void);

/* Was the break key typed since the last call? (Clears it.) */
bool tty_break_pending(void);

/* Up to n bytes of the next completed line (sleeping until there is one); 0 at end of file. */
int tty_read(char *dst, size_t n);

void tty_write(const char *src, size_t n);

/* The console's size in characters, for TIOCGWINSZ. */
void tty_size(unsigned *cols, unsigned *rows);

/* While the monitor owns the console, interrupts leave its input alone. */
void tty_set_monitor(bool active);

#endif
