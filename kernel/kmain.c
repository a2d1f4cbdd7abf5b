/*
 * kernel/kmain.c - the C entry point: bring the machine up in order.
 *
 * boot/boot.asm calls kmain(magic, info) on the boot stack in the higher half,
 * with the identity mapping already gone. The order matters:
 *   1. serial output, so everything after can explain itself (the screen is
 *      chosen once the loader's information is read: kernel/console.c);
 *   2. GDT and IDT, so an exception produces a report instead of a reset;
 *   3. the multiboot information, copied before anything can overwrite it;
 *   4. the CPU's features, then memory: map -> frame allocator -> kernel page
 *      tables -> heap (kernel/meminit.c);
 *   5. the programs the loader brought (multiboot modules) and the process table;
 *   6. the quick self-checks, an optional test, "kernel: ready";
 *   7. with init=NAME, the first process and the scheduler until it exits;
 *      otherwise, or after it, the monitor (kernel/monitor.c).
 */
#include "bootinfo.h"
#include "kstring.h"
#include "cpu.h"
#include "cmdline.h"
#include "console.h"
#include "debug.h"
#include "faults.h"
#include "gdt.h"
#include "io.h"
#include "kprintf.h"
#include "meminit.h"
#include "monitor.h"
#include "multiboot.h"
#include "pic.h"
#include "proc.h"
#include "programs.h"
#include "sched.h"
#include "qemu.h"
#include "selftest.h"
#include "trap.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "mm/memlayout.h"
#include "mm/mmu.h"
#include "mm/uvm.h"
#include "swap.h"
#include "drivers/ata.h"

void kmain(uint32_t magic, uint32_t info_phys);

/* Anything but the multiboot magic means no multiboot info to trust: explain and stop. */
static void check_magic(uint32_t magic)
{
    if (magic == MULTIBOOT_BOOTLOADER_MAGIC)
        return;
    console_init(0); /* no loader information: VGA text */
    kprintf("PANIC: not started by a multiboot loader: magic 0x%08x, expected 0x%08x\n", (unsigned)magic,
            MULTIBOOT_BOOTLOADER_MAGIC);
    kprintf("kernel: boot this kernel with GRUB (multiboot) or qemu -kernel; halted\n");
    halt_forever();
}

/* Checks that hold from the first moment: we run in the higher half, low memory is gone. */
static void boot_selftest(void)
{
    selftest_group_begin("boot");
    SELFTEST((uintptr_t)kmain >= KERNEL_BASE);
    SELFTEST((uintptr_t)boot_stack_top >= KERNEL_BASE);
    /* The current directory, seen through its recursive slot: no user-half entry is present. */
    const volatile uint32_t *pd = (const volatile uint32_t *)RECURSIVE_PD;
    int low_present = 0;
    for (unsigned i = 0; i < KERNEL_PDX_FIRST; i++)
        low_present += (pd[i] & PTE_P) != 0;
    SELFTEST(low_present == 0);
    SELFTEST((pd[RECURSIVE_PDX] & PTE_ADDR_MASK) == (read_cr3() & PTE_ADDR_MASK));
    SELFTEST(read_cr0() & CR0_WP);
    selftest_group_end();
}

/* Print a string from outside with its control characters as \xNN: an escape
 * sequence in the command line must not clear or recolour the user's terminal. */
static void print_escaped(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 32 || c == 127)
            kprintf("\\x%02x", c);
        else
            kprintf("%c", c);
    }
}

/* exit=qemu: end QEMU through isa-debug-exit when the run is over. */
static bool exit_qemu;

/* Options are checked once, with a line for each one that cannot be what was meant. */
static void check_options(void)
{
    static const char *const flags[] = {"shell", "hold", "nommap", "heapdebug"};
    for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (cmdline_flag(flags[i]) == CMDLINE_BAD)
            kprintf("kernel: option %s=%s: expected no value, 1/on/yes or 0/off/no: ignored\n", flags[i],
                    cmdline_get(flags[i]));
    const char *exit = cmdline_get("exit");
    if (exit && kstreq(exit, "qemu")) {
        exit_qemu = true;
        qemu_exit_enable();
    } else if (exit) {
        kprintf("kernel: exit=%s: the only value is exit=qemu: ignored\n", exit);
    }
    if (cmdline_dropped())
        kprintf("kernel: %d options past the first %d were dropped\n", cmdline_dropped(), CMDLINE_MAX_OPTS);
}

/* Run program `name` as pid 1 until it exits; under the test harness its status ends the run. */
static void run_init(const char *name)
{
    bool started = false;
    if (!program_find(name)) {
        kprintf("init: no program named '%s' among the %d boot modules", name, program_count());
        for (int i = 0; i < program_count(); i++)
            kprintf("%s%s", i ? ", " : ": ", program_at(i)->name);
        kprintf("\n");
    } else {
        sched_init();
        started = proc_start_init(name);
        if (started)
            sched_run(); /* until init exits */
    }
    int status = started ? proc_exit_status() : -1;
    if (exit_qemu && cmdline_flag("shell") != CMDLINE_ON)
        qemu_exit(status == 0 && !selftest_failed() ? QEMU_EXIT_PASS : QEMU_EXIT_INIT_FAIL);
}

void kmain(uint32_t magic, uint32_t info_phys)
{
    serial_init();
    gdt_init();
    idt_init();
    pic_init();          /* IRQs off the exception vectors, all masked */
    pit_start(SCHED_HZ); /* a known rate from the start: kernel/clock.c measures time on it */
    debug_add_stack((uintptr_t)boot_stack_bottom, (uintptr_t)boot_stack_top);
    debug_add_stack((uintptr_t)double_fault_stack, (uintptr_t)double_fault_stack + DOUBLE_FAULT_STACK_SIZE);

    kprintf("kernel: i386 higher-half kernel booting\n");
    check_magic(magic);

    bootinfo_init(info_phys);
    console_init(&bootinfo.mbi); /* VGA text now, or a framebuffer once memory is up */
    cmdline_parse(bootinfo.cmdline);
    kprintf("kernel: loaded by %s, command line \"",
            bootinfo.loader[0] ? bootinfo.loader : "an unnamed loader");
    print_escaped(bootinfo.cmdline);
    kprintf("\"\n");
    check_options();
    kprintf("kernel: running in the higher half: kmain at 0x%08x, stack top 0x%08x\n",
            (unsigned)(uintptr_t)kmain, (unsigned)(uintptr_t)boot_stack_top);

    cpu_detect();
    mem_init();
    console_init_framebuffer(&bootinfo.mbi);
    uvm_init(); /* reference counts and the zero page, for user memory */
    ata_init(); /* disks, and on one of them perhaps a swap area */
    swap_init();
    programs_init();
    proc_init();

    boot_selftest();
    mem_selftest();
    selftest_summary();

    const char *test = cmdline_get("test");
    if (test) {
        kprintf("kernel: running test '%s'\n", test);
        if (kstarts_with(test, "fault-"))
            fault_trigger(test + 6);
        else if (kstreq(test, "bad-magic"))
            check_magic(0x12345678); /* the real check, fed a wrong value */
        else
            mem_run_test(test);
    }

    kprintf("kernel: ready\n");
    const char *init = cmdline_get("init");
    if (init)
        run_init(init);
    /* Under the test harness (exit=qemu) the run ends here, unless it wants the shell. */
    if (cmdline_flag("shell") == CMDLINE_ON || !exit_qemu)
        monitor_run();
    qemu_exit(selftest_failed() ? QEMU_EXIT_SELFTEST_FAIL : QEMU_EXIT_PASS);
    if (cmdline_flag("hold") == CMDLINE_ON)
        for (;;)
            hlt(); /* the host ends the run (the screenshot tests) */
    /* Still here: no isa-debug-exit device answered (not QEMU, or QEMU without it). */
    kprintf("kernel: exit=qemu, but no isa-debug-exit device ended the run: the monitor instead\n");
    monitor_run();
}
