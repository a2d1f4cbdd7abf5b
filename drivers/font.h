/*
 * drivers/font.h - the bitmap font the framebuffer console draws text with.
 *
 * The data is generated at build time (tools/psf2c.sh) from a Linux console
 * font into build/gen/font.c: 256 glyphs, indexed by the byte printed (read as
 * Latin-1). Each glyph is `height` rows of `stride` bytes; within a row the
 * leftmost pixel is the top bit of the first byte.
 */
#ifndef DRIVERS_FONT_H
#define DRIVERS_FONT_H

#include <stdint.h>

struct font {
    unsigned width, height; /* pixels per glyph */
    unsigned stride;        /* bytes per glyph row: (width + 7) / 8 */
    const uint8_t *glyphs;  /* 256 glyphs of height * stride bytes each */
};

extern const struct font console_font;

#endif
