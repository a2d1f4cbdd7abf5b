/*
 * kernel/pic.h - the two 8259A interrupt controllers (see pic.c).
 */
#ifndef KERNEL_PIC_H
#define KERNEL_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_BASE     32 /* IRQ n arrives as vector IRQ_BASE + n */
#define IRQ_TIMER    0
#define IRQ_KEYBOARD 1
#define IRQ_COM1     4

/* Move IRQs 0-15 to vectors 32-47 and mask them all. */
void pic_init(void);
void pic_unmask(unsigned irq);

/* Handle IRQ `irq` (from trap_handler): count and acknowledge it; false for a
 * spurious IRQ (ignored). */
bool pic_irq(unsigned irq);

/* How many times IRQ `irq` has arrived since boot. */
uint32_t pic_irq_count(unsigned irq);

/* Let the 8254 timer raise IRQ 0 `hz` times a second. */
void pit_start(unsigned hz);

/* The counter's reload value: 1193182 / hz (65536 before pit_start). */
uint32_t pit_divisor(void);

#endif
