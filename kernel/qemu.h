/*
 * kernel/qemu.h - ending a test run under QEMU.
 *
 * QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=4)
 * ends the emulator when a value v is written to its port, with exit status
 * (v << 1) | 1. The kernel writes only when the command line says exit=qemu, so
 * real hardware never sees the port write. With the option `hold` as well, a
 * passing run does not end itself: the host ends it (a test that takes a
 * screenshot first writes the pass value through QEMU's monitor); a panic
 * still ends the run at once.
 */
#ifndef KERNEL_QEMU_H
#define KERNEL_QEMU_H

#define QEMU_EXIT_PASS          0x10 /* QEMU exits with status 33 */
#define QEMU_EXIT_FAIL          0x11 /* QEMU exits with status 35: a panic */
#define QEMU_EXIT_SELFTEST_FAIL 0x12 /* QEMU exits with status 37: booted, but a self-check failed */
#define QEMU_EXIT_INIT_FAIL     0x13 /* QEMU exits with status 39: the first process did not exit with 0 */

void qemu_exit_enable(void);
/* End QEMU with `code` if enabled; returns if not (or not under QEMU). */
void qemu_exit(unsigned code);

#endif
