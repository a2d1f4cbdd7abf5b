/*
 * kernel/idt.c - the interrupt descriptor table.
 *
 * 256 gates, one per vector. Vectors 0-31 are the CPU's exceptions; each gets an
 * interrupt gate (interrupts stay off inside the handler) to its stub in
 * isr.asm - except the double fault, vector 8, which gets a task gate to the
 * double-fault TSS so it runs on a stack of its own (see gdt.c). Vectors 32-47
 * are the remapped hardware IRQs (pic.c); 0x80 is the system call. Any other vector is not present, so a
 * stray one ends in a reported #NP instead of a jump to nowhere.
 */
#include "trap.h"
#include "gdt.h"

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attr;
    uint16_t offset_hi;
} __attribute__((packed));

#define GATE_INTR32 0x8E /* present, ring 0, 32-bit interrupt gate */
#define GATE_TASK   0x85 /* present, ring 0, task gate */
#define GATE_USER32 0xEE /* present, ring 3 may use it (int 0x80), 32-bit interrupt gate */

static struct idt_gate idt[256];
extern const uint32_t isr_stub_table[48];
extern char isr128[];

static void set_gate(int v, uint32_t offset, uint16_t selector, uint8_t type)
{
    idt[v].offset_lo = (uint16_t)(offset & 0xFFFF);
    idt[v].selector = selector;
    idt[v].zero = 0;
    idt[v].type_attr = type;
    idt[v].offset_hi = (uint16_t)(offset >> 16);
}

void idt_init(void)
{
    for (int v = 0; v < 48; v++)
        set_gate(v, isr_stub_table[v], SEG_KCODE, GATE_INTR32);
    set_gate(8, 0, SEG_DFTSS, GATE_TASK);
    /* The system-call gate. Its DPL of 3 lets `int 0x80` in ring 3 through (every
     * other gate has DPL 0, so `int 14` from a program is a #GP, not a fake page
     * fault). An interrupt gate, like the rest: the kernel runs with IF clear. */
    set_gate(T_SYSCALL, (uint32_t)isr128, SEG_KCODE, GATE_USER32);

    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) p = {sizeof idt - 1, (uint32_t)idt};
    __asm__ volatile("lidt %0" : : "m"(p));
}
