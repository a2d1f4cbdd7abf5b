/*
 * kernel/console.h - choosing the screen that kprintf writes to (see console.c).
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "multiboot.h"

/*
 * Pick the screen from the loader's information `m` (NULL: none to trust):
 * VGA text unless the loader set up a graphics mode. Call once the multiboot
 * information is copied; does nothing when a screen was already chosen.
 */
void console_init(const struct multiboot_info *m);

/* Once memory management is up: map the loader's framebuffer, if any, and draw there. */
void console_init_framebuffer(const struct multiboot_info *m);

/* The screen's size in characters (80x24 when output is serial only). */
void console_size(unsigned *cols, unsigned *rows);

#endif
