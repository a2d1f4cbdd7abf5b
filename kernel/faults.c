/*
 * kernel/faults.c - deliberate faults (see faults.h).
 *
 * Each function is noinline and named for what it does, so the report's
 * "eip ... <fault_write_text+0x..>" names it: the tests check that symbol.
 */
#include "faults.h"
#include "kstring.h"
#include "kprintf.h"
#include "mm/memlayout.h"
#include "mm/mmu.h"

const char fault_kinds[] = "null low text rodata unmapped overflow ud div0";

/* fault_write_rodata() writes here on purpose: the MMU must refuse it. */
/* cppcheck-suppress stringLiteralWrite */
static const char rodata_victim[] = "this string lives in .rodata";
/* An address in the unused gap between the kernel image and KVA_BASE (memlayout.h). */
#define UNMAPPED_KERNEL_ADDR (KVA_BASE - PAGE_SIZE)

__attribute__((noinline)) static void fault_read_null(void)
{
    kprintf("fault: reading address 0x00000000\n");
    /* The point of this function: the null page is unmapped and must fault. */
    /* cppcheck-suppress nullPointer */
    (void)*(volatile uint32_t *)0; /* NOLINT(clang-analyzer-core.NullDereference) */
}

__attribute__((noinline)) static void fault_read_low(void)
{
    /* The kernel's own load address: identity-mapped during boot, gone since. */
    kprintf("fault: reading address 0x%08x\n", (unsigned)KERNEL_LOAD_PHYS);
    (void)*(volatile uint32_t *)KERNEL_LOAD_PHYS;
}

__attribute__((noinline)) static void fault_write_text(void)
{
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)fault_read_null;
    kprintf("fault: writing to .text at 0x%08x\n", (unsigned)(uintptr_t)p);
    *p = 0xCC;
}

__attribute__((noinline)) static void fault_write_rodata(void)
{
    volatile char *p = (volatile char *)(uintptr_t)rodata_victim;
    kprintf("fault: writing to .rodata at 0x%08x\n", (unsigned)(uintptr_t)p);
    *p = 'X';
}

__attribute__((noinline)) static void fault_read_unmapped(void)
{
    kprintf("fault: reading unmapped kernel address 0x%08x\n", (unsigned)UNMAPPED_KERNEL_ADDR);
    (void)*(volatile uint32_t *)UNMAPPED_KERNEL_ADDR;
}

/* Each call takes a 256-byte frame; the recursion never ends, so the stack overflows. */
static volatile unsigned recursion_limit = 0xFFFFFFFFu; /* never reached in practice */

/* NOLINTNEXTLINE(misc-no-recursion): unbounded on purpose */
__attribute__((noinline)) static unsigned fault_recurse(unsigned depth)
{
    volatile uint8_t pad[240];
    if (depth == recursion_limit)
        return 0;
    pad[0] = (uint8_t)depth;
    return fault_recurse(depth + 1) + pad[0];
}

__attribute__((noinline)) static void fault_invalid_opcode(void)
{
    kprintf("fault: executing ud2\n");
    __asm__ volatile("ud2");
}

__attribute__((noinline)) static void fault_divide(void)
{
    kprintf("fault: dividing by zero\n");
    /* In assembly: gcc would rewrite a C division 1/x into a comparison. */
    __asm__ volatile("xor %%edx, %%edx\n\tdiv %%ecx" : : "a"(1u), "c"(0u) : "edx");
}

void fault_trigger(const char *kind)
{
    if (kstreq(kind, "null"))
        fault_read_null();
    else if (kstreq(kind, "low"))
        fault_read_low();
    else if (kstreq(kind, "text"))
        fault_write_text();
    else if (kstreq(kind, "rodata"))
        fault_write_rodata();
    else if (kstreq(kind, "unmapped"))
        fault_read_unmapped();
    else if (kstreq(kind, "overflow")) {
        kprintf("fault: unbounded recursion\n");
        fault_recurse(0);
    } else if (kstreq(kind, "ud"))
        fault_invalid_opcode();
    else if (kstreq(kind, "div0"))
        fault_divide();
    else {
        kprintf("fault: unknown kind '%s' (kinds: %s)\n", kind, fault_kinds);
        return;
    }
    kprintf("fault: '%s' did not fault: the protection is missing\n", kind);
}
