/*
 * kernel/format.c - the formatting engine behind kprintf and ksnprintf.
 *
 * A number is converted to digits in a small buffer from the least significant
 * end, then emitted with the requested padding. Decimal conversion of 64-bit
 * values (%llu) needs a 64-bit division, which gcc on i386 turns into a call to
 * libgcc's __udivdi3; the kernel links no libgcc, so div10() divides using only
 * 32-bit operations instead.
 */
#include "format.h"

#include <stdint.h>

struct spec {
    int width;
    char pad; /* ' ' or '0' */
    int left; /* '-' flag */
};

/* Divide *v by 10 in place using only 32-bit divisions; return the remainder. */
static unsigned div10(uint64_t *v)
{
    uint32_t hi = (uint32_t)(*v >> 32), lo = (uint32_t)*v;
    uint32_t qhi = hi / 10, r = hi % 10;
    /* (r * 2^32 + lo) / 10, done as two 16-bit steps so nothing overflows 32 bits. */
    uint32_t mid = (r << 16) | (lo >> 16);
    uint32_t qmid = mid / 10;
    r = mid % 10;
    uint32_t low = (r << 16) | (lo & 0xFFFF);
    uint32_t qlow = low / 10;
    r = low % 10;
    *v = ((uint64_t)qhi << 32) | ((uint64_t)qmid << 16) | qlow;
    return r;
}

static int emit_padded(format_emit_fn emit, void *ctx, const struct spec *s, const char *prefix,
                       const char *body, int len)
{
    int n = 0, plen = 0;
    while (prefix[plen])
        plen++;
    int fill = s->width - len - plen;
    if (!s->left && s->pad == ' ')
        for (; fill > 0; fill--, n++)
            emit(' ', ctx);
    for (int i = 0; i < plen; i++, n++)
        emit(prefix[i], ctx);
    if (!s->left && s->pad == '0')
        for (; fill > 0; fill--, n++)
            emit('0', ctx);
    for (int i = 0; i < len; i++, n++)
        emit(body[i], ctx);
    for (; fill > 0; fill--, n++)
        emit(' ', ctx);
    return n;
}

static int emit_number(format_emit_fn emit, void *ctx, const struct spec *s, uint64_t v, int base, int upper,
                       int negative, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int len = 0;
    do {
        unsigned d;
        if (base == 16) {
            d = (unsigned)(v & 0xF);
            v >>= 4;
        } else {
            d = div10(&v);
        }
        buf[sizeof buf - 1 - len++] = digits[d];
    } while (v);
    return emit_padded(emit, ctx, s, negative ? "-" : prefix, buf + sizeof buf - len, len);
}

int kformat(format_emit_fn emit, void *ctx, const char *fmt, va_list ap)
{
    int n = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(*fmt, ctx);
            n++;
            continue;
        }
        struct spec s = {0, ' ', 0};
        fmt++;
        for (;; fmt++) {
            if (*fmt == '-')
                s.left = 1;
            else if (*fmt == '0')
                s.pad = '0';
            else
                break;
        }
        if (*fmt == '*') {
            s.width = va_arg(ap, int);
            if (s.width < 0) {
                s.left = 1;
                s.width = -s.width;
            }
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            s.width = s.width * 10 + (*fmt++ - '0');
        if (s.left)
            s.pad = ' ';
        int longs = 0;
        for (; *fmt == 'l' || *fmt == 'z'; fmt++)
            longs += (*fmt == 'z' && sizeof(size_t) > 4) ? 2 : 1;

        uint64_t u;
        int64_t d;
        switch (*fmt) {
        case 'd':
        case 'i':
            if (longs >= 2)
                d = va_arg(ap, long long);
            else if (longs == 1)
                d = va_arg(ap, long); /* NOLINT(bugprone-branch-clone): long is int only on i386 */
            else
                d = va_arg(ap, int);
            u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
            n += emit_number(emit, ctx, &s, u, 10, 0, d < 0, "");
            break;
        case 'u':
        case 'x':
        case 'X':
            if (longs >= 2)
                u = va_arg(ap, unsigned long long);
            else if (longs == 1)
                u = va_arg(ap, unsigned long); /* NOLINT(bugprone-branch-clone): as above */
            else
                u = va_arg(ap, unsigned int);
            n += emit_number(emit, ctx, &s, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', 0, "");
            break;
        case 'p': {
            u = (uintptr_t)va_arg(ap, void *);
            struct spec ps = {(int)(2 * sizeof(void *)) + 2, '0', 0}; /* "0x" and every digit */
            n += emit_number(emit, ctx, &ps, u, 16, 0, 0, "0x");
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            int len = 0;
            while (str[len])
                len++;
            struct spec ss = s;
            ss.pad = ' ';
            n += emit_padded(emit, ctx, &ss, "", str, len);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            struct spec cs = s;
            cs.pad = ' ';
            n += emit_padded(emit, ctx, &cs, "", &c, 1);
            break;
        }
        case '%':
            emit('%', ctx);
            n++;
            break;
        case '\0': return n; /* a lone '%' at the end: stop */
        default:
            /* Unknown conversion: show it verbatim so the mistake is visible. */
            emit('%', ctx);
            emit(*fmt, ctx);
            n += 2;
        }
    }
    return n;
}

struct sbuf {
    char *buf;
    size_t size, len;
};

static void sbuf_emit(char c, void *ctx)
{
    struct sbuf *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sbuf b = {buf, size, 0};
    int n = kformat(sbuf_emit, &b, fmt, ap);
    if (size > 0)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
