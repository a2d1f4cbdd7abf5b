/*
 * kernel/cpu.c - CPU identification (see cpu.h).
 */
#include "cpu.h"
#include "kprintf.h"

struct cpu_info cpu;

static bool cpuid_supported(void)
{
    uint32_t before, after;
    __asm__ volatile("pushfl\n\t"
                     "popl %0\n\t"
                     "movl %0, %1\n\t"
                     "xorl $0x200000, %1\n\t" /* flip EFLAGS.ID */
                     "pushl %1\n\t"
                     "popfl\n\t"
                     "pushfl\n\t"
                     "popl %1\n\t"
                     "pushl %0\n\t" /* restore the original EFLAGS */
                     "popfl"
                     : "=&r"(before), "=&r"(after)
                     :
                     : "cc");
    return ((before ^ after) & 0x200000) != 0;
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

void cpu_detect(void)
{
    cpu.has_cpuid = cpuid_supported();
    if (!cpu.has_cpuid) {
        kprintf("cpu: no CPUID instruction (an early 486): assuming no optional features\n");
        return;
    }
    uint32_t max, b, c, d, a;
    cpuid(0, &max, &b, &c, &d);
    const uint32_t regs[3] = {b, d, c}; /* the vendor string is EBX, EDX, ECX */
    for (int i = 0; i < 12; i++)
        cpu.vendor[i] = (char)(regs[i / 4] >> (8 * (i % 4)));
    cpu.vendor[12] = '\0';
    if (max >= 1) {
        cpuid(1, &a, &b, &c, &d);
        cpu.family = (a >> 8) & 0xF;
        cpu.model = (a >> 4) & 0xF;
        cpu.stepping = a & 0xF;
        cpu.features_edx = d;
    }
    kprintf("cpu: %s family %u model %u stepping %u, features 0x%08x\n", cpu.vendor, (unsigned)cpu.family,
            (unsigned)cpu.model, (unsigned)cpu.stepping, (unsigned)cpu.features_edx);
}
