/* kernel/trap.h - the register frame the exception stubs build (kernel/isr.asm). */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdint.h>

struct trapframe {
    uint32_t gs, fs, es, ds;                               /* pushed by trap_common */
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax; /* PUSHA */
    uint32_t vector, err;                                  /* stub (err: CPU or 0) */
    uint32_t eip, cs, eflags;                              /* CPU */
    uint32_t user_esp, user_ss;                            /* CPU, only from ring 3 */
};

#define T_SYSCALL 0x80 /* int 0x80: the Linux i386 system-call vector */

void idt_init(void);
void trap_handler(struct trapframe *tf);

/* A fault in ring 3: serviced (demand paging), or reported in one line and the
 * process killed (user_fault.c). Returns only when serviced. */
void user_fault(struct trapframe *tf);

/* Name of CPU exception `vector` ("page fault", ...). */
const char *trap_name(uint32_t vector);

/*
 * Decode a page-fault error code into words, e.g.
 * "not-present read kernel-mode" or "protection write kernel-mode".
 */
void pf_decode(uint32_t err, char *buf, unsigned size);

#endif
