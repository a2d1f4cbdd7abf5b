/*
 * kernel/sched.c - round-robin scheduling, sleep and wakeup (see sched.h).
 *
 * The loop in sched_run() owns the boot stack. To run a process it sets the
 * TSS's ESP0 to the top of that process's kernel stack (where the CPU will push
 * the user's registers at the next interrupt), loads its TLS descriptor and
 * its page directory, and swtch()es to its saved kernel context. The process
 * comes back here through sched_switch_out() when it yields, sleeps or exits.
 * A switch from one process to another is therefore two swtch calls and one
 * CR3 load, and the scheduler's own state never lives on a process's stack.
 */
#include "sched.h"
#include "clock.h"
#include "gdt.h"
#include "io.h"
#include "kprintf.h"
#include "monitor.h"
#include "pic.h"
#include "proc.h"
#include "tty.h"
#include "drivers/serial.h"
#include "mm/memlayout.h"
#include "mm/uvm.h"
#include "mm/vmm.h"

static uint32_t scheduler_esp; /* the loop's saved context while a process runs */
static struct proc *running;
static volatile uint32_t ticks;
static int next_slot; /* round robin: where the next search starts */
static bool can_halt;
static bool stop_requested;

struct proc *proc_current(void)
{
    return running;
}

uint32_t sched_ticks(void)
{
    return ticks;
}

bool sched_can_halt(void)
{
    return can_halt;
}

void sched_stop(void)
{
    stop_requested = true;
}

bool sched_interrupts_setup(void)
{
    static bool done;
    if (done)
        return can_halt;
    done = true;
    serial_enable_rx_interrupt();
    pic_unmask(IRQ_TIMER);
    pic_unmask(IRQ_KEYBOARD);
    pic_unmask(IRQ_COM1);
    /* Does the legacy timer reach us? Some UEFI machines route no 8259 IRQ at all;
     * then idle must poll and no process is ever preempted. Ten ticks' time. */
    uint32_t before = pic_irq_count(IRQ_TIMER);
    struct deadline d;
    deadline_start(&d, 100000);
    sti();
    while (pic_irq_count(IRQ_TIMER) == before && !deadline_passed(&d))
        ;
    cli();
    can_halt = pic_irq_count(IRQ_TIMER) != before;
    return can_halt;
}

void sched_init(void)
{
    kprintf("sched: %s\n", sched_interrupts_setup() ? "round robin, 100 Hz timer slices"
                                                    : "no legacy timer interrupt: no preemption, idle polls");
}

bool sched_tick(void)
{
    ticks++;
    sched_wakeup((const void *)&ticks); /* nanosleep sleepers check their own deadline */
    return running != 0;
}

static struct proc *pick(void)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = proc_slot((next_slot + i) % NPROC);
        if (p->state == P_RUNNABLE) {
            next_slot = (next_slot + i + 1) % NPROC;
            return p;
        }
    }
    return 0;
}

void sched_run(void)
{
    while (!stop_requested) {
        if (tty_break_pending())
            monitor_break();
        struct proc *p = pick();
        if (!p) {
            /* Nothing to run: wait for an interrupt (a tick, a key, a serial byte).
             * STI takes effect after the next instruction, so a pending IRQ wakes this HLT. */
            write_cr3(vmm_kernel_pd());
            if (can_halt)
                __asm__ volatile("sti; hlt; cli" ::: "memory");
            else
                tty_poll();
            continue;
        }
        running = p;
        p->state = P_RUNNING;
        gdt_set_kernel_stack(p->kstack + KSTACK_PAGES * PAGE_SIZE);
        gdt_set_tls(p->tls.base, p->tls.limit, p->tls.pages, p->tls.present);
        uvm_activate(p->pd, &p->kgen);
        swtch(&scheduler_esp, p->kesp);
        running = 0;
    }
    write_cr3(vmm_kernel_pd());
}

void sched_switch_out(void)
{
    swtch(&running->kesp, scheduler_esp);
}

void sched_yield(void)
{
    running->state = P_RUNNABLE;
    sched_switch_out();
}

void sched_sleep(const void *chan)
{
    running->chan = chan;
    running->state = P_SLEEPING;
    sched_switch_out();
    running->chan = 0;
}

void sched_wakeup(const void *chan)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = proc_slot(i);
        if (p->state == P_SLEEPING && p->chan == chan)
            p->state = P_RUNNABLE;
    }
}

void sched_sleep_until(uint32_t tick)
{
    while ((int32_t)(tick - ticks) > 0)
        sched_sleep((const void *)&ticks);
}
