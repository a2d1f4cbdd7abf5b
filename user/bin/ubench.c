/*
 * user/bin/ubench.c - what the kernel's basic operations cost, in instructions.
 *
 * Run under QEMU with `-icount shift=0` (make bench does): the virtual clock then
 * advances one nanosecond per guest instruction, and RDTSC reads that clock, so
 * the difference of two RDTSCs is the number of instructions executed between
 * them, the same on every host. Each figure is the smallest of several rounds
 * (a round that a timer tick lands in is longer by the tick's cost).
 *
 *   getpid round trip       int 0x80 into the kernel, dispatch, IRET back
 *   switch                  sched_yield between two processes: one switch each
 *   fork+exit+wait          of this small process
 *   exec                    from execve to the first instruction of main in
 *                           big100k, a program with 100 KiB of initialised data
 *   zeroing a page          1024 word stores in user mode: the yardstick for
 *   demand-zero fault       the first write to an untouched anonymous page
 *   copy-on-write fault     the first write to a page shared with a child
 *   fork, 16 MiB touched    fork alone (the parent's side), against
 *   copying 16 MiB          a plain word-by-word copy between two touched buffers
 *   munmap of 64 MiB        touched memory given back
 */
#include "ulib.h"

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline long raw_getpid(void)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
    return r;
}

#define ROUNDS 7

static uint64_t min_of(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t bench_getpid(void)
{
    enum { N = 1000 };
    uint64_t best = ~0ull;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < N; i++)
            raw_getpid();
        uint64_t t1 = rdtsc();
        for (int i = 0; i < N; i++)
            __asm__ volatile("" ::: "memory"); /* the loop alone */
        uint64_t t2 = rdtsc();
        best = min_of(best, ((t1 - t0) - (t2 - t1)) / N);
    }
    return best;
}

static uint64_t bench_switch(void)
{
    enum { N = 500 };
    uint64_t best = ~0ull;
    for (int r = 0; r < ROUNDS; r++) {
        int go[2];
        pipe(go);
        long pid = fork();
        if (pid == 0) {
            char c;
            read(go[0], &c, 1); /* start together */
            for (int i = 0; i < N + 10; i++)
                sched_yield();
            exit(0);
        }
        write(go[1], "x", 1);
        sched_yield(); /* let the child reach its loop */
        uint64_t t0 = rdtsc();
        for (int i = 0; i < N; i++)
            sched_yield(); /* to the child, and back: two switches */
        uint64_t t1 = rdtsc();
        waitpid(pid, 0, 0);
        close(go[0]);
        close(go[1]);
        best = min_of(best, (t1 - t0) / (2 * N));
    }
    return best;
}

static uint64_t bench_fork(void)
{
    uint64_t best = ~0ull;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = rdtsc();
        long pid = fork();
        if (pid == 0)
            exit(0);
        waitpid(pid, 0, 0);
        best = min_of(best, rdtsc() - t0);
    }
    return best;
}

static uint64_t bench_exec(void)
{
    uint64_t best = ~0ull;
    for (int r = 0; r < ROUNDS; r++) {
        int fds[2];
        pipe(fds);
        long pid = fork();
        if (pid == 0) {
            char out[12], start[17];
            snprintf(out, sizeof out, "%d", fds[1]);
            char *argv[] = {"big100k", out, start, 0};
            uint64_t t0 = rdtsc();
            for (int i = 15; i >= 0; i--, t0 >>= 4) /* hex, by hand: a few dozen instructions */
                start[i] = "0123456789abcdef"[t0 & 15];
            start[16] = '\0';
            execve("/bin/big100k", argv, 0);
            exit(1);
        }
        close(fds[1]);
        uint64_t cost = 0;
        read(fds[0], &cost, sizeof cost);
        close(fds[0]);
        waitpid(pid, 0, 0);
        if (cost)
            best = min_of(best, cost);
    }
    return best;
}

#define PAGE    4096u
#define MIB     (1024u * 1024)
#define RW      (PROT_READ | PROT_WRITE)
#define ANON    (MAP_PRIVATE | MAP_ANONYMOUS)

static uint32_t *map(size_t len)
{
    long r = mmap2(0, len, RW, ANON, -1, 0);
    return r < 0 && r > -4096 ? 0 : (uint32_t *)r;
}

static void touch(volatile uint32_t *p, size_t len)
{
    for (size_t i = 0; i < len / 4; i += PAGE / 4)
        p[i] = (uint32_t)i;
}

static uint64_t bench_zero_page(void)
{
    uint32_t *p = map(PAGE);
    touch(p, PAGE);
    uint64_t best = ~0ull;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = rdtsc();
        for (volatile uint32_t *w = p; w < p + PAGE / 4; w++)
            *w = 0;
        best = min_of(best, rdtsc() - t0);
    }
    munmap(p, PAGE);
    return best;
}

/* Per page: the first write to each of 256 untouched pages. */
static uint64_t bench_demand_zero(void)
{
    enum { N = 256 };
    uint64_t best = ~0ull;
    for (int r = 0; r < ROUNDS; r++) {
        volatile uint32_t *p = map(N * PAGE);
        uint64_t t0 = rdtsc();
        for (unsigned i = 0; i < N; i++)
            p[i * PAGE / 4] = i;
        best = min_of(best, (rdtsc() - t0) / N);
        munmap((void *)p, N * PAGE);
    }
    return best;
}

/* Per page: the first write to each of 256 pages a child still shares. */
static uint64_t bench_cow(void)
{
    enum { N = 256 };
    uint64_t best = ~0ull;
    for (int r = 0; r < ROUNDS; r++) {
        volatile uint32_t *p = map(N * PAGE);
        touch(p, N * PAGE);
        int hold[2];
        pipe(hold);
        long pid = fork();
        if (pid == 0) {
            char c;
            read(hold[0], &c, 1); /* keeps the pages shared until the parent is done */
            exit(0);
        }
        uint64_t t0 = rdtsc();
        for (unsigned i = 0; i < N; i++)
            p[i * PAGE / 4] = i + 1;
        best = min_of(best, (rdtsc() - t0) / N);
        write(hold[1], "x", 1);
        waitpid(pid, 0, 0);
        close(hold[0]);
        close(hold[1]);
        munmap((void *)p, N * PAGE);
    }
    return best;
}

static void bench_fork_big(uint64_t *fork_cost, uint64_t *copy_cost)
{
    size_t len = 16 * MIB;
    uint32_t *a = map(len), *b = map(len);
    touch(a, len);
    touch(b, len);
    *fork_cost = *copy_cost = ~0ull;
    for (int r = 0; r < 3; r++) {
        uint64_t t0 = rdtsc();
        long pid = fork();
        if (pid == 0)
            exit(0);
        *fork_cost = min_of(*fork_cost, rdtsc() - t0);
        waitpid(pid, 0, 0);
        touch(a, len); /* the child is gone: the pages are ours again (re-marked on write) */
        t0 = rdtsc();
        for (size_t i = 0; i < len / 4; i++)
            b[i] = a[i];
        *copy_cost = min_of(*copy_cost, rdtsc() - t0);
    }
    munmap(a, len);
    munmap(b, len);
}

static uint64_t bench_munmap_big(void)
{
    size_t len = 64 * MIB;
    uint64_t best = ~0ull;
    for (int r = 0; r < 3; r++) {
        uint32_t *p = map(len);
        touch(p, len);
        uint64_t t0 = rdtsc();
        munmap(p, len);
        best = min_of(best, rdtsc() - t0);
    }
    return best;
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    printf("ubench: instructions per operation (QEMU -icount shift=0: one RDTSC tick per instruction)\n");
    printf("ubench: getpid round trip    %8lu\n", (unsigned long)bench_getpid());
    printf("ubench: switch (sched_yield) %8lu\n", (unsigned long)bench_switch());
    printf("ubench: fork+exit+wait       %8lu\n", (unsigned long)bench_fork());
    printf("ubench: exec of 100 KiB      %8lu\n", (unsigned long)bench_exec());
    uint64_t zero = bench_zero_page(), dz = bench_demand_zero();
    printf("ubench: zeroing a page       %8lu\n", (unsigned long)zero);
    printf("ubench: demand-zero fault    %8lu  (%lu.%02lu x zeroing a page)\n", (unsigned long)dz,
           (unsigned long)(dz / zero), (unsigned long)(dz * 100 / zero % 100));
    printf("ubench: copy-on-write fault  %8lu\n", (unsigned long)bench_cow());
    uint64_t fk, cp;
    bench_fork_big(&fk, &cp);
    printf("ubench: fork, 16 MiB touched %8lu\n", (unsigned long)fk);
    printf("ubench: copying 16 MiB       %8lu  (%lu x the fork)\n", (unsigned long)cp, (unsigned long)(cp / fk));
    printf("ubench: munmap of 64 MiB     %8lu\n", (unsigned long)bench_munmap_big());
    printf("ubench: done\n");
    return 0;
}
