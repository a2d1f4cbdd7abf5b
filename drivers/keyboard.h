/* drivers/keyboard.h - the PS/2 keyboard, polled (see keyboard.c). */
#ifndef DRIVERS_KEYBOARD_H
#define DRIVERS_KEYBOARD_H

/* Keys that are not characters, returned by keyboard_getc() above 0xFF. */
#define KEY_UP    0x100
#define KEY_DOWN  0x101
#define KEY_LEFT  0x102
#define KEY_RIGHT 0x103

/* A key press translated to ASCII (or a KEY_* code), or -1 if none is waiting. */
int keyboard_getc(void);

#endif
