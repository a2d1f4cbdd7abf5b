/*
 * kernel/random.h - unpredictable-enough bytes for AT_RANDOM (stack canaries,
 * pointer guards in libc). Not cryptographic: a xorshift generator stirred with
 * the time-stamp counter (when CPUID says there is one) and the timer's count.
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stddef.h>

void random_bytes(void *dst, size_t n);

#endif
