/*
 * kernel/proc.h - processes: the table, their states, and their lifetimes.
 *
 * A process is an address space (a page directory, mm/uvm.h), a kernel stack
 * with the registers it saved when it last entered the kernel (a trapframe at
 * the top of that stack), a table of open files, and a place in the family tree
 * (parent, children, the exit status a parent collects with wait4).
 *
 *   fork -> RUNNABLE <-> RUNNING -> (exit) ZOMBIE -> (parent's wait4) UNUSED
 *                 ^          |
 *                 +- SLEEPING (pipe, console, wait4, nanosleep)
 *
 * Everything here runs with interrupts off (the kernel is not preemptible), so
 * a process changes state only where the code says so.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include "trap.h"
#include "mm/region.h"
#include "mm/types.h"

#define NPROC     64 /* processes at most: fork returns -EAGAIN beyond */
#define NOFILE    16 /* open files per process */
#define PROC_NAME 16

enum proc_state {
    P_UNUSED,
    P_EMBRYO,
    P_RUNNABLE,
    P_RUNNING,
    P_SLEEPING,
    P_ZOMBIE
};

struct file;
struct program;

/* A thread-local storage segment (set_thread_area): %gs-relative TLS in libc. */
struct tls_seg {
    uint32_t base, limit;
    bool pages, present;
};

struct proc {
    enum proc_state state;
    int pid;
    char name[PROC_NAME];
    struct proc *parent;
    paddr_t pd;                /* page directory */
    uint32_t kgen;             /* kernel-half generation copied into pd (uvm_activate) */
    uintptr_t kstack;          /* lowest mapped byte of the kernel stack */
    uint32_t kesp;             /* saved kernel stack pointer while switched out (swtch) */
    struct trapframe *tf;      /* the user registers, at the top of the kernel stack */
    const void *chan;          /* what a sleeping process waits for */
    int status;                /* the wait status word: (code << 8) or the signal number */
    struct region_set regions; /* what the address space holds (kernel/vm.h) */
    struct program *prog;      /* the program it runs: where its image pages come from */
    uintptr_t brk_start, brk;  /* the brk heap: [brk_start, brk) */
    struct file *files[NOFILE];
    struct tls_seg tls;
    uint32_t clear_child_tid; /* set_tid_address (kept; no threads yet) */
};

/* The running process (0 while the scheduler itself runs). */
struct proc *proc_current(void);

/* Set up the process table and the kernel-stack area. */
void proc_init(void);

/* A new process (P_EMBRYO until its creator makes it runnable): pid, kernel
 * stack, empty address space; 0 with *err = -EAGAIN (table full) or -ENOMEM. */
struct proc *proc_alloc(int *err);

/* Undo proc_alloc (or reap a zombie): free the kernel stack and directory. */
void proc_free(struct proc *p);

/* Start the first process: program `name` as pid 1. Logs and returns false on failure. */
bool proc_start_init(const char *name);

/* The calls (Linux's semantics, -errno on failure). */
int proc_fork(void);
void proc_exit(int status) __attribute__((noreturn));
int proc_wait4(int pid, uintptr_t ustatus, int options);

/* Kill the current process for a fault: one decoded line was printed already. */
void proc_kill_current(int sig) __attribute__((noreturn));

/* The first process's wait status, once it has exited (-1 before). */
int proc_exit_status(void);

/* "SIGSEGV" and friends, for the lines that report a killed process. */
const char *signal_name(int sig);

/* Is `addr` in the guard page below some process's kernel stack? */
bool proc_in_kstack_guard(uintptr_t addr);

/* Walk the table (for the monitor's ps). */
struct proc *proc_slot(int i);
const char *proc_state_name(enum proc_state s);
struct proc *proc_find(int pid);

#endif
