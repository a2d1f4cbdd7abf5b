/*
 * drivers/keyboard.c - the PS/2 keyboard, polled through the 8042 controller.
 *
 * The controller's status port 0x64 says whether a byte is waiting (bit 0) and
 * whether it came from the mouse rather than the keyboard (bit 5); the byte is
 * read from port 0x60. The firmware leaves the keyboard in scancode set 1
 * (translated by the 8042): one byte per key press, the same byte with bit 7 set
 * on release, and a 0xE0 prefix for the extra keys such as the arrows. We track
 * Shift and Ctrl and turn presses into ASCII with two small tables (US layout).
 * The monitor polls this together with the serial port; IRQ 1 only wakes it from HLT.
 */
#include "keyboard.h"
#include "kernel/io.h"

#define KBD_DATA       0x60
#define KBD_STATUS     0x64
#define ST_OUTPUT_FULL 0x01
#define ST_FROM_MOUSE  0x20

/* One source row per row of keys on the keyboard. */
/* clang-format off */
static const char normal[128] = {
    0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b',
    '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n',
    0, 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
    0, '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,
    '*', 0, ' ',
};

static const char shifted[128] = {
    0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b',
    '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n',
    0, 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
    0, '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,
    '*', 0, ' ',
};
/* clang-format on */

#define SC_LSHIFT 0x2A
#define SC_RSHIFT 0x36
#define SC_CTRL   0x1D
#define SC_CAPS   0x3A

static int shift, ctrl, caps, extended;

int keyboard_getc(void)
{
    uint8_t st = inb(KBD_STATUS);
    if (!(st & ST_OUTPUT_FULL))
        return -1;
    uint8_t sc = inb(KBD_DATA);
    if (st & ST_FROM_MOUSE)
        return -1;
    if (sc == 0xE0) {
        extended = 1;
        return -1;
    }
    int released = sc & 0x80;
    sc &= 0x7F;
    if (extended) {
        extended = 0;
        if (sc == SC_CTRL)
            ctrl = !released;
        if (released)
            return -1;
        switch (sc) {
        case 0x48: return KEY_UP;
        case 0x50: return KEY_DOWN;
        case 0x4B: return KEY_LEFT;
        case 0x4D: return KEY_RIGHT;
        case 0x1C: return '\n'; /* keypad Enter */
        default: return -1;
        }
    }
    if (sc == SC_LSHIFT || sc == SC_RSHIFT) {
        shift = !released;
        return -1;
    }
    if (sc == SC_CTRL) {
        ctrl = !released;
        return -1;
    }
    if (released)
        return -1;
    if (sc == SC_CAPS) {
        caps = !caps;
        return -1;
    }
    char c = (shift ? shifted : normal)[sc];
    if (caps && c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    else if (caps && c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
    if (ctrl && c >= 'a' && c <= 'z')
        return c - 'a' + 1; /* Ctrl-A .. Ctrl-Z */
    return c ? c : -1;
}
