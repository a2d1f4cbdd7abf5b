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

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    printf("ubench: instructions per operation (QEMU -icount shift=0: one RDTSC tick per instruction)\n");
    printf("ubench: getpid round trip    %8lu\n", (unsigned long)bench_getpid());
    printf("ubench: switch (sched_yield) %8lu\n", (unsigned long)bench_switch());
    printf("ubench: fork+exit+wait       %8lu\n", (unsigned long)bench_fork());
    printf("ubench: exec of 100 KiB      %8lu\n", (unsigned long)bench_exec());
    printf("ubench: done\n");
    return 0;
}
