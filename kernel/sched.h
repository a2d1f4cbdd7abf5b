/*
 * kernel/sched.h - the scheduler: round robin on the timer, sleep and wakeup.
 *
 * The scheduler is a loop on the boot stack that picks the next runnable
 * process, switches to its kernel stack (swtch), and gets control back when
 * that process yields, sleeps or exits. The 8254 timer ticks SCHED_HZ times a
 * second; a tick that interrupts user mode ends the process's time slice.
 * With nothing to run the CPU halts until the next interrupt.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#define SCHED_HZ 100

struct proc;

/* Save callee-saved registers on this stack, store ESP in *old, load `new`, pop, return (swtch.asm). */
void swtch(uint32_t *old, uint32_t new_esp);

/* Let the timer, keyboard and COM1 interrupts in, and check (once: the answer
 * is kept) that the timer really ticks; true if it does, so HLT is safe. */
bool sched_interrupts_setup(void);

/* The same for the scheduler, with its log line. */
void sched_init(void);

/* Run processes until sched_stop() (the first process has exited). */
void sched_run(void);
void sched_stop(void);

/* Give up the CPU: back to the scheduler loop, RUNNABLE (yield) or as set by the caller. */
void sched_yield(void);
void sched_switch_out(void);

/* Sleep on `chan` until sched_wakeup(chan). */
void sched_sleep(const void *chan);
void sched_wakeup(const void *chan);

/* Sleep until the tick counter reaches `tick`. */
void sched_sleep_until(uint32_t tick);

/* Timer ticks since sched_init. */
uint32_t sched_ticks(void);

/* A timer tick (from trap_handler); returns true when the running process's slice is over. */
bool sched_tick(void);

/* Did the last scheduler pass see a working timer (so HLT is safe)? */
bool sched_can_halt(void);

#endif
