/*
 * kernel/console.c - choosing the screen that kprintf writes to.
 *
 * The serial port always carries every line. The screen depends on what the
 * loader left us:
 *
 *   no framebuffer information, or EGA text   VGA text at 0xB8000 (drivers/vga.c)
 *   an RGB framebuffer (UEFI GOP, BIOS VBE)   drivers/fb.c, once paging and the
 *                                             heap can map it; until then lines
 *                                             only go to serial and kprintf's
 *                                             early log, replayed onto the screen
 *   anything else (palette colours, a depth   serial only
 *   fb.c cannot draw, above 4 GiB)
 *
 * When the loader reports a graphics framebuffer we never touch VGA text: on a
 * UEFI machine there is no text mode and 0xB8000 may be anything.
 */
#include "console.h"
#include "kprintf.h"
#include "drivers/fb.h"
#include "drivers/vga.h"

static bool chosen;
static unsigned cols = 80, rows = 24; /* a serial terminal's usual size */

static bool has_graphics(const struct multiboot_info *m)
{
    return m && (m->flags & MBI_FRAMEBUFFER) && m->framebuffer_type != MB_FB_EGA_TEXT;
}

void console_init(const struct multiboot_info *m)
{
    if (chosen)
        return;
    chosen = true;
    if (has_graphics(m)) {
        kprintf("console: the loader set up a graphics mode: serial only until it is mapped\n");
        return;
    }
    vga_init();
    cols = 80, rows = 25;
    kprintf_set_screen(vga_putc); /* replays the lines printed so far */
    kprintf("console: vga text\n");
}

void console_init_framebuffer(const struct multiboot_info *m)
{
    if (!has_graphics(m))
        return;
    if (m->framebuffer_type != MB_FB_RGB) {
        kprintf("console: framebuffer type %u (palette) not supported: serial only\n", m->framebuffer_type);
        return;
    }
    if (!fb_init(m)) {
        kprintf("console: serial only\n");
        return;
    }
    cols = fb_cols(), rows = fb_rows();
    kprintf_set_screen(fb_putc); /* replays the boot so far */
    kprintf("console: framebuffer, %ux%u characters\n", fb_cols(), fb_rows());
}

void console_size(unsigned *c, unsigned *r)
{
    *c = cols;
    *r = rows;
}
