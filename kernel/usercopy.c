/*
 * kernel/usercopy.c - checked copies to and from user memory (see usercopy.h).
 */
#include "usercopy.h"
#include "errno.h"
#include "kmem.h"
#include "mm/memlayout.h"
#include "vm.h"
#include "mm/mmu.h"

bool user_range_ok(uintptr_t va, size_t n, bool write)
{
    return vm_range_ok(va, n, write);
}

int copyin(void *dst, uintptr_t usrc, size_t n)
{
    if (!vm_range_ok(usrc, n, false))
        return -EFAULT;
    memcpy(dst, (const void *)usrc, n);
    return 0;
}

int copyout(uintptr_t udst, const void *src, size_t n)
{
    if (!vm_range_ok(udst, n, true))
        return -EFAULT;
    memcpy((void *)udst, src, n);
    return 0;
}

int copyinstr(char *dst, uintptr_t usrc, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        /* Check each page once, as the string reaches it. */
        if ((i == 0 || PGOFF(usrc + i) == 0) && !vm_range_ok(usrc + i, 1, false))
            return -EFAULT;
        dst[i] = *(const volatile char *)(usrc + i);
        if (dst[i] == '\0')
            return (int)i;
    }
    if (max)
        dst[max - 1] = '\0';
    return -ENAMETOOLONG;
}
