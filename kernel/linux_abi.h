/*
 * kernel/linux_abi.h - the structures Linux's i386 system calls exchange with programs.
 *
 * Programs built for Linux pass and receive these exact layouts (the sizes are
 * checked below), so they are defined once here, field for field as in Linux's
 * uapi headers, whether or not this kernel fills every field.
 */
#ifndef KERNEL_LINUX_ABI_H
#define KERNEL_LINUX_ABI_H

#include <stdint.h>

struct linux_timespec { /* nanosleep */
    int32_t sec, nsec;
};

struct linux_iovec { /* readv, writev */
    uint32_t base, len;
};

struct linux_winsize { /* ioctl TIOCGWINSZ */
    uint16_t rows, cols, xpixel, ypixel;
};

struct linux_user_desc { /* set_thread_area */
    uint32_t entry_number, base_addr, limit;
    uint32_t flags; /* seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 seg_not_present:1 useable:1 */
};
#define USER_DESC_LIMIT_IN_PAGES (1u << 4)
#define USER_DESC_NOT_PRESENT    (1u << 5)

struct linux_sysinfo { /* sysinfo: sizes in units of mem_unit bytes */
    int32_t uptime;
    uint32_t loads[3];
    uint32_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint32_t totalhigh, freehigh, mem_unit;
    char reserved[8];
};

#define UTSNAME_FIELD 65
struct linux_utsname { /* uname */
    char sysname[UTSNAME_FIELD], nodename[UTSNAME_FIELD], release[UTSNAME_FIELD];
    char version[UTSNAME_FIELD], machine[UTSNAME_FIELD], domainname[UTSNAME_FIELD];
};

_Static_assert(sizeof(struct linux_timespec) == 8, "timespec is 8 bytes on i386");
_Static_assert(sizeof(struct linux_iovec) == 8, "iovec is 8 bytes on i386");
_Static_assert(sizeof(struct linux_winsize) == 8, "winsize is 8 bytes");
_Static_assert(sizeof(struct linux_user_desc) == 16, "user_desc is 16 bytes");
_Static_assert(sizeof(struct linux_sysinfo) == 64, "sysinfo is 64 bytes on i386");
_Static_assert(sizeof(struct linux_utsname) == 390, "utsname is 6 x 65 bytes");

#endif
