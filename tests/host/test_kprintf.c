/*
 * tests/host/test_kprintf.c - the kernel's formatter (kernel/format.c) on the host.
 *
 * Every case formats with ksnprintf and compares the exact text; where the C
 * library agrees on the meaning, the host's snprintf is the reference too.
 */
#include <limits.h>
#include <stdint.h>

#include "check.h"
#include "kernel/format.h"

/* Some cases below pass deliberately malformed formats. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

static char buf[256], ref[256];

#define SAME_AS_LIBC(...)                        \
    do {                                         \
        ksnprintf(buf, sizeof buf, __VA_ARGS__); \
        snprintf(ref, sizeof ref, __VA_ARGS__);  \
        CHECK_STR(buf, ref);                     \
    } while (0)

int main(void)
{
    /* Integers, widths, zero padding, left justification. */
    SAME_AS_LIBC("%d|%i|%u", 0, -1, 4000000000u);
    SAME_AS_LIBC("%d", INT_MIN);
    SAME_AS_LIBC("%d", INT_MAX);
    SAME_AS_LIBC("[%5d][%-5d][%05d][%-05d]", 42, 42, 42, 42);
    SAME_AS_LIBC("[%05d][%5d]", -42, -42);
    SAME_AS_LIBC("%x %X %08x %8x %-8x|", 0xdeadbeefu, 0xdeadbeefu, 0xbeefu, 0xbeefu, 0xbeefu);
    SAME_AS_LIBC("%x", 0u);
    SAME_AS_LIBC("%*d|%-*d|", 6, 7, 6, 7);

    /* 64-bit: %llx and %llu, including values that need the high word. */
    SAME_AS_LIBC("%llx %llu", 0x123456789abcdef0ull, 0x123456789abcdef0ull);
    SAME_AS_LIBC("%llu", 18446744073709551615ull);
    SAME_AS_LIBC("%016llx", 0x100000000ull);
    SAME_AS_LIBC("%lld %lld", -9223372036854775807ll - 1, 9223372036854775807ll);
    SAME_AS_LIBC("%llu", 10000000000ull);
    SAME_AS_LIBC("%lu %ld", 123456ul, -123456l);
    SAME_AS_LIBC("%zu", (size_t)987654321);

    /* Strings and characters. */
    SAME_AS_LIBC("[%s][%8s][%-8s]", "abc", "abc", "abc");
    SAME_AS_LIBC("[%c][%3c][%-3c]", 'x', 'y', 'z');
    SAME_AS_LIBC("100%%");

    /* %p: 0x and all hex digits of a pointer (the kernel's are 8 wide). */
    ksnprintf(buf, sizeof buf, "%p", (void *)(uintptr_t)0xc0100000u);
    CHECK_STR(buf, sizeof(void *) == 8 ? "0x00000000c0100000" : "0xc0100000");
    ksnprintf(buf, sizeof buf, "%p", (void *)0);
    CHECK_STR(buf, sizeof(void *) == 8 ? "0x0000000000000000" : "0x00000000");

    /* A NULL string prints as (null) instead of faulting. */
    ksnprintf(buf, sizeof buf, "%s", (char *)NULL);
    CHECK_STR(buf, "(null)");

    /* An unknown conversion is shown verbatim; a trailing lone % ends the output. */
    ksnprintf(buf, sizeof buf, "a%qb");
    CHECK_STR(buf, "a%qb");
    ksnprintf(buf, sizeof buf, "end%");
    CHECK_STR(buf, "end");

    /* Truncation: always NUL-terminated, returns the full length. */
    int n = ksnprintf(buf, 5, "%s", "hello world");
    CHECK_EQ(n, 11);
    CHECK_STR(buf, "hell");
    n = ksnprintf(buf, 1, "%d", 12345);
    CHECK_EQ(n, 5);
    CHECK_STR(buf, "");

    /* The memory-map log formats. */
    SAME_AS_LIBC("mem: usable 0x%08llx-0x%08llx", 0x100000ull, 0x7fdffffull);
    SAME_AS_LIBC("mem: raw 0x%016llx-0x%016llx %s", 0xfffc0000ull, 0xffffffffull, "reserved");

    return check_summary("test_kprintf");
}
