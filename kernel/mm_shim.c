/*
 * kernel/mm_shim.c - the kernel's side of mm/mm_shim.h.
 *
 * mm/ reports through these functions so the same code can run on the host.
 * In the kernel a log line goes to the console and a misuse is a panic: a double
 * free or a corrupted heap means memory can no longer be trusted.
 */
#include "kprintf.h"
#include "debug.h"
#include "io.h"
#include "mm/mm_shim.h"
#include "mm/heap.h"
#include "mm/memlayout.h"

void mm_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void mm_misuse(const char *fmt, ...)
{
    va_list ap;
    cli();
    kprintf("PANIC: memory misuse: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    backtrace_print(read_ebp());
    kprintf("kernel: halted\n");
    halt_forever();
}

void *mm_alloc(size_t bytes)
{
    return kmalloc(bytes);
}

void mm_free(void *p)
{
    kfree(p);
}

void memlayout_bad_conversion(const char *file, int line, const char *what, uintptr_t addr)
{
    panic_at(file, line, "%s: 0x%08x", what, (unsigned)addr);
}
