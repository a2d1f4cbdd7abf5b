/*
 * kernel/elf.h - check and describe a static i386 ELF executable (a user program).
 *
 * elf_parse() reads only the ELF header and the program headers, trusts none of
 * their fields, and returns the list of PT_LOAD segments the loader must map:
 * sorted, inside user space, inside the file, not overlapping. It neither maps
 * nor copies anything. The format is explained at the top of kernel/elf.c.
 * Plain C with no kernel dependency, also unit-tested and fuzzed on the host.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16
#define ELF_MAX_PHNUM    64          /* more program headers than this is not a real program */
#define ELF_USER_LOW     0x1000u     /* lowest address a segment may occupy: page 0 is never mapped */
#define ELF_USER_HIGH    0xC0000000u /* first address of the kernel half */

/* Segment permissions: the values of the ELF PF_X, PF_W, PF_R bits in p_flags. */
#define ELF_X 0x1u
#define ELF_W 0x2u
#define ELF_R 0x4u

/* elf_parse() results: 0, or one of these (each rule has its own). */
enum {
    ELF_OK = 0,
    ELF_E_SHORT = -1,      /* shorter than an ELF header */
    ELF_E_MAGIC = -2,      /* e_ident does not start with 0x7f 'E' 'L' 'F' */
    ELF_E_CLASS = -3,      /* not ELFCLASS32 */
    ELF_E_DATA = -4,       /* not ELFDATA2LSB (little-endian) */
    ELF_E_VERSION = -5,    /* e_ident[EI_VERSION] or e_version is not EV_CURRENT */
    ELF_E_PIE = -6,        /* ET_DYN: position-independent executable (or shared library) */
    ELF_E_TYPE = -7,       /* any other type than ET_EXEC (relocatable object, core file...) */
    ELF_E_MACHINE = -8,    /* not EM_386 */
    ELF_E_PHENTSIZE = -9,  /* e_phentsize is not 32 */
    ELF_E_PHNUM = -10,     /* e_phnum is 0 or more than ELF_MAX_PHNUM */
    ELF_E_PHTAB = -11,     /* the program header table does not fit in the file */
    ELF_E_INTERP = -12,    /* PT_INTERP: wants a dynamic linker */
    ELF_E_DYNAMIC = -13,   /* PT_DYNAMIC: wants dynamic linking */
    ELF_E_NOLOAD = -14,    /* no PT_LOAD segment with a non-zero p_memsz */
    ELF_E_TOOMANY = -15,   /* more than ELF_MAX_SEGMENTS such segments */
    ELF_E_FILESZ = -16,    /* p_filesz > p_memsz */
    ELF_E_FILE = -17,      /* p_offset + p_filesz past the end of the file */
    ELF_E_LOW = -18,       /* p_vaddr below ELF_USER_LOW */
    ELF_E_KERNEL = -19,    /* p_vaddr + p_memsz above ELF_USER_HIGH (or past 4 GiB) */
    ELF_E_PALIGN = -20,    /* p_align is neither 0, 1 nor a power of two */
    ELF_E_CONGRUENT = -21, /* p_align >= 4096 but p_vaddr - p_offset is not a multiple of 4096 */
    ELF_E_OVERLAP = -22,   /* two segments share bytes of memory */
    ELF_E_ENTRY = -23,     /* e_entry is not inside an executable segment */
    ELF_E_PHDR = -24,      /* PT_PHDR does not match the loaded program header table */
};

/* One PT_LOAD segment: memory [vaddr, vaddr + memsz) gets the file's bytes
 * [offset, offset + filesz) at its start and zeros after them. */
struct elf_segment {
    uint32_t vaddr, memsz, offset, filesz;
    uint32_t flags; /* ELF_R | ELF_W | ELF_X (p_flags' other bits dropped) */
};

struct elf_image {
    uint32_t entry;
    /* Where the program headers are in the loaded image (for AT_PHDR), 0 if not loaded. */
    uint32_t phdr_vaddr;
    uint32_t phnum, phentsize;
    int nseg; /* PT_LOAD segments, sorted by vaddr */
    struct elf_segment seg[ELF_MAX_SEGMENTS];
    uint32_t low, high; /* page-rounded extent of all segments [low, high) */
    char why[96];       /* the failure sentence (*why of elf_parse points here) */
};

/*
 * Check and describe the ELF image of `len` bytes at `data`. 0 on success, with
 * *img filled in; on failure a negative ELF_E_* code and, when `why` is not NULL,
 * *why points to a sentence naming the problem (e.g. "not an ELF file (bad magic)",
 * "segment 2 ends past the end of the file", "segment at 0xc0000000 is in the kernel
 * half", "segments 1 and 2 overlap"; segments are numbered by their index in the
 * program header table, as readelf -l does). The sentence is kept in img->why, so it
 * stays valid as long as *img does and concurrent calls do not share it; the rest
 * of *img is unspecified after a failure. On success *why is set to NULL. `data` needs no particular alignment and
 * is only read. PT_LOAD segments with p_memsz 0 are skipped (they occupy no memory).
 *
 * On success, for every segment: ELF_USER_LOW <= vaddr, vaddr + memsz <= ELF_USER_HIGH
 * (no wrap-around), filesz <= memsz, offset + filesz <= len; segments are sorted and
 * their bytes are disjoint, but two consecutive segments may share one page (then
 * the loader must give that page both segments' permissions and zero only each
 * segment's own [vaddr + filesz, vaddr + memsz)). The entry point is inside a
 * segment with ELF_X; [low, high) is page-aligned and covers every segment.
 */
int elf_parse(const void *data, size_t len, struct elf_image *img, const char **why);

#endif
