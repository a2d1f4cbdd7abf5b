/*
 * kernel/clock.c - deadlines measured on the 8254 counter (see clock.h).
 */
#include "clock.h"
#include "io.h"
#include "pic.h"

#define PIT_HZ 1193182u

/* Latch channel 0 and read its 16-bit count (low byte first). */
static uint16_t pit_count(void)
{
    outb(0x43, 0x00);
    uint16_t lo = inb(0x40);
    uint16_t hi = inb(0x40);
    return (uint16_t)(lo | (hi << 8));
}

void deadline_start(struct deadline *d, uint32_t us)
{
    /* us * 1.193182 in 32-bit arithmetic (the kernel has no 64-bit division):
     * whole milliseconds, then the rest. At most 50 minutes. */
    if (us > 3000000000u)
        us = 3000000000u;
    uint32_t ms = us / 1000, rest = us % 1000;
    d->left = ms * (PIT_HZ / 1000) + ms * (PIT_HZ % 1000) / 1000 + rest * PIT_HZ / 1000000u;
    d->last = pit_count();
}

bool deadline_passed(struct deadline *d)
{
    uint16_t now = pit_count();
    /* The counter runs down and reloads with the divisor at 0. */
    uint32_t moved = now <= d->last ? (uint32_t)(d->last - now) : (uint32_t)d->last + (pit_divisor() - now);
    d->last = now;
    if (moved >= d->left) {
        d->left = 0;
        return true;
    }
    d->left -= moved;
    return false;
}

void clock_delay_us(uint32_t us)
{
    struct deadline d;
    deadline_start(&d, us);
    while (!deadline_passed(&d))
        ;
}
