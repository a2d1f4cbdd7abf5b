/*
 * user/lib/utest.h - the test harness of usertests, for other test programs.
 *
 * Header only, every function `static inline`: the library's .c files are linked
 * into every program, this is compiled only into the programs that include it.
 *
 * A test is a void function; each check compares a real value and the first
 * one that does not hold fails the test with its line and both values. For
 * each test utest_run prints one line,
 *
 *   PROG: ok NAME (NOTE)
 *   PROG: FAIL NAME: why (NOTE)
 *
 * (NOTE: what the test measured, if it called utest_note), then closes every
 * descriptor above 2 and reaps every child. utest_summary prints the last line,
 * `PROG: N passed, N failed`, and gives the exit status (0: none failed).
 *
 * utest_linux is the --linux flag: running on a Linux host, where the checks
 * marked KCHECK (exact counts of free memory, for one) are only reported.
 */
#ifndef ULIB_UTEST_H
#define ULIB_UTEST_H

#include "ulib.h"

static const char *utest_prog = "utest"; /* the first word of every line */
static bool utest_linux;                 /* --linux */
static char utest_why[256];              /* the running test's first failure */
static char utest_notes[160];
static int utest_passed, utest_failed;

/* Record a failure (only the first of a test counts). */
__attribute__((format(printf, 2, 3))) static inline void failf(int line, const char *fmt, ...)
{
    if (utest_why[0])
        return;
    int n = snprintf(utest_why, sizeof utest_why, "line %d: ", line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(utest_why + n, sizeof utest_why - n, fmt, ap);
    va_end(ap);
}

/* What the test measured, printed on its line. */
__attribute__((format(printf, 1, 2))) static inline void utest_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(utest_notes, sizeof utest_notes, fmt, ap);
    va_end(ap);
}

/* The name of an error result, "" for a success. */
static inline const char *rname(long r)
{
    return sys_failed(r) ? errname((int)r) : "";
}

/* clang-format off */
#define CHECK(cond, ...) \
    do { if (!(cond)) { failf(__LINE__, __VA_ARGS__); return; } } while (0)
/* Checked on our kernel, only reported (utest_note) on Linux. */
#define KCHECK(cond, ...) \
    do { if (!utest_linux && !(cond)) { failf(__LINE__, __VA_ARGS__); return; } } while (0)
/* `call` must return exactly `want`; the message shows the call as written. */
#define CHECK_RET(call, want) \
    do { long r_ = (long)(call), w_ = (long)(want); \
         if (r_ != w_) { failf(__LINE__, "%s = %ld %s, want %ld %s", #call, r_, rname(r_), w_, rname(w_)); \
                         return; } } while (0)
/* The wait status st must say: exited with code / killed by signal sig. */
#define CHECK_EXIT(st, code) \
    do { if (!utest_exited_with((st), (code), __LINE__)) return; } while (0)
#define CHECK_KILLED(st, sig) \
    do { if (!utest_killed_by((st), (sig), __LINE__)) return; } while (0)
/* clang-format on */

/* Fork; the child returns fn(arg) as its exit status. The wait status, or -1
 * with the test failed. */
static inline int run_child(int (*fn)(long), long arg)
{
    long pid = fork();
    if (pid < 0) {
        failf(__LINE__, "fork = %ld %s", pid, rname(pid));
        return -1;
    }
    if (pid == 0)
        exit(fn(arg));
    int status = 0;
    long r = wait4(pid, &status, 0, NULL);
    if (r != pid) {
        failf(__LINE__, "wait4(%ld) = %ld %s", pid, r, rname(r));
        return -1;
    }
    return status;
}

static inline bool utest_exited_with(int status, int code, int line)
{
    if (status == -1)
        return false;
    if (WIFEXITED(status) && WEXITSTATUS(status) == code)
        return true;
    if (WIFEXITED(status))
        failf(line, "child exited with %d, want exit %d", WEXITSTATUS(status), code);
    else
        failf(line, "child killed by signal %d, want exit %d", WTERMSIG(status), code);
    return false;
}

static inline bool utest_killed_by(int status, int sig, int line)
{
    if (status == -1)
        return false;
    if (WIFSIGNALED(status) && WTERMSIG(status) == sig)
        return true;
    if (WIFEXITED(status))
        failf(line, "child exited with %d, want killed by signal %d", WEXITSTATUS(status), sig);
    else
        failf(line, "child killed by signal %d, want signal %d", WTERMSIG(status), sig);
    return false;
}

/* Read exactly n bytes unless EOF or an error comes first; the count or -Exxx. */
static inline long read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        long r = read(fd, (char *)buf + got, n - got);
        if (r < 0)
            return r;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long)got;
}

static inline long write_full(int fd, const void *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        long r = write(fd, (const char *)buf + put, n - put);
        if (r <= 0)
            return r < 0 ? r : -EIO;
        put += (size_t)r;
    }
    return (long)put;
}

/* Run one test, then `after` (may be NULL: the program's own cleanup), and
 * print its line. */
static inline void utest_run(const char *name, void (*fn)(void), void (*after)(void))
{
    utest_why[0] = utest_notes[0] = '\0';
    fn();
    for (int fd = 3; fd < 64; fd++) /* children blocked on a pipe see EOF */
        close(fd);
    int st, left = 0;
    while (wait4(-1, &st, 0, NULL) > 0)
        left++;
    if (left)
        failf(0, "%d children left behind", left);
    if (after)
        after();
    const char *lp = utest_notes[0] ? " (" : "", *rp = utest_notes[0] ? ")" : "";
    if (utest_why[0]) {
        printf("%s: FAIL %s: %s%s%s%s\n", utest_prog, name, utest_why, lp, utest_notes, rp);
        utest_failed++;
    } else {
        printf("%s: ok %s%s%s%s\n", utest_prog, name, lp, utest_notes, rp);
        utest_passed++;
    }
}

/* The last line; the exit status main should return. */
static inline int utest_summary(void)
{
    printf("%s: %d passed, %d failed\n", utest_prog, utest_passed, utest_failed);
    return utest_failed == 0 ? 0 : 1;
}

#endif
