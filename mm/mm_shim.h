/*
 * mm/mm_shim.h - the services mm/ needs from whatever it runs inside.
 *
 * The memory-map sanitiser, the frame allocator and the heap are plain C so the
 * same files build into the kernel and into host programs (unit tests under
 * ASan/UBSan, libFuzzer targets, benchmarks). Everything environment-specific
 * goes through these functions:
 *
 *   kernel: mm_log() prints a boot-log line with kprintf; mm_misuse() panics
 *           (it never returns); mm_alloc()/mm_free() are kmalloc/kfree.
 *   host:   tests/host/host_shim.c prints or silences mm_log(), and mm_misuse()
 *           records the message and returns, so the caller's error return can
 *           be checked by a test; mm_alloc()/mm_free() are malloc/free, and a
 *           test can make a chosen mm_alloc() fail (host_alloc_fail_in).
 *
 * Formats understood by both: %d %u %x %p %s %c, %llx %llu, widths and zero
 * padding (the kernel's kprintf subset).
 */
#ifndef MM_SHIM_H
#define MM_SHIM_H

#include <stddef.h>
#include <stdint.h>

/* A line for the boot log (the format string includes the trailing newline). */
void mm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report an invariant violation (double free, bad pointer, corrupted metadata).
 * In the kernel this panics; on the host it records the message and returns,
 * and the caller must then return its error value.
 */
void mm_misuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Memory for mm/ bookkeeping that grows (region arrays): NULL when there is none. */
void *mm_alloc(size_t bytes);

/* Give back what mm_alloc returned; NULL is a no-op. */
void mm_free(void *p);

#endif
