/*
 * kernel/cpu.h - what this CPU can do, asked politely.
 *
 * CPUID arrived with late 486s; on older CPUs the instruction does not exist and
 * executing it raises #UD. Its presence is tested the documented way: if the ID
 * bit (21) of EFLAGS can be toggled, CPUID is there. Paging features such as
 * PSE (4 MiB pages) and PGE (global pages) are used only when CPUID reports them.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_info {
    bool has_cpuid;
    char vendor[13];
    uint32_t family, model, stepping;
    uint32_t features_edx; /* CPUID leaf 1, EDX */
};

#define CPUID_EDX_PSE (1u << 3)
#define CPUID_EDX_PGE (1u << 13)

extern struct cpu_info cpu;

/* Detect the CPU and log one line per decision. */
void cpu_detect(void);

static inline bool cpu_has(uint32_t edx_bit)
{
    return cpu.has_cpuid && (cpu.features_edx & edx_bit);
}

#endif
