/*
 * drivers/fb.c - a text console drawn on a linear framebuffer.
 *
 * Under UEFI there is no VGA text mode: the firmware (GOP) leaves the screen in
 * a graphics mode and GRUB tells us where its pixels are through the multiboot
 * information (GRUB can do the same under BIOS with VBE). A linear framebuffer
 * is `height` rows of pixels, each row `pitch` bytes apart (the pitch may be
 * more than width * bytes per pixel: rows can be padded). A pixel is 3 or 4
 * bytes; where red, green and blue sit in it (RGB, BGR...) is given as a bit
 * position and size per colour, so we pack colours from those fields and
 * never assume an order.
 *
 * Text: each character cell is a glyph of the bitmap font (drivers/font.h)
 * drawn in light grey on black. We keep a shadow grid of the characters on
 * screen; to scroll, every cell whose character changes is redrawn from the
 * font. That only writes to the framebuffer, never reads it back (reading
 * video memory is slow on real hardware), and skips the blank cells that stay
 * blank. The cursor is an underline in the cell's last two pixel rows, like
 * VGA's.
 */
#include "fb.h"
#include "font.h"
#include "kernel/kprintf.h"
#include "mm/heap.h"
#include "mm/mmu.h"
#include "mm/vmm.h"
#include "mm/vrange.h"

#define FG_GREY      0xAA /* VGA's light grey, on black */
#define CURSOR_LINES 2

static volatile uint8_t *fb; /* the first pixel, in kernel virtual space */
static uint32_t pitch;       /* bytes from one pixel row to the next */
static unsigned bytes_pp;    /* 3 or 4 */
static uint32_t fg, bg;      /* packed pixel values */
static const struct font *font = &console_font;
static char *grid; /* cols * rows characters now on screen */
static unsigned cols, rows, col, row;

/* A colour (8 bits per channel) as the framebuffer stores it. */
static uint32_t pack(const uint8_t *ci, uint8_t r, uint8_t g, uint8_t b)
{
    return (uint32_t)(r >> (8 - ci[MB_FB_RED_SIZE])) << ci[MB_FB_RED_POS] |
           (uint32_t)(g >> (8 - ci[MB_FB_GREEN_SIZE])) << ci[MB_FB_GREEN_POS] |
           (uint32_t)(b >> (8 - ci[MB_FB_BLUE_SIZE])) << ci[MB_FB_BLUE_POS];
}

/* Are the colour fields usable: 1..8 bits each, inside the pixel? */
static bool fields_ok(const uint8_t *ci, unsigned bpp)
{
    for (int i = 0; i < 6; i += 2)
        if (ci[i + 1] < 1 || ci[i + 1] > 8 || ci[i] + ci[i + 1] > bpp)
            return false;
    return true;
}

static inline void put_pixel(volatile uint8_t *p, uint32_t v)
{
    if (bytes_pp == 4) {
        *(volatile uint32_t *)p = v;
    } else {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
    }
}

/* Draw character ch in cell (cx, cy), with the cursor underline if asked. */
static void draw_cell(unsigned cx, unsigned cy, char ch, bool cursor)
{
    const uint8_t *glyph = font->glyphs + (uint8_t)ch * font->height * font->stride;
    volatile uint8_t *line = fb + cy * font->height * pitch + cx * font->width * bytes_pp;
    for (unsigned y = 0; y < font->height; y++, line += pitch) {
        const uint8_t *bits = glyph + y * font->stride;
        bool under = cursor && y >= font->height - CURSOR_LINES;
        volatile uint8_t *p = line;
        for (unsigned x = 0; x < font->width; x++, p += bytes_pp) {
            bool on = under || (bits[x / 8] & (0x80 >> (x % 8)));
            put_pixel(p, on ? fg : bg);
        }
    }
}

static void set_cell(unsigned cx, unsigned cy, char ch)
{
    if (grid[cy * cols + cx] != ch) {
        grid[cy * cols + cx] = ch;
        draw_cell(cx, cy, ch, false);
    }
}

/* Move every line up one and blank the bottom one; only changed cells are drawn. */
static void scroll(void)
{
    for (unsigned y = 0; y + 1 < rows; y++)
        for (unsigned x = 0; x < cols; x++)
            set_cell(x, y, grid[(y + 1) * cols + x]);
    for (unsigned x = 0; x < cols; x++)
        set_cell(x, rows - 1, ' ');
    row = rows - 1;
}

bool fb_init(const struct multiboot_info *m)
{
    uint64_t addr = m->framebuffer_addr;
    unsigned bpp = m->framebuffer_bpp;
    uint32_t w = m->framebuffer_width, h = m->framebuffer_height;
    uint64_t bytes = (uint64_t)m->framebuffer_pitch * h;

    kprintf("fb: loader gave %ux%ux%u at 0x%llx, pitch %u, red %u/%u green %u/%u blue %u/%u\n", (unsigned)w,
            (unsigned)h, bpp, (unsigned long long)addr, (unsigned)m->framebuffer_pitch,
            m->color_info[MB_FB_RED_POS], m->color_info[MB_FB_RED_SIZE], m->color_info[MB_FB_GREEN_POS],
            m->color_info[MB_FB_GREEN_SIZE], m->color_info[MB_FB_BLUE_POS], m->color_info[MB_FB_BLUE_SIZE]);
    if (bpp != 24 && bpp != 32) {
        kprintf("fb: %u bits per pixel not supported (only 24 and 32)\n", bpp);
        return false;
    }
    if (!fields_ok(m->color_info, bpp)) {
        kprintf("fb: colour fields not supported\n");
        return false;
    }
    if (w < font->width || h < font->height || m->framebuffer_pitch < (uint64_t)w * (bpp / 8)) {
        kprintf("fb: implausible geometry\n");
        return false;
    }
    /* Written so that no sum can wrap: a garbage address near 2^64 is refused too. */
    if (addr >= 0x100000000ull || bytes > 0x100000000ull - addr || bytes > 0x10000000u) {
        kprintf("fb: framebuffer above 4 GiB (or over 256 MiB) cannot be mapped by a 32-bit kernel\n");
        return false;
    }

    /* Map it uncached-minus (PCD): writes reach the screen, and the firmware's
     * MTRRs may still make the range write-combining, which is much faster. */
    paddr_t first = (paddr_t)PAGE_ROUND_DOWN((uintptr_t)addr);
    size_t size = PAGE_ROUND_UP((uintptr_t)(addr - first + bytes));
    uintptr_t va = vrange_alloc(size, PAGE_SIZE);
    if (!va) {
        kprintf("fb: no kernel virtual space for %u KiB\n", (unsigned)(size >> 10));
        return false;
    }
    int err = vmm_map_range(va, first, size, PTE_W | PTE_PCD);
    if (err) {
        kprintf("fb: mapping failed (%d)\n", err);
        vrange_free(va);
        return false;
    }
    cols = w / font->width;
    rows = h / font->height;
    grid = kmalloc(cols * rows);
    if (!grid) {
        kprintf("fb: no memory for a %ux%u text grid\n", cols, rows);
        vmm_unmap_range(va, size);
        vrange_free(va);
        cols = rows = 0;
        return false;
    }
    fb = (volatile uint8_t *)(va + (uintptr_t)(addr - first));
    pitch = m->framebuffer_pitch;
    bytes_pp = bpp / 8;
    fg = pack(m->color_info, FG_GREY, FG_GREY, FG_GREY);
    bg = pack(m->color_info, 0, 0, 0);

    /* Clear every pixel (also the margins the grid does not cover). */
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            put_pixel(fb + y * pitch + x * bytes_pp, bg);
    for (unsigned i = 0; i < cols * rows; i++)
        grid[i] = ' ';
    col = row = 0;
    draw_cell(0, 0, ' ', true);

    kprintf("fb: %ux%ux%u framebuffer at 0x%08x mapped at 0x%08x (%u KiB, uncached)\n", (unsigned)w,
            (unsigned)h, bpp, (unsigned)addr, (unsigned)(uintptr_t)fb, (unsigned)(size >> 10));
    return true;
}

void fb_putc(char c)
{
    if (!grid)
        return;
    draw_cell(col, row, grid[row * cols + col], false); /* take the cursor away */
    switch (c) {
    case '\n':
        col = 0;
        row++;
        break;
    case '\r': col = 0; break;
    case '\b':
        if (col > 0)
            set_cell(--col, row, ' ');
        break;
    case '\t': col = (col + 8) & ~7u; break;
    default: set_cell(col, row, c); col++;
    }
    if (col >= cols) {
        col = 0;
        row++;
    }
    if (row >= rows)
        scroll();
    draw_cell(col, row, grid[row * cols + col], true);
}

unsigned fb_cols(void)
{
    return cols;
}

unsigned fb_rows(void)
{
    return rows;
}
