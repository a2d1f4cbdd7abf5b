/* drivers/serial.h - the COM1 UART (see serial.c). */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>

/* Program COM1 for 115200 baud, 8N1, FIFOs on. Returns false if no UART answers. */
bool serial_init(void);
void serial_putc(char c);
/* Raise IRQ 4 when a byte arrives (the monitor uses it only to wake from HLT). */
void serial_enable_rx_interrupt(void);

/* A received byte, or -1 when none is waiting (never blocks). */
int serial_getc(void);

#endif
