/*
 * kernel/trap.c - what happens when the CPU raises an exception, an interrupt
 * arrives, or a program makes a system call.
 *
 * Every entry comes through trap_handler with the interrupted registers in a
 * trapframe. A system call (int 0x80) goes to syscall_dispatch. A hardware
 * interrupt is acknowledged; the timer's may end a process's time slice, the
 * keyboard's and the serial port's feed the console. An exception in ring 3 is
 * the program's fault: one decoded line, and the process is killed with the
 * signal Linux would send (user_fault.c). An exception in ring 0 is the
 * kernel's: it prints a report a human can act on and halts. The report starts with a line beginning "PANIC" (the test
 * harness matches it), names the exception, shows the error code, EIP with its
 * symbol, CS, EFLAGS and the general registers, and ends with a backtrace. A
 * page fault adds CR2 (the address that faulted) and the error code in words,
 * plus a hint when the address looks like a NULL dereference, a stack overflow
 * or heap poison.
 */
#include "trap.h"
#include "debug.h"
#include "errno.h"
#include "gdt.h"
#include "io.h"
#include "kprintf.h"
#include "pic.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "tty.h"
#include "vm.h"
#include "monitor.h"
#include "mm/memlayout.h"
#include "mm/mmu.h"
#include "mm/heap.h"

/* A 32-bit word made of the heap's poison byte, as a pointer loaded from poisoned memory looks. */
#define POISON32(b)         (0x01010101u * (uint32_t)(uint8_t)(b))
#define HEAP_POISON_ALLOC32 POISON32(HEAP_POISON_ALLOC)
#define HEAP_POISON_FREE32  POISON32(HEAP_POISON_FREE)

/* clang-format off */
static const char *const names[32] = {
    "divide error (#DE)", "debug (#DB)", "non-maskable interrupt (NMI)", "breakpoint (#BP)",
    "overflow (#OF)", "bound range exceeded (#BR)", "invalid opcode (#UD)",
    "device not available (#NM)", "double fault (#DF)", "coprocessor segment overrun",
    "invalid TSS (#TS)", "segment not present (#NP)", "stack-segment fault (#SS)",
    "general protection fault (#GP)", "page fault (#PF)", "reserved (15)",
    "x87 floating-point error (#MF)", "alignment check (#AC)", "machine check (#MC)",
    "SIMD floating-point error (#XM)", "virtualization exception (#VE)",
    "control protection (#CP)", "reserved (22)", "reserved (23)", "reserved (24)",
    "reserved (25)", "reserved (26)", "reserved (27)", "hypervisor injection (#HV)",
    "VMM communication (#VC)", "security exception (#SX)", "reserved (31)",
};
/* clang-format on */

const char *trap_name(uint32_t vector)
{
    return vector < 32 ? names[vector] : "unknown interrupt";
}

static void append(char *buf, unsigned size, unsigned *len, const char *word)
{
    if (*len && *len + 1 < size)
        buf[(*len)++] = ' ';
    while (*word && *len + 1 < size)
        buf[(*len)++] = *word++;
    buf[*len] = '\0';
}

void pf_decode(uint32_t err, char *buf, unsigned size)
{
    unsigned len = 0;
    buf[0] = '\0';
    append(buf, size, &len, (err & PF_P) ? "protection" : "not-present");
    append(buf, size, &len, (err & PF_I) ? "instruction-fetch" : (err & PF_W) ? "write" : "read");
    append(buf, size, &len, (err & PF_U) ? "user-mode" : "kernel-mode");
    if (err & PF_RSVD)
        append(buf, size, &len, "reserved-bit");
}

/* The boot stack's guard page: a fault there means the stack overflowed. */
static int in_stack_guard(uintptr_t a)
{
    return (a >= (uintptr_t)boot_stack_guard && a < (uintptr_t)boot_stack_bottom) || proc_in_kstack_guard(a);
}

/* A one-line guess at what went wrong, for addresses with a recognisable shape. */
static void fault_hint(uintptr_t addr)
{
    if (addr < PAGE_SIZE)
        kprintf("  hint: NULL pointer dereference (address below 4 KiB)\n");
    else if (in_stack_guard(addr))
        kprintf("  hint: kernel stack overflow (address in the stack's guard page)\n");
    else if ((addr & 0xFFFF0000u) == (HEAP_POISON_ALLOC32 & 0xFFFF0000u))
        kprintf("  hint: looks like uninitialised heap memory (allocation poison 0x%08x)\n",
                (unsigned)HEAP_POISON_ALLOC32);
    else if ((addr & 0xFFFF0000u) == (HEAP_POISON_FREE32 & 0xFFFF0000u))
        kprintf("  hint: looks like recently freed heap memory (free poison 0x%08x)\n",
                (unsigned)HEAP_POISON_FREE32);
    else if (addr < KERNEL_BASE)
        kprintf("  hint: low addresses are not mapped (no identity mapping after boot)\n");
}

static void kernel_fault(struct trapframe *tf) __attribute__((noreturn));

static void print_regs(uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx, uint32_t esi, uint32_t edi,
                       uint32_t ebp, uint32_t esp)
{
    kprintf("  eax 0x%08x  ebx 0x%08x  ecx 0x%08x  edx 0x%08x\n", eax, ebx, ecx, edx);
    kprintf("  esi 0x%08x  edi 0x%08x  ebp 0x%08x  esp 0x%08x\n", esi, edi, ebp, esp);
}

/*
 * A fault while a report is being printed (a broken console, a wild pointer in the
 * report code) must not recurse until the stack is gone: the second time round,
 * drop the screen, say one line on serial and stop.
 */
static void report_begin(uint32_t vector, uint32_t eip, uint32_t cr2)
{
    static int reporting;
    if (reporting++) {
        kprintf_set_screen(0);
        kprintf("PANIC (nested): %s at eip 0x%08x, cr2 0x%08x, while reporting an earlier fault\n",
                trap_name(vector), (unsigned)eip, (unsigned)cr2);
        halt_forever();
    }
}

/* A device interrupt: acknowledge it, then do what it is for. */
static void interrupt(struct trapframe *tf)
{
    unsigned irq = tf->vector - IRQ_BASE;
    if (!pic_irq(irq))
        return; /* spurious */
    if (irq == IRQ_KEYBOARD || irq == IRQ_COM1)
        tty_poll();
    if (irq == IRQ_TIMER && sched_tick() && (tf->cs & 3))
        sched_yield(); /* the slice is over: the next process runs */
}

/* The kernel touched user memory (copyin, copyout, a pipe's read) that is not
 * present or copy-on-write: fill it as the program's own access would be. A
 * range the regions do not allow was refused before the copy began, so a
 * failure here is either no memory (the process dies) or a kernel bug. */
static bool kernel_user_access(struct trapframe *tf)
{
    uintptr_t cr2 = read_cr2();
    struct proc *p = proc_current();
    if (tf->vector != 14 || !p || cr2 < USER_LOW || cr2 >= USER_TOP)
        return false;
    int r = vm_fault(cr2, (tf->err & PF_W) != 0, p->tf->user_esp);
    if (r == -ENOMEM)
        vm_oom_kill(cr2);
    return r == 0;
}

/*
 * A non-maskable interrupt: the hardware (or a watchdog, or the front-panel
 * button) wants attention. PCs report the cause in system control port B
 * (0x61): bit 7 a memory parity error (SERR#), bit 6 an I/O channel check.
 * Neither stops this kernel from going on, so it reports and carries on.
 */
static void nmi(void)
{
    uint8_t b = inb(0x61);
    const char *cause = (b & 0x80)   ? "memory parity error (SERR)"
                        : (b & 0x40) ? "I/O channel check"
                                     : "no cause given (a watchdog, the front-panel button, a debugger)";
    kprintf("nmi: non-maskable interrupt, port 0x61 = 0x%02x: %s; carrying on\n", (unsigned)b, cause);
    if (b & 0xC0) {
        /* Acknowledge: pulse the enable bits for the two sources (bits 2 and 3) off and on. */
        outb(0x61, (uint8_t)((b & 0x0F) | 0x0C));
        outb(0x61, (uint8_t)(b & 0x03));
    }
}

void trap_handler(struct trapframe *tf)
{
    if (tf->vector == 2) {
        nmi();
        return;
    }
    if (tf->vector == T_SYSCALL) {
        syscall_dispatch(tf);
    } else if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + 16) {
        interrupt(tf);
    } else if (tf->cs & 3) {
        user_fault(tf); /* serviced, or the process is killed */
    } else if (!kernel_user_access(tf)) {
        kernel_fault(tf);
    }
    /* Back to ring 3: the break key, typed during any of the above, opens the monitor first. */
    if ((tf->cs & 3) && tty_break_pending())
        monitor_break();
}

static void kernel_fault(struct trapframe *tf)
{
    uint32_t cr2 = read_cr2();
    report_begin(tf->vector, tf->eip, cr2);
    /* From ring 0 the CPU pushes no ESP: the interrupted stack ends where the frame does. */
    uint32_t esp = (tf->cs & 3) ? tf->user_esp : (uint32_t)&tf->user_esp;

    kprintf("PANIC: %s, vector %u, in %s mode\n", trap_name(tf->vector), (unsigned)tf->vector,
            (tf->cs & 3) ? "user" : "kernel");
    if (tf->vector == 14) {
        char words[80];
        pf_decode(tf->err, words, sizeof words);
        kprintf("  page fault at address 0x%08x: %s (error 0x%x)\n", (unsigned)cr2, words, (unsigned)tf->err);
        fault_hint(cr2);
    } else {
        kprintf("  error code 0x%08x\n", (unsigned)tf->err);
    }
    kprintf("  eip ");
    print_symbol(tf->eip);
    kprintf("  cs 0x%04x  eflags 0x%08x\n", (unsigned)tf->cs, (unsigned)tf->eflags);
    print_regs(tf->eax, tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp, esp);
    backtrace_print(tf->ebp);
    kprintf("kernel: halted\n");
    halt_forever();
}

/*
 * The double-fault task (entered through the task gate in IDT vector 8, on its
 * own stack). The state of the code that faulted was saved in kernel_tss by the
 * task switch. Its error code, always 0 for #DF, was pushed on our stack. The
 * SDM calls the saved CS:EIP of a double fault undefined; in practice it is the
 * instruction whose fault could not be delivered, so it is shown, labelled "saved".
 */
void double_fault_task(void)
{
    const struct tss *t = &kernel_tss;
    uint32_t cr2 = read_cr2();
    report_begin(8, t->eip, cr2);

    if (in_stack_guard(t->esp) || in_stack_guard(cr2)) {
        uintptr_t at = in_stack_guard(t->esp) ? t->esp : cr2;
        uintptr_t guard = PAGE_ROUND_DOWN(at);
        const struct proc *p = proc_current();
        kprintf("PANIC: kernel stack overflow: esp 0x%08x reached the guard page 0x%08x-0x%08x\n",
                (unsigned)t->esp, (unsigned)guard, (unsigned)(guard + PAGE_SIZE - 1));
        if (proc_in_kstack_guard(at) && p)
            kprintf("  the kernel stack of pid %d (%s)\n", p->pid, p->name);
    } else {
        kprintf("PANIC: %s: an exception hit while the CPU was delivering another\n", trap_name(8));
    }
    kprintf("  last page-fault address (cr2) 0x%08x\n", (unsigned)cr2);
    kprintf("  saved eip ");
    print_symbol(t->eip);
    kprintf("  cs 0x%04x  eflags 0x%08x\n", (unsigned)t->cs, (unsigned)t->eflags);
    print_regs(t->eax, t->ebx, t->ecx, t->edx, t->esi, t->edi, t->ebp, t->esp);
    backtrace_print(t->ebp);
    kprintf("kernel: halted\n");
    halt_forever();
}
