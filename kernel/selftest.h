/*
 * kernel/selftest.h - boot self-checks that count and report.
 *
 * Each check records a pass, or prints "selftest: FAIL <file>:<line>: <what>"
 * and records a failure; the boot ends the quick checks with the stable line
 * "selftest: N passed, N failed" that the test harness matches.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <stdbool.h>

void selftest_record(bool ok, const char *file, int line, const char *what);
#define SELFTEST(cond) selftest_record((cond), __FILE__, __LINE__, #cond)

/* One "selftest: <name> ok" line per group that passed; counts are kept. */
void selftest_group_begin(const char *name);
void selftest_group_end(void);

int selftest_passed(void);
int selftest_failed(void);

/* Forget the counts (before running the checks again from the monitor). */
void selftest_reset(void);

/* Print the closing "selftest: N passed, N failed". */
void selftest_summary(void);

#endif
