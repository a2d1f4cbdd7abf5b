/*
 * drivers/serial.c - the COM1 UART (a 16550-compatible chip at I/O port 0x3F8).
 *
 * Nothing may be assumed about the UART's state after firmware and GRUB: we
 * program the baud-rate divisor, the line format (8 data bits, no parity, one
 * stop bit: "8N1") and the FIFOs ourselves. Before each byte we poll the line
 * status register until the transmit holding register is empty; a real UART
 * (and Bochs) drops or garbles characters written faster than it sends them.
 * QEMU is lenient on both counts, so it would hide these bugs.
 */
#include "serial.h"
#include "kernel/io.h"

#define COM1 0x3F8

/* Register offsets from the base port. */
#define UART_DATA 0 /* RBR/THR; with DLAB set: divisor low byte */
#define UART_IER  1 /* interrupt enable; with DLAB set: divisor high byte */
#define UART_FCR  2 /* FIFO control (write) */
#define UART_LCR  3 /* line control: word length, parity, stop bits, DLAB */
#define UART_MCR  4 /* modem control: DTR, RTS, OUT2, loopback */
#define UART_LSR  5 /* line status */

#define LCR_8N1  0x03 /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB 0x80 /* divisor latch access */
#define LSR_DR   0x01 /* a received byte is waiting */
#define LSR_THRE 0x20 /* transmit holding register empty */

static bool present;

bool serial_init(void)
{
    outb(COM1 + UART_IER, 0x00);     /* we poll: no interrupts */
    outb(COM1 + UART_LCR, LCR_DLAB); /* expose the divisor latch */
    outb(COM1 + UART_DATA, 1);       /* 115200 / 1 = 115200 baud */
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_8N1); /* 8N1, divisor latch hidden again */
    outb(COM1 + UART_FCR, 0xC7);    /* FIFOs on, cleared, 14-byte threshold */

    /* Is a UART there? In loopback mode (MCR bit 4) it receives what it sends; an
     * empty port reads 0xFF. (The scratch register would also do, but the original
     * 8250 has none.) */
    outb(COM1 + UART_MCR, 0x1E);
    outb(COM1 + UART_DATA, 0xAE);
    for (unsigned spin = 0; spin < 100000 && !(inb(COM1 + UART_LSR) & LSR_DR); spin++)
        ;
    present = inb(COM1 + UART_DATA) == 0xAE;
    outb(COM1 + UART_MCR, 0x03); /* loopback off; DTR and RTS asserted */
    return present;
}

void serial_putc(char c) /* NOLINT(misc-no-recursion): one level, for the '\r' */
{
    if (!present)
        return;
    if (c == '\n')
        serial_putc('\r'); /* terminals expect CR LF */
    /* Bounded wait: a UART that never empties its transmitter is given up on, so a
     * broken port costs one timeout instead of a second per character. */
    unsigned spin = 0;
    while (!(inb(COM1 + UART_LSR) & LSR_THRE))
        if (++spin == 1000000) {
            present = false;
            return;
        }
    outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_enable_rx_interrupt(void)
{
    if (!present)
        return;
    outb(COM1 + UART_IER, 0x01); /* "received data available" */
    outb(COM1 + UART_MCR, 0x0B); /* DTR, RTS and OUT2: OUT2 gates the IRQ line */
}

int serial_getc(void)
{
    if (!present || !(inb(COM1 + UART_LSR) & LSR_DR))
        return -1;
    return inb(COM1 + UART_DATA);
}
