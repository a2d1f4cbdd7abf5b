/*
 * kernel/pic.c - the two 8259A programmable interrupt controllers.
 *
 * The BIOS leaves the master PIC delivering IRQ 0-7 on vectors 8-15, which in
 * protected mode belong to CPU exceptions: the timer would look like a double
 * fault. The initialisation sequence (ICW1-ICW4) moves IRQ 0-7 to vectors 32-39
 * and the slave's IRQ 8-15 to 40-47, then every line is masked. The kernel polls
 * its devices; it unmasks the keyboard and COM1 only so that the monitor can HLT
 * while it waits and wake on a key press instead of spinning.
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

void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT_ICW4);
    outb(PIC2_CMD, ICW1_INIT_ICW4);
    outb(PIC1_DATA, IRQ_BASE); /* ICW2: vector base */
    outb(PIC2_DATA, IRQ_BASE + 8);
    outb(PIC1_DATA, 1u << 2); /* ICW3: the slave hangs off IRQ 2 */
    outb(PIC2_DATA, 2);       /*       ... and that is its cascade identity */
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
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

void pic_irq(unsigned irq)
{
    if ((irq & 7) == 7 && !in_service(irq)) {
        if (irq == 15)
            outb(PIC1_CMD, EOI); /* the master did see the cascade */
        return;
    }
    /* The device itself is served by its poller (the monitor reads the key or
     * byte); the interrupt only ended a HLT. */
    if (irq >= 8)
        outb(PIC2_CMD, EOI);
    outb(PIC1_CMD, EOI);
}
