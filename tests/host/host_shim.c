/*
 * tests/host/host_shim.c - the host side of mm/mm_shim.h, plus check.h's counters.
 *
 * mm_log() is silent unless MM_LOG=1 is in the environment (or a test turns
 * host_log_capture on, which appends every line to host_log_buf so a test can
 * match the boot-log text). mm_misuse() records the message in host_misuse_msg
 * and counts it in host_misuse_count, then returns: the mm/ code must return an
 * error value afterwards, which the tests check. mm_alloc() is malloc, except
 * that while host_alloc_fail_in > 0 each call counts it down and the call that
 * brings it to 0 returns NULL (set it to 1 to fail the next allocation).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host_shim.h"
#include "../../mm/mm_shim.h"

int check_passed, check_failed;

char host_log_buf[HOST_LOG_BUF];
size_t host_log_len;
int host_log_capture;

char host_misuse_msg[512];
int host_misuse_count;

int host_alloc_fail_in;

void mm_log(const char *fmt, ...)
{
    va_list ap;
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("MM_LOG") != NULL;
    if (host_log_capture && host_log_len < sizeof host_log_buf) {
        va_start(ap, fmt);
        int n = vsnprintf(host_log_buf + host_log_len, sizeof host_log_buf - host_log_len, fmt, ap);
        va_end(ap);
        if (n > 0)
            host_log_len += (size_t)n;
        if (host_log_len >= sizeof host_log_buf)
            host_log_len = sizeof host_log_buf - 1;
    }
    if (verbose) {
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
    }
}

void mm_misuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(host_misuse_msg, sizeof host_misuse_msg, fmt, ap);
    va_end(ap);
    host_misuse_count++;
}

void *mm_alloc(size_t bytes)
{
    if (host_alloc_fail_in > 0 && --host_alloc_fail_in == 0)
        return NULL;
    return malloc(bytes ? bytes : 1);
}

void mm_free(void *p)
{
    free(p);
}

void host_log_reset(void)
{
    host_log_len = 0;
    host_log_buf[0] = '\0';
}

void host_misuse_reset(void)
{
    host_misuse_count = 0;
    host_misuse_msg[0] = '\0';
}

int check_summary(const char *program)
{
    printf("%s: %d passed, %d failed\n", program, check_passed, check_failed);
    return check_failed ? 1 : 0;
}
