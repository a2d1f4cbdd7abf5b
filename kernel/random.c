/*
 * kernel/random.c - bytes for AT_RANDOM (see random.h).
 *
 * RDTSC exists from the Pentium on (CPUID leaf 1, EDX bit 4); a 486 has none,
 * so there the 8254's current count and the tick counter are all the entropy
 * there is. Each call stirs a fresh reading into the state, so two processes
 * started in the same tick still get different bytes.
 */
#include "random.h"
#include "cpu.h"
#include "io.h"
#include "sched.h"

#define CPUID_EDX_TSC (1u << 4)

static uint64_t state = 0x9E3779B97F4A7C15ull;

static uint64_t stir(void)
{
    uint64_t x = state;
    if (cpu_has(CPUID_EDX_TSC)) {
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        x ^= ((uint64_t)hi << 32) | lo;
    }
    outb(0x43, 0x00); /* latch channel 0's count */
    uint32_t count = inb(0x40);
    count |= (uint32_t)inb(0x40) << 8;
    x ^= ((uint64_t)sched_ticks() << 16) ^ count;
    /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

void random_bytes(void *dst, size_t n)
{
    unsigned char *d = dst;
    while (n) {
        uint64_t r = stir();
        for (int i = 0; i < 8 && n; i++, n--, r >>= 8)
            *d++ = (unsigned char)r;
    }
}
