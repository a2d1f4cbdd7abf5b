/* kernel/qemu.c - end a test run through QEMU's isa-debug-exit port (see qemu.h). */
#include "qemu.h"
#include "io.h"
#include "cmdline.h"
#include "kprintf.h"

#define DEBUG_EXIT_PORT 0xF4

static int enabled, hold;

void qemu_exit_enable(void)
{
    enabled = 1;
    hold = cmdline_flag("hold") == CMDLINE_ON;
}

void qemu_exit(unsigned code)
{
    if (!enabled)
        return;
    if (hold && code == QEMU_EXIT_PASS) {
        kprintf("kernel: holding (hold): the host ends the run\n");
        return;
    }
    outl(DEBUG_EXIT_PORT, code);
}
