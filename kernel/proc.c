/*
 * kernel/proc.c - the process table: creating, forking, exiting, reaping.
 *
 * Kernel stacks live in one range of kernel virtual space with a slot per
 * process table entry (memlayout.h): the lowest page of each slot is never
 * mapped, so a kernel stack that overflows faults on it (the double-fault task
 * reports it) instead of running into its neighbour. A new process's stack is
 * built by hand to look as if the process had entered the kernel from ring 3
 * and called swtch: its trapframe at the top (what IRET will load), below it
 * the return address trap_return and four zero registers that swtch pops.
 */
#include "proc.h"
#include "debug.h"
#include "errno.h"
#include "exec.h"
#include "file.h"
#include "gdt.h"
#include "io.h"
#include "kmem.h"
#include "kprintf.h"
#include "sched.h"
#include "usercopy.h"
#include "mm/memlayout.h"
#include "mm/pmm.h"
#include "mm/uvm.h"
#include "mm/vmm.h"
#include "mm/vrange.h"

static struct proc procs[NPROC];
static uintptr_t kstack_area; /* NPROC slots of KSTACK_SLOT_SIZE */
static int next_pid = 1;
static struct proc *init_proc;

extern char trap_return[]; /* kernel/isr.asm */

struct proc *proc_slot(int i)
{
    return &procs[i];
}

struct proc *proc_find(int pid)
{
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state != P_UNUSED && procs[i].pid == pid)
            return &procs[i];
    return 0;
}

const char *proc_state_name(enum proc_state s)
{
    static const char *const names[] = {"unused", "embryo", "runnable", "running", "sleeping", "zombie"};
    return s <= P_ZOMBIE ? names[s] : "?";
}

void proc_init(void)
{
    kstack_area = vrange_alloc((size_t)NPROC * KSTACK_SLOT_SIZE, PAGE_SIZE);
    if (!kstack_area)
        panic("no kernel virtual space for %d kernel stacks", NPROC);
    if (vmm_reserve_tables(kstack_area, (size_t)NPROC * KSTACK_SLOT_SIZE) != VMM_OK)
        panic("no memory for the kernel stacks' page tables");
    debug_add_stack(kstack_area, kstack_area + (uintptr_t)NPROC * KSTACK_SLOT_SIZE);
    kprintf("proc: %d process slots, kernel stacks of %u KiB at 0x%08x-0x%08x (guard page below each)\n",
            NPROC, KSTACK_PAGES * 4, (unsigned)kstack_area,
            (unsigned)(kstack_area + (uintptr_t)NPROC * KSTACK_SLOT_SIZE - 1));
}

bool proc_in_kstack_guard(uintptr_t addr)
{
    if (!kstack_area || addr < kstack_area || addr >= kstack_area + (uintptr_t)NPROC * KSTACK_SLOT_SIZE)
        return false;
    return (addr - kstack_area) % KSTACK_SLOT_SIZE < PAGE_SIZE;
}

struct proc *proc_alloc(int *err)
{
    struct proc *p = 0;
    for (int i = 0; i < NPROC && !p; i++)
        if (procs[i].state == P_UNUSED)
            p = &procs[i];
    if (!p) {
        *err = -EAGAIN;
        return 0;
    }
    uintptr_t slot = kstack_area + (uintptr_t)(p - procs) * KSTACK_SLOT_SIZE;
    if (vmm_alloc_range(slot + PAGE_SIZE, KSTACK_PAGES * PAGE_SIZE, PTE_W) != VMM_OK) {
        *err = -ENOMEM;
        return 0;
    }
    paddr_t pd = uvm_create();
    if (pd == PMM_NO_FRAME) {
        vmm_free_range(slot + PAGE_SIZE, KSTACK_PAGES * PAGE_SIZE);
        *err = -ENOMEM;
        return 0;
    }
    memset(p, 0, sizeof *p);
    p->state = P_EMBRYO;
    p->pid = next_pid++;
    p->pd = pd;
    p->kgen = vmm_kernel_pde_generation();
    p->kstack = slot + PAGE_SIZE;

    /* The stack as swtch expects to find it: registers, return address, trapframe. */
    uintptr_t top = p->kstack + KSTACK_PAGES * PAGE_SIZE;
    p->tf = (struct trapframe *)(top - sizeof *p->tf);
    uint32_t *sp = (uint32_t *)p->tf;
    *--sp = (uint32_t)(uintptr_t)trap_return;
    for (int i = 0; i < 4; i++)
        *--sp = 0; /* EBP, EBX, ESI, EDI */
    p->kesp = (uint32_t)(uintptr_t)sp;

    memset(p->tf, 0, sizeof *p->tf);
    p->tf->cs = SEG_UCODE | 3;
    p->tf->ds = p->tf->es = p->tf->fs = p->tf->gs = p->tf->user_ss = SEG_UDATA | 3;
    p->tf->eflags = 0x202; /* IF: user code always runs with interrupts on */
    return p;
}

void proc_free(struct proc *p)
{
    if (p->pd)
        uvm_destroy(p->pd);
    region_set_free(&p->regions);
    vmm_free_range(p->kstack, KSTACK_PAGES * PAGE_SIZE);
    p->pd = 0;
    p->state = P_UNUSED;
}

bool proc_start_init(const char *name)
{
    int err;
    struct proc *p = proc_alloc(&err);
    if (!p) {
        kprintf("init: cannot create the first process (error %d)\n", err);
        return false;
    }
    const char *argv[] = {name, 0};
    const char *envp[] = {"HOME=/", "TERM=vt100", 0};
    struct exec_args args;
    err = exec_args_from_kernel(&args, argv, envp);
    if (!err)
        err = exec_into(p, name, &args);
    exec_args_free(&args);
    if (err) {
        kprintf("init: cannot start '%s': error %d\n", name, err);
        proc_free(p);
        return false;
    }
    for (int fd = 0; fd < 3; fd++)
        p->files[fd] = file_console();
    init_proc = p;
    p->state = P_RUNNABLE;
    kprintf("init: started '%s' as pid %d\n", name, p->pid);
    return true;
}

int proc_fork(void)
{
    struct proc *cur = proc_current();
    int err;
    struct proc *c = proc_alloc(&err);
    if (!c)
        return err;
    /* Copy-on-write: the child gets the regions and page tables, not the pages. */
    if (region_set_copy(&c->regions, &cur->regions) != REGION_OK || uvm_share(c->pd, cur->pd) != VMM_OK) {
        proc_free(c);
        return -ENOMEM;
    }
    c->prog = cur->prog;
    *c->tf = *cur->tf;
    c->tf->eax = 0; /* fork returns 0 in the child */
    memcpy(c->name, cur->name, sizeof c->name);
    c->parent = cur;
    c->brk_start = cur->brk_start;
    c->brk = cur->brk;
    c->tls = cur->tls;
    for (int fd = 0; fd < NOFILE; fd++)
        if (cur->files[fd])
            c->files[fd] = file_dup(cur->files[fd]);
    c->state = P_RUNNABLE;
    return c->pid;
}

/* The status word as wait4 reports it; also the one line init's end prints. */
static void report_init_exit(int status)
{
    if ((status & 0x7f) == 0)
        kprintf("init: exited with status %d\n", (status >> 8) & 0xff);
    else
        kprintf("init: killed by signal %d (%s)\n", status & 0x7f, signal_name(status & 0x7f));
}

const char *signal_name(int sig)
{
    switch (sig) {
    case 4: return "SIGILL";
    case 5: return "SIGTRAP";
    case 7: return "SIGBUS";
    case 8: return "SIGFPE";
    case 9: return "SIGKILL";
    case 11: return "SIGSEGV";
    default: return "signal";
    }
}

void proc_exit(int status)
{
    struct proc *p = proc_current();
    for (int fd = 0; fd < NOFILE; fd++)
        if (p->files[fd]) {
            file_close(p->files[fd]);
            p->files[fd] = 0;
        }
    /* Orphans go to init, which reaps them; a zombie among them needs init awake. */
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state != P_UNUSED && procs[i].parent == p) {
            procs[i].parent = init_proc;
            if (procs[i].state == P_ZOMBIE && init_proc)
                sched_wakeup(init_proc);
        }
    /* The address space goes now; the kernel stack we stand on goes when the parent reaps us. */
    write_cr3(vmm_kernel_pd());
    uvm_destroy(p->pd);
    p->pd = 0;
    region_set_free(&p->regions);
    p->status = status;
    p->state = P_ZOMBIE;
    if (p == init_proc) {
        report_init_exit(status);
        sched_stop();
    } else if (p->parent) {
        sched_wakeup(p->parent);
    }
    sched_switch_out();
    panic("a zombie was scheduled");
}

void proc_kill_current(int sig)
{
    proc_exit(sig & 0x7f);
}

#define WNOHANG   1
#define WUNTRACED 2

int proc_wait4(int pid, uintptr_t ustatus, int options)
{
    struct proc *cur = proc_current();
    if (options & ~(WNOHANG | WUNTRACED))
        return -EINVAL;
    if (ustatus && !user_range_ok(ustatus, sizeof(int), true))
        return -EFAULT;
    for (;;) {
        bool any = false;
        for (int i = 0; i < NPROC; i++) {
            struct proc *c = &procs[i];
            if (c->state == P_UNUSED || c->parent != cur || (pid > 0 && c->pid != pid))
                continue;
            any = true;
            if (c->state != P_ZOMBIE)
                continue;
            int found = c->pid;
            if (ustatus)
                copyout(ustatus, &c->status, sizeof c->status);
            proc_free(c);
            return found;
        }
        if (!any)
            return -ECHILD;
        if (options & WNOHANG)
            return 0;
        sched_sleep(cur);
    }
}

int proc_exit_status(void)
{
    return init_proc ? init_proc->status : -1;
}
