/*
 * user/lib/printf.c - printf, dprintf and snprintf.
 *
 * One formatter, two destinations. The formatter hands each character to an
 * `out`; a string `out` stores it while there is room (snprintf, which counts
 * on so it can report the length it wanted), a descriptor `out` collects it in
 * a buffer on the stack and writes the buffer out when full and at the end.
 *
 * No buffer survives a call: what printf printed is in the kernel before it
 * returns. So output is never lost at exit and a fork never copies unwritten
 * text into the child - things a buffered stdio has to take care of.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, with an optional 'l' (a long is an
 * int here), a '-' (left-justify) or '0' (zero-fill) flag and a field width.
 */
#include "ulib.h"

struct out {
    char *buf;
    size_t cap; /* bytes at buf */
    size_t pos; /* bytes stored at buf */
    size_t len; /* characters produced in all */
    int fd;     /* write to this descriptor; -1 for a string */
};

static void flush(struct out *o)
{
    if (o->fd >= 0 && o->pos > 0)
        write(o->fd, o->buf, o->pos);
    o->pos = 0;
}

static void put(struct out *o, char c)
{
    o->len++;
    if (o->fd < 0) {
        if (o->pos + 1 < o->cap) /* keep room for the terminating NUL */
            o->buf[o->pos++] = c;
        return;
    }
    o->buf[o->pos++] = c;
    if (o->pos == o->cap)
        flush(o);
}

/* `s` (n characters) in a field of `width`, padded with `pad` on the left, or
 * with spaces on the right when `left`. A '-' sign stays before zero padding. */
static void put_field(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
    size_t fill = width > (int)n ? (size_t)width - n : 0;
    if (pad == '0' && n > 0 && *s == '-') {
        put(o, *s++);
        n--;
    }
    if (!left) {
        while (fill--)
            put(o, pad);
    }
    while (n--)
        put(o, *s++);
    if (left) {
        while (fill--)
            put(o, ' ');
    }
}

/* The digits of v in `base` at the end of buf[12]; returns where they start. */
static char *utoa(char *end, unsigned long v, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    *--end = '\0';
    do {
        *--end = digits[v % base];
        v /= base;
    } while (v);
    return end;
}

static void format(struct out *o, const char *fmt, va_list ap)
{
    char tmp[16];
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(o, *fmt);
            continue;
        }
        bool left = false;
        char pad = ' ';
        int width = 0;
        for (;; fmt++) {
            if (fmt[1] == '-')
                left = true;
            else if (fmt[1] == '0')
                pad = '0';
            else
                break;
        }
        while (fmt[1] >= '0' && fmt[1] <= '9')
            width = width * 10 + (*++fmt - '0');
        if (fmt[1] == 'l')
            fmt++;
        if (left)
            pad = ' ';

        if (fmt[1] == '\0') { /* a lone '%' at the end */
            put(o, '%');
            return;
        }
        char *s;
        switch (*++fmt) {
        case 'd':
        case 'i': {
            long v = va_arg(ap, long);
            s = utoa(tmp + sizeof tmp, v < 0 ? 0UL - (unsigned long)v : (unsigned long)v, 10, false);
            if (v < 0)
                *--s = '-';
            break;
        }
        case 'u': s = utoa(tmp + sizeof tmp, va_arg(ap, unsigned long), 10, false); break;
        case 'x': s = utoa(tmp + sizeof tmp, va_arg(ap, unsigned long), 16, false); break;
        case 'X': s = utoa(tmp + sizeof tmp, va_arg(ap, unsigned long), 16, true); break;
        case 'p':
            /* Always 0x and eight digits: addresses line up in a column. */
            s = utoa(tmp + sizeof tmp, (unsigned long)va_arg(ap, void *), 16, false);
            while (s > tmp + sizeof tmp - 9)
                *--s = '0';
            *--s = 'x';
            *--s = '0';
            break;
        case 's':
            s = va_arg(ap, char *);
            if (!s)
                s = "(null)";
            break;
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            put_field(o, tmp, 1, width, left, ' ');
            continue;
        case '%': put(o, '%'); continue;
        default: /* not a conversion we know: print it as it stands */
            put(o, '%');
            put(o, *fmt);
            continue;
        }
        put_field(o, s, strlen(s), width, left, pad);
    }
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
    char buf[256];
    struct out o = {buf, sizeof buf, 0, 0, fd};
    format(&o, fmt, ap);
    flush(&o);
    return (int)o.len;
}

int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(fd, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(1, fmt, ap);
    va_end(ap);
    return n;
}

/* At most size-1 characters and a NUL at buf; returns the length the whole
 * result would have had, so a return >= size means it was cut short. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0, 0, -1};
    format(&o, fmt, ap);
    if (size > 0)
        buf[o.pos] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
