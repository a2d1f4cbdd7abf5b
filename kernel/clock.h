/*
 * kernel/clock.h - measuring short times with interrupts off.
 *
 * The kernel runs with interrupts disabled, so the timer's tick counter stands
 * still while it waits for a device. Instead it reads the 8254's channel 0
 * counter itself: the counter counts down at 1,193,182 Hz from the divisor
 * pit_start() set and reloads; a deadline adds up how far it moved between two
 * reads. It only needs to be read more often than once per period (10 ms at
 * 100 Hz), which every polling loop does many times over. Time, not loop turns,
 * so a fast CPU waits as long as a slow one.
 */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct deadline {
    uint32_t left; /* PIT input clocks still to wait */
    uint16_t last; /* the counter at the previous look */
};

/* Start waiting `us` microseconds (at most 50 minutes). */
void deadline_start(struct deadline *d, uint32_t us);

/* Has the time passed? Call it at least every few milliseconds while waiting. */
bool deadline_passed(struct deadline *d);

/* Wait `us` microseconds, polling. */
void clock_delay_us(uint32_t us);

#endif
