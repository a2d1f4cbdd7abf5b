/*
 * kernel/user_fault.c - a program's exception: one line, and the program dies.
 *
 * Most page faults are not errors: vm_fault() fills the page (demand paging,
 * copy-on-write, stack growth) and the program never notices. What remains is
 * the program's own business: the kernel and every other
 * process carry on. The line names the process, what it did in words and
 * where, and the signal it is killed with, the one Linux would send for the
 * same fault, so a parent's wait4 sees what a Linux parent would see:
 *
 *   pid 7 (usertests): page fault at 0x00000000: read of a not-present page, eip 0x0804a0b3 -> killed (SIGSEGV)
 */
#include "io.h"
#include "kprintf.h"
#include "errno.h"
#include "proc.h"
#include "vm.h"
#include "trap.h"
#include "mm/memlayout.h"
#include "mm/mmu.h"

#define SIGILL  4
#define SIGTRAP 5
#define SIGBUS  7
#define SIGFPE  8
#define SIGSEGV 11

static int signal_for(uint32_t vector)
{
    switch (vector) {
    case 0:  /* divide error */
    case 16: /* x87 error */
    case 19: /* SIMD error */ return SIGFPE;
    case 1:
    case 3: return SIGTRAP;
    case 6:
    case 7: /* no FPU: there is no FPU context switching yet */ return SIGILL;
    case 17: /* alignment check */ return SIGBUS;
    default: /* #GP, #PF, #SS, #NP, bound... */ return SIGSEGV;
    }
}

/* "read of a not-present page", "write to a read-only page", ... */
static void describe_page_fault(uint32_t err, uintptr_t addr, char *buf, unsigned size)
{
    const char *access = (err & PF_I) ? "instruction fetch from" : (err & PF_W) ? "write to" : "read of";
    const char *what;
    if (!(err & PF_P))
        what = "a not-present page";
    else if (addr >= KERNEL_BASE)
        what = "a kernel page";
    else if (err & PF_W)
        what = "a read-only page";
    else
        what = "a page with no user access (PROT_NONE)";
    unsigned n = 0;
    for (const char *parts[3] = {access, " ", what}, **p = parts; p < parts + 3; p++)
        for (const char *s = *p; *s && n + 1 < size; s++)
            buf[n++] = *s;
    buf[n] = '\0';
}

void user_fault(struct trapframe *tf)
{
    struct proc *p = proc_current();
    int sig = signal_for(tf->vector);
    if (tf->vector == 14) {
        char words[64];
        uintptr_t addr = read_cr2();
        /* Most page faults are demand paging at work, not errors. */
        int r = vm_fault(addr, (tf->err & PF_W) != 0, tf->user_esp);
        if (r == 0)
            return;
        if (r == -ENOMEM)
            vm_oom_kill(addr);
        describe_page_fault(tf->err, addr, words, sizeof words);
        kprintf("pid %d (%s): page fault at 0x%08x: %s, eip 0x%08x -> killed (%s)\n", p->pid, p->name,
                (unsigned)addr, words, (unsigned)tf->eip, signal_name(sig));
    } else {
        kprintf("pid %d (%s): %s, error 0x%x, eip 0x%08x -> killed (%s)\n", p->pid, p->name,
                trap_name(tf->vector), (unsigned)tf->err, (unsigned)tf->eip, signal_name(sig));
    }
    proc_kill_current(sig);
}
