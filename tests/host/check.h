/*
 * tests/host/check.h - a tiny assertion library for host unit tests.
 *
 * Each CHECK records a pass or a failure (with file, line and the values), the
 * test program goes on to the end, and check_summary() prints
 *   "<program>: N passed, N failed"
 * and returns the exit status. The top-level `make test` adds up these lines.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <stdint.h>
#include <string.h>

extern int check_passed, check_failed;

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (cond) {                                                         \
            check_passed++;                                                 \
        } else {                                                            \
            check_failed++;                                                 \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                   \
    } while (0)

/* Compare two integers (printed in hex and decimal on failure). */
#define CHECK_EQ(a, b)                                                                                    \
    do {                                                                                                  \
        unsigned long long check_a_ = (unsigned long long)(a);                                            \
        unsigned long long check_b_ = (unsigned long long)(b);                                            \
        if (check_a_ == check_b_) {                                                                       \
            check_passed++;                                                                               \
        } else {                                                                                          \
            check_failed++;                                                                               \
            fprintf(stderr, "FAIL %s:%d: %s == %s: 0x%llx (%llu) != 0x%llx (%llu)\n", __FILE__, __LINE__, \
                    #a, #b, check_a_, check_a_, check_b_, check_b_);                                      \
        }                                                                                                 \
    } while (0)

#define CHECK_STR(a, b)                                                                             \
    do {                                                                                            \
        const char *check_a_ = (a), *check_b_ = (b);                                                \
        if (strcmp(check_a_, check_b_) == 0) {                                                      \
            check_passed++;                                                                         \
        } else {                                                                                    \
            check_failed++;                                                                         \
            fprintf(stderr, "FAIL %s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, check_a_, \
                    check_b_);                                                                      \
        }                                                                                           \
    } while (0)

/* Run one test case (a void function); name it under its failures. */
#define RUN(t)                                  \
    do {                                        \
        int failed_before = check_failed;       \
        t();                                    \
        if (check_failed != failed_before)      \
            fprintf(stderr, "  ^ in %s\n", #t); \
    } while (0)

/* Print the summary line and return the process exit status. */
int check_summary(const char *program);

#endif
