/*
 * kernel/pic.c - the two 8259A programmable interrupt controllers.
 *
 * The BIOS leaves the master PIC delivering IRQ 0-7 on vectors 8-15, which in
 * protected mode belong to CPU exceptions: the timer would look like a double
 * fault. The initialisation sequence (ICW1-ICW4) moves IRQ 0-7 to vectors 32-39
 * and the slave's IRQ 8-15 to 40-47, then every line is masked. The kernel polls
 * its devices; it unmasks the timer, the keyboard and COM1 only so that the
 * monitor can HLT while it waits instead of spinning. Real 8259As on old ISA
 * boards need a moment between initialisation writes: io_wait() gives it.
 *
 * The 8254 timer (PIT) counts down from a divisor of its 1.193182 MHz input and
 * raises IRQ 0 each time it wraps, in mode 2 (rate generator).
 */
#include "pic.h"
#include "io.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1

#define ICW1_INIT_ICW4 0x11 /* start initialisation, ICW4 follows */
#define ICW4_8086      0x01 /* 8086 mode (not MCS-80) */
#define OCW3_READ_ISR  0x0B /* next read of the command port returns the in-service register */
#define EOI            0x20 /* end of interrupt */

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ  1193182u

static uint32_t counts[16];
static uint32_t divisor = 65536; /* the BIOS's 18.2 Hz until pit_start() */

/* A write to the unused POST port 0x80 takes about a microsecond on ISA: a pause. */
static void io_wait(void)
{
    outb(0x80, 0);
}

void pic_init(void)
{
    static const struct {
        uint16_t port;
        uint8_t value;
    } seq[] = {
        {PIC1_CMD, ICW1_INIT_ICW4}, {PIC2_CMD, ICW1_INIT_ICW4},
        {PIC1_DATA, IRQ_BASE},      {PIC2_DATA, IRQ_BASE + 8}, /* ICW2: vector bases */
        {PIC1_DATA, 1u << 2},       {PIC2_DATA, 2},            /* ICW3: slave on IRQ 2, its identity */
        {PIC1_DATA, ICW4_8086},     {PIC2_DATA, ICW4_8086},
    };
    for (unsigned i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        outb(seq[i].port, seq[i].value);
        io_wait();
    }
    outb(PIC1_DATA, 0xFF); /* mask everything */
    outb(PIC2_DATA, 0xFF);
}

void pic_unmask(unsigned irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, (uint8_t)(inb(port) & ~(1u << (irq & 7))));
    if (irq >= 8)
        outb(PIC1_DATA, (uint8_t)(inb(PIC1_DATA) & ~(1u << 2))); /* the cascade line */
}

/* Is `irq` really in service? IRQ 7 and 15 also fire spuriously, and those must not be acknowledged. */
static int in_service(unsigned irq)
{
    uint16_t cmd = irq < 8 ? PIC1_CMD : PIC2_CMD;
    outb(cmd, OCW3_READ_ISR);
    return (inb(cmd) >> (irq & 7)) & 1;
}

uint32_t pic_irq_count(unsigned irq)
{
    return irq < 16 ? counts[irq] : 0;
}

uint32_t pit_divisor(void)
{
    return divisor;
}

void pit_start(unsigned hz)
{
    divisor = PIT_HZ / hz;
    /* Channel 0, low byte then high byte, mode 2 (rate generator), binary. Mode 2
     * counts down by one from the divisor and raises IRQ 0 on each reload, so
     * the count read back says exactly how far into the period we are
     * (kernel/clock.c); mode 3 (square wave) would count down by two, twice. */
    outb(PIT_CMD, 0x34);
    outb(PIT_CH0, (uint8_t)(divisor & 0xFF));
    outb(PIT_CH0, (uint8_t)(divisor >> 8));
}

bool pic_irq(unsigned irq)
{
    if ((irq & 7) == 7 && !in_service(irq)) {
        if (irq == 15)
            outb(PIC1_CMD, EOI); /* the master did see the cascade */
        return false;
    }
    /* The device itself is served by trap_handler after this (the timer, the
     * console) or by its poller (the monitor reads the key or byte). */
    counts[irq & 15]++;
    if (irq >= 8)
        outb(PIC2_CMD, EOI);
    outb(PIC1_CMD, EOI);
    return true;
}
