/*
 * drivers/serial.c - the COM1 UART (a 16550-compatible chip at I/O port 0x3F8).
 *
 * Nothing may be assumed about the UART's state after firmware and GRUB: we
 * program the baud-rate divisor, the line format (8 data bits, no parity, one
 * stop bit: "8N1") and the FIFOs ourselves. Before each byte we poll the line
 * status register until the transmit holding register is empty (THRE); a real
 * UART (and Bochs) drops or garbles characters written faster than it sends
 * them. QEMU is lenient on both counts, so it would hide these bugs.
 *
 * When the other end does not keep up. A real 16550 always empties its
 * transmitter within a few character times, but an emulated one sends to a
 * socket, a pipe or a terminal, and when the program reading them pauses (a
 * script sleeping between commands, Ctrl-S, tmux copy-mode, a stopped pipe),
 * THRE stays clear for as long as the pause lasts. The policy:
 *
 *   - back-pressure is waited out: each character may wait TX_TIMEOUT_MS
 *     (500 ms) for THRE, measured on the clock (kernel/clock.h), not in loop
 *     turns, so a fast CPU waits as long as a slow one. Every character that
 *     goes out starts a new wait, so a reader that is merely slow, or pauses
 *     for less than that at a time, never loses a character;
 *   - a transmitter that makes no progress for TX_TIMEOUT_MS is "stalled":
 *     that character and the ones after it are dropped (and counted) without
 *     waiting, so a stalled port costs one timeout, not one per character.
 *     Each of them first looks at the line status once: the moment the port
 *     has drained, output resumes, starting with a line that says how many
 *     characters were lost ("[serial: N characters dropped while the port
 *     was stalled]"), so a reader can tell a gap from a quiet kernel;
 *   - a port that stays stalled is re-probed: after every REPROBE_MS (1 s) of
 *     attempts its divisor, line format, FIFO, interrupt and modem control
 *     registers are programmed again (the FIFOs are enabled, not cleared:
 *     nothing queued is thrown away), in case something else reprogrammed the
 *     chip. That time counts only while characters keep coming, since the
 *     clock is read only then: it is a second of trying, not of the calendar;
 *   - input never depends on output: serial_getc reads whatever the receiver
 *     holds, stalled transmitter or not. Only a port where no UART answered
 *     the loopback test at boot is left alone for good (an empty ISA port
 *     reads 0xFF, which would look like an endless stream of received bytes).
 */
#include "serial.h"
#include "kernel/io.h"
#include "kernel/clock.h"

#include <stdint.h>

#define COM1 0x3F8

/* Register offsets from the base port. */
#define UART_DATA 0 /* RBR/THR; with DLAB set: divisor low byte */
#define UART_IER  1 /* interrupt enable; with DLAB set: divisor high byte */
#define UART_FCR  2 /* FIFO control (write) */
#define UART_LCR  3 /* line control: word length, parity, stop bits, DLAB */
#define UART_MCR  4 /* modem control: DTR, RTS, OUT2, loopback */
#define UART_LSR  5 /* line status */

#define LCR_8N1     0x03 /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB    0x80 /* divisor latch access */
#define FCR_ENABLE  0xC1 /* FIFOs on, 14-byte receive threshold */
#define FCR_CLEAR   0x06 /* ... and both FIFOs emptied */
#define IER_RX      0x01 /* interrupt when a received byte is waiting */
#define MCR_DTR_RTS 0x03 /* data terminal ready, request to send */
#define MCR_OUT2    0x08 /* gates the UART's interrupt line onto IRQ 4 */
#define LSR_DR      0x01 /* a received byte is waiting */
#define LSR_THRE    0x20 /* transmit holding register (the FIFO, when on) empty */
#define LSR_TEMT    0x40 /* ... and the shift register too: everything has gone out */

/* How long one character may wait for the transmitter (see the top of the file).
 * Well above the pauses of ordinary readers: a script that types ahead and sleeps
 * 50 ms between commands without reading holds the port for about 100 ms, and it
 * must lose nothing; a port that has really stalled costs this once. */
#define TX_TIMEOUT_MS 500
/* While stalled, how much trying between two re-programmings of the chip. */
#define REPROBE_MS    1000

static bool present;              /* a UART answered the loopback test at boot */
static bool stalled;              /* the transmitter made no progress for TX_TIMEOUT_MS */
static uint32_t dropped;          /* characters dropped and not yet reported */
static struct deadline reprobe;   /* while stalled: trying left until the next re-programming */
static uint8_t ier;               /* the interrupt enable register we want */
static uint8_t mcr = MCR_DTR_RTS; /* the modem control register we want */

/* Divisor (115200 / 1 = 115200 baud), 8N1, FIFOs (`fcr`), interrupts and modem control. */
static void program(uint8_t fcr)
{
    outb(COM1 + UART_LCR, LCR_DLAB); /* expose the divisor latch */
    outb(COM1 + UART_DATA, 1);
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_8N1); /* divisor latch hidden again */
    outb(COM1 + UART_FCR, fcr);
    outb(COM1 + UART_IER, ier);
    outb(COM1 + UART_MCR, mcr);
}

bool serial_init(void)
{
    outb(COM1 + UART_IER, 0x00); /* we poll: no interrupts */
    program(FCR_ENABLE | FCR_CLEAR);

    /* Is a UART there? In loopback mode it receives what it sends; an empty port
     * reads 0xFF. (The scratch register would also do, but the original 8250 has
     * none.) This runs before the clock is started, so the wait counts port reads:
     * the byte is back after one character time, and 100000 ISA reads take 100 ms. */
    outb(COM1 + UART_MCR, 0x1E); /* loopback, with OUT1, OUT2 and RTS looped back too */
    outb(COM1 + UART_DATA, 0xAE);
    for (unsigned spin = 0; spin < 100000 && !(inb(COM1 + UART_LSR) & LSR_DR); spin++)
        ;
    present = inb(COM1 + UART_DATA) == 0xAE;
    outb(COM1 + UART_MCR, mcr); /* loopback off; DTR and RTS asserted */
    stalled = false;
    dropped = 0;
    return present;
}

static bool thr_empty(void)
{
    return (inb(COM1 + UART_LSR) & LSR_THRE) != 0;
}

/* Wait up to TX_TIMEOUT_MS for THRE, then write the byte. False, with nothing
 * written, when the transmitter made no progress in that time. */
static bool send_byte(uint8_t b)
{
    if (!thr_empty()) {
        struct deadline d;
        deadline_start(&d, TX_TIMEOUT_MS * 1000u);
        while (!thr_empty())
            if (deadline_passed(&d))
                return false;
    }
    outb(COM1 + UART_DATA, b);
    return true;
}

static void stall(void)
{
    stalled = true;
    deadline_start(&reprobe, REPROBE_MS * 1000u);
}

/* The port drained after a stall: say how much was lost, on the port only (the
 * screen has it all). False if the port stalled again on the way. */
static bool report_dropped(void)
{
    if (dropped == 0)
        return true;
    char digits[10];
    int n = 0;
    for (uint32_t v = dropped; n == 0 || v > 0; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    const char *head = "\r\n[serial: ", *tail = " characters dropped while the port was stalled]\r\n";
    bool ok = true;
    for (const char *s = head; ok && *s; s++)
        ok = send_byte((uint8_t)*s);
    while (ok && n > 0)
        ok = send_byte((uint8_t)digits[--n]);
    for (const char *s = tail; ok && *s; s++)
        ok = send_byte((uint8_t)*s);
    if (!ok) {
        stall(); /* the count stands: it is reported with the next one */
        return false;
    }
    dropped = 0;
    return true;
}

/* Stalled: has the port drained, so that it takes characters again? One look at
 * the line status (TEMT: the UART has handed everything on, which a stalled QEMU
 * back end holds up even when the FIFO is empty), and after every REPROBE_MS of
 * such looks a re-programming of the chip first. Never waits. */
static bool resumed(void)
{
    if (!(inb(COM1 + UART_LSR) & LSR_TEMT)) {
        if (!deadline_passed(&reprobe))
            return false;
        program(FCR_ENABLE);
        deadline_start(&reprobe, REPROBE_MS * 1000u);
        if (!(inb(COM1 + UART_LSR) & LSR_TEMT))
            return false;
    }
    stalled = false;
    return report_dropped();
}

void serial_putc(char c) /* NOLINT(misc-no-recursion): one level, for the '\r' */
{
    if (!present)
        return;
    if (c == '\n')
        serial_putc('\r'); /* terminals expect CR LF */
    if (stalled && !resumed()) {
        dropped++;
        return;
    }
    if (!send_byte((uint8_t)c)) {
        dropped++;
        stall();
    }
}

void serial_enable_rx_interrupt(void)
{
    if (!present)
        return;
    ier = IER_RX;
    mcr = MCR_DTR_RTS | MCR_OUT2;
    outb(COM1 + UART_IER, ier);
    outb(COM1 + UART_MCR, mcr);
}

int serial_getc(void)
{
    if (!present || !(inb(COM1 + UART_LSR) & LSR_DR))
        return -1;
    return inb(COM1 + UART_DATA);
}
