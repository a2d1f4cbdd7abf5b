/*
 * tests/host/test_fb.c - the framebuffer text console (drivers/fb.c) on the host.
 *
 * QEMU hands the kernel only a few framebuffer layouts (24 or 32 bpp, 8-bit
 * fields, unpadded rows, a page-aligned address). Real hardware also gives
 * padded rows (pitch > width * bytes per pixel), other colour orders, fields
 * narrower than 8 bits and addresses inside a page. Here fb.c draws into a
 * host buffer standing in for video memory, so every byte can be checked:
 * every pixel against the glyph of a synthetic font, and every byte fb.c must
 * not write (row padding, the bytes around the framebuffer) against the
 * sentinel the buffer was filled with.
 *
 * fb.c is linked without the kernel: this file provides kprintf (captured),
 * vrange_alloc/vrange_free (host buffers), vmm_map_range/vmm_unmap_range
 * (recorded, can fail), kmalloc (can fail) and the font. fb.c keeps static
 * state, so the refusals run first, while no fb_init has succeeded yet (when
 * fb_cols() is guaranteed 0); every later case starts with a successful fb_init.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "drivers/fb.h"
#include "drivers/font.h"
#include "kernel/kprintf.h"
#include "mm/heap.h"
#include "mm/mmu.h"
#include "mm/vmm.h"
#include "mm/vrange.h"

#define FONT_W   8
#define FONT_H   16
#define SENTINEL 0xEE /* what video memory holds before fb_init */
#define BG       0u   /* black packs to 0 in every layout */
#define GREY32   0x00AAAAAAu

/* ------------------------------------------------------------ the font */

/* Glyph row y of character c: a pattern that differs from row to row and from
 * character to character (37 is odd, so no two characters share a row), and a
 * blank space, as in real fonts. */
static uint8_t glyph_row(unsigned char c, unsigned y)
{
    return c == ' ' ? 0 : (uint8_t)(c * 37u + y * 101u + 0x55u);
}

static uint8_t glyph_data[256 * FONT_H];
const struct font console_font = {FONT_W, FONT_H, 1, glyph_data};

static void make_font(void)
{
    for (unsigned c = 0; c < 256; c++)
        for (unsigned y = 0; y < FONT_H; y++)
            glyph_data[c * FONT_H + y] = glyph_row((unsigned char)c, y);
}

static bool glyph_bit(char ch, unsigned x, unsigned y)
{
    return glyph_row((unsigned char)ch, y) & (0x80 >> x);
}

/* ------------------------------------------------------------ the stubs */

static char log_text[16384]; /* everything fb.c printed since reset_stubs() */
static size_t log_len;

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(log_text + log_len, sizeof log_text - log_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        log_len += (size_t)n < sizeof log_text - log_len ? (size_t)n : sizeof log_text - log_len - 1;
    return n;
}

/* Every range vrange_alloc handed out: page-aligned host memory filled with SENTINEL. */
static struct vmem {
    uint8_t *mem;
    size_t size;
} vmem[32];
static int nvmem;

static void *heap_blocks[64]; /* kmalloc's blocks, kept reachable and freed at exit */
static int nheap;

static struct {
    int vrange_allocs, vrange_frees, maps, unmaps, kmallocs;
    size_t alloc_size, alloc_align;
    uintptr_t alloc_va, free_va;
    bool freed_untouched; /* the range given back still held only SENTINEL */
    uintptr_t map_va;
    paddr_t map_pa;
    size_t map_size;
    uint32_t map_flags;
    uintptr_t unmap_va;
    size_t unmap_size;
    size_t kmalloc_size;
} calls;
static bool fail_vrange, fail_kmalloc;
static int map_error;

uintptr_t vrange_alloc(size_t size, size_t align)
{
    calls.vrange_allocs++;
    calls.alloc_size = size;
    calls.alloc_align = align;
    if (fail_vrange || nvmem == (int)(sizeof vmem / sizeof vmem[0]))
        return 0;
    size_t bytes = PAGE_ROUND_UP(size);
    uint8_t *mem = aligned_alloc(PAGE_SIZE, bytes);
    if (!mem)
        return 0;
    memset(mem, SENTINEL, bytes);
    vmem[nvmem++] = (struct vmem){mem, bytes};
    calls.alloc_va = (uintptr_t)mem;
    return (uintptr_t)mem;
}

int vrange_free(uintptr_t va)
{
    calls.vrange_frees++;
    calls.free_va = va;
    for (int i = 0; i < nvmem; i++) {
        if ((uintptr_t)vmem[i].mem == va) {
            calls.freed_untouched = true;
            for (size_t j = 0; j < vmem[i].size; j++)
                if (vmem[i].mem[j] != SENTINEL)
                    calls.freed_untouched = false;
            free(vmem[i].mem); /* so that ASan catches any later use */
            vmem[i] = vmem[--nvmem];
            return 0;
        }
    }
    return -1;
}

int vmm_map_range(uintptr_t va, paddr_t pa, size_t size, uint32_t flags)
{
    calls.maps++;
    calls.map_va = va;
    calls.map_pa = pa;
    calls.map_size = size;
    calls.map_flags = flags;
    return map_error;
}

void vmm_unmap_range(uintptr_t va, size_t size)
{
    calls.unmaps++;
    calls.unmap_va = va;
    calls.unmap_size = size;
}

void *kmalloc(size_t size)
{
    calls.kmallocs++;
    calls.kmalloc_size = size;
    if (fail_kmalloc || nheap == (int)(sizeof heap_blocks / sizeof heap_blocks[0]))
        return NULL;
    return heap_blocks[nheap++] = malloc(size ? size : 1);
}

static void reset_stubs(void)
{
    memset(&calls, 0, sizeof calls);
    fail_vrange = fail_kmalloc = false;
    map_error = VMM_OK;
    log_len = 0;
    log_text[0] = '\0';
}

static void free_all(void)
{
    while (nvmem)
        free(vmem[--nvmem].mem);
    while (nheap)
        free(heap_blocks[--nheap]);
}

/* The first and the last line fb.c logged, newline included. */
static const char *first_line(void)
{
    static char line[512];
    const char *nl = strchr(log_text, '\n');
    size_t n = nl ? (size_t)(nl - log_text) + 1 : strlen(log_text);
    snprintf(line, sizeof line, "%.*s", (int)n, log_text);
    return line;
}

static const char *last_line(void)
{
    size_t i = log_len;
    if (i > 0 && log_text[i - 1] == '\n')
        i--;
    while (i > 0 && log_text[i - 1] != '\n')
        i--;
    return log_text + i;
}

/* ------------------------------------------------------------ framebuffers */

static const uint8_t RGB32[6] = {16, 8, 8, 8, 0, 8}; /* x8r8g8b8, what GRUB reports under QEMU */
static const uint8_t RGB24[6] = {16, 8, 8, 8, 0, 8}; /* r8g8b8 */

static struct multiboot_info fb_info(uint64_t addr, uint32_t w, uint32_t h, uint32_t pitch, unsigned bpp,
                                     const uint8_t ci[6])
{
    struct multiboot_info m;
    memset(&m, 0, sizeof m);
    m.flags = MBI_FRAMEBUFFER;
    m.framebuffer_addr = addr;
    m.framebuffer_pitch = pitch;
    m.framebuffer_width = w;
    m.framebuffer_height = h;
    m.framebuffer_bpp = (uint8_t)bpp;
    m.framebuffer_type = MB_FB_RGB;
    memcpy(m.color_info, ci, 6);
    return m;
}

/* A framebuffer fb.c accepted, as the test sees it. */
struct screen {
    uint8_t *mem; /* the whole range vrange_alloc handed out */
    size_t size;
    size_t off; /* where the first pixel is: the address's offset in its page */
    uint32_t w, h, pitch;
    unsigned bpp; /* bytes per pixel */
    uint32_t fg;  /* the packed grey this layout must give */
};

/* fb_init(m) must succeed; fills in s. */
static bool start(struct screen *s, const struct multiboot_info *m, uint32_t fg)
{
    reset_stubs();
    int before = nvmem;
    bool ok = fb_init(m);
    CHECK(ok);
    CHECK_EQ(nvmem, before + 1);
    if (!ok || nvmem != before + 1)
        return false;
    s->mem = vmem[nvmem - 1].mem;
    s->size = vmem[nvmem - 1].size;
    s->off = (size_t)(m->framebuffer_addr & (PAGE_SIZE - 1));
    s->w = m->framebuffer_width;
    s->h = m->framebuffer_height;
    s->pitch = m->framebuffer_pitch;
    s->bpp = m->framebuffer_bpp / 8u;
    s->fg = fg;
    CHECK_EQ(calls.map_va, (uintptr_t)s->mem);
    CHECK_EQ(fb_cols(), s->w / FONT_W);
    CHECK_EQ(fb_rows(), s->h / FONT_H);
    return true;
}

static const uint8_t *pixel_at(const struct screen *s, uint32_t x, uint32_t y)
{
    return s->mem + s->off + (size_t)y * s->pitch + (size_t)x * s->bpp;
}

/* Pixel (x, y) read back little-endian, 3 or 4 bytes. */
static uint32_t pixel(const struct screen *s, uint32_t x, uint32_t y)
{
    const uint8_t *p = pixel_at(s, x, y);
    uint32_t v = 0;
    for (unsigned i = 0; i < s->bpp; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

/* What pixel (x, y) must be when the screen holds `text` (rows of characters,
 * NULL-terminated; missing rows and columns are blank) with the cursor, an
 * underline on the last two pixel rows, in cell (ccol, crow). */
static uint32_t expected(const struct screen *s, const char *const *text, unsigned ccol, unsigned crow,
                         uint32_t x, uint32_t y)
{
    unsigned cx = x / FONT_W, cy = y / FONT_H, gx = x % FONT_W, gy = y % FONT_H;
    if (cx >= s->w / FONT_W || cy >= s->h / FONT_H)
        return BG; /* the margin right of or below the grid */
    char ch = ' ';
    for (unsigned i = 0; text && text[i]; i++)
        if (i == cy && cx < strlen(text[i]))
            ch = text[i][cx];
    if (cx == ccol && cy == crow && gy >= FONT_H - 2)
        return s->fg;
    return glyph_bit(ch, gx, gy) ? s->fg : BG;
}

/* How many of the w * h pixels differ from the expected screen (the first one is reported). */
static int screen_mismatches(const struct screen *s, const char *const *text, unsigned ccol, unsigned crow)
{
    int bad = 0;
    for (uint32_t y = 0; y < s->h; y++) {
        for (uint32_t x = 0; x < s->w; x++) {
            uint32_t want = expected(s, text, ccol, crow, x, y), got = pixel(s, x, y);
            if (got != want && bad++ == 0)
                fprintf(stderr, "  pixel (%u, %u) is 0x%x, expected 0x%x\n", x, y, got, want);
        }
    }
    return bad;
}

/* How many pixels of cell (cx, cy) do not show ch (with the cursor underline if asked). */
static int cell_mismatches(const struct screen *s, unsigned cx, unsigned cy, char ch, bool cursor)
{
    int bad = 0;
    for (unsigned gy = 0; gy < FONT_H; gy++) {
        for (unsigned gx = 0; gx < FONT_W; gx++) {
            bool on = glyph_bit(ch, gx, gy) || (cursor && gy >= FONT_H - 2);
            if (pixel(s, cx * FONT_W + gx, cy * FONT_H + gy) != (on ? s->fg : BG))
                bad++;
        }
    }
    return bad;
}

/* Bytes of the range that are not pixels but no longer hold SENTINEL: before
 * the first pixel, the padding after each row's w pixels, after the last row. */
static size_t stray_writes(const struct screen *s)
{
    size_t bad = 0, row_bytes = (size_t)s->w * s->bpp;
    for (size_t i = 0; i < s->off; i++)
        bad += s->mem[i] != SENTINEL;
    for (uint32_t y = 0; y < s->h; y++)
        for (size_t i = row_bytes; i < s->pitch; i++)
            bad += s->mem[s->off + (size_t)y * s->pitch + i] != SENTINEL;
    for (size_t i = s->off + (size_t)s->h * s->pitch; i < s->size; i++)
        bad += s->mem[i] != SENTINEL;
    return bad;
}

#define CHECK_SCREEN(s, text, ccol, crow) CHECK_EQ(screen_mismatches(s, text, ccol, crow), 0)
#define CHECK_CELL(s, cx, cy, ch, cursor) CHECK_EQ(cell_mismatches(s, cx, cy, ch, cursor), 0)
#define CHECK_NO_STRAY_WRITES(s)          CHECK_EQ(stray_writes(s), 0)

/* The rows of text expected on screen, for CHECK_SCREEN. */
#define TEXT(...) ((const char *const[]){__VA_ARGS__, NULL})

static void put(const char *str)
{
    while (*str)
        fb_putc(*str++);
}

/* ------------------------------------------------------------ refusals (before any success) */

/* fb_init must refuse m with `why` as its last log line, before asking for
 * virtual space, a mapping or memory. Only valid while no fb_init has
 * succeeded: then fb_cols() and fb_rows() are 0 (fb.h). */
#define EXPECT_REFUSED_EARLY(m, why) expect_refused_early(m, why, __LINE__)
static void expect_refused_early(const struct multiboot_info *m, const char *why, int line)
{
    int before = check_failed;
    reset_stubs();
    CHECK(!fb_init(m));
    CHECK_STR(last_line(), why);
    CHECK_EQ(calls.vrange_allocs, 0);
    CHECK_EQ(calls.maps, 0);
    CHECK_EQ(calls.kmallocs, 0);
    CHECK_EQ(fb_cols(), 0);
    CHECK_EQ(fb_rows(), 0);
    if (check_failed != before)
        fprintf(stderr, "  ^ refusal at line %d\n", line);
}

static void test_refuse_depth(void)
{
    static const uint8_t rgb565[6] = {11, 5, 5, 6, 0, 5};
    struct multiboot_info m = fb_info(0xFD000000u, 640, 480, 1280, 16, rgb565);
    EXPECT_REFUSED_EARLY(&m, "fb: 16 bits per pixel not supported (only 24 and 32)\n");
    /* The first line describes what the loader gave, fields included. */
    CHECK_STR(first_line(),
              "fb: loader gave 640x480x16 at 0xfd000000, pitch 1280, red 11/5 green 5/6 blue 0/5\n");

    static const unsigned depths[] = {0, 8, 15, 31, 33, 64};
    for (unsigned i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        char why[80];
        snprintf(why, sizeof why, "fb: %u bits per pixel not supported (only 24 and 32)\n", depths[i]);
        m = fb_info(0xFD000000u, 640, 480, 640 * 4, depths[i], RGB32);
        EXPECT_REFUSED_EARLY(&m, why);
    }
}

static void test_refuse_fields(void)
{
    static const struct {
        unsigned bpp;
        uint8_t ci[6];
    } bad[] = {
        {32, {16, 0, 8, 8, 0, 8}},   /* red of size 0 */
        {32, {16, 8, 8, 0, 0, 8}},   /* green of size 0 */
        {32, {16, 8, 8, 8, 0, 9}},   /* blue wider than 8 bits */
        {32, {0, 16, 16, 8, 24, 8}}, /* red 16 bits */
        {32, {25, 8, 8, 8, 0, 8}},   /* red ends at bit 33 */
        {32, {16, 8, 8, 8, 30, 3}},  /* blue ends at bit 33 */
        {24, {24, 8, 16, 8, 8, 8}},  /* a 32-bit layout claimed as 24 bpp */
        {24, {16, 8, 8, 8, 17, 8}},  /* blue ends at bit 25 */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct multiboot_info m = fb_info(0xFD000000u, 64, 32, 64 * 4, bad[i].bpp, bad[i].ci);
        EXPECT_REFUSED_EARLY(&m, "fb: colour fields not supported\n");
    }
}

static void test_refuse_geometry(void)
{
    static const char *why = "fb: implausible geometry\n";
    struct multiboot_info m;
    m = fb_info(0xFD000000u, 7, 16, 64, 32, RGB32); /* narrower than one glyph */
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0xFD000000u, 8, 15, 64, 32, RGB32); /* lower than one glyph */
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0xFD000000u, 0, 0, 64, 32, RGB32);
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0xFD000000u, 64, 32, 64 * 4 - 1, 32, RGB32); /* rows overlap */
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0xFD000000u, 64, 32, 64 * 3 - 1, 24, RGB24);
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0xFD000000u, 64, 32, 0, 32, RGB32);
    EXPECT_REFUSED_EARLY(&m, why);
    /* width * 4 wraps in 32 bits to 4: the check must not be fooled by it */
    m = fb_info(0xFD000000u, 0x40000001u, 16, 4, 32, RGB32);
    EXPECT_REFUSED_EARLY(&m, why);
}

static void test_refuse_above_4g(void)
{
    static const char *why =
        "fb: framebuffer above 4 GiB (or over 256 MiB) cannot be mapped by a 32-bit kernel\n";
    struct multiboot_info m;
    m = fb_info(0xFFFFE100u, 64, 32, 256, 32, RGB32); /* 8 KiB ending 256 bytes past 4 GiB */
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0xFFFFE001u, 64, 32, 256, 32, RGB32); /* one byte past */
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0x100000000ull, 64, 32, 256, 32, RGB32); /* starts at 4 GiB */
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0x3F0000000ull, 1024, 768, 4096, 32, RGB32); /* a 64-bit BAR */
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0x80000000u, 1024, 65537, 4096, 32, RGB32); /* 256 MiB + 4 KiB */
    EXPECT_REFUSED_EARLY(&m, why);
    m = fb_info(0xFFFFFFFFFFFFF000ull, 64, 32, 256, 32, RGB32); /* address + size wraps past 2^64 */
    EXPECT_REFUSED_EARLY(&m, why);
}

static void test_refuse_no_virtual_space(void)
{
    struct multiboot_info m = fb_info(0xFD000000u, 640, 480, 2560, 32, RGB32);
    reset_stubs();
    fail_vrange = true;
    CHECK(!fb_init(&m));
    CHECK_STR(last_line(), "fb: no kernel virtual space for 1200 KiB\n");
    CHECK_EQ(calls.vrange_allocs, 1);
    CHECK_EQ(calls.alloc_size, 640 * 480 * 4);
    CHECK_EQ(calls.alloc_align, PAGE_SIZE);
    CHECK_EQ(calls.maps, 0);
    CHECK_EQ(calls.kmallocs, 0);
    CHECK_EQ(fb_cols(), 0);

    /* The size covers the address's offset in its page: 0x800 + 1228800 bytes. */
    m = fb_info(0xFD000800u, 640, 480, 2560, 32, RGB32);
    reset_stubs();
    fail_vrange = true;
    CHECK(!fb_init(&m));
    CHECK_EQ(calls.alloc_size, 1232896);
    CHECK_STR(last_line(), "fb: no kernel virtual space for 1204 KiB\n");
}

static void test_refuse_map_fails(void)
{
    struct multiboot_info m = fb_info(0xFD000000u, 640, 480, 2560, 32, RGB32);
    reset_stubs();
    map_error = VMM_E_NOMEM;
    CHECK(!fb_init(&m));
    CHECK_STR(last_line(), "fb: mapping failed (-2)\n");
    CHECK_EQ(calls.maps, 1);
    CHECK_EQ(calls.map_va, calls.alloc_va);
    CHECK_EQ(calls.map_pa, 0xFD000000u);
    CHECK_EQ(calls.map_size, 1228800);
    /* The virtual range is given back, untouched, and nothing else was asked for. */
    CHECK_EQ(calls.vrange_frees, 1);
    CHECK_EQ(calls.free_va, calls.alloc_va);
    CHECK(calls.freed_untouched);
    CHECK_EQ(calls.unmaps, 0);
    CHECK_EQ(calls.kmallocs, 0);
    CHECK_EQ(fb_cols(), 0);
    CHECK_EQ(fb_rows(), 0);
}

static void test_refuse_no_grid_memory(void)
{
    struct multiboot_info m = fb_info(0xFD000000u, 640, 480, 2560, 32, RGB32);
    reset_stubs();
    fail_kmalloc = true;
    CHECK(!fb_init(&m));
    CHECK_STR(last_line(), "fb: no memory for a 80x30 text grid\n");
    CHECK_EQ(calls.kmallocs, 1);
    CHECK_EQ(calls.kmalloc_size, 80 * 30);
    /* The mapping and the virtual range are both given back, the framebuffer untouched. */
    CHECK_EQ(calls.maps, 1);
    CHECK_EQ(calls.unmaps, 1);
    CHECK_EQ(calls.unmap_va, calls.map_va);
    CHECK_EQ(calls.unmap_size, calls.map_size);
    CHECK_EQ(calls.vrange_frees, 1);
    CHECK_EQ(calls.free_va, calls.alloc_va);
    CHECK(calls.freed_untouched);
    /* fb.c resets the grid size on this path (and nothing succeeded before). */
    CHECK_EQ(fb_cols(), 0);
    CHECK_EQ(fb_rows(), 0);
    fb_putc('x'); /* no console: must not touch the freed range (ASan would report it) */
}

/* ------------------------------------------------------------ drawing */

static void test_basic_32bpp(void)
{
    struct multiboot_info m = fb_info(0xFD000000u, 100, 50, 400, 32, RGB32);
    struct screen s;
    if (!start(&s, &m, GREY32))
        return;
    /* 12x3 cells, with a 4-pixel margin on the right and 2 below. */
    CHECK_EQ(fb_cols(), 12);
    CHECK_EQ(fb_rows(), 3);
    CHECK_EQ(calls.kmalloc_size, 36);
    CHECK_EQ(calls.map_pa, 0xFD000000u);
    CHECK_EQ(calls.map_size, 20480); /* 400 * 50 = 20000 bytes, in pages */
    CHECK_STR(first_line(),
              "fb: loader gave 100x50x32 at 0xfd000000, pitch 400, red 16/8 green 8/8 blue 0/8\n");
    char ok_line[120];
    snprintf(ok_line, sizeof ok_line,
             "fb: 100x50x32 framebuffer at 0xfd000000 mapped at 0x%08x (20 KiB, uncached)\n",
             (unsigned)(uintptr_t)s.mem);
    CHECK_STR(last_line(), ok_line);

    /* Cleared to black, margins included, but for the cursor in cell (0, 0). */
    CHECK_EQ(pixel(&s, 0, 0), BG);
    CHECK_EQ(pixel(&s, 0, 14), GREY32);
    CHECK_EQ(pixel(&s, 7, 15), GREY32);
    CHECK_EQ(pixel(&s, 8, 15), BG);
    CHECK_EQ(pixel(&s, 0, 13), BG);
    CHECK_EQ(pixel(&s, 99, 49), BG);
    CHECK_SCREEN(&s, NULL, 0, 0);
    CHECK_NO_STRAY_WRITES(&s);

    /* 'A' in cell (0, 0), every pixel of it; the cursor moves to cell (1, 0). */
    fb_putc('A');
    int on = 0, bad = 0;
    for (unsigned y = 0; y < FONT_H; y++) {
        for (unsigned x = 0; x < FONT_W; x++) {
            bool bit = glyph_row('A', y) & (0x80 >> x);
            on += bit;
            bad += pixel(&s, x, y) != (bit ? 0x00AAAAAAu : 0u);
        }
    }
    CHECK_EQ(bad, 0);
    CHECK(on > 0 && on < FONT_W * FONT_H); /* the glyph has both kinds of pixels */
    bad = 0;
    for (unsigned y = 0; y < FONT_H; y++)
        for (unsigned x = FONT_W; x < 2 * FONT_W; x++)
            bad += pixel(&s, x, y) != (y >= FONT_H - 2 ? 0x00AAAAAAu : 0u);
    CHECK_EQ(bad, 0);
    /* The bytes of pixel (0, 0), lit in 'A' (glyph row 0 is 0xBA): b, g, r, x. */
    CHECK_EQ(glyph_row('A', 0), 0xBA);
    CHECK_EQ(s.mem[0], 0xAA);
    CHECK_EQ(s.mem[1], 0xAA);
    CHECK_EQ(s.mem[2], 0xAA);
    CHECK_EQ(s.mem[3], 0x00);
    CHECK_EQ(s.mem[4], 0x00); /* pixel (1, 0) is off */

    /* A Latin-1 character (negative as a char) uses glyph 0xE9. */
    fb_putc((char)0xE9);
    CHECK_CELL(&s, 1, 0, (char)0xE9, false);
    CHECK_SCREEN(&s, TEXT("A\xe9"), 2, 0);
    CHECK_NO_STRAY_WRITES(&s);

    /* QEMU's mode: 1024x768x32 gives 128x48 characters. */
    m = fb_info(0xFD000000u, 1024, 768, 4096, 32, RGB32);
    if (start(&s, &m, GREY32)) {
        CHECK_EQ(fb_cols(), 128);
        CHECK_EQ(fb_rows(), 48);
        put("kernel: ok");
        CHECK_SCREEN(&s, TEXT("kernel: ok"), 10, 0);
    }
}

static void test_padded_pitch(void)
{
    /* 72 pixels of 4 bytes = 288 bytes per row, then 256 bytes of padding. */
    struct multiboot_info m = fb_info(0xFD000000u, 72, 40, 72 * 4 + 256, 32, RGB32);
    struct screen s;
    if (!start(&s, &m, GREY32))
        return;
    CHECK_EQ(fb_cols(), 9);
    CHECK_EQ(fb_rows(), 2);
    CHECK_EQ(calls.map_size, 24576); /* 544 * 40 = 21760 bytes */
    CHECK_SCREEN(&s, NULL, 0, 0);
    CHECK_NO_STRAY_WRITES(&s);
    CHECK_EQ(s.mem[287], 0x00);     /* the last byte of pixel row 0 */
    CHECK_EQ(s.mem[288], SENTINEL); /* its padding */
    CHECK_EQ(s.mem[543], SENTINEL);
    CHECK_EQ(s.mem[544], 0x00); /* pixel row 1 */

    put("Hi\nyo");
    CHECK_SCREEN(&s, TEXT("Hi", "yo"), 2, 1);
    CHECK_NO_STRAY_WRITES(&s);
    /* Pixel row y of cell (0, 1), 'y', starts at byte (16 + y) * 544. */
    int bad = 0;
    for (unsigned y = 0; y < FONT_H; y++)
        bad += s.mem[(16 + y) * 544] != ((glyph_row('y', y) & 0x80) ? 0xAA : 0x00);
    CHECK_EQ(bad, 0);
}

static void test_24bpp(void)
{
    /* 70 pixels of 3 bytes = 210 bytes per row, padded to 256. */
    struct multiboot_info m = fb_info(0xFD000000u, 70, 36, 256, 24, RGB24);
    struct screen s;
    if (!start(&s, &m, GREY32))
        return;
    CHECK_EQ(fb_cols(), 8);
    CHECK_EQ(fb_rows(), 2);
    CHECK_SCREEN(&s, NULL, 0, 0);
    CHECK_NO_STRAY_WRITES(&s);
    CHECK_EQ(s.mem[209], 0x00); /* the last byte of pixel (69, 0) */
    CHECK_EQ(s.mem[210], SENTINEL);

    put("Qw\n 7");
    CHECK_SCREEN(&s, TEXT("Qw", " 7"), 2, 1);
    CHECK_NO_STRAY_WRITES(&s);
    /* Pixels are 3 bytes apart: where a glyph row has a lit pixel next to an
     * unlit one, the 4th byte from the first pixel's start is the second pixel's. */
    int lit_then_dark = 0, dark_then_lit = 0, bad = 0;
    for (unsigned y = 0; y < FONT_H; y++) {
        for (unsigned x = 0; x + 1 < FONT_W; x++) {
            bool a = glyph_bit('Q', x, y), b = glyph_bit('Q', x + 1, y);
            const uint8_t *p = s.mem + y * 256 + x * 3;
            if (a && !b) {
                lit_then_dark++;
                bad += p[0] != 0xAA || p[1] != 0xAA || p[2] != 0xAA || p[3] != 0x00;
            } else if (!a && b) {
                dark_then_lit++;
                bad += p[0] != 0x00 || p[1] != 0x00 || p[2] != 0x00 || p[3] != 0xAA;
            }
        }
    }
    CHECK_EQ(bad, 0);
    CHECK(lit_then_dark > 0 && dark_then_lit > 0);

    /* Unpadded 24 bpp: a pitch of 210, not a multiple of 4. */
    m = fb_info(0xFD000000u, 70, 16, 210, 24, RGB24);
    if (start(&s, &m, GREY32)) {
        put("ab");
        CHECK_SCREEN(&s, TEXT("ab"), 2, 0);
        CHECK_NO_STRAY_WRITES(&s);
        CHECK_EQ(s.mem[16 * 210], SENTINEL); /* just past the framebuffer */
    }
}

static void test_colour_fields(void)
{
    /* fg: each field takes the top `size` bits of 0xAA at its position. */
    static const struct {
        unsigned bpp;
        uint8_t ci[6]; /* red pos/size, green pos/size, blue pos/size */
        uint32_t fg;
        const char *what;
    } layouts[] = {
        {32, {16, 8, 8, 8, 0, 8}, 0x00AAAAAA, "x8r8g8b8"},
        {32, {0, 8, 8, 8, 16, 8}, 0x00AAAAAA, "x8b8g8r8: red at bit 0"},
        /* red 0xAA >> 3 = 0x15 at 0, green 0xAA >> 1 = 0x55 at 8, blue 0xAA at 16 */
        {32, {0, 5, 8, 7, 16, 8}, 0x00AA5515, "blue at 16, 5-bit red at 0, 7-bit green at 8"},
        {32, {24, 8, 16, 8, 8, 8}, 0xAAAAAA00, "r8g8b8x8: red in the top byte"},
        /* 0x15 << 11 | 0x2A << 5 | 0x15 */
        {32, {11, 5, 5, 6, 0, 5}, 0x0000AD55, "r5g6b5 in the low half"},
        {24, {16, 8, 8, 8, 0, 8}, 0x00AAAAAA, "r8g8b8"},
        /* 6-bit fields: 0xAA >> 2 = 0x2A; 0x2A << 12 | 0x2A << 6 | 0x2A */
        {24, {12, 6, 6, 6, 0, 6}, 0x0002AAAA, "r6g6b6 packed"},
        {24, {0, 6, 8, 6, 16, 6}, 0x002A2A2A, "6-bit fields, one per byte, red at 0"},
        {24, {2, 1, 1, 1, 0, 1}, 0x00000007, "1-bit fields"},
    };
    for (unsigned i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        int before = check_failed;
        unsigned bytes = layouts[i].bpp / 8;
        uint32_t pitch = 16 * bytes + 4;
        struct multiboot_info m = fb_info(0xFD000000u, 16, 16, pitch, layouts[i].bpp, layouts[i].ci);
        struct screen s;
        if (start(&s, &m, layouts[i].fg)) {
            CHECK_SCREEN(&s, NULL, 0, 0);
            fb_putc('#');
            CHECK_SCREEN(&s, TEXT("#"), 1, 0);
            CHECK_NO_STRAY_WRITES(&s);
            /* The bytes of cursor pixel (8, 15), least significant first. */
            const uint8_t *p = s.mem + 15 * pitch + 8 * bytes;
            for (unsigned b = 0; b < bytes; b++)
                CHECK_EQ(p[b], (layouts[i].fg >> (8 * b)) & 0xFF);
        }
        if (check_failed != before)
            fprintf(stderr, "  ^ layout %u: %s\n", i, layouts[i].what);
    }
}

static void test_mapping(void)
{
    /* Not page-aligned: the mapping starts at the page, the first pixel 0x100 into it. */
    struct multiboot_info m = fb_info(0xE0000100u, 64, 32, 256, 32, RGB32);
    struct screen s;
    if (start(&s, &m, GREY32)) {
        CHECK_EQ(calls.vrange_allocs, 1);
        CHECK_EQ(calls.alloc_size, 12288); /* 0x100 + 8192 bytes, in pages */
        CHECK_EQ(calls.alloc_align, PAGE_SIZE);
        CHECK_EQ(calls.maps, 1);
        CHECK_EQ(calls.map_va, calls.alloc_va);
        CHECK_EQ(calls.map_pa, 0xE0000000u);
        CHECK_EQ(calls.map_size, 12288);
        CHECK_EQ(calls.map_flags & (PTE_W | PTE_PCD), PTE_W | PTE_PCD);
        CHECK_EQ(calls.map_flags & (PTE_U | VMM_REMAP), 0);
        CHECK_EQ(s.mem[0xFF], SENTINEL);
        CHECK_EQ(s.mem[0x100], 0x00);                /* pixel (0, 0) */
        CHECK_EQ(s.mem[0x100 + 14 * 256], 0xAA);     /* the cursor, pixel (0, 14) */
        CHECK_EQ(s.mem[0x100 + 32 * 256], SENTINEL); /* just past the last row */
        CHECK_SCREEN(&s, NULL, 0, 0);
        CHECK_NO_STRAY_WRITES(&s);
        char ok_line[120];
        snprintf(ok_line, sizeof ok_line,
                 "fb: 64x32x32 framebuffer at 0xe0000100 mapped at 0x%08x (12 KiB, uncached)\n",
                 (unsigned)((uintptr_t)s.mem + 0x100));
        CHECK_STR(last_line(), ok_line);
        put("ok");
        CHECK_SCREEN(&s, TEXT("ok"), 2, 0);
        CHECK_NO_STRAY_WRITES(&s);
    }

    /* 512 bytes starting 16 bytes before a page boundary: two pages. */
    m = fb_info(0xE0000FF0u, 8, 16, 32, 32, RGB32);
    if (start(&s, &m, GREY32)) {
        CHECK_EQ(calls.map_pa, 0xE0000000u);
        CHECK_EQ(calls.map_size, 8192);
        CHECK_EQ(s.mem[0xFEF], SENTINEL);
        CHECK_EQ(s.mem[0xFF0 + 14 * 32], 0xAA); /* the cursor, pixel (0, 14), in the second page */
        CHECK_SCREEN(&s, NULL, 0, 0);
        CHECK_NO_STRAY_WRITES(&s);
    }

    /* Ending exactly at 4 GiB is fine. */
    m = fb_info(0xFFFFE000u, 64, 32, 256, 32, RGB32);
    if (start(&s, &m, GREY32)) {
        CHECK_EQ(calls.map_pa, 0xFFFFE000u);
        CHECK_EQ(calls.map_size, 8192);
        CHECK_SCREEN(&s, NULL, 0, 0);
    }
}

/* 84x50 pixels: 10x3 cells with margins; each step checks the whole screen. */
static bool start_text(struct screen *s)
{
    struct multiboot_info m = fb_info(0xFD000000u, 84, 50, 84 * 4 + 16, 32, RGB32);
    if (!start(s, &m, GREY32))
        return false;
    CHECK_EQ(fb_cols(), 10);
    CHECK_EQ(fb_rows(), 3);
    return true;
}

static void test_control_chars(void)
{
    struct screen s;
    if (!start_text(&s))
        return;
    put("AB");
    CHECK_SCREEN(&s, TEXT("AB"), 2, 0);
    put("\r"); /* back to column 0; the cursor leaves cell (2, 0) */
    CHECK_SCREEN(&s, TEXT("AB"), 0, 0);
    CHECK_CELL(&s, 0, 0, 'A', true);
    put("C"); /* overwrites */
    CHECK_SCREEN(&s, TEXT("CB"), 1, 0);
    put("\n"); /* next row, column 0 */
    CHECK_SCREEN(&s, TEXT("CB"), 0, 1);
    put("\t"); /* column 8 */
    CHECK_SCREEN(&s, TEXT("CB"), 8, 1);
    put("D");
    CHECK_SCREEN(&s, TEXT("CB", "        D"), 9, 1);
    put("\b"); /* back one, erasing */
    CHECK_SCREEN(&s, TEXT("CB"), 8, 1);
    put("\b\b");
    CHECK_SCREEN(&s, TEXT("CB"), 6, 1);
    put("xy\t"); /* from column 8, the next stop (16) is past the 10 columns: next row */
    CHECK_SCREEN(&s, TEXT("CB", "      xy"), 0, 2);
    put("E\t"); /* column 1 to 8 */
    CHECK_SCREEN(&s, TEXT("CB", "      xy", "E"), 8, 2);
    /* Ten from column 8: erase back to column 0 and stay there (never up a row). */
    put("\b\b\b\b\b\b\b\b\b\b");
    CHECK_SCREEN(&s, TEXT("CB", "      xy"), 0, 2);
    put("\r");
    CHECK_SCREEN(&s, TEXT("CB", "      xy"), 0, 2);
    put("abc\t"); /* column 3 to 8 */
    CHECK_SCREEN(&s, TEXT("CB", "      xy", "abc"), 8, 2);
    put("\t"); /* past the last column of the last row: scrolls */
    CHECK_SCREEN(&s, TEXT("      xy", "abc"), 0, 2);
    CHECK_NO_STRAY_WRITES(&s);
}

static void test_wrap_and_scroll(void)
{
    struct screen s;
    if (!start_text(&s))
        return;
    put("0123456789"); /* exactly a row: the cursor wraps to the next */
    CHECK_SCREEN(&s, TEXT("0123456789"), 0, 1);
    put("abcdefghijAB");
    CHECK_SCREEN(&s, TEXT("0123456789", "abcdefghij", "AB"), 2, 2);
    put("\n"); /* from the last row: everything moves up one */
    CHECK_SCREEN(&s, TEXT("abcdefghij", "AB"), 0, 2);
    /* Row 0 now shows the characters printed on row 1. */
    for (unsigned x = 0; x < 10; x++)
        CHECK_CELL(&s, x, 0, (char)('a' + x), false);
    CHECK_CELL(&s, 0, 1, 'A', false);
    CHECK_CELL(&s, 2, 1, ' ', false);
    put("xyz0123456789"); /* wraps at the bottom-right cell and scrolls again */
    CHECK_SCREEN(&s, TEXT("AB", "xyz0123456", "789"), 3, 2);
    put("\n\n\n"); /* scroll everything away */
    CHECK_SCREEN(&s, NULL, 0, 2);
    put("0123456789"); /* the last cell of the last row: wraps and scrolls at once */
    CHECK_SCREEN(&s, TEXT("", "0123456789"), 0, 2);
    CHECK_NO_STRAY_WRITES(&s);
}

static void test_one_cell(void)
{
    /* Exactly one glyph: a 1x1 grid, where every character wraps and scrolls. */
    struct multiboot_info m = fb_info(0xFD000000u, 8, 16, 32 + 8, 32, RGB32);
    struct screen s;
    if (!start(&s, &m, GREY32))
        return;
    CHECK_EQ(fb_cols(), 1);
    CHECK_EQ(fb_rows(), 1);
    CHECK_EQ(calls.kmalloc_size, 1);
    put("A");
    CHECK_SCREEN(&s, NULL, 0, 0);
    put("\b\t\r\nB");
    CHECK_SCREEN(&s, NULL, 0, 0);
    CHECK_NO_STRAY_WRITES(&s);
}

int main(void)
{
    make_font();
    /* Refusals first: no fb_init has succeeded yet. */
    RUN(test_refuse_depth);
    RUN(test_refuse_fields);
    RUN(test_refuse_geometry);
    RUN(test_refuse_above_4g);
    RUN(test_refuse_no_virtual_space);
    RUN(test_refuse_map_fails);
    RUN(test_refuse_no_grid_memory);
    /* Then each case starts with a successful fb_init. */
    RUN(test_basic_32bpp);
    RUN(test_padded_pitch);
    RUN(test_24bpp);
    RUN(test_colour_fields);
    RUN(test_mapping);
    RUN(test_control_chars);
    RUN(test_wrap_and_scroll);
    RUN(test_one_cell);
    free_all();
    return check_summary("test_fb");
}
