/*
 * kernel/sys_proc.c - system calls about processes, time and the machine.
 *
 * Each handler checks its arguments (pointers through usercopy.h), then hands
 * the work to the module that owns it: proc.c for fork, exit and wait4,
 * exec.c for execve, sched.c for sleeping and yielding.
 */
#include "errno.h"
#include "exec.h"
#include "gdt.h"
#include "kmem.h"
#include "linux_abi.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "usercopy.h"
#include "swap.h"
#include "mm/mmu.h"
#include "mm/pmm.h"

#define UNUSED6 (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6

SYSCALL(exit)
{
    UNUSED6;
    proc_exit((int)((a1 & 0xff) << 8)); /* the wait status of a normal exit */
}

SYSCALL(exit_group)
{
    UNUSED6;
    proc_exit((int)((a1 & 0xff) << 8)); /* one thread per process: the same as exit */
}

SYSCALL(fork)
{
    UNUSED6;
    return proc_fork();
}

SYSCALL(execve)
{
    UNUSED6;
    char path[256];
    int n = copyinstr(path, a1, sizeof path);
    if (n < 0)
        return n;
    struct exec_args args;
    int err = exec_args_from_user(&args, a2, a3);
    if (!err)
        err = exec_into(proc_current(), path, &args);
    exec_args_free(&args);
    return err;
}

SYSCALL(wait4)
{
    UNUSED6;
    /* a4, struct rusage *: no usage is accounted; a non-NULL one must still be valid. */
    if (a4 && !user_range_ok(a4, 72, true))
        return -EFAULT;
    if (a4) {
        static const uint8_t zeros[72];
        copyout(a4, zeros, sizeof zeros);
    }
    return proc_wait4((int)a1, a2, (int)a3);
}

SYSCALL(getpid)
{
    UNUSED6;
    return proc_current()->pid;
}

SYSCALL(gettid)
{
    UNUSED6;
    return proc_current()->pid; /* one thread per process: its id is the pid */
}

SYSCALL(sched_yield)
{
    UNUSED6;
    sched_yield();
    return 0;
}

SYSCALL(nanosleep)
{
    UNUSED6;
    struct linux_timespec ts;
    if (copyin(&ts, a1, sizeof ts))
        return -EFAULT;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return -EINVAL;
    if (a2 && !user_range_ok(a2, sizeof ts, true))
        return -EFAULT;
    /* Whole ticks, rounded up: a sleep is never shorter than asked. */
    uint32_t ns_per_tick = 1000000000u / SCHED_HZ;
    uint32_t want = (uint32_t)ts.nsec / ns_per_tick + ((uint32_t)ts.nsec % ns_per_tick != 0);
    want += ts.sec > 0x7fffffff / SCHED_HZ - 1 ? 0x7fffffff - SCHED_HZ : (uint32_t)ts.sec * SCHED_HZ;
    if (!sched_can_halt())
        sched_yield(); /* no timer: the best we can do is let the others run once */
    else
        sched_sleep_until(sched_ticks() + want);
    if (a2) {
        ts.sec = ts.nsec = 0; /* never interrupted: nothing remains */
        copyout(a2, &ts, sizeof ts);
    }
    return 0;
}

SYSCALL(uname)
{
    UNUSED6;
    /* Each field NUL-padded to its 65 bytes by the initialiser. */
    static const struct linux_utsname u = {"i386hh", "localhost", "0.2.0", "road 2: processes",
                                           "i686",   "(none)"};
    return copyout(a1, &u, sizeof u);
}

SYSCALL(sysinfo)
{
    UNUSED6;
    struct linux_sysinfo si;
    memset(&si, 0, sizeof si);
    si.uptime = (int32_t)(sched_ticks() / SCHED_HZ);
    si.mem_unit = PAGE_SIZE; /* frames: 4 GiB of RAM in bytes would not fit 32 bits */
    si.totalram = pmm_total_frames();
    si.freeram = pmm_free_frames();
    si.totalswap = swap_total();
    si.freeswap = swap_total() - swap_used();
    for (int i = 0; i < NPROC; i++)
        si.procs += proc_slot(i)->state != P_UNUSED;
    return copyout(a1, &si, sizeof si);
}

SYSCALL(set_thread_area)
{
    UNUSED6;
    struct linux_user_desc d;
    if (copyin(&d, a1, sizeof d))
        return -EFAULT;
    if (d.entry_number == 0xFFFFFFFFu)
        d.entry_number = GDT_TLS_INDEX; /* "any free entry": there is one */
    else if (d.entry_number != GDT_TLS_INDEX)
        return -EINVAL;
    struct tls_seg *t = &proc_current()->tls;
    t->base = d.base_addr;
    t->limit = d.limit;
    t->pages = (d.flags & USER_DESC_LIMIT_IN_PAGES) != 0;
    t->present = !(d.flags & USER_DESC_NOT_PRESENT);
    gdt_set_tls(t->base, t->limit, t->pages, t->present);
    return copyout(a1, &d.entry_number, sizeof d.entry_number);
}

SYSCALL(set_tid_address)
{
    UNUSED6;
    proc_current()->clear_child_tid = a1;
    return proc_current()->pid;
}

SYSCALL(rt_sigprocmask)
{
    UNUSED6;
    /* No signals yet: every mask is accepted, and the old one is empty. */
    if (a4 != 8)
        return -EINVAL; /* sizeof(sigset_t) for the kernel: 64 bits */
    if (a2) {
        uint32_t set[2];
        if (a1 > 2) /* SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK */
            return -EINVAL;
        if (copyin(set, a2, sizeof set))
            return -EFAULT;
    }
    if (a3) {
        static const uint32_t empty[2];
        return copyout(a3, empty, sizeof empty);
    }
    return 0;
}
