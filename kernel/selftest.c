/*
 * kernel/selftest.c - counting and reporting for boot self-checks (see selftest.h).
 */
#include "selftest.h"
#include "kprintf.h"

static int passed, failed, group_failed_at_start;
static const char *group;

void selftest_record(bool ok, const char *file, int line, const char *what)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    kprintf("selftest: FAIL %s:%d: %s%s%s\n", file, line, what, group ? " in " : "", group ? group : "");
}

void selftest_group_begin(const char *name)
{
    group = name;
    group_failed_at_start = failed;
}

void selftest_group_end(void)
{
    if (group)
        kprintf("selftest: %s %s\n", group, failed == group_failed_at_start ? "ok" : "FAILED");
    group = 0;
}

int selftest_passed(void)
{
    return passed;
}
int selftest_failed(void)
{
    return failed;
}

void selftest_reset(void)
{
    passed = failed = 0;
    group = 0;
}

void selftest_summary(void)
{
    kprintf("selftest: %d passed, %d failed\n", passed, failed);
}
