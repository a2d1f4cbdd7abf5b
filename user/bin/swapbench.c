/*
 * user/bin/swapbench.c - what swapping costs a program, counted in instructions.
 *
 * Writes 32 MiB through one mapping, a word per page, then reads it back in
 * order, timing each pass with RDTSC. Under QEMU's -icount shift=0 that counts
 * instructions (tests/bench/guest-bench.sh). Run on a 16 MiB machine with a
 * swap disk the kernel must swap; on a 64 MiB one it need not: the ratio of the
 * two is what swapping costs the program in CPU work.
 */
#include "ulib.h"

#define PAGE 4096u
#define MIB  (1024u * 1024)
#define SIZE (32u * MIB)

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    long r = mmap2(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r < 0 && r > -4096) {
        printf("swapbench: mmap2 failed: %ld\n", r);
        return 1;
    }
    volatile uint32_t *p = (volatile uint32_t *)r;
    size_t pages = SIZE / PAGE, bad = 0;
    uint64_t t0 = rdtsc();
    for (size_t i = 0; i < pages; i++)
        p[i * PAGE / 4] = (uint32_t)i;
    uint64_t t1 = rdtsc();
    for (size_t i = 0; i < pages; i++)
        bad += p[i * PAGE / 4] != (uint32_t)i;
    uint64_t t2 = rdtsc();
    struct sysinfo si;
    sysinfo(&si);
    printf("swapbench: %lu KiB RAM: 32 MiB written at %lu instructions a page, read back at %lu, %lu in all%s\n",
           (unsigned long)(si.totalram * si.mem_unit / 1024), (unsigned long)((t1 - t0) / pages),
           (unsigned long)((t2 - t1) / pages), (unsigned long)(t2 - t0), bad ? " (WRONG DATA)" : "");
    return bad != 0;
}
