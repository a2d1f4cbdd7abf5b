/*
 * kernel/syscall.c - dispatching `int 0x80` (see syscall.h).
 */
#include "syscall.h"
#include "errno.h"
#include "kprintf.h"
#include "proc.h"

static const syscall_fn table[SYS_MAX] = {
    [SYS_exit] = sys_exit,
    [SYS_fork] = sys_fork,
    [SYS_read] = sys_read,
    [SYS_write] = sys_write,
    [SYS_close] = sys_close,
    [SYS_execve] = sys_execve,
    [SYS_getpid] = sys_getpid,
    [SYS_pipe] = sys_pipe,
    [SYS_brk] = sys_brk,
    [SYS_ioctl] = sys_ioctl,
    [SYS_munmap] = sys_munmap,
    [SYS_wait4] = sys_wait4,
    [SYS_sysinfo] = sys_sysinfo,
    [SYS_uname] = sys_uname,
    [SYS_mprotect] = sys_mprotect,
    [SYS_readv] = sys_readv,
    [SYS_writev] = sys_writev,
    [SYS_sched_yield] = sys_sched_yield,
    [SYS_nanosleep] = sys_nanosleep,
    [SYS_rt_sigprocmask] = sys_rt_sigprocmask,
    [SYS_mmap2] = sys_mmap2,
    [SYS_madvise] = sys_madvise,
    [SYS_gettid] = sys_gettid,
    [SYS_set_thread_area] = sys_set_thread_area,
    [SYS_exit_group] = sys_exit_group,
    [SYS_set_tid_address] = sys_set_tid_address,
};

/* One line per unknown number, the first time any process uses it. */
static uint32_t logged[(SYS_MAX + 31) / 32];
static bool logged_big;

static int32_t unknown(uint32_t nr)
{
    struct proc *p = proc_current();
    bool first;
    if (nr < SYS_MAX) {
        first = !(logged[nr / 32] & (1u << (nr % 32)));
        logged[nr / 32] |= 1u << (nr % 32);
    } else {
        first = !logged_big;
        logged_big = true;
    }
    if (first)
        kprintf("syscall: pid %d (%s) called number %u, which this kernel does not implement: -ENOSYS\n",
                p->pid, p->name, (unsigned)nr);
    return -ENOSYS;
}

void syscall_dispatch(struct trapframe *tf)
{
    uint32_t nr = tf->eax;
    syscall_fn fn = nr < SYS_MAX ? table[nr] : 0;
    int32_t r = fn ? fn(tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp) : unknown(nr);
    /* execve replaced the registers wholesale: its result is the new program's EAX (0). */
    if (nr != SYS_execve || r < 0)
        tf->eax = (uint32_t)r;
}
