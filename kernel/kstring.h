/*
 * kernel/kstring.h - the string comparisons the kernel needs, with no C library.
 *
 * Header-only (static inline), so the host-tested files that use them (cmdline.c)
 * build unchanged on the host.
 */
#ifndef KERNEL_KSTRING_H
#define KERNEL_KSTRING_H

#include <stdbool.h>

/* Are the two NUL-terminated strings equal? */
static inline bool kstreq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Does s begin with prefix? */
static inline bool kstarts_with(const char *s, const char *prefix)
{
    while (*prefix && *s == *prefix)
        s++, prefix++;
    return *prefix == '\0';
}

#endif
