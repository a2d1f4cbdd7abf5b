/*
 * user/bin/vmtests.c - demand paging and copy-on-write, tested from user space.
 *
 *   vmtests [--linux] [PREFIX]
 *
 * The same harness as usertests: one line per test, `vmtests: ok NAME` or
 * `vmtests: FAIL NAME: why` (a test that measured something adds its numbers in
 * parentheses), last `vmtests: N passed, N failed`; exit status 0 only when none
 * failed. After each test every descriptor above 2 is closed, every child
 * reaped, every mapping the test made unmapped and the break put back.
 *
 * What the kernel promises: brk growth, anonymous mmap2 and the stack get a
 * frame only when touched; a read of an untouched page maps one shared zero
 * page, the first write a private zeroed frame; fork copies page tables, not
 * pages; text is shared between processes running the same program; the stack
 * grows down on faults near the stack pointer, up to 8 MiB; copyin and copyout
 * fault pages in; madvise(MADV_DONTNEED) drops pages; running out of memory
 * kills the process with SIGKILL.
 *
 * The cost checks count frames: sysinfo's freeram on our kernel is the exact
 * number of free frames (mem_unit 4096) and nothing else runs. On Linux (with
 * --linux; tests/user/check-on-linux.sh) free memory moves with the rest of the
 * machine, so those comparisons (KCHECK) are skipped and only their numbers
 * reported; every other check holds on both. Kernel-only comparisons: lazy-cost,
 * zero-page, brk-shrink's and madvise's frame counts, cheap-fork, fork-cycles,
 * text-sharing. Also different on Linux: `stack-guard` (Linux grows the stack
 * for any fault below it since 4.20; both outcomes are accepted there and the
 * line says which), `stack-limit` (the child first lowers RLIMIT_STACK to
 * 8 MiB, our kernel's fixed limit) and `oom` (not run: it would fill the host).
 *
 * Memory: made for -m 128M, runs from -m 32M (cheap-fork writes 16 MiB). `oom`
 * comes last and is the slow one: its child writes a page at a time until the
 * kernel kills it (or mmap2 fails; it stops at 3 GiB of address space). The
 * page tables the kernel keeps after munmap (up to 64 for lazy-cost's 256 MiB)
 * are allowed for.
 *
 * `vmtests --hold W R` is the program text-sharing execs: it reads every page
 * of its own text, writes a byte to descriptor W and waits for one on R. So
 * that the text is worth measuring, it is padded with 96 KiB never executed.
 */
#include "utest.h"

#define PAGE   4096u
#define MiB    (1024u * 1024u)
#define RW     (PROT_READ | PROT_WRITE)
#define ANON   (MAP_PRIVATE | MAP_ANONYMOUS)
#define PUP(x) (((uintptr_t)(x) + PAGE - 1) & ~(uintptr_t)(PAGE - 1))

#define SYS_setrlimit  75
#define SYS_ugetrlimit 191
#define SYS_madvise    219
#define MADV_DONTNEED  4
#define RLIMIT_STACK   3

__asm__(".pushsection .text.vmtests_pad,\"ax\",@progbits\n"
        "vmtests_text_pad: .fill 98304, 1, 0xcc\n"
        ".popsection");
extern const char __executable_start[], etext[];

static const char *prefix = "/bin/";

/* clang-format off */
/* An anonymous RW mapping, unmapped after the test. */
#define MAP(var, len) \
    char *var = map_at((len), __LINE__); if (!var) return
/* clang-format on */

/* Free memory in 4 KiB frames (on our kernel freeram itself: mem_unit is 4096). */
static long frames(void)
{
    struct sysinfo si;
    if (sysinfo(&si) != 0)
        return 0;
    return (long)(((unsigned long long)si.freeram * si.mem_unit) >> 12);
}

static struct {
    char *p;
    size_t len;
} maps[16];
static unsigned nmaps;

static char *map_at(size_t len, int line)
{
    long r = mmap2(NULL, len, RW, ANON, -1, 0);
    if (sys_failed(r)) {
        failf(line, "mmap2(%u bytes) = %ld %s", len, r, rname(r));
        return NULL;
    }
    if (nmaps < sizeof maps / sizeof maps[0])
        maps[nmaps].p = (char *)r, maps[nmaps++].len = len;
    return (char *)r;
}

/* Word i of a region filled with `seed`. */
static uint32_t pat(size_t i, uint32_t seed)
{
    return (uint32_t)i * 2654435761u ^ seed;
}

static void fill(char *p, size_t off, size_t len, uint32_t seed)
{
    for (size_t i = off / 4; i < (off + len) / 4; i++)
        ((volatile uint32_t *)p)[i] = pat(i, seed);
}

/* The first byte offset in [off, off + len) of p whose word is not `seed`'s, or -1. */
static long bad_at(const char *p, size_t off, size_t len, uint32_t seed)
{
    for (size_t i = off / 4; i < (off + len) / 4; i++)
        if (((const volatile uint32_t *)p)[i] != pat(i, seed))
            return (long)(i * 4);
    return -1;
}

/* The first offset, every `step` bytes of [p, p + len), whose byte is not 0, or -1. */
static long nonzero_at(const char *p, size_t len, size_t step)
{
    for (size_t i = 0; i < len; i += step)
        if (((const volatile char *)p)[i] != 0)
            return (long)i;
    return -1;
}

/* What a forked child checks: [ck.p + ck.off, + ck.len) holds ck.seed's words. */
static struct {
    char *p;
    size_t off, len;
    uint32_t seed;
} ck;

static int child_verify(long unused)
{
    (void)unused;
    return bad_at(ck.p, ck.off, ck.len, ck.seed) < 0 ? 0 : 1;
}

static int child_read(long addr)
{
    return *(volatile char *)addr == 0x7f ? 2 : 3; /* either way it should not get here */
}

static int child_write(long addr)
{
    *(volatile char *)addr = 1;
    return 3;
}

/* A child blocked on a pipe that, once released, checks [p + off, + len)
 * against seed; returns its pid (rel[1] releases it) or -1 with the test failed. */
static long waiter(int rel[2], char *p, size_t len, uint32_t seed)
{
    if (pipe(rel) != 0) {
        failf(__LINE__, "pipe failed");
        return -1;
    }
    ck.p = p, ck.off = 0, ck.len = len, ck.seed = seed;
    long pid = fork();
    if (pid == 0) {
        char c;
        close(rel[1]); /* EOF, not a hang, if the parent never releases it */
        exit(read(rel[0], &c, 1) == 1 ? child_verify(0) : 4);
    }
    if (pid < 0)
        failf(__LINE__, "fork = %ld %s", pid, rname(pid));
    return pid;
}

/* Release a waiter; its wait status. */
static int release(long pid, int rel[2])
{
    int st = -1;
    if (write(rel[1], "go", 1) != 1 || wait4(pid, &st, 0, NULL) != pid)
        failf(__LINE__, "could not release child %ld", pid);
    return st;
}

/* ------------------------------------------------------- zero-filled memory */

static void t_zero_fill(void)
{
    long cur = brk(0);
    char *b = (char *)PUP(cur);
    CHECK_RET(brk(b + MiB), (long)(b + MiB));
    for (size_t off = 0; off < MiB; off += PAGE)
        CHECK(nonzero_at(b + off, 4, 1) < 0, "brk page at +%u not zero", off);
    CHECK(nonzero_at(b, PAGE, 1) < 0 && nonzero_at(b + MiB / 2, PAGE, 1) < 0 &&
              nonzero_at(b + MiB - PAGE, PAGE, 1) < 0,
          "a byte of the grown break is not zero");
    CHECK_RET(brk((void *)cur), cur);
    MAP(m, 4 * MiB);
    for (size_t off = 0; off < 4 * MiB; off += PAGE)
        CHECK(nonzero_at(m + off, 4, 1) < 0, "mmap page at +%u not zero", off);
    for (size_t off = 0; off < 4 * MiB; off += MiB + 3 * PAGE)
        CHECK(nonzero_at(m + off, PAGE, 1) < 0, "mmap page at +%u not all zero", off);
}

/* 256 MiB mapped costs page tables at most; 256 written pages cost 256 frames. */
static void t_lazy_cost(void)
{
    struct sysinfo si;
    CHECK_RET(sysinfo(&si), 0);
    KCHECK(si.mem_unit == PAGE, "mem_unit = %u, want 4096", si.mem_unit);
    long f0 = frames();
    MAP(p, 256 * MiB);
    long f1 = frames();
    for (unsigned i = 0; i < 256; i++)
        p[i * MiB + i * 8] = (char)(i % 200 + 1);
    long f2 = frames();
    for (unsigned i = 0; i < 256; i++)
        CHECK(p[i * MiB + i * 8] == (char)(i % 200 + 1) && p[i * MiB] == (i ? 0 : 1), "page %u lost its byte",
              i);
    CHECK_RET(munmap(p, 256 * MiB), 0);
    long f3 = frames();
    utest_note("frames: mmap %ld, 256 writes %ld, munmap gave back %ld", f0 - f1, f1 - f2, f3 - f2);
    KCHECK(f0 - f1 <= 8, "mapping 256 MiB took %ld frames", f0 - f1);
    KCHECK(f0 - f2 >= 256 && f0 - f2 <= 256 + 70, "256 touched pages took %ld frames", f0 - f2);
    KCHECK(f3 - f2 >= 256 && f0 - f3 <= 70, "munmap gave back %ld of %ld frames", f3 - f2, f0 - f2);
}

/* Reads of untouched pages share one zero page; a write gets a private one. */
static void t_zero_page(void)
{
    long f0 = frames();
    MAP(p, 16 * MiB);
    for (size_t i = 0; i < 1000; i++)
        CHECK(nonzero_at(p + i * PAGE, PAGE, i % 100 ? PAGE / 4 : 1) < 0, "page %u reads non-zero", i);
    long f1 = frames();
    p[5 * PAGE + 7] = 0x5a;
    long f2 = frames();
    CHECK(p[5 * PAGE + 7] == 0x5a && nonzero_at(p + 5 * PAGE, 7, 1) < 0, "the written page is wrong");
    CHECK(nonzero_at(p + 4 * PAGE, PAGE, 1) < 0 && nonzero_at(p + 6 * PAGE, PAGE, 1) < 0,
          "a write to one page showed in its neighbours (the zero page was written?)");
    MAP(q, 4 * PAGE);
    CHECK(nonzero_at(q, 4 * PAGE, 1) < 0, "a new mapping is not zero");
    utest_note("frames: 1000 page reads %ld, then one write %ld", f0 - f1, f1 - f2);
    KCHECK(f0 - f1 <= 4, "reading 1000 untouched pages took %ld frames", f0 - f1);
    KCHECK(f1 - f2 >= 1 && f1 - f2 <= 2, "writing a zero-page mapped page took %ld frames", f1 - f2);
}

static void t_brk_regrow(void)
{
    long cur = brk(0);
    char *b = (char *)PUP(cur);
    CHECK_RET(brk(b + 64 * 1024), (long)(b + 64 * 1024));
    memset(b, 0xee, 64 * 1024);
    long f0 = frames();
    CHECK_RET(brk(b), (long)b);
    long f1 = frames();
    CHECK_RET(brk(b + 64 * 1024), (long)(b + 64 * 1024));
    long bad = nonzero_at(b, 64 * 1024, 1);
    CHECK(bad < 0, "byte %ld of the regrown break is 0x%x, not 0", bad, (unsigned char)b[bad]);
    CHECK_RET(brk((void *)cur), cur);
    utest_note("shrinking 64 KiB gave back %ld frames", f1 - f0);
    KCHECK(f1 - f0 >= 16, "shrinking the break by 16 pages gave back %ld frames", f1 - f0);
}

/* --------------------------------------------------- protections and holes */

static void t_mprotect(void)
{
    MAP(p, 4 * PAGE);
    fill(p, 0, 4 * PAGE, 0x11);
    CHECK_RET(mprotect(p, 4 * PAGE, PROT_READ), 0);
    ck.p = p, ck.off = 0, ck.len = 4 * PAGE, ck.seed = 0x11;
    CHECK_EXIT(run_child(child_verify, 0), 0);
    CHECK_KILLED(run_child(child_write, (long)(p + PAGE + 5)), SIGSEGV);
    CHECK_RET(mprotect(p, 4 * PAGE, PROT_NONE), 0);
    CHECK_KILLED(run_child(child_read, (long)(p + 2 * PAGE)), SIGSEGV);
    CHECK_RET(mprotect(p, 4 * PAGE, RW), 0);
    CHECK(bad_at(p, 0, 4 * PAGE, 0x11) < 0, "contents changed across PROT_READ, PROT_NONE, RW");
    p[3 * PAGE] = 9;
    CHECK(p[3 * PAGE] == 9, "write after RW lost");
    /* Untouched pages: the protection holds for the first touch too. */
    MAP(q, 2 * PAGE);
    CHECK_RET(mprotect(q, 2 * PAGE, PROT_READ), 0);
    CHECK_KILLED(run_child(child_write, (long)(q + PAGE)), SIGSEGV);
    CHECK(nonzero_at(q, 2 * PAGE, 1) < 0, "an untouched read-only page is not zero");
    CHECK_KILLED(run_child(child_write, (long)q), SIGSEGV); /* now mapped to the zero page */
    CHECK_RET(mprotect(q, 2 * PAGE, PROT_NONE), 0);
    CHECK_KILLED(run_child(child_read, (long)(q + PAGE)), SIGSEGV);
    CHECK_RET(mprotect(q, 2 * PAGE, RW), 0);
    q[PAGE] = 3;
    CHECK(q[PAGE] == 3 && q[0] == 0 && q[PAGE + 1] == 0, "RW after READ: %d %d", q[PAGE], q[0]);
}

static void t_munmap_holes(void)
{
    MAP(p, 16 * PAGE);
    fill(p, 0, 16 * PAGE, 0x22);
    CHECK_RET(munmap(p + 4 * PAGE, 4 * PAGE), 0);
    CHECK_KILLED(run_child(child_read, (long)(p + 5 * PAGE)), SIGSEGV);
    CHECK_KILLED(run_child(child_read, (long)(p + 4 * PAGE)), SIGSEGV);
    CHECK_KILLED(run_child(child_write, (long)(p + 8 * PAGE - 1)), SIGSEGV);
    CHECK(bad_at(p, 0, 4 * PAGE, 0x22) < 0 && bad_at(p, 8 * PAGE, 8 * PAGE, 0x22) < 0,
          "pages around the hole changed");
    long r = mmap2(p + 4 * PAGE, 4 * PAGE, RW, ANON | MAP_FIXED, -1, 0);
    CHECK(r == (long)(p + 4 * PAGE), "mmap2 MAP_FIXED at the hole = %ld %s", r, rname(r));
    CHECK(nonzero_at(p + 4 * PAGE, 4 * PAGE, 1) < 0, "the re-mapped hole is not zero");
    /* MAP_FIXED over pages in use replaces them with zeros. */
    r = mmap2(p + 9 * PAGE, 2 * PAGE, RW, ANON | MAP_FIXED, -1, 0);
    CHECK(r == (long)(p + 9 * PAGE), "mmap2 MAP_FIXED over pages 9-10 = %ld %s", r, rname(r));
    CHECK(nonzero_at(p + 9 * PAGE, 2 * PAGE, 1) < 0, "MAP_FIXED over written pages is not zero");
    CHECK(bad_at(p, 3 * PAGE, PAGE, 0x22) < 0 && bad_at(p, 8 * PAGE, PAGE, 0x22) < 0 &&
              bad_at(p, 11 * PAGE, 5 * PAGE, 0x22) < 0,
          "pages 3, 8 or 11-15 changed");
}

/* ------------------------------------------------ the kernel's own accesses */

static int child_write_pattern(long fd)
{
    char buf[8192];
    fill(buf, 0, sizeof buf, 0x33);
    return write_full((int)fd, buf, sizeof buf) == sizeof buf ? 0 : 1;
}

static int child_read_zeros(long fd)
{
    char buf[8192];
    memset(buf, 0x55, sizeof buf);
    if (read_full((int)fd, buf, sizeof buf) != sizeof buf)
        return 1;
    return nonzero_at(buf, sizeof buf, 1) < 0 ? 0 : 2;
}

/* read() into never-touched memory, write() from it. */
static void t_read_untouched(void)
{
    int a[2], b[2];
    CHECK_RET(pipe(a), 0);
    long pid = fork();
    CHECK(pid >= 0, "fork = %ld", pid);
    if (pid == 0) {
        close(a[0]);
        exit(child_write_pattern(a[1]));
    }
    close(a[1]);
    MAP(m, 4 * PAGE);
    CHECK_RET(read_full(a[0], m + 100, 8192), 8192);
    for (size_t i = 0; i < 8192 / 4; i++)
        CHECK(memcmp(m + 100 + i * 4, &(uint32_t){pat(i, 0x33)}, 4) == 0, "word %u read wrong", i);
    CHECK(nonzero_at(m, 100, 1) < 0 && nonzero_at(m + 100 + 8192, 4 * PAGE - 8292, 1) < 0,
          "read() wrote outside its buffer");
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
    CHECK_RET(pipe(b), 0);
    pid = fork();
    CHECK(pid >= 0, "fork = %ld", pid);
    if (pid == 0) {
        close(b[1]);
        exit(child_read_zeros(b[0]));
    }
    close(b[0]);
    MAP(z, 3 * PAGE);
    CHECK_RET(write_full(b[1], z + 10, 8192), 8192);
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
}

/* read() into a page that reads as the zero page must not write the zero page. */
static void t_read_into_zero_page(void)
{
    MAP(q, 2 * PAGE);
    CHECK(q[0] == 0 && q[PAGE] == 0 && q[100] == 0, "new mapping not zero");
    int a[2];
    CHECK_RET(pipe(a), 0);
    CHECK_RET(write(a[1], "copyout", 7), 7);
    CHECK_RET(read(a[0], q + 10, 7), 7);
    CHECK(memcmp(q + 10, "copyout", 7) == 0, "read() data wrong");
    CHECK(nonzero_at(q, 10, 1) < 0 && nonzero_at(q + 17, PAGE - 17, 1) < 0, "rest of the page not zero");
    CHECK(nonzero_at(q + PAGE, PAGE, 1) < 0, "the other zero-page page changed");
    MAP(r, PAGE);
    CHECK(nonzero_at(r, PAGE, 1) < 0, "a fresh mapping reads non-zero: the zero page was written");
}

static void t_madvise(void)
{
    MAP(p, 8 * PAGE);
    fill(p, 0, 8 * PAGE, 0x44);
    long f0 = frames();
    CHECK_RET(syscall3(SYS_madvise, (long)(p + 2 * PAGE), 4 * PAGE, MADV_DONTNEED), 0);
    long f1 = frames();
    CHECK(nonzero_at(p + 2 * PAGE, 4 * PAGE, 1) < 0, "MADV_DONTNEED pages do not read 0");
    CHECK(bad_at(p, 0, 2 * PAGE, 0x44) < 0 && bad_at(p, 6 * PAGE, 2 * PAGE, 0x44) < 0,
          "pages outside the range changed");
    p[3 * PAGE] = 7;
    CHECK(p[3 * PAGE] == 7, "write after MADV_DONTNEED lost");
    /* Shared with a child by fork: the parent drops its pages, the child keeps its own. */
    fill(p, 0, 8 * PAGE, 0x45);
    int rel[2];
    long pid = waiter(rel, p, 8 * PAGE, 0x45);
    CHECK(pid > 0, "no waiter");
    long r = syscall3(SYS_madvise, (long)p, 8 * PAGE, MADV_DONTNEED);
    long bad = nonzero_at(p, 8 * PAGE, 1);
    CHECK_EXIT(release(pid, rel), 0);
    CHECK(r == 0, "madvise after fork = %ld %s", r, rname(r));
    CHECK(bad < 0, "parent's byte %ld not zero after MADV_DONTNEED", bad);
    utest_note("MADV_DONTNEED of 4 pages gave back %ld frames", f1 - f0);
    KCHECK(f1 - f0 >= 4, "MADV_DONTNEED of 4 written pages gave back %ld frames", f1 - f0);
}

/* ----------------------------------------------------------- copy-on-write */

static int child_cow_ab(long unused)
{
    (void)unused;
    if (bad_at(ck.p, 0, ck.len, ck.seed) >= 0)
        return 1; /* did not see A */
    fill(ck.p, 0, ck.len, 0xB);
    return bad_at(ck.p, 0, ck.len, 0xB) < 0 ? 0 : 2;
}

static void t_cow(void)
{
    MAP(p, 64 * PAGE);
    fill(p, 0, 64 * PAGE, 0xA);
    ck.p = p, ck.off = 0, ck.len = 64 * PAGE, ck.seed = 0xA;
    CHECK_EXIT(run_child(child_cow_ab, 0), 0);
    long bad = bad_at(p, 0, 64 * PAGE, 0xA);
    CHECK(bad < 0, "after the child wrote B the parent's byte %ld changed", bad);
    fill(p, 0, 64 * PAGE, 0xC);
    ck.seed = 0xC; /* a second child sees C, not the first child's B */
    CHECK_EXIT(run_child(child_verify, 0), 0);
    /* The child alive while the parent writes: it keeps the old values. */
    int rel[2];
    long pid = waiter(rel, p, 64 * PAGE, 0xC);
    CHECK(pid > 0, "no waiter");
    fill(p, 0, 64 * PAGE, 0xD);
    CHECK_EXIT(release(pid, rel), 0);
    CHECK(bad_at(p, 0, 64 * PAGE, 0xD) < 0, "the parent's writes did not stick");
}

/* Three sharers: two children hold A while the parent writes twice. */
static void t_cow_three(void)
{
    MAP(p, 8 * PAGE);
    fill(p, 0, 8 * PAGE, 0xA1);
    int r1[2], r2[2];
    long c1 = waiter(r1, p, 8 * PAGE, 0xA1);
    CHECK(c1 > 0, "no waiter");
    long c2 = waiter(r2, p, 8 * PAGE, 0xA1);
    CHECK(c2 > 0, "no waiter");
    fill(p, 0, 4 * PAGE, 0xC1);
    CHECK_EXIT(release(c1, r1), 0);
    fill(p, 0, 8 * PAGE, 0xD1);
    CHECK_EXIT(release(c2, r2), 0);
    CHECK(bad_at(p, 0, 8 * PAGE, 0xD1) < 0, "the parent's writes did not stick");
}

/* mprotect must not make a shared page writable in place. */
static void t_cow_mprotect(void)
{
    MAP(p, 4 * PAGE);
    fill(p, 0, 4 * PAGE, 0x55);
    int rel[2];
    long pid = waiter(rel, p, 4 * PAGE, 0x55);
    CHECK(pid > 0, "no waiter");
    long r1 = mprotect(p, 4 * PAGE, PROT_READ), r2 = mprotect(p, 4 * PAGE, RW);
    if (r1 == 0 && r2 == 0)
        fill(p, 0, 4 * PAGE, 0x56);
    CHECK_EXIT(release(pid, rel), 0);
    CHECK(r1 == 0 && r2 == 0, "mprotect = %ld, %ld", r1, r2);
    CHECK(bad_at(p, 0, 4 * PAGE, 0x56) < 0, "the parent's writes did not stick");
}

/* read() into a shared page must copy it, as a write would. */
static void t_cow_copyout(void)
{
    MAP(p, 2 * PAGE);
    fill(p, 0, 2 * PAGE, 0x66);
    int rel[2], d[2];
    CHECK_RET(pipe(d), 0);
    CHECK_RET(write(d[1], "new data!", 9), 9);
    long pid = waiter(rel, p, 2 * PAGE, 0x66);
    CHECK(pid > 0, "no waiter");
    long r = read(d[0], p + PAGE - 4, 9); /* across the two pages */
    CHECK_EXIT(release(pid, rel), 0);
    CHECK(r == 9, "read = %ld %s", r, rname(r));
    CHECK(memcmp(p + PAGE - 4, "new data!", 9) == 0, "the parent's read() data is wrong");
}

static int child_write_untouched(long addr)
{
    char *p = (char *)addr;
    if (nonzero_at(p, 4 * PAGE, 1) >= 0)
        return 1;
    for (int i = 0; i < 4; i++)
        p[i * PAGE + 1] = 0x77;
    return p[PAGE + 1] == 0x77 && nonzero_at(p, 1, 1) < 0 ? 0 : 2;
}

static int child_sees_parent(long addr)
{
    char *p = (char *)addr;
    return p[PAGE + 1] == 0x11 && nonzero_at(p, PAGE, 1) < 0 && nonzero_at(p + 2 * PAGE, 2 * PAGE, 1) < 0 ? 0
                                                                                                          : 1;
}

/* Untouched and zero-page pages across fork. */
static void t_cow_untouched(void)
{
    MAP(p, 4 * PAGE);
    CHECK(p[0] == 0, "not zero"); /* page 0 read (zero page), pages 1-3 untouched */
    CHECK_EXIT(run_child(child_write_untouched, (long)p), 0);
    CHECK(nonzero_at(p, 4 * PAGE, 1) < 0, "the child's writes showed in the parent");
    p[PAGE + 1] = 0x11;
    CHECK_EXIT(run_child(child_sees_parent, (long)p), 0);
}

/* -------------------------------------------------------- the cost of fork */

static void t_cheap_fork(void)
{
    MAP(p, 16 * MiB);
    for (size_t off = 0; off < 16 * MiB; off += PAGE)
        p[off] = 1;
    int g[2];
    CHECK_RET(pipe(g), 0);
    long f[2] = {0, 0}, f0 = frames();
    long pid = fork();
    CHECK(pid >= 0, "fork = %ld", pid);
    if (pid == 0) {
        f[0] = frames();
        for (int k = 0; k < 16; k++)
            p[k * MiB + 64] = 2;
        f[1] = frames();
        exit(write(g[1], f, sizeof f) == sizeof f ? 0 : 1);
    }
    close(g[1]);
    CHECK_RET(read_full(g[0], f, sizeof f), sizeof f);
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
    CHECK(p[64] == 0 && p[15 * MiB + 64] == 0 && p[15 * MiB] == 1, "the child's writes showed in the parent");
    utest_note("fork of 16 MiB used %ld frames; 16 writes in the child %ld more", f0 - f[0], f[0] - f[1]);
    KCHECK(f0 - f[0] < (long)(16 * MiB / PAGE / 8), "fork used %ld frames", f0 - f[0]);
    KCHECK(f[0] - f[1] >= 16 && f[0] - f[1] <= 24, "16 writes after fork used %ld frames", f[0] - f[1]);
}

static char *cycle_buf;

static int child_cycle(long i)
{
    for (int k = 0; k < 4; k++)
        cycle_buf[((i + k * 16) % 64) * PAGE] ^= 1;
    return bad_at(cycle_buf, 64, PAGE - 64, 0x99) < 0 ? 0 : 1; /* nobody writes there */
}

static int child_exec_hello(long unused)
{
    (void)unused;
    char path[128];
    char *argv[] = {"hello", NULL}, *envp[] = {NULL};
    snprintf(path, sizeof path, "%shello", prefix);
    close(1); /* hello writes to nothing */
    long r = execve(path, argv, envp);
    return r < 0 ? (int)-r : 250;
}

/* 200 fork/exit/wait and 10 fork/execve cycles give back every frame. */
static void t_fork_cycles(void)
{
    MAP(p, 64 * PAGE);
    cycle_buf = p;
    fill(p, 0, 64 * PAGE, 0x99);
    CHECK_EXIT(run_child(child_cycle, 0), 0);
    CHECK_EXIT(run_child(child_exec_hello, 0), 0);
    p[PAGE] ^= 2;
    long f0 = frames();
    for (int i = 0; i < 200; i++) {
        CHECK_EXIT(run_child(child_cycle, i), 0);
        p[(i % 64) * PAGE + 8] ^= 4; /* the parent writes too, shared or not */
        if (i % 20 == 0)
            CHECK_EXIT(run_child(child_exec_hello, 0), 0);
    }
    long f1 = frames();
    utest_note("free frames %ld before, %ld after", f0, f1);
    /* Nothing leaked: every frame the child took is back. There may be more: under
     * memory pressure the kernel also gives back its heap's cached pages. */
    KCHECK(f1 >= f0, "free frames %ld before, %ld after", f0, f1);
}

/* ------------------------------------------------------------------ stack */

static int mile_fd = -1, miles;
static uintptr_t stack_base;

/* Recurse n deep with 100 bytes each; the sum of 0..n (n < 65536). Each MiB
 * of depth, write a byte to mile_fd when that is set. */
static int deep(int n)
{
    volatile unsigned char local[100];
    local[0] = (unsigned char)n;
    local[99] = (unsigned char)(n >> 8);
    if (mile_fd >= 0 && (stack_base - (uintptr_t)local) >> 20 > (uintptr_t)miles) {
        miles++;
        write(mile_fd, "m", 1);
    }
    int r = n > 0 ? deep(n - 1) : 0;
    return r + local[0] + (local[99] << 8);
}

static int child_deep(long n)
{
    return deep((int)n) == 50005000 ? 0 : 1;
}

static int child_big_local(long unused)
{
    (void)unused;
    volatile char big[MiB];
    big[0] = 1;
    big[MiB / 2] = 2;
    big[MiB - 1] = 3;
    return big[0] + big[MiB / 2] + big[MiB - 1] == 6 ? 0 : 1;
}

static int child_below_esp(long dist)
{
    char *sp;
    __asm__ volatile("movl %%esp, %0" : "=r"(sp));
    *(volatile char *)(sp - dist) = 1;
    return 0;
}

static int child_unbounded(long fd)
{
    if (utest_linux) { /* our kernel's limit, whatever this shell's ulimit -s says */
        unsigned long rl[2] = {0, 0};
        syscall2(SYS_ugetrlimit, RLIMIT_STACK, (long)rl);
        rl[0] = rl[1] < 8 * MiB ? rl[1] : 8 * MiB;
        syscall2(SYS_setrlimit, RLIMIT_STACK, (long)rl);
    }
    char here;
    stack_base = (uintptr_t)&here;
    mile_fd = (int)fd;
    volatile int n = 0x7fffffff;
    return deep(n) & 0; /* not reached */
}

static void t_stack_growth(void)
{
    CHECK_EXIT(run_child(child_deep, 10000), 0);
    CHECK_EXIT(run_child(child_big_local, 0), 0);
}

static void t_stack_guard(void)
{
    int st = run_child(child_below_esp, MiB);
    if (utest_linux && WIFEXITED(st) && WEXITSTATUS(st) == 0)
        utest_note("Linux grew the stack to esp - 1 MiB");
    else
        CHECK_KILLED(st, SIGSEGV);
}

static void t_stack_limit(void)
{
    int g[2];
    CHECK_RET(pipe(g), 0);
    long pid = fork();
    CHECK(pid >= 0, "fork = %ld", pid);
    if (pid == 0) {
        close(g[0]);
        exit(child_unbounded(g[1]));
    }
    close(g[1]);
    char m[16];
    long n = read_full(g[0], m, sizeof m);
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_KILLED(st, SIGSEGV);
    CHECK(n == 7, "the stack reached %ld MiB below its start, want 7 (an 8 MiB limit)", n);
}

/* ------------------------------------------------------------ text sharing */

static int hold(int w, int r)
{
    unsigned sum = 0;
    for (const char *p = __executable_start; p < etext; p += PAGE)
        sum += *(const volatile unsigned char *)p;
    char c = (char)sum;
    write(w, &c, 1);
    close(w);
    return read(r, &c, 1) == 1 ? 0 : 1;
}

static void t_text_sharing(void)
{
    long tpages = (long)((PUP(etext) - (uintptr_t)__executable_start) / PAGE);
    hold(-1, -1); /* every text page present in this process too */
    int ready[2], rel[2];
    CHECK_RET(pipe(rel), 0);
    char path[128], wfd[12], rfd[12];
    snprintf(path, sizeof path, "%svmtests", prefix);
    snprintf(rfd, sizeof rfd, "%d", rel[0]);
    char *argv[] = {"vmtests", "--hold", wfd, rfd, NULL}, *envp[] = {NULL};
    long cost[2] = {-1, -1}, pid[2] = {-1, -1};
    for (int k = 0; k < 2; k++) {
        if (pipe(ready) != 0) /* one per holder: EOF, not a hang, if it dies */
            break;
        snprintf(wfd, sizeof wfd, "%d", ready[1]);
        long f0 = frames();
        pid[k] = fork();
        if (pid[k] == 0) {
            execve(path, argv, envp);
            exit(127);
        }
        close(ready[1]);
        char c = 0;
        long r = pid[k] < 0 ? -1 : read(ready[0], &c, 1);
        cost[k] = f0 - frames();
        close(ready[0]);
        if (r != 1)
            break;
    }
    write(rel[1], "gg", 2);
    for (int k = 0; k < 2; k++) {
        int st = -1;
        CHECK(pid[k] > 0 && wait4(pid[k], &st, 0, NULL) == pid[k], "fork %d = %ld", k, pid[k]);
        CHECK_EXIT(st, 0);
    }
    utest_note("text %ld pages; the running copies cost %ld and %ld frames", tpages, cost[0], cost[1]);
    KCHECK(cost[0] < tpages && cost[1] < tpages, "a copy of a %ld-page text costs %ld, then %ld frames",
           tpages, cost[0], cost[1]);
}

/* -------------------------------------------------------------------- oom */

static int child_oom(long unused)
{
    (void)unused;
    for (int i = 0; i < 48; i++) { /* 3 GiB: more than the address space left */
        long r = mmap2(NULL, 64 * MiB, RW, ANON, -1, 0);
        if (r == -ENOMEM)
            return 42;
        if (sys_failed(r))
            return 43;
        for (size_t off = 0; off < 64 * MiB; off += PAGE)
            ((volatile char *)r)[off] = 1;
    }
    return 44;
}

static int child_after_oom(long unused)
{
    (void)unused;
    long r = mmap2(NULL, MiB, RW, ANON, -1, 0);
    if (sys_failed(r))
        return 1;
    memset((char *)r, 0x12, MiB);
    return ((char *)r)[MiB - 1] == 0x12 ? 0 : 2;
}

static void t_oom(void)
{
    long f0 = frames();
    int st = run_child(child_oom, 0);
    CHECK(st != -1, "no child");
    long f1 = frames();
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 42))
        CHECK_KILLED(st, SIGKILL);
    CHECK_EXIT(run_child(child_after_oom, 0), 0);
    utest_note("%s; free frames %ld before, %ld after", WIFEXITED(st) ? "mmap2 said ENOMEM" : "SIGKILL", f0,
               f1);
    /* Nothing leaked: every frame the child took is back. There may be more: under
     * memory pressure the kernel also gives back its heap's cached pages. */
    KCHECK(f1 >= f0, "free frames %ld before, %ld after", f0, f1);
}

/* ----------------------------------------------------------------- runner */

static const struct {
    const char *name;
    void (*fn)(void);
    bool kernel_only;
} tests[] = {
    {"zero-fill", t_zero_fill, false},
    {"lazy-cost", t_lazy_cost, false},
    {"zero-page", t_zero_page, false},
    {"brk-regrow", t_brk_regrow, false},
    {"mprotect", t_mprotect, false},
    {"munmap-holes", t_munmap_holes, false},
    {"read-untouched", t_read_untouched, false},
    {"read-into-zero-page", t_read_into_zero_page, false},
    {"madvise", t_madvise, false},
    {"cow", t_cow, false},
    {"cow-three", t_cow_three, false},
    {"cow-mprotect", t_cow_mprotect, false},
    {"cow-copyout", t_cow_copyout, false},
    {"cow-untouched", t_cow_untouched, false},
    {"cheap-fork", t_cheap_fork, false},
    {"fork-cycles", t_fork_cycles, false},
    {"stack-growth", t_stack_growth, false},
    {"stack-guard", t_stack_guard, false},
    {"stack-limit", t_stack_limit, false},
    {"text-sharing", t_text_sharing, false},
    {"oom", t_oom, true}, /* last: it fills the memory */
};

static long start_brk;

/* After each test: unmap what it mapped, put the break back. */
static void after_test(void)
{
    for (unsigned i = 0; i < nmaps; i++)
        munmap(maps[i].p, maps[i].len);
    nmaps = 0;
    brk((void *)start_brk);
}

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    utest_prog = "vmtests";
    if (argc == 4 && strcmp(argv[1], "--hold") == 0)
        return hold(atoi(argv[2]), atoi(argv[3]));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--linux") == 0)
            utest_linux = true;
        else
            prefix = argv[i];
    }
    start_brk = brk(0);
    printf("vmtests: starting, pid %ld, %ld free frames, programs from %s%s\n", getpid(), frames(), prefix,
           utest_linux ? ", Linux host mode" : "");
    for (unsigned t = 0; t < sizeof tests / sizeof tests[0]; t++) {
        if (tests[t].kernel_only && utest_linux)
            printf("vmtests: skip %s (not on Linux)\n", tests[t].name);
        else
            utest_run(tests[t].name, tests[t].fn, after_test);
    }
    return utest_summary();
}
