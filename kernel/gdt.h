/* kernel/gdt.h - segments and task-state segments (see gdt.c). */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#include <stdint.h>

/* NASM-BEGIN (build/gen/gdt.inc) */
#define SEG_KCODE 0x08
#define SEG_KDATA 0x10
#define SEG_UCODE 0x18
#define SEG_UDATA 0x20
#define SEG_TSS   0x28 /* the TSS the kernel normally runs in */
#define SEG_DFTSS 0x30 /* the double-fault task: its own stack and state */
/* NASM-END */

/* The 104-byte hardware task-state segment (Intel SDM vol. 3, 8.2.1). */
struct tss {
    uint32_t link;
    uint32_t esp0, ss0, esp1, ss1, esp2, ss2;
    uint32_t cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs;
    uint32_t ldt;
    uint16_t trap, iomap_base;
} __attribute__((packed));

void gdt_init(void);

/* The task the CPU was running when the double fault hit (saved there by the task switch). */
extern struct tss kernel_tss;

/* The double-fault task needs the page directory to switch to; call after every kernel CR3 change. */
void gdt_set_double_fault_cr3(uint32_t cr3);

/* The double-fault task's stack (for backtrace bounds). */
extern uint8_t double_fault_stack[];
#define DOUBLE_FAULT_STACK_SIZE 8192

#endif
