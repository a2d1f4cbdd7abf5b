/*
 * kernel/gdt.c - the global descriptor table and the two task-state segments.
 *
 * Protected mode needs segment descriptors even though we use a flat model:
 * code and data segments covering all 4 GiB at ring 0 and at ring 3 (user
 * programs run with SEG_UCODE|3 and SEG_UDATA|3), plus one ring-3 data segment
 * whose base each process sets (set_thread_area): libc's thread pointer, %gs.
 * GRUB left a GDT somewhere in memory it may reuse, so we load our own.
 *
 * The double fault (#DF, vector 8) is delivered through a task gate: the CPU
 * saves the running state into kernel_tss and loads df_tss, which has its own
 * stack. That is what makes a kernel stack overflow reportable: the page fault
 * on the guard page cannot push its frame onto the overflowed stack, which
 * escalates to #DF, and a #DF handled on that same stack would triple-fault
 * (a silent reset). On a fresh stack the handler can print what happened.
 */
#include "gdt.h"
#include "io.h"

struct gdt_entry {
    uint16_t limit_lo;
    uint16_t base_lo;
    uint8_t base_mid;
    uint8_t access;
    uint8_t flags_limit_hi;
    uint8_t base_hi;
} __attribute__((packed));

struct gdt_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

/* Access byte: present, ring, code/data type. Flags: 4 KiB granularity, 32-bit. */
#define ACC_PRESENT  0x80
#define ACC_RING3    0x60
#define ACC_CODE     0x1A /* code segment, readable */
#define ACC_DATA     0x12 /* data segment, writable */
#define ACC_TSS      0x09 /* available 32-bit TSS */
#define FLAGS_4K32   0xC0
#define FLAGS_BYTE32 0x40 /* 32-bit, limit in bytes */

static struct gdt_entry gdt[8];
struct tss kernel_tss;
static struct tss df_tss;
uint8_t double_fault_stack[DOUBLE_FAULT_STACK_SIZE] __attribute__((aligned(16)));

void double_fault_task(void); /* kernel/trap.c */

static void set_entry(int i, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    gdt[i].limit_lo = (uint16_t)(limit & 0xFFFF);
    gdt[i].base_lo = (uint16_t)(base & 0xFFFF);
    gdt[i].base_mid = (uint8_t)((base >> 16) & 0xFF);
    gdt[i].access = access;
    gdt[i].flags_limit_hi = (uint8_t)(flags | ((limit >> 16) & 0x0F));
    gdt[i].base_hi = (uint8_t)(base >> 24);
}

void gdt_set_tls(uint32_t base, uint32_t limit, bool pages, bool present)
{
    set_entry(GDT_TLS_INDEX, base, limit, (present ? ACC_PRESENT : 0) | ACC_RING3 | ACC_DATA,
              pages ? FLAGS_4K32 : FLAGS_BYTE32);
}

void gdt_set_kernel_stack(uint32_t esp0)
{
    kernel_tss.esp0 = esp0;
}

void gdt_set_double_fault_cr3(uint32_t cr3)
{
    df_tss.cr3 = cr3;
}

void gdt_init(void)
{
    set_entry(0, 0, 0, 0, 0);
    set_entry(1, 0, 0xFFFFF, ACC_PRESENT | ACC_CODE, FLAGS_4K32);
    set_entry(2, 0, 0xFFFFF, ACC_PRESENT | ACC_DATA, FLAGS_4K32);
    set_entry(3, 0, 0xFFFFF, ACC_PRESENT | ACC_RING3 | ACC_CODE, FLAGS_4K32);
    set_entry(4, 0, 0xFFFFF, ACC_PRESENT | ACC_RING3 | ACC_DATA, FLAGS_4K32);
    set_entry(5, (uint32_t)&kernel_tss, sizeof kernel_tss - 1, ACC_PRESENT | ACC_TSS, 0);
    set_entry(6, (uint32_t)&df_tss, sizeof df_tss - 1, ACC_PRESENT | ACC_TSS, 0);
    gdt_set_tls(0, 0, false, false); /* until a process asks for one */

    kernel_tss.ss0 = SEG_KDATA;
    kernel_tss.iomap_base = sizeof kernel_tss; /* no I/O permission bitmap */

    df_tss.cr3 = read_cr3();
    df_tss.eip = (uint32_t)double_fault_task;
    df_tss.eflags = 0x2; /* interrupts off; bit 1 is always set */
    df_tss.esp = (uint32_t)(double_fault_stack + DOUBLE_FAULT_STACK_SIZE);
    df_tss.cs = SEG_KCODE;
    df_tss.ss = df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = SEG_KDATA;
    df_tss.iomap_base = sizeof df_tss;

    struct gdt_ptr p = {sizeof gdt - 1, (uint32_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "mov %1, %%ds\n\t"
                     "mov %1, %%es\n\t"
                     "mov %1, %%fs\n\t"
                     "mov %1, %%gs\n\t"
                     "mov %1, %%ss\n\t"
                     "ljmp %2, $1f\n" /* reload CS with a far jump */
                     "1:\n\t"
                     "ltr %w3" /* the TSS the CPU saves into on a task switch */
                     :
                     : "m"(p), "r"((uint32_t)SEG_KDATA), "i"(SEG_KCODE), "r"((uint32_t)SEG_TSS)
                     : "memory");
}
