/* kernel/gdt.h - segments and task-state segments (see gdt.c). */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#include <stdbool.h>
#include <stdint.h>

/* NASM-BEGIN (build/gen/gdt.inc) */
#define SEG_KCODE 0x08
#define SEG_KDATA 0x10
#define SEG_UCODE 0x18
#define SEG_UDATA 0x20
#define SEG_TSS   0x28 /* the TSS the kernel normally runs in */
#define SEG_DFTSS 0x30 /* the double-fault task: its own stack and state */
#define SEG_TLS   0x38 /* the running process's thread-local storage (set_thread_area) */
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

/* GDT index of the TLS entry, as set_thread_area reports it to libc. */
#define GDT_TLS_INDEX (SEG_TLS >> 3)

void gdt_init(void);

/* Point the TLS descriptor at [base, base + limit] (limit in 4 KiB pages when
 * `pages`); not present when !present. Rewritten on every process switch. */
void gdt_set_tls(uint32_t base, uint32_t limit, bool pages, bool present);

/* The kernel stack the CPU switches to when an interrupt arrives in ring 3. */
void gdt_set_kernel_stack(uint32_t esp0);

/* The task the CPU was running when the double fault hit (saved there by the task switch). */
extern struct tss kernel_tss;

/* The double-fault task needs the page directory to switch to; call after every kernel CR3 change. */
void gdt_set_double_fault_cr3(uint32_t cr3);

/* The double-fault task's stack (for backtrace bounds). */
extern uint8_t double_fault_stack[];
#define DOUBLE_FAULT_STACK_SIZE 8192

#endif
