/* drivers/fb.h - a text console drawn on a linear framebuffer (see fb.c). */
#ifndef DRIVERS_FB_H
#define DRIVERS_FB_H

#include <stdbool.h>
#include "kernel/multiboot.h"

/*
 * Map the RGB framebuffer the loader described in `m` (MBI_FRAMEBUFFER set,
 * type MB_FB_RGB) into kernel virtual space and clear it. Returns false, after
 * a log line saying why, when it cannot be used: a depth other than 24 or 32
 * bits, odd colour fields, memory above 4 GiB, no virtual space or heap.
 */
bool fb_init(const struct multiboot_info *m);

/* Draw one character at the cursor ('\n', '\r', '\b' and '\t' move it). */
void fb_putc(char c);

/* The text grid: columns and rows (0 before fb_init succeeded). */
unsigned fb_cols(void);
unsigned fb_rows(void);

#endif
