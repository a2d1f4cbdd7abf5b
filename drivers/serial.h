/* drivers/serial.h - the COM1 UART (see serial.c). */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>

/* Program COM1 for 115200 baud, 8N1, FIFOs on. Returns false if no UART answers;
 * then the other calls do nothing. Needs no clock: it may run first thing at boot. */
bool serial_init(void);

/* Send one character ('\n' as CR LF). Waits at most 500 ms for a transmitter that
 * does not drain; after that the port counts as stalled and characters are dropped,
 * without waiting, until it drains again (serial.c explains the policy). */
void serial_putc(char c);

/* Raise IRQ 4 when a byte arrives (the monitor uses it only to wake from HLT). */
void serial_enable_rx_interrupt(void);

/* A received byte, or -1 when none is waiting (never blocks). Works whatever the
 * state of the transmitter. */
int serial_getc(void);

#endif
