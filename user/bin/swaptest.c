/*
 * user/bin/swaptest.c - more memory than the machine has: the kernel must swap.
 *
 * Run on a small machine (16-24 MiB) with a swap disk. Each test stamps every
 * page with a value derived from its address and a seed, and checks it back:
 *
 *   two-x-ram      one mapping of twice the RAM: written, read in order, read
 *                  in a scrambled order, partly rewritten and read again;
 *   four-procs     four processes of 3/4 of RAM each at once, each checking
 *                  its own data (they push each other's pages out);
 *   fork-cow       a 3/4-RAM process forks; the child rewrites everything, the
 *                  parent's data stays its own (copy-on-write under pressure);
 *   shared-swap    pages a parent and child share (after fork) go to swap while
 *                  both map them; the child reads them back, then the parent
 *                  does while the child still maps them: the kernel finds them
 *                  in its swap cache (read once, shared again: vmstat counts it);
 *   exhaust        a child takes pages until RAM and swap are both full: it is
 *                  killed (SIGKILL) and this process goes on unharmed;
 *   slots          after everything, the swap slots in use (sysinfo) are back
 *                  to where they started.
 *
 * Last line: `swaptest: N passed, N failed`. On Linux (--linux) it runs too,
 * with sizes from the host's RAM capped at 64 MiB, and skips `exhaust` and the
 * exact slot count.
 */
#include "ulib.h"
#include "utest.h"

#define PAGE 4096u

static unsigned long ram_bytes, swap_bytes;
#define linux_host utest_linux

static unsigned long long unit(void)
{
    struct sysinfo si;
    sysinfo(&si);
    return si.mem_unit ? si.mem_unit : 1;
}

static void sizes(void)
{
    struct sysinfo si;
    sysinfo(&si);
    unsigned long long u = unit();
    ram_bytes = (unsigned long)(si.totalram * u);
    swap_bytes = (unsigned long)(si.totalswap * u);
    if (linux_host)
        ram_bytes = 16u * 1024 * 1024; /* pretend: the host has far more */
}

static unsigned long swap_in_use(void)
{
    struct sysinfo si;
    sysinfo(&si);
    return si.totalswap - si.freeswap;
}

static uint32_t stamp(uintptr_t page, uint32_t seed)
{
    uint32_t x = (uint32_t)page ^ seed;
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    return x;
}

static volatile uint32_t *map(size_t len)
{
    long r = mmap2(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return r < 0 && r > -4096 ? 0 : (volatile uint32_t *)r;
}

static void fill(volatile uint32_t *p, size_t len, uint32_t seed)
{
    for (size_t off = 0; off < len; off += PAGE) {
        uintptr_t page = (uintptr_t)p + off;
        p[off / 4] = stamp(page, seed);
        p[off / 4 + 1023] = ~stamp(page, seed);
    }
}

/* Pages that do not hold their stamp (checking in a scrambled order when `scramble`). */
static size_t wrong(volatile uint32_t *p, size_t len, uint32_t seed, bool scramble)
{
    size_t pages = len / PAGE, bad = 0;
    for (size_t i = 0; i < pages; i++) {
        size_t k = scramble ? (i * 7919u) % pages : i; /* 7919 is prime: a permutation unless it divides pages */
        uintptr_t page = (uintptr_t)p + k * PAGE;
        if (p[k * PAGE / 4] != stamp(page, seed) || p[k * PAGE / 4 + 1023] != ~stamp(page, seed))
            bad++;
    }
    return bad;
}

static void t_two_x_ram(void)
{
    size_t len = 2 * ram_bytes;
    volatile uint32_t *p = map(len);
    CHECK(p != 0, "mmap2 of %lu bytes failed", (unsigned long)len);
    fill(p, len, 1);
    CHECK(wrong(p, len, 1, false) == 0, "pages lost, in order");
    CHECK(wrong(p, len, 1, true) == 0, "pages lost, scrambled");
    fill(p, len / 2, 2); /* rewrite the first half: pages come back, change, go out again */
    CHECK(wrong(p, len / 2, 2, true) == 0, "rewritten half wrong");
    CHECK(wrong((volatile uint32_t *)((uintptr_t)p + len / 2), len / 2, 1, false) == 0, "second half changed");
    CHECK_RET(munmap((void *)p, len), 0);
}

static int child_own_data(long seed)
{
    size_t len = ram_bytes / 4 * 3;
    volatile uint32_t *p = map(len);
    if (!p)
        return 2;
    fill(p, len, (uint32_t)seed);
    for (int round = 0; round < 2; round++) {
        if (wrong(p, len, (uint32_t)seed, round & 1))
            return 3;
        sched_yield();
    }
    return 0;
}

static void t_four_procs(void)
{
    long pids[4];
    for (int i = 0; i < 4; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0, "fork failed: %ld", pids[i]);
        if (pids[i] == 0)
            exit(child_own_data(100 + i));
    }
    for (int i = 0; i < 4; i++) {
        int st = 0;
        CHECK_RET(wait4(pids[i], &st, 0, NULL), pids[i]);
        CHECK_EXIT(st, 0);
    }
}

static void t_fork_cow(void)
{
    size_t len = ram_bytes / 4 * 3;
    volatile uint32_t *p = map(len);
    CHECK(p != 0, "mmap2 failed");
    fill(p, len, 7);
    long pid = fork();
    CHECK(pid >= 0, "fork failed: %ld", pid);
    if (pid == 0) {
        if (wrong(p, len, 7, false))
            exit(4); /* the child sees the parent's data */
        fill(p, len, 8);
        exit(wrong(p, len, 8, true) ? 5 : 0);
    }
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
    CHECK(wrong(p, len, 7, true) == 0, "the parent's data changed");
    CHECK_RET(munmap((void *)p, len), 0);
}

static void t_shared_swap(void)
{
    size_t len = ram_bytes / 2;
    volatile uint32_t *p = map(len);
    CHECK(p != 0, "mmap2 failed");
    fill(p, len, 21);
    int go[2], done[2];
    CHECK_RET(pipe(go), 0);
    CHECK_RET(pipe(done), 0);
    long pid = fork();
    CHECK(pid >= 0, "fork failed: %ld", pid);
    if (pid == 0) {
        char c;
        read(go[0], &c, 1);
        bool ok = wrong(p, len, 21, false) == 0; /* read back from swap */
        write(done[1], ok ? "y" : "n", 1);
        read(go[0], &c, 1); /* keep mapping the pages while the parent reads */
        exit(ok ? 0 : 8);
    }
    /* Push the shared pages out: another mapping as big as RAM, written. */
    size_t push = ram_bytes;
    volatile uint32_t *q = map(push);
    CHECK(q != 0, "mmap2 failed");
    fill(q, push, 22);
    CHECK_RET(munmap((void *)q, push), 0);
    char answer = 0;
    write(go[1], "x", 1);
    read(done[0], &answer, 1);
    CHECK(answer == 'y', "the child read wrong data back");
    CHECK(wrong(p, len, 21, false) == 0, "the parent read wrong data back");
    write(go[1], "x", 1);
    int st = 0;
    CHECK_RET(wait4(pid, &st, 0, NULL), pid);
    CHECK_EXIT(st, 0);
    CHECK_RET(munmap((void *)p, len), 0);
}

static int child_exhausts(long unused)
{
    (void)unused;
    size_t len = ram_bytes + swap_bytes + 16u * 1024 * 1024;
    volatile uint32_t *p = map(len);
    if (!p)
        return 6;
    fill(p, len, 9); /* never finishes: killed when RAM and swap are full */
    return 7;
}

static void t_exhaust(void)
{
    if (linux_host)
        return;
    size_t len = ram_bytes / 4;
    volatile uint32_t *mine = map(len);
    CHECK(mine != 0, "mmap2 failed");
    fill(mine, len, 11);
    CHECK_KILLED(run_child(child_exhausts, 0), SIGKILL);
    CHECK(wrong(mine, len, 11, true) == 0, "this process's data was harmed");
    CHECK_RET(munmap((void *)mine, len), 0);
}

static unsigned long slots_at_start;

static void t_slots(void)
{
    unsigned long now = swap_in_use();
    if (!linux_host)
        CHECK(now == slots_at_start, "%lu swap pages in use, %lu at the start", now, slots_at_start);
}

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    utest_prog = "swaptest";
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--linux") == 0)
            linux_host = true;
    sizes();
    slots_at_start = swap_in_use();
    printf("swaptest: %lu KiB of RAM, %lu KiB of swap\n", ram_bytes >> 10, swap_bytes >> 10);
    if (!linux_host && swap_bytes < ram_bytes * 2) {
        printf("swaptest: needs swap of at least twice the RAM\n");
        utest_failed++;
        return utest_summary();
    }
    utest_run("two-x-ram", t_two_x_ram, NULL);
    utest_run("four-procs", t_four_procs, NULL);
    utest_run("fork-cow", t_fork_cow, NULL);
    utest_run("shared-swap", t_shared_swap, NULL);
    utest_run("exhaust", t_exhaust, NULL);
    utest_run("slots", t_slots, NULL);
    return utest_summary();
}
