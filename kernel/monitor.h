/*
 * kernel/monitor.h - the kernel monitor: a small shell for exploring memory.
 *
 * It reads lines from the serial port and the PS/2 keyboard at once (both are
 * polled) and runs commands that show the memory map, the frame allocator, the
 * page tables and the heap live. `help` lists them.
 */
#ifndef KERNEL_MONITOR_H
#define KERNEL_MONITOR_H

/* Run the monitor for ever (until `halt` or `reboot`). */
void monitor_run(void) __attribute__((noreturn));

/* The break key was typed while processes ran: a monitor session until
 * `continue`, then the interrupted process resumes. */
void monitor_break(void);

/* Run one command line (used by monitor_run; also handy in tests). */
void monitor_exec(char *line);

#endif
