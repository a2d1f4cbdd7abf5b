/* drivers/vga.h - the 80x25 VGA text console (see vga.c). */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

void vga_init(void);
void vga_putc(char c);

#endif
