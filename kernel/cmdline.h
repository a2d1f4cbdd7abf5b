/*
 * kernel/cmdline.h - the kernel command line, parsed into options.
 *
 * GRUB passes everything after the kernel path on the `multiboot` line, usually
 * starting with the path itself: "/boot/kernel.elf test=fault-null exit=qemu".
 * Words are separated by spaces; a word "key=value" sets an option, a bare word
 * "key" sets it to "". A first word holding a '/' and no '=' is the kernel's
 * path (GRUB passes "/boot/kernel.elf", qemu -kernel the file name) and is skipped. Plain C, also unit-tested on the host.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>

#define CMDLINE_MAX_OPTS 32
#define CMDLINE_MAX_LEN  512

/* Parse `s` (copied; the caller's string is not kept). Replaces earlier options. */
void cmdline_parse(const char *s);

/* The value of option `key`: "" for a bare word, NULL when absent. */
const char *cmdline_get(const char *key);

/* Is option `key` present (with or without a value)? */
bool cmdline_has(const char *key);

/* Number of options parsed. */
int cmdline_count(void);

/* Options past CMDLINE_MAX_OPTS that were dropped (the kernel logs the number). */
int cmdline_dropped(void);

/* An on/off option ("heapdebug", "shell"...): CMDLINE_OFF when absent or given
 * as 0/off/no, CMDLINE_ON as a bare word or 1/on/yes, CMDLINE_BAD for any other
 * value (the caller says so and treats it as absent). */
#define CMDLINE_OFF 0
#define CMDLINE_ON  1
#define CMDLINE_BAD (-1)
int cmdline_flag(const char *key);

#endif
