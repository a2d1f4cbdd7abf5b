/*
 * user/lib/abi.h - the structures and flag values of the Linux i386 system-call ABI.
 *
 * Everything the kernel reads from or writes to user memory has a layout fixed
 * by Linux, byte for byte: a program built with musl fills in the same
 * structures. They are written out here with their sizes asserted, so a wrong
 * field shows up at compile time and not as a kernel that writes past a buffer.
 * Each layout is the 32-bit one (a `long` is 4 bytes).
 */
#ifndef ULIB_ABI_H
#define ULIB_ABI_H

#include <stddef.h>
#include <stdint.h>

/* clang-format off */
/* mmap2, mprotect: protections and mapping kinds. */
#define PROT_NONE     0x0
#define PROT_READ     0x1
#define PROT_WRITE    0x2
#define PROT_EXEC     0x4
#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10 /* exactly at addr, replacing what was there */
#define MAP_ANONYMOUS 0x20 /* no file: zero-filled memory; fd must be -1 */

/* wait4: options, and the status word it stores. Bits 0-6 of the status are the
 * signal that killed the child (0: it exited), bits 8-15 its exit code. */
#define WNOHANG       1    /* return 0 at once when no child has finished */
#define WIFEXITED(s)   (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s)    ((s) & 0x7f)

/* Signal numbers: the kernel has no signals yet, but it reports a process killed
 * by a fault with the number Linux would have used. */
#define SIGILL   4  /* invalid opcode (ud2) */
#define SIGFPE   8  /* divide error */
#define SIGKILL  9
#define SIGSEGV  11 /* page fault, general protection fault */
#define SIGPIPE  13 /* write to a pipe with no reader (Linux; our kernel returns -EPIPE only) */

/* rt_sigprocmask: how, and the kernel's signal set, 64 bits (sigsetsize 8). */
#define SIG_BLOCK     0
#define SIG_UNBLOCK   1
#define SIG_SETMASK   2
#define SIGSET_SIZE   8

/* ioctl: the one request the tests use (musl's stdio asks it of stdout). */
#define TIOCGWINSZ    0x5413

/* The auxiliary vector after envp on the initial stack: {type, value} pairs. */
#define AT_NULL   0 /* the end */
#define AT_PHDR   3 /* the program headers in memory */
#define AT_PAGESZ 6 /* the page size */
#define AT_ENTRY  9 /* the program's entry point */

/* set_thread_area: struct user_desc's flag bits (a bitfield in Linux's header;
 * one word and named masks here, as for page-table entries). */
#define UD_SEG_32BIT         0x01 /* a 32-bit segment */
#define UD_CONTENTS_DATA     0x00 /* contents, bits 1-2: data, growing up */
#define UD_READ_EXEC_ONLY    0x08 /* not writable */
#define UD_LIMIT_IN_PAGES    0x10 /* the limit counts 4 KiB pages */
#define UD_SEG_NOT_PRESENT   0x20
#define UD_USEABLE           0x40
/* clang-format on */

struct timespec {
    long tv_sec;
    long tv_nsec; /* 0 .. 999999999 */
};

struct iovec {
    void *iov_base;
    size_t iov_len;
};

struct utsname {
    char sysname[65]; /* "Linux" on Linux */
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65]; /* "i686" ... */
    char domainname[65];
};

/* sysinfo: memory sizes are in units of mem_unit bytes. */
struct sysinfo {
    long uptime; /* seconds since boot */
    unsigned long loads[3];
    unsigned long totalram;
    unsigned long freeram;
    unsigned long sharedram;
    unsigned long bufferram;
    unsigned long totalswap;
    unsigned long freeswap;
    unsigned short procs;
    unsigned short pad;
    unsigned long totalhigh;
    unsigned long freehigh;
    unsigned int mem_unit;
    char reserved[8];
};

/* set_thread_area: entry_number -1 asks the kernel to choose a GDT slot and
 * write its number back; the program then loads (entry << 3) | 3 into %gs. */
struct user_desc {
    unsigned int entry_number;
    unsigned int base_addr;
    unsigned int limit;
    unsigned int flags; /* UD_* */
};

struct winsize {
    unsigned short ws_row;
    unsigned short ws_col;
    unsigned short ws_xpixel;
    unsigned short ws_ypixel;
};

_Static_assert(sizeof(struct timespec) == 8, "timespec is two 32-bit longs");
_Static_assert(sizeof(struct utsname) == 390, "utsname is six 65-byte fields");
_Static_assert(sizeof(struct sysinfo) == 64, "sysinfo is 64 bytes on i386");
_Static_assert(sizeof(struct user_desc) == 16, "user_desc is four words");

#endif
