/*
 * user/bin/usertests.c - the kernel's system calls, tested from user space.
 *
 *   usertests [--linux] [PREFIX]
 *
 * Each test is a function; each check compares a real value - a return code,
 * a byte read back, a wait status - and the first one that does not hold
 * fails the test with the line, the call and both values. One line per test:
 *
 *   usertests: ok NAME
 *   usertests: FAIL NAME: why
 *
 * and last, always, `usertests: N passed, N failed`; the exit status is 0
 * only when none failed. After each test every descriptor above 2 is closed
 * and every child reaped, so one failure does not spill into the next test.
 *
 * Programs (echoargs, and the deliberately broken `notelf` and `truncated`)
 * are executed as PREFIX + name, PREFIX "/bin/" unless given.
 *
 * The same binary runs on Linux (tests/user/check-on-linux.sh), which is how
 * the tests themselves are checked. With --linux these checks differ, because
 * a 32-bit process on a 64-bit Linux owns the whole 4 GiB and the script runs
 * as root on a machine that is not idle:
 *   - addresses from 0xC0000000 up are user space there: mmap may return
 *     them, MAP_FIXED and munmap may use them, brk may grow 3 GiB into them
 *     (those checks are skipped; the bad-pointer checks still hold, as nothing
 *     is mapped at 0xC0000000 or 0xC0100000 in a static program);
 *   - root may map page 0 (CAP_SYS_RAWIO): MAP_FIXED at 0 is allowed to succeed;
 *   - free memory moves with the rest of the machine: the leak check reports
 *     the two numbers but does not compare them.
 * Linux delivers SIGPIPE on a write to a pipe without reader; our kernel has no
 * signals and only returns -EPIPE. The EPIPE test blocks SIGPIPE first (a no-op
 * here), so on both the write's return value is what is checked.
 *
 * A child that spins forever is left out: with no signals there is no way to
 * end it. `preempt` spins a bounded while instead (tests/shell-tests.sh stops
 * two endless spinners with the monitor's break key).
 */
#include "ulib.h"
#include "utest.h"

extern void _start(void);

static const char *prefix = "/bin/";
#define host_linux utest_linux /* --linux: see above */
/* Addresses no system call may read or write for a user program: NULL, the
 * start and the text of the kernel, the last byte of memory (any length wraps
 * around), and a low page nothing maps. */
static const uintptr_t bad_addrs[] = {0, 0xC0000000u, 0xC0100000u, 0xFFFFFFFFu, 0x1000};
#define NBAD   (sizeof bad_addrs / sizeof bad_addrs[0])
#define BAD(i) ((void *)bad_addrs[i])

#define PAGE 4096u
#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* --------------------------------------------------------------- helpers */

static bool has_nul(const char *s, size_t n)
{
    while (n--) {
        if (*s++ == '\0')
            return true;
    }
    return false;
}

static char pattern(size_t i, unsigned seed)
{
    return (char)((i * 7 + seed) % 251);
}

static unsigned long free_ram(void)
{
    struct sysinfo si;
    return sysinfo(&si) == 0 ? si.freeram : 0;
}

/* ------------------------------------------------- start-up and the library */

static char **saved_argv, **saved_envp;
static int saved_argc;

static void t_startup(void)
{
    CHECK(saved_argc >= 1, "argc = %d", saved_argc);
    CHECK(saved_argv[saved_argc] == NULL, "argv[argc] is not NULL");
    CHECK(saved_envp == saved_argv + saved_argc + 1, "envp does not follow argv's NULL");
    char **e = saved_envp;
    while (*e)
        e++;
    /* The auxiliary vector follows envp's NULL: pairs, ending with AT_NULL. */
    const uint32_t *aux = (const uint32_t *)(e + 1);
    int n = 0;
    for (; aux[0] != AT_NULL; aux += 2, n++) {
        CHECK(n < 64, "no AT_NULL in the first 64 auxiliary entries");
        if (aux[0] == AT_PAGESZ)
            CHECK(aux[1] == PAGE, "AT_PAGESZ = %u", aux[1]);
        if (aux[0] == AT_ENTRY)
            CHECK(aux[1] == (uint32_t)(uintptr_t)_start, "AT_ENTRY = 0x%x, _start at %p", aux[1],
                  (void *)_start);
    }
}

static void t_ulib_printf(void)
{
    char b[64];
    CHECK_RET(snprintf(b, sizeof b, "%d|%5d|%-4d|%05d|%u", -42, 17, 3, -12, 4000000000u), 31);
    CHECK(strcmp(b, "-42|   17|3   |-0012|4000000000") == 0, "got \"%s\"", b);
    CHECK_RET(snprintf(b, sizeof b, "%x|%X|%p|%s|%c|%%|%ld|%lu", 0xbeefu, 0xabcu, (void *)0x1234, "hi", 'z',
                       -7L, 7UL),
              31);
    CHECK(strcmp(b, "beef|ABC|0x00001234|hi|z|%|-7|7") == 0, "got \"%s\"", b);
    CHECK_RET(snprintf(b, 4, "%s", "truncated"), 9);
    CHECK(strcmp(b, "tru") == 0, "got \"%s\"", b);
    CHECK_RET(snprintf(b, sizeof b, "%d", -2147483647 - 1), 11);
    CHECK(strcmp(b, "-2147483648") == 0, "got \"%s\"", b);
}

static void t_ulib_malloc(void)
{
    char *p[64];
    const int N = 64;
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i * 97 % 1500) + 1;
        p[i] = malloc(n);
        CHECK(p[i] != NULL, "malloc(%u) = NULL", n);
        CHECK((uintptr_t)p[i] % 16 == 0, "malloc(%u) = %p, not 16-byte aligned", n, p[i]);
        memset(p[i], i, n);
    }
    for (int i = 0; i < N; i += 2) /* free every other block, then grow the rest */
        free(p[i]);
    for (int i = 1; i < N; i += 2) {
        size_t n = (size_t)(i * 97 % 1500) + 1;
        for (size_t k = 0; k < n; k++)
            CHECK(p[i][k] == (char)i, "block %d byte %u overwritten", i, k);
        p[i] = realloc(p[i], n + 3000);
        CHECK(p[i] != NULL, "realloc to %u = NULL", n + 3000);
        for (size_t k = 0; k < n; k++)
            CHECK(p[i][k] == (char)i, "block %d byte %u lost by realloc", i, k);
    }
    for (int i = 1; i < N; i += 2)
        free(p[i]);
    char *z = calloc(1000, 10);
    CHECK(z != NULL, "calloc = NULL");
    for (int k = 0; k < 10000; k++)
        CHECK(z[k] == 0, "calloc byte %d = %d", k, z[k]);
    free(z);
    CHECK(malloc(0xFFFFFFF0u) == NULL, "malloc(0xfffffff0) did not fail");
}

/* ------------------------------------------------------- who am I, what am I */

static int child_pid_to_pipe(long fd)
{
    long pid = getpid();
    return write((int)fd, &pid, sizeof pid) == sizeof pid ? 0 : 1;
}

static void t_getpid(void)
{
    long pid = getpid();
    CHECK(pid > 0, "getpid = %ld", pid);
    CHECK_RET(gettid(), pid);
    CHECK_RET(getpid(), pid);
    int p[2];
    CHECK_RET(pipe(p), 0);
    long child = fork();
    CHECK(child >= 0, "fork = %ld %s", child, rname(child));
    if (child == 0)
        exit(child_pid_to_pipe(p[1]));
    long seen = 0;
    CHECK_RET(read_full(p[0], &seen, sizeof seen), sizeof seen);
    CHECK(seen == child && seen != pid, "child's getpid = %ld, fork returned %ld, parent %ld", seen, child,
          pid);
    int st = 0;
    CHECK_RET(wait4(child, &st, 0, NULL), child);
    CHECK_EXIT(st, 0);
}

static void t_set_tid_address(void)
{
    static int tid_word;
    CHECK_RET(set_tid_address(&tid_word), gettid());
}

static void t_uname(void)
{
    struct utsname u;
    memset(&u, 0x55, sizeof u);
    CHECK_RET(uname(&u), 0);
    CHECK(u.sysname[0] != '\0' && u.sysname[0] != 0x55, "sysname empty or not written");
    CHECK(has_nul(u.sysname, sizeof u.sysname), "sysname not NUL-terminated");
    for (unsigned i = 0; i < NBAD; i++)
        CHECK_RET(uname(BAD(i)), -EFAULT);
}

static void t_sysinfo(void)
{
    struct sysinfo si;
    memset(&si, 0, sizeof si);
    CHECK_RET(sysinfo(&si), 0);
    CHECK(si.totalram > si.freeram && si.freeram > 0, "totalram %lu, freeram %lu", si.totalram, si.freeram);
    CHECK(si.mem_unit >= 1, "mem_unit = %u", si.mem_unit);
    for (unsigned i = 0; i < NBAD; i++)
        CHECK_RET(sysinfo(BAD(i)), -EFAULT);
}

/* ----------------------------------------------------------- descriptors */

static void t_bad_fd(void)
{
    static const int fds[] = {-1, 63, 1000, 0x7fffffff, (int)0x80000000u};
    char c = 'x';
    struct iovec iov = {&c, 1};
    struct winsize ws;
    for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        CHECK_RET(write(fds[i], &c, 1), -EBADF);
        CHECK_RET(read(fds[i], &c, 1), -EBADF);
        CHECK_RET(writev(fds[i], &iov, 1), -EBADF);
        CHECK_RET(readv(fds[i], &iov, 1), -EBADF);
        CHECK_RET(ioctl(fds[i], TIOCGWINSZ, &ws), -EBADF);
        CHECK_RET(close(fds[i]), -EBADF);
    }
    int p[2];
    CHECK_RET(pipe(p), 0);
    CHECK_RET(read(p[1], &c, 1), -EBADF); /* the write end is not for reading */
    CHECK_RET(write(p[0], &c, 1), -EBADF);
    CHECK_RET(close(p[0]), 0);
    CHECK_RET(close(p[0]), -EBADF); /* twice */
    CHECK_RET(read(p[0], &c, 1), -EBADF);
    CHECK_RET(close(p[1]), 0);
    CHECK_RET(write(p[1], &c, 1), -EBADF);
}

/* A page whose successor is unmapped: returns its address, or 0 with the test failed. */
static uintptr_t page_before_hole(void)
{
    long a = mmap2(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sys_failed(a)) {
        failf(__LINE__, "mmap2 = %ld %s", a, rname(a));
        return 0;
    }
    if (munmap((void *)(a + PAGE), PAGE) != 0) {
        failf(__LINE__, "munmap failed");
        return 0;
    }
    memset((void *)a, 'h', PAGE);
    return (uintptr_t)a;
}

static void t_write_efault(void)
{
    int p[2];
    CHECK_RET(pipe(p), 0);
    for (unsigned i = 0; i < NBAD; i++) {
        CHECK_RET(write(1, BAD(i), 16), -EFAULT);
        CHECK_RET(write(p[1], BAD(i), 16), -EFAULT);
    }
    /* A buffer that runs off the end of the mapped memory: the kernel may write
     * the part before the hole (a short count, as Linux's pipes do) or nothing
     * (-EFAULT), but not more and not crash. The same where user space ends. */
    uintptr_t a = page_before_hole();
    if (!a)
        return;
    const uintptr_t ends[] = {a + PAGE, 0xC0000000u};
    char buf[32];
    for (unsigned i = 0; i < 2; i++) {
        long r = write(p[1], (void *)(ends[i] - 16), 32);
        CHECK(r == -EFAULT || (r > 0 && r <= 16), "write across 0x%x = %ld %s", ends[i], r, rname(r));
        if (r > 0)
            CHECK_RET(read(p[0], buf, sizeof buf), r);
    }
    CHECK_RET(munmap((void *)a, PAGE), 0);
}

static void t_read_efault(void)
{
    int p[2];
    for (unsigned i = 0; i < NBAD; i++) {
        /* A fresh pipe with data waiting, so read has something to copy. */
        CHECK_RET(pipe(p), 0);
        CHECK_RET(write(p[1], "12345678", 8), 8);
        CHECK_RET(read(p[0], BAD(i), 8), -EFAULT);
        CHECK_RET(close(p[0]), 0);
        CHECK_RET(close(p[1]), 0);
    }
    /* Into memory the program may read but not write: its own code. */
    char before[8];
    memcpy(before, (void *)_start, 8);
    CHECK_RET(pipe(p), 0);
    CHECK_RET(write(p[1], "ABCDEFGH", 8), 8);
    CHECK_RET(read(p[0], (void *)_start, 8), -EFAULT);
    CHECK(memcmp(before, (void *)_start, 8) == 0, "read wrote into the program's text");
}

static void t_pipe_efault(void)
{
    int a[2], b[2];
    CHECK_RET(pipe(a), 0);
    CHECK_RET(close(a[0]), 0);
    CHECK_RET(close(a[1]), 0);
    for (unsigned i = 0; i < NBAD; i++)
        CHECK_RET(pipe(BAD(i)), -EFAULT);
    CHECK_RET(pipe((int *)_start), -EFAULT); /* read-only */
    /* The failed calls must not have kept descriptors: the lowest free ones come back. */
    CHECK_RET(pipe(b), 0);
    CHECK(a[0] == b[0] && a[1] == b[1], "pipe gave %d,%d before the bad calls, %d,%d after", a[0], a[1], b[0],
          b[1]);
}

static void t_pipe_basic(void)
{
    int p[2];
    char buf[16];
    CHECK_RET(pipe(p), 0);
    CHECK(p[0] > 2 && p[1] > 2 && p[0] != p[1], "pipe fds %d, %d", p[0], p[1]);
    CHECK_RET(write(p[1], "hello", 5), 5);
    CHECK_RET(read(p[0], buf, sizeof buf), 5); /* what is there, not what was asked */
    CHECK(memcmp(buf, "hello", 5) == 0, "read back \"%.5s\"", buf);
    CHECK_RET(write(p[1], buf, 0), 0);
    CHECK_RET(read(p[0], buf, 0), 0); /* an empty pipe, but nothing asked: no wait */
}

static int gp[2];    /* the pipe of the pipe tests, shared with their children */
#define STREAM 70000 /* more than any pipe buffer: both ends must wait for each other */

static int child_reads_stream(long seed)
{
    close(gp[1]);
    char buf[1000];
    size_t at = 0;
    for (;;) {
        long r = read(gp[0], buf, sizeof buf);
        if (r < 0)
            return 3;
        if (r == 0)
            break;
        for (long k = 0; k < r; k++) {
            if (buf[k] != pattern(at + k, (unsigned)seed))
                return 1;
        }
        at += (size_t)r;
    }
    return at == STREAM ? 0 : 2;
}

static int child_writes_stream(long seed)
{
    close(gp[0]);
    static char buf[STREAM];
    for (size_t i = 0; i < STREAM; i++)
        buf[i] = pattern(i, (unsigned)seed);
    return write_full(gp[1], buf, STREAM) == STREAM ? 0 : 1;
}

static void t_pipe_to_child(void)
{
    CHECK_RET(pipe(gp), 0);
    long pid = fork();
    CHECK(pid >= 0, "fork = %ld %s", pid, rname(pid));
    if (pid == 0)
        exit(child_reads_stream(1));
    CHECK_RET(close(gp[0]), 0);
    static char buf[STREAM];
    for (size_t i = 0; i < STREAM; i++)
        buf[i] = pattern(i, 1);
    CHECK_RET(write_full(gp[1], buf, STREAM), STREAM);
    CHECK_RET(close(gp[1]), 0); /* the child's EOF */
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
}

static void t_pipe_from_child(void)
{
    CHECK_RET(pipe(gp), 0);
    long pid = fork();
    CHECK(pid >= 0, "fork = %ld %s", pid, rname(pid));
    if (pid == 0)
        exit(child_writes_stream(2));
    CHECK_RET(close(gp[1]), 0);
    static char buf[STREAM + 1];
    CHECK_RET(read_full(gp[0], buf, sizeof buf), STREAM); /* then EOF: the child exited */
    for (size_t i = 0; i < STREAM; i++)
        CHECK(buf[i] == pattern(i, 2), "byte %u is %d", i, buf[i]);
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
}

static int child_exits(long code)
{
    return (int)code;
}

static void t_pipe_eof(void)
{
    int p[2];
    char buf[8];
    CHECK_RET(pipe(p), 0);
    CHECK_RET(write(p[1], "abc", 3), 3);
    CHECK_RET(close(p[1]), 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 3); /* data first, */
    CHECK_RET(read(p[0], buf, sizeof buf), 0); /* then end of file, */
    CHECK_RET(read(p[0], buf, sizeof buf), 0); /* every time */
    CHECK_RET(close(p[0]), 0);
    /* The last writer is a child that exits without closing: exit closes it. */
    CHECK_RET(pipe(p), 0);
    int st = run_child(child_exits, 0);
    CHECK_EXIT(st, 0);
    CHECK_RET(close(p[1]), 0);
    CHECK_RET(read(p[0], buf, sizeof buf), 0);
}

/* In a child: SIGPIPE blocked (for Linux; a no-op here), write to a pipe whose
 * readers are gone - closed here (mode 0) or exited with a grandchild (mode 1).
 * Exit status 0 for -EPIPE, else the errno or 200. */
static int child_epipe(long mode)
{
    uint32_t set[2] = {1u << (SIGPIPE - 1), 0};
    if (rt_sigprocmask(SIG_BLOCK, set, NULL, SIGSET_SIZE) != 0)
        return 201;
    int p[2];
    if (pipe(p) != 0)
        return 202;
    if (mode == 1) {
        long pid = fork();
        if (pid == 0) {
            close(p[1]);
            exit(0); /* takes the read end with it */
        }
        int st;
        if (pid < 0 || wait4(pid, &st, 0, NULL) != pid)
            return 203;
    }
    close(p[0]);
    long r = write(p[1], "x", 1);
    return r == -EPIPE ? 0 : r < 0 ? (int)-r : 200;
}

static void t_pipe_epipe(void)
{
    CHECK_EXIT(run_child(child_epipe, 0), 0);
    CHECK_EXIT(run_child(child_epipe, 1), 0);
}

static void t_readv_writev(void)
{
    int p[2];
    CHECK_RET(pipe(p), 0);
    struct iovec w[3] = {{(void *)"ab", 2}, {(void *)"", 0}, {(void *)"cdef", 4}};
    CHECK_RET(writev(p[1], w, 3), 6);
    char x[3], y[5];
    struct iovec r[2] = {{x, 3}, {y, 5}};
    CHECK_RET(readv(p[0], r, 2), 6);
    CHECK(memcmp(x, "abc", 3) == 0 && memcmp(y, "def", 3) == 0, "readv got \"%.3s\" \"%.3s\"", x, y);
    CHECK_RET(writev(p[1], w, 0), 0);
    CHECK_RET(writev(p[1], w, -1), -EINVAL);
    CHECK_RET(writev(p[1], w, 1025), -EINVAL); /* more than UIO_MAXIOV */
    CHECK_RET(readv(p[0], r, -1), -EINVAL);
    for (unsigned i = 0; i < NBAD; i++) {
        struct iovec bad = {BAD(i), 4};
        CHECK_RET(writev(p[1], BAD(i), 1), -EFAULT);
        CHECK_RET(writev(p[1], &bad, 1), -EFAULT);
        /* One byte more each time, so readv has data and does not wait. */
        CHECK_RET(write(p[1], "z", 1), 1);
        CHECK_RET(readv(p[0], BAD(i), 1), -EFAULT);
        CHECK_RET(write(p[1], "z", 1), 1);
        CHECK_RET(readv(p[0], &bad, 1), -EFAULT);
    }
}

static void t_ioctl(void)
{
    int p[2];
    struct winsize ws;
    CHECK_RET(pipe(p), 0);
    CHECK_RET(ioctl(p[0], TIOCGWINSZ, &ws), -ENOTTY);
    CHECK_RET(ioctl(p[1], TIOCGWINSZ, &ws), -ENOTTY);
}

/* ---------------------------------------------------- processes and wait */

static int child_exit_group(long code)
{
    exit_group((int)code);
}

static void t_fork_wait(void)
{
    int st = run_child(child_exits, 7);
    CHECK(st != -1, "run_child failed");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7 && !WIFSIGNALED(st), "status 0x%x for exit(7)", st);
    CHECK_RET(st, 7 << 8);
    CHECK_EXIT(run_child(child_exit_group, 42), 42);
    CHECK_EXIT(run_child(child_exits, 256 + 3), 3); /* only the low 8 bits */
    CHECK_EXIT(run_child(child_exits, 0), 0);
}

static volatile int fork_global = 1;

static int child_fork_memory(long heap)
{
    volatile char *h = (volatile char *)heap;
    bool saw = fork_global == 1 && h[0] == 3 && h[4095] == 4;
    fork_global = 9;
    h[0] = 9;
    return saw ? 0 : 1;
}

static void t_fork_memory(void)
{
    char *heap = malloc(PAGE);
    CHECK(heap != NULL, "malloc failed");
    heap[0] = 3;
    heap[4095] = 4;
    fork_global = 1;
    CHECK_EXIT(run_child(child_fork_memory, (long)heap), 0);
    CHECK(fork_global == 1 && heap[0] == 3, "the child's writes reached the parent");
    free(heap);
}

static void t_wait_nochild(void)
{
    int st;
    CHECK_RET(wait4(-1, &st, 0, NULL), -ECHILD);
    CHECK_RET(waitpid(-1, &st, 0), -ECHILD);
    CHECK_RET(wait4(getpid(), &st, 0, NULL), -ECHILD);
    CHECK_RET(wait4(99999, &st, 0, NULL), -ECHILD);
    CHECK_RET(wait4(-1, &st, WNOHANG, NULL), -ECHILD);
}

/* wait4 with a bad status pointer: -EFAULT. Linux reaps the child anyway (it
 * stores the status after reaping); a kernel that checks the pointer first
 * leaves it for the next wait4. Either way no zombie may remain. */
static void t_wait_efault(void)
{
    for (unsigned i = 0; i < NBAD; i++) {
        if (bad_addrs[i] == 0)
            continue; /* NULL means "I do not want the status" */
        long pid = fork();
        CHECK(pid >= 0, "fork = %ld %s", pid, rname(pid));
        if (pid == 0)
            exit(5);
        CHECK_RET(wait4(pid, BAD(i), 0, NULL), -EFAULT);
        int st = 0;
        long r = wait4(pid, &st, 0, NULL);
        CHECK(r == -ECHILD || (r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5),
              "wait4 after -EFAULT = %ld %s, status 0x%x", r, rname(r), st);
        CHECK_RET(wait4(-1, &st, 0, NULL), -ECHILD);
    }
    CHECK_EXIT(run_child(child_exits, 0), 0);
    long pid = fork();
    CHECK(pid >= 0, "fork = %ld %s", pid, rname(pid));
    if (pid == 0)
        exit(6);
    CHECK_RET(wait4(pid, NULL, 0, NULL), pid);
}

static int child_waits_for_eof(long unused)
{
    (void)unused;
    char c;
    close(gp[1]);
    return read(gp[0], &c, 1) == 0 ? 0 : 1;
}

static void t_wait_options(void)
{
    CHECK_RET(pipe(gp), 0);
    long pid = fork();
    CHECK(pid >= 0, "fork = %ld %s", pid, rname(pid));
    if (pid == 0)
        exit(child_waits_for_eof(0));
    int st = 0;
    CHECK_RET(wait4(pid, &st, WNOHANG, NULL), 0); /* still running: no wait */
    CHECK_RET(wait4(-1, &st, WNOHANG, NULL), 0);
    CHECK_RET(wait4(pid, &st, 0x100, NULL), -EINVAL); /* not an option wait4 knows */
    CHECK_RET(close(gp[1]), 0);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
}

static void t_wait_any(void)
{
    long pids[3];
    for (int i = 0; i < 3; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0, "fork = %ld %s", pids[i], rname(pids[i]));
        if (pids[i] == 0)
            exit(11 + i);
    }
    bool seen[3] = {false, false, false};
    for (int n = 0; n < 3; n++) {
        int st = 0;
        long r = wait4(-1, &st, 0, NULL);
        int i = 0;
        while (i < 3 && pids[i] != r)
            i++;
        CHECK(i < 3 && !seen[i], "wait4(-1) = %ld %s", r, rname(r));
        seen[i] = true;
        CHECK_EXIT(st, 11 + i);
    }
    int st;
    CHECK_RET(wait4(-1, &st, 0, NULL), -ECHILD);
}

/* Fork until the kernel says no (-EAGAIN or -ENOMEM) or 64 children; each waits
 * for EOF on a pipe, then exits. All must be reaped, and fork work again. */
static void t_fork_bomb(void)
{
    CHECK_RET(pipe(gp), 0);
    int n = 0;
    long err = 0;
    for (; n < 64; n++) {
        long pid = fork();
        if (pid < 0) {
            err = pid;
            break;
        }
        if (pid == 0)
            exit(child_waits_for_eof(0));
    }
    CHECK_RET(close(gp[1]), 0);
    for (int i = 0; i < n; i++) {
        int st = 0;
        long r = wait4(-1, &st, 0, NULL);
        CHECK(r > 0, "reaping child %d of %d: wait4 = %ld %s", i + 1, n, r, rname(r));
        CHECK_EXIT(st, 0);
    }
    int st;
    CHECK_RET(wait4(-1, &st, 0, NULL), -ECHILD);
    CHECK(err == 0 || err == -EAGAIN || err == -ENOMEM, "fork %d failed with %ld %s", n + 1, err, rname(err));
    CHECK(n > 0, "not a single fork succeeded");
    CHECK_EXIT(run_child(child_exits, 0), 0);
}

/* ------------------------------------------- children the kernel must kill */

static const char rodata_bytes[16] = "read-only data";

static int k_read(long addr)
{
    return *(volatile int *)addr == 0x12345678;
}

static int k_write(long addr)
{
    *(volatile int *)addr = 0x12345678;
    return 0;
}

static int k_call(long addr)
{
    ((void (*)(void))addr)();
    return 0;
}

static int k_hlt(long unused)
{
    (void)unused;
    __asm__ volatile("hlt");
    return 0;
}

static int k_cli(long unused)
{
    (void)unused;
    __asm__ volatile("cli");
    return 0;
}

static int k_outb(long unused) /* port 0x80, the POST port: harmless if it got through */
{
    (void)unused;
    __asm__ volatile("outb %%al, $0x80" : : "a"(0));
    return 0;
}

static int k_read_cr3(long unused)
{
    (void)unused;
    uint32_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v == 0;
}

static int k_kernel_ds(long selector)
{
    __asm__ volatile("mov %0, %%ds" : : "r"(selector));
    return 0;
}

static int k_int_0e(long unused) /* the page-fault vector, called by hand */
{
    (void)unused;
    __asm__ volatile("int $0x0e");
    return 0;
}

static int k_int_20(long unused) /* the timer's vector */
{
    (void)unused;
    __asm__ volatile("int $0x20");
    return 0;
}

static int k_ud2(long unused)
{
    (void)unused;
    __asm__ volatile("ud2");
    return 0;
}

static int k_div0(long zero) /* in assembly: C's 1 / z may compile to no division */
{
    uint32_t q;
    __asm__ volatile("divl %2" : "=a"(q) : "a"(1), "r"(zero), "d"(0));
    return (int)q;
}

static int recurse(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    if (n < 0) /* never: keeps the compiler from seeing endless recursion */
        return 0;
    return recurse(n + 1) + frame[0];
}

static int k_stack_overflow(long unused)
{
    (void)unused;
    return recurse(0);
}

/* The kernel has no signals: it ends a faulting process with the wait status
 * Linux would give one killed by the signal for that fault. */
static const struct {
    const char *name;
    int (*fn)(long);
    long arg;
    int sig;
} kills[] = {
    {"kill-null-read", k_read, 0, SIGSEGV},
    {"kill-null-write", k_write, 0, SIGSEGV},
    {"kill-write-text", k_write, (long)_start, SIGSEGV},
    {"kill-write-rodata", k_write, (long)rodata_bytes, SIGSEGV},
    {"kill-read-kernel", k_read, 0xC0100000, SIGSEGV},
    {"kill-write-kernel", k_write, 0xC0100000, SIGSEGV},
    {"kill-call-kernel", k_call, 0xC0100000, SIGSEGV},
    {"kill-read-pagetables", k_read, (long)0xFFFFF000u, SIGSEGV},
    {"kill-read-0x1000", k_read, 0x1000, SIGSEGV},
    {"kill-hlt", k_hlt, 0, SIGSEGV},
    {"kill-cli", k_cli, 0, SIGSEGV},
    {"kill-outb", k_outb, 0, SIGSEGV},
    {"kill-read-cr3", k_read_cr3, 0, SIGSEGV},
    {"kill-kernel-ds", k_kernel_ds, 0x10, SIGSEGV},
    {"kill-int-0x0e", k_int_0e, 0, SIGSEGV},
    {"kill-int-0x20", k_int_20, 0, SIGSEGV},
    {"kill-ud2", k_ud2, 0, SIGILL},
    {"kill-div0", k_div0, 0, SIGFPE},
    {"kill-stack-overflow", k_stack_overflow, 0, SIGSEGV},
};

static unsigned kill_index;

/* Free memory in bytes (sysinfo's units: mem_unit). */
static unsigned long long free_bytes(void)
{
    struct sysinfo si;
    return sysinfo(&si) == 0 ? (unsigned long long)si.freeram * (si.mem_unit ? si.mem_unit : 1) : 0;
}

static void t_kill(void)
{
    int want = kills[kill_index].sig;
    /* A stack that grows without end meets the 8 MiB stack limit (SIGSEGV), unless
     * the machine runs out of memory first: then the kernel's out-of-memory kill
     * (SIGKILL) is the right answer. */
    bool small = free_bytes() < 12ull * 1024 * 1024;
    int st = run_child(kills[kill_index].fn, kills[kill_index].arg);
    if (kills[kill_index].fn == k_stack_overflow && small && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
        return;
    CHECK_KILLED(st, want);
}

/* ------------------------------------------------------------------ brk */

#define MIB        (1024u * 1024)
#define PAGE_UP(a) (((a) + PAGE - 1) & ~(uintptr_t)(PAGE - 1))

static int child_checks_heap(long cur)
{
    for (uintptr_t a = PAGE_UP((uintptr_t)cur); a < (uintptr_t)cur + MIB; a += PAGE) {
        if (*(volatile uintptr_t *)a != a)
            return 1;
    }
    return 0;
}

static void t_brk_grow(void)
{
    uintptr_t cur = (uintptr_t)brk(NULL);
    CHECK(cur > 0x08048000u && !sys_failed((long)cur), "brk(0) = 0x%x", cur);
    CHECK_RET(brk(NULL), cur); /* asking does not move it */
    CHECK_RET(brk((void *)(cur + MIB)), cur + MIB);
    CHECK_RET(brk(NULL), cur + MIB);
    for (uintptr_t a = PAGE_UP(cur); a < cur + MIB; a++) /* every new page is zero-filled */
        CHECK(*(volatile char *)a == 0, "new heap byte 0x%x = %d", a, *(volatile char *)a);
    for (uintptr_t a = PAGE_UP(cur); a < cur + MIB; a += PAGE)
        *(volatile uintptr_t *)a = a;
    for (uintptr_t a = PAGE_UP(cur); a < cur + MIB; a += PAGE)
        CHECK(*(volatile uintptr_t *)a == a, "heap page 0x%x lost its value", a);
    CHECK_EXIT(run_child(child_checks_heap, (long)cur), 0); /* fork copies the heap */
    CHECK_RET(brk((void *)cur), cur);
}

static void t_brk_shrink(void)
{
    uintptr_t cur = (uintptr_t)brk(NULL);
    CHECK_RET(brk((void *)(cur + MIB)), cur + MIB);
    memset((void *)cur, 0xAA, MIB);
    CHECK_RET(brk((void *)cur), cur);
    /* The pages given back are gone: touching one kills. */
    CHECK_KILLED(run_child(k_read, (long)PAGE_UP(cur + 1)), SIGSEGV);
    CHECK_RET(brk((void *)(cur + MIB)), cur + MIB);
    /* Regrown, they are fresh zero pages (the page holding `cur` itself was never
     * given back, so it keeps its 0xAA). */
    for (uintptr_t a = PAGE_UP(cur + 1); a < cur + MIB; a++)
        CHECK(*(volatile unsigned char *)a == 0, "regrown heap byte 0x%x = 0x%x", a,
              *(volatile unsigned char *)a);
    CHECK_RET(brk((void *)cur), cur);
}

static void t_brk_huge(void)
{
    uintptr_t cur = (uintptr_t)brk(NULL);
    *(volatile char *)(cur - 1) = 'k'; /* the last byte below the break stays usable */
    if (!host_linux) {
        long r = brk((void *)(cur + 3u * 1024 * MIB)); /* into the kernel's quarter */
        CHECK(r == (long)cur, "brk(+3 GiB) = 0x%lx, want the old break 0x%x", r, cur);
    }
    long r = brk((void *)0xFFFFF000u);
    CHECK(r == (long)cur, "brk(0xfffff000) = 0x%lx, want the old break 0x%x", r, cur);
    r = brk((void *)0x1000); /* below the heap: would unmap the program */
    CHECK(r == (long)cur, "brk(0x1000) = 0x%lx, want the old break 0x%x", r, cur);
    CHECK_RET(brk(NULL), cur);
    CHECK(*(volatile char *)(cur - 1) == 'k', "the heap's last byte changed");
    CHECK_RET(brk((void *)(cur + PAGE)), cur + PAGE); /* and it still grows */
    CHECK_RET(brk((void *)cur), cur);
}

/* musl's malloc does this at its first brk: grow the heap two pages, then lay a
 * PROT_NONE page over the first with MAP_FIXED, as a guard (it ignores a
 * failure). Either the kernel refuses and the page stays as it was, or it
 * obeys and the page kills; after that brk must still shrink and grow. */
static void t_brk_mmap_fixed(void)
{
    uintptr_t cur = (uintptr_t)brk(NULL);
    uintptr_t base = PAGE_UP(cur);
    CHECK_RET(brk((void *)(base + 2 * PAGE)), base + 2 * PAGE);
    *(volatile char *)base = 'g';
    *(volatile char *)(base + PAGE) = 'h';
    long r = mmap2((void *)base, PAGE, PROT_NONE, ANON | MAP_FIXED, -1, 0);
    if (sys_failed(r)) {
        CHECK(*(volatile char *)base == 'g', "the failed MAP_FIXED changed the heap page");
    } else {
        CHECK(r == (long)base, "MAP_FIXED at 0x%x = 0x%lx", base, r);
        CHECK_KILLED(run_child(k_read, (long)base), SIGSEGV);
    }
    CHECK(*(volatile char *)(base + PAGE) == 'h', "the heap page after the guard changed");
    CHECK_RET(brk((void *)cur), cur);
    CHECK_RET(brk((void *)(base + 2 * PAGE)), base + 2 * PAGE);
    CHECK(*(volatile char *)base == 0 && *(volatile char *)(base + PAGE) == 0, "regrown heap is not zero");
    CHECK_RET(brk((void *)cur), cur);
}

/* ---------------------------------------------------------------- mmap2 */

static long map(size_t len)
{
    return mmap2(NULL, len, RW, ANON, -1, 0);
}

static bool is_user_range(long a, size_t len)
{
    return host_linux || ((uintptr_t)a >= 0x1000 && (uintptr_t)a + len <= 0xC0000000u);
}

static void t_mmap_anon(void)
{
    long a = map(3 * PAGE), b = map(PAGE);
    CHECK(!sys_failed(a) && !sys_failed(b), "mmap2 = %ld %s, %ld %s", a, rname(a), b, rname(b));
    CHECK(a % PAGE == 0 && b % PAGE == 0, "mmap2 = 0x%lx, 0x%lx: not page-aligned", a, b);
    CHECK(is_user_range(a, 3 * PAGE) && is_user_range(b, PAGE), "mmap2 = 0x%lx, 0x%lx", a, b);
    CHECK(b + (long)PAGE <= a || a + 3 * (long)PAGE <= b, "mappings overlap: 0x%lx, 0x%lx", a, b);
    volatile unsigned char *p = (volatile unsigned char *)a;
    for (size_t i = 0; i < 3 * PAGE; i++)
        CHECK(p[i] == 0, "byte %u of new memory = 0x%x", i, p[i]);
    for (size_t i = 0; i < 3 * PAGE; i++)
        p[i] = (unsigned char)pattern(i, 3);
    for (size_t i = 0; i < 3 * PAGE; i++)
        CHECK(p[i] == (unsigned char)pattern(i, 3), "byte %u not kept", i);
    CHECK_RET(munmap((void *)a, 3 * PAGE), 0);
    CHECK_RET(munmap((void *)b, PAGE), 0);
}

static void t_mmap_big(void)
{
    const size_t len = 4 * MIB;
    long a = map(len);
    CHECK(!sys_failed(a), "mmap2(4 MiB) = %ld %s", a, rname(a));
    for (uintptr_t q = (uintptr_t)a; q < (uintptr_t)a + len; q += PAGE)
        *(volatile uintptr_t *)q = q;
    for (uintptr_t q = (uintptr_t)a; q < (uintptr_t)a + len; q += PAGE)
        CHECK(*(volatile uintptr_t *)q == q, "page 0x%x lost its value", q);
    CHECK_RET(munmap((void *)a, len), 0);
}

static void t_munmap(void)
{
    long a = map(3 * PAGE);
    CHECK(!sys_failed(a), "mmap2 = %ld %s", a, rname(a));
    memset((void *)a, 'm', 3 * PAGE);
    CHECK_RET(munmap((void *)(a + PAGE), PAGE), 0); /* a hole in the middle */
    CHECK_KILLED(run_child(k_read, a + PAGE), SIGSEGV);
    CHECK(*(volatile char *)a == 'm' && *(volatile char *)(a + 3 * PAGE - 1) == 'm',
          "neighbours of the hole lost");
    CHECK_RET(munmap((void *)a, 3 * PAGE), 0); /* over the hole too: no error */
    CHECK_KILLED(run_child(k_read, a), SIGSEGV);
    CHECK_KILLED(run_child(k_write, a + 2 * PAGE), SIGSEGV);
}

static void t_mprotect(void)
{
    long a = map(2 * PAGE);
    CHECK(!sys_failed(a), "mmap2 = %ld %s", a, rname(a));
    memset((void *)a, 'x', 2 * PAGE);
    CHECK_RET(mprotect((void *)a, PAGE, PROT_READ), 0);
    CHECK(*(volatile char *)a == 'x', "read-only page lost its contents");
    CHECK_KILLED(run_child(k_write, a), SIGSEGV);
    CHECK_EXIT(run_child(k_write, a + PAGE), 0); /* the second page is still writable */
    CHECK_RET(mprotect((void *)a, PAGE, PROT_NONE), 0);
    CHECK_KILLED(run_child(k_read, a), SIGSEGV);
    CHECK_RET(mprotect((void *)a, 2 * PAGE, RW), 0);
    CHECK(*(volatile char *)a == 'x', "the page lost its contents through PROT_NONE");
    *(volatile char *)a = 'y';
    /* A read-only buffer is no place for read() to store into. */
    int p[2];
    CHECK_RET(pipe(p), 0);
    CHECK_RET(write(p[1], "12345678", 8), 8);
    CHECK_RET(mprotect((void *)a, PAGE, PROT_READ), 0);
    CHECK_RET(read(p[0], (void *)a, 8), -EFAULT);
    CHECK_RET(munmap((void *)a, 2 * PAGE), 0);
    CHECK_RET(mprotect((void *)a, PAGE, PROT_READ), -ENOMEM); /* nothing mapped there now */
}

static int child_fork_mapping(long a)
{
    bool saw = *(volatile char *)a == 1;
    *(volatile char *)a = 2;
    return saw ? 0 : 1;
}

static void t_mmap_fork(void)
{
    long a = map(PAGE);
    CHECK(!sys_failed(a), "mmap2 = %ld %s", a, rname(a));
    *(volatile char *)a = 1;
    CHECK_EXIT(run_child(child_fork_mapping, a), 0);
    CHECK(*(volatile char *)a == 1, "the child's write reached the parent's mapping");
    CHECK_RET(munmap((void *)a, PAGE), 0);
}

static void t_mmap_fixed(void)
{
    long a = map(2 * PAGE);
    CHECK(!sys_failed(a), "mmap2 = %ld %s", a, rname(a));
    memset((void *)a, 'q', 2 * PAGE);
    CHECK_RET(mmap2((void *)a, PAGE, RW, ANON | MAP_FIXED, -1, 0), a); /* replaces the first page */
    CHECK(*(volatile char *)a == 0, "MAP_FIXED page not fresh");
    CHECK(*(volatile char *)(a + PAGE) == 'q', "MAP_FIXED changed the page after it");
    CHECK_RET(mmap2((void *)(a + 1), PAGE, RW, ANON | MAP_FIXED, -1, 0), -EINVAL);
    CHECK_RET(munmap((void *)a, 2 * PAGE), 0);

    long r = mmap2(NULL, PAGE, RW, ANON | MAP_FIXED, -1, 0);
    if (host_linux && r == 0) /* root may map page 0 there */
        munmap(NULL, PAGE);
    else
        CHECK(r == -EINVAL || r == -EPERM, "MAP_FIXED at 0 = %ld %s", r, rname(r));
    if (!host_linux) {
        static const uintptr_t kernel[] = {0xC0000000u, 0xBFFFF000u, 0xFFFFF000u};
        for (unsigned i = 0; i < 3; i++) {
            r = mmap2((void *)kernel[i], 2 * PAGE, RW, ANON | MAP_FIXED, -1, 0);
            CHECK(sys_failed(r), "MAP_FIXED at 0x%x = 0x%lx", kernel[i], r);
        }
        /* A hint in the kernel's quarter is only a hint. */
        r = mmap2((void *)0xC0000000u, PAGE, RW, ANON, -1, 0);
        CHECK(!sys_failed(r) && is_user_range(r, PAGE), "mmap2 hint 0xc0000000 = 0x%lx %s", r, rname(r));
        CHECK_RET(munmap((void *)r, PAGE), 0);
    }
}

static void t_mmap_errors(void)
{
    CHECK_RET(mmap2(NULL, 0, RW, ANON, -1, 0), -EINVAL);
    CHECK_RET(mmap2(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0), -EINVAL); /* neither private nor shared */
    long r = mmap2(NULL, 0xFFFFF001u, RW, ANON, -1, 0);              /* rounds up past 4 GiB */
    CHECK(r == -ENOMEM || r == -EINVAL, "mmap2(len 0xfffff001) = %ld %s", r, rname(r));
    if (!host_linux)
        CHECK_RET(mmap2(NULL, 0xC0000000u, RW, ANON, -1, 0), -ENOMEM); /* more than user space */
    long a = map(PAGE);
    CHECK(!sys_failed(a), "mmap2 = %ld %s", a, rname(a));
    CHECK_RET(munmap((void *)a, 0), -EINVAL);
    CHECK_RET(munmap((void *)(a + 1), PAGE), -EINVAL);
    CHECK_RET(mprotect((void *)(a + 1), PAGE, PROT_READ), -EINVAL);
    if (!host_linux) {
        CHECK_RET(munmap((void *)0xC0000000u, PAGE), -EINVAL);
        CHECK_RET(munmap((void *)0xBFFFF000u, 2 * PAGE), -EINVAL);
    }
    CHECK_RET(munmap((void *)a, PAGE), 0);
}

static void t_mmap_many(void)
{
    long a[100];
    const int N = 100;
    for (int i = 0; i < N; i++) {
        a[i] = map(PAGE);
        CHECK(!sys_failed(a[i]), "mapping %d: mmap2 = %ld %s", i, a[i], rname(a[i]));
        for (int j = 0; j < i; j++)
            CHECK(a[j] != a[i], "mappings %d and %d both at 0x%lx", j, i, a[i]);
        *(volatile int *)a[i] = i;
    }
    for (int i = 0; i < N; i++)
        CHECK(*(volatile int *)a[i] == i, "mapping %d lost its value", i);
    for (int i = 0; i < N; i++)
        CHECK_RET(munmap((void *)a[i], PAGE), 0);
}

/* --------------------------------------------------------------- execve */

static char *const test_env[] = {"USERTESTS=1", NULL};

static void program(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s%s", prefix, name);
}

/* Fork a child that execs path: its wait status. A failed execve exits with
 * the error number as the status, so -ENOENT reads as "exited 2". */
static int exec_status(const char *path, char *const argv[], char *const envp[])
{
    long pid = fork();
    if (pid < 0) {
        failf(__LINE__, "fork = %ld %s", pid, rname(pid));
        return -1;
    }
    if (pid == 0) {
        long r = execve(path, argv, envp);
        exit(r < 0 ? (int)-r : 250);
    }
    int st = 0;
    long r = wait4(pid, &st, 0, NULL);
    if (r != pid) {
        failf(__LINE__, "wait4 = %ld %s", r, rname(r));
        return -1;
    }
    return st;
}

static void t_exec_errors(void)
{
    char path[128];
    char *argv[] = {"x", NULL};
    program(path, sizeof path, "no-such-program");
    CHECK_EXIT(exec_status(path, argv, test_env), ENOENT);
    program(path, sizeof path, "notelf");
    CHECK_EXIT(exec_status(path, argv, test_env), ENOEXEC);
    program(path, sizeof path, "truncated");
    CHECK_EXIT(exec_status(path, argv, test_env), ENOEXEC);
}

static void t_exec_efault(void)
{
    char path[128];
    program(path, sizeof path, "echoargs");
    for (unsigned i = 0; i < NBAD; i++) {
        CHECK_EXIT(exec_status(BAD(i), (char *[]){"x", NULL}, test_env), EFAULT);
        if (bad_addrs[i] == 0)
            continue; /* a NULL argv or envp is allowed (Linux takes it as empty), and ends argv */
        CHECK_EXIT(exec_status(path, BAD(i), test_env), EFAULT);
        CHECK_EXIT(exec_status(path, (char *[]){"echoargs", BAD(i), NULL}, test_env), EFAULT);
        CHECK_EXIT(exec_status(path, (char *[]){"echoargs", NULL}, BAD(i)), EFAULT);
        CHECK_EXIT(exec_status(path, (char *[]){"echoargs", NULL}, (char *[]){"A=1", BAD(i), NULL}), EFAULT);
    }
}

/* execve with 100 arguments of assorted lengths (empty ones too): echoargs,
 * given `-o FD`, writes them back through a pipe it inherited across execve,
 * and exits with argc. */
#define ARGC 100

/* Arguments too large for any kernel: 64 pointers to one 60 KiB string, 3.75 MiB
 * in all (Linux allows a quarter of the 8 MiB stack limit, this kernel 64 KiB).
 * execve must fail with -E2BIG and the caller must carry on unchanged. */
static void t_exec_e2big(void)
{
    enum { LEN = 60 * 1024, COUNT = 64 };
    char path[128];
    program(path, sizeof path, "echoargs");
    char *big = malloc(LEN + 1);
    CHECK(big != NULL, "malloc(%d) failed", LEN + 1);
    memset(big, 'x', LEN);
    big[LEN] = '\0';
    static char *argv[COUNT + 2];
    argv[0] = "echoargs";
    for (int i = 1; i <= COUNT; i++)
        argv[i] = big;
    argv[COUNT + 1] = NULL;
    int st = exec_status(path, argv, test_env);
    free(big);
    CHECK_EXIT(st, E2BIG);
    /* The environment counts too. */
    char *small[] = {"echoargs", NULL};
    static char *env[COUNT + 1];
    big = malloc(LEN + 1);
    CHECK(big != NULL, "malloc(%d) failed", LEN + 1);
    memset(big, 'y', LEN);
    big[LEN] = '\0';
    for (int i = 0; i < COUNT; i++)
        env[i] = big;
    env[COUNT] = NULL;
    st = exec_status(path, small, env);
    free(big);
    CHECK_EXIT(st, E2BIG);
}

/* An orphan goes to init: a child forks a grandchild and exits at once; the
 * grandchild, 20 ms later, exits with 5. usertests runs as pid 1 on the kernel,
 * so its wait4(-1) must reap the grandchild too, with that status. (On Linux
 * the orphan goes to the host's init: only the first half is checked there.) */
static int grandchild_exits_5(long unused)
{
    (void)unused;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    return 5;
}

static int child_leaves_orphan(long unused)
{
    (void)unused;
    long pid = fork();
    if (pid == 0)
        exit(grandchild_exits_5(0));
    return pid > 0 ? 0 : 1;
}

static void t_orphan(void)
{
    CHECK_EXIT(run_child(child_leaves_orphan, 0), 0);
    if (host_linux || getpid() != 1)
        return;
    int st = 0;
    long r = wait4(-1, &st, 0, NULL);
    CHECK(r > 1, "wait4(-1) for the orphan = %ld %s", r, rname(r));
    CHECK_EXIT(st, 5);
    CHECK_RET(wait4(-1, &st, WNOHANG, NULL), -ECHILD);
}

static void t_exec_argv100(void)
{
    static char strings[ARGC][48];
    static char *argv[ARGC + 1];
    static char expect[ARGC * 49], got[ARGC * 49 + 1];
    char path[128];
    program(path, sizeof path, "echoargs");
    CHECK_RET(pipe(gp), 0);
    argv[0] = "echoargs";
    argv[1] = "-o";
    snprintf(strings[2], sizeof strings[2], "%d", gp[1]);
    argv[2] = strings[2];
    for (int i = 3; i < ARGC; i++) {
        int n = (i * 13) % 40; /* 0 to 39 characters */
        for (int k = 0; k < n; k++)
            strings[i][k] = (char)('a' + (i + k) % 26);
        strings[i][n] = '\0';
        argv[i] = strings[i];
    }
    argv[ARGC] = NULL;
    size_t len = 0;
    for (int i = 0; i < ARGC; i++)
        len += (size_t)snprintf(expect + len, sizeof expect - len, "%s\n", argv[i]);

    long pid = fork();
    CHECK(pid >= 0, "fork = %ld %s", pid, rname(pid));
    if (pid == 0) {
        close(gp[0]);
        long r = execve(path, argv, test_env);
        exit(r < 0 ? (int)-r : 250);
    }
    CHECK_RET(close(gp[1]), 0);
    /* Read before waiting: the pipe may hold less than echoargs writes. */
    CHECK_RET(read_full(gp[0], got, sizeof got), len);
    CHECK(memcmp(got, expect, len) == 0, "the arguments came back changed");
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, ARGC);
}

/* ----------------------------------------------------- the other calls */

static void t_sched_yield(void)
{
    for (int i = 0; i < 3; i++)
        CHECK_RET(sched_yield(), 0);
}

/* Preemption: a child that computes without ever making a system call must
 * not keep the CPU. While it spins, the parent sleeps 10 ms, wakes, and finds
 * the child still running (wait4 with WNOHANG returns 0): the timer took the
 * CPU from the child. Without preemption the parent would run again only after
 * the child had finished. The spin is bounded, so the child ends by itself. */
static int child_spins(long iterations)
{
    for (volatile long i = 0; i < iterations; i++)
        ;
    return 0;
}

static void t_preempt(void)
{
    long pid = fork();
    if (pid == 0)
        exit(child_spins(60L * 1000 * 1000));
    CHECK(pid > 0, "fork = %ld %s", pid, rname(pid));
    struct timespec ts = {0, 10 * 1000 * 1000};
    CHECK_RET(nanosleep(&ts, NULL), 0);
    int st = 0;
    CHECK_RET(wait4(pid, &st, WNOHANG, NULL), 0); /* still spinning, yet we ran */
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
}

static void t_nanosleep(void)
{
    struct timespec ts = {0, 10 * 1000 * 1000}, rem;
    CHECK_RET(nanosleep(&ts, NULL), 0);
    CHECK_RET(nanosleep(&ts, &rem), 0);
    ts.tv_nsec = 0;
    CHECK_RET(nanosleep(&ts, NULL), 0);
    ts.tv_nsec = 1000 * 1000 * 1000;
    CHECK_RET(nanosleep(&ts, NULL), -EINVAL);
    ts.tv_nsec = -1;
    CHECK_RET(nanosleep(&ts, NULL), -EINVAL);
    ts.tv_sec = -1;
    ts.tv_nsec = 0;
    CHECK_RET(nanosleep(&ts, NULL), -EINVAL);
    for (unsigned i = 0; i < NBAD; i++)
        CHECK_RET(nanosleep(BAD(i), NULL), -EFAULT);
}

static void t_nosys(void)
{
    CHECK_RET(syscall0(500), -ENOSYS);
    CHECK_RET(syscall5(500, 1, 2, 3, 4, 5), -ENOSYS);
    CHECK_RET(syscall0(1000), -ENOSYS);
    CHECK_RET(syscall0(0x7fffffff), -ENOSYS);
    CHECK_RET(syscall0(-1), -ENOSYS);
}

static void t_rt_sigprocmask(void)
{
    uint32_t set[2] = {1u << (SIGPIPE - 1), 0}, old[2];
    CHECK_RET(rt_sigprocmask(SIG_BLOCK, NULL, old, SIGSET_SIZE), 0);
    CHECK_RET(rt_sigprocmask(SIG_SETMASK, old, NULL, SIGSET_SIZE), 0);
    CHECK_RET(rt_sigprocmask(99, set, NULL, SIGSET_SIZE), -EINVAL);
    CHECK_RET(rt_sigprocmask(SIG_BLOCK, set, NULL, 4), -EINVAL); /* the kernel's set is 8 bytes */
    for (unsigned i = 0; i < NBAD; i++) {
        if (bad_addrs[i] == 0)
            continue; /* NULL means "no set" / "old set not wanted" */
        CHECK_RET(rt_sigprocmask(SIG_BLOCK, BAD(i), NULL, SIGSET_SIZE), -EFAULT);
        CHECK_RET(rt_sigprocmask(SIG_BLOCK, NULL, BAD(i), SIGSET_SIZE), -EFAULT);
    }
}

/* Thread-local storage the way a C library sets it up: a GDT slot from
 * set_thread_area, its selector in %gs, %gs:0 then reads the block. */
static uint32_t tls_a[2] = {0x1234, 0}, tls_b[2] = {0xabcd, 0};

static uint32_t gs_read(void)
{
    uint32_t v;
    __asm__ volatile("movl %%gs:0, %0" : "=r"(v));
    return v;
}

static void gs_load(unsigned entry)
{
    __asm__ volatile("movw %w0, %%gs" : : "r"((entry << 3) | 3));
}

static int child_tls(long unused)
{
    (void)unused;
    if (gs_read() != 0x1234)
        return 1;
    __asm__ volatile("movl $0x5678, %%gs:0" : : : "memory");
    for (int i = 0; i < 3; i++) /* other processes run: %gs and the slot must survive */
        sched_yield();
    return gs_read() == 0x5678 && tls_a[0] == 0x5678 ? 0 : 2;
}

static void t_set_thread_area(void)
{
    struct user_desc d = {(unsigned)-1, (uintptr_t)tls_a, 0xfffff,
                          UD_SEG_32BIT | UD_LIMIT_IN_PAGES | UD_USEABLE};
    CHECK_RET(set_thread_area(&d), 0);
    CHECK(d.entry_number != (unsigned)-1 && d.entry_number < 8192, "entry_number = %u", d.entry_number);
    unsigned entry = d.entry_number;
    gs_load(entry);
    CHECK(gs_read() == 0x1234, "%%gs:0 = 0x%x, want 0x1234", gs_read());
    CHECK_EXIT(run_child(child_tls, 0), 0);
    CHECK(gs_read() == 0x1234 && tls_a[0] == 0x1234, "the child's TLS write reached the parent");
    d.base_addr = (uintptr_t)tls_b; /* the same slot, a new base */
    CHECK_RET(set_thread_area(&d), 0);
    CHECK_RET(d.entry_number, entry);
    gs_load(entry);
    CHECK(gs_read() == 0xabcd, "%%gs:0 = 0x%x after moving the slot, want 0xabcd", gs_read());
    d.entry_number = 1; /* not a TLS slot */
    CHECK_RET(set_thread_area(&d), -EINVAL);
    for (unsigned i = 0; i < NBAD; i++)
        CHECK_RET(set_thread_area(BAD(i)), -EFAULT);
}

/* ------------------------------------------------------------ leak check */

static int child_returns_0(long unused)
{
    (void)unused;
    return 0;
}

/* 100 fork/exit/wait cycles and 10 fork/execve/exit/wait ones must give back
 * every page: the free memory afterwards is what it was before, to the page.
 * One cycle of each runs first, so caches the kernel keeps are filled. */
static void t_leaks(void)
{
    char path[128];
    char fd[16];
    program(path, sizeof path, "echoargs");
    CHECK_RET(pipe(gp), 0);
    snprintf(fd, sizeof fd, "%d", gp[1]);
    char *argv[] = {"echoargs", "-o", fd, NULL};
    char buf[64];
    unsigned long before = 0;
    for (int round = 0; round < 2; round++) {
        int n = round == 0 ? 1 : 100;
        for (int i = 0; i < n; i++)
            CHECK_EXIT(run_child(child_returns_0, 0), 0);
        for (int i = 0; i < (round == 0 ? 1 : 10); i++) {
            CHECK_EXIT(exec_status(path, argv, test_env), 3);
            CHECK(read(gp[0], buf, sizeof buf) > 0, "echoargs wrote nothing");
        }
        if (round == 0)
            before = free_ram();
    }
    unsigned long after = free_ram();
    CHECK(before > 0, "sysinfo failed");
    if (!host_linux)
        CHECK(after == before, "free memory %lu before, %lu after (units of mem_unit)", before, after);
}

/* ---------------------------------------------------------------- runner */

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"startup", t_startup},
    {"ulib-printf", t_ulib_printf},
    {"ulib-malloc", t_ulib_malloc},
    {"getpid", t_getpid},
    {"set_tid_address", t_set_tid_address},
    {"uname", t_uname},
    {"sysinfo", t_sysinfo},
    {"bad-fd", t_bad_fd},
    {"write-efault", t_write_efault},
    {"read-efault", t_read_efault},
    {"pipe-efault", t_pipe_efault},
    {"pipe-basic", t_pipe_basic},
    {"pipe-to-child", t_pipe_to_child},
    {"pipe-from-child", t_pipe_from_child},
    {"pipe-eof", t_pipe_eof},
    {"pipe-epipe", t_pipe_epipe},
    {"readv-writev", t_readv_writev},
    {"ioctl", t_ioctl},
    {"fork-wait", t_fork_wait},
    {"fork-memory", t_fork_memory},
    {"wait-nochild", t_wait_nochild},
    {"wait-efault", t_wait_efault},
    {"wait-options", t_wait_options},
    {"wait-any", t_wait_any},
    {"orphan", t_orphan},
    {"kill-*", t_kill}, /* one line per entry of kills[] */
    {"brk-grow", t_brk_grow},
    {"brk-shrink", t_brk_shrink},
    {"brk-huge", t_brk_huge},
    {"brk-mmap-fixed", t_brk_mmap_fixed},
    {"mmap-anon", t_mmap_anon},
    {"mmap-big", t_mmap_big},
    {"munmap", t_munmap},
    {"mprotect", t_mprotect},
    {"mmap-fork", t_mmap_fork},
    {"mmap-fixed", t_mmap_fixed},
    {"mmap-errors", t_mmap_errors},
    {"mmap-many", t_mmap_many},
    {"exec-errors", t_exec_errors},
    {"exec-efault", t_exec_efault},
    {"exec-argv100", t_exec_argv100},
    {"exec-e2big", t_exec_e2big},
    {"sched_yield", t_sched_yield},
    {"nanosleep", t_nanosleep},
    {"preempt", t_preempt},
    {"nosys", t_nosys},
    {"rt_sigprocmask", t_rt_sigprocmask},
    {"set_thread_area", t_set_thread_area},
    {"fork-bomb", t_fork_bomb},
    {"leaks", t_leaks},
};

int main(int argc, char **argv, char **envp)
{
    utest_prog = "usertests";
    saved_argc = argc;
    saved_argv = argv;
    saved_envp = envp;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--linux") == 0)
            host_linux = true;
        else
            prefix = argv[i];
    }
    printf("usertests: starting, pid %ld, programs from %s%s\n", getpid(), prefix,
           host_linux ? ", Linux host mode" : "");
    for (unsigned t = 0; t < sizeof tests / sizeof tests[0]; t++) {
        if (tests[t].fn != t_kill) {
            utest_run(tests[t].name, tests[t].fn, NULL);
            continue;
        }
        for (kill_index = 0; kill_index < sizeof kills / sizeof kills[0]; kill_index++)
            utest_run(kills[kill_index].name, t_kill, NULL);
    }
    return utest_summary();
}
