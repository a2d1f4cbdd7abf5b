/*
 * drivers/vga.c - the VGA text-mode console.
 *
 * In text mode the VGA card shows an 80x25 grid whose cells live in memory at
 * physical 0xB8000: two bytes per cell, the character (code page 437) and an
 * attribute (background colour in the high nibble, foreground in the low). We
 * reach it at its higher-half address VGA_TEXT_VIRT. When the cursor passes the
 * last row every line moves up one and the bottom row is cleared (scrolling).
 * The hardware cursor is moved through the CRT controller's index/data ports.
 */
#include "vga.h"
#include "kernel/io.h"
#include "mm/memlayout.h"

#define COLS       80
#define ROWS       25
#define ATTR       0x07 /* light grey on black */
#define CRTC_INDEX 0x3D4
#define CRTC_DATA  0x3D5

static volatile uint16_t *const screen = (volatile uint16_t *)VGA_TEXT_VIRT;
static unsigned row, col;

static void move_cursor(void)
{
    uint16_t pos = (uint16_t)(row * COLS + col);
    outb(CRTC_INDEX, 0x0F);
    outb(CRTC_DATA, (uint8_t)(pos & 0xFF));
    outb(CRTC_INDEX, 0x0E);
    outb(CRTC_DATA, (uint8_t)(pos >> 8));
}

static void scroll(void)
{
    for (unsigned i = 0; i < (ROWS - 1) * COLS; i++)
        screen[i] = screen[i + COLS];
    for (unsigned i = (ROWS - 1) * COLS; i < ROWS * COLS; i++)
        screen[i] = (uint16_t)(ATTR << 8 | ' ');
    row = ROWS - 1;
}

void vga_init(void)
{
    for (unsigned i = 0; i < ROWS * COLS; i++)
        screen[i] = (uint16_t)(ATTR << 8 | ' ');
    row = col = 0;
    move_cursor();
}

void vga_putc(char c)
{
    switch (c) {
    case '\n':
        col = 0;
        row++;
        break;
    case '\r': col = 0; break;
    case '\b':
        if (col > 0)
            screen[row * COLS + --col] = (uint16_t)(ATTR << 8 | ' ');
        break;
    case '\t': col = (col + 8) & ~7u; break;
    default: screen[row * COLS + col] = (uint16_t)(ATTR << 8 | (uint8_t)c); col++;
    }
    if (col >= COLS) {
        col = 0;
        row++;
    }
    if (row >= ROWS)
        scroll();
    move_cursor();
}
