/*
 * kernel/programs.h - the programs the loader brought: multiboot modules by name.
 *
 * There is no file system yet. User programs reach the kernel as multiboot
 * modules (GRUB's `module /bin/NAME` lines, or qemu -initrd "a,b"); each is
 * known by the basename of the first word of its module command line, and
 * execve finds a program by the basename of the path it is given. Module
 * memory is carved out of the frame allocator at boot and mapped read-only
 * into kernel virtual space, so exec can parse and copy it in place.
 */
#ifndef KERNEL_PROGRAMS_H
#define KERNEL_PROGRAMS_H

#include "mm/types.h"

#define PROGRAM_NAME_MAX 32

struct elf_image;

struct program {
    char name[PROGRAM_NAME_MAX];
    const uint8_t *data; /* the module's bytes, mapped read-only */
    uint32_t size;
    paddr_t phys;
    /* Made on the first exec (kernel/vm.c): the checked ELF header, and one frame
     * per page of the image [img->low, img->high), 0 until a process touches it. */
    struct elf_image *img;
    paddr_t *pages;
};

/* Map every module and name it; one log line each. */
void programs_init(void);

/* The program named by the basename of `path`, or 0. */
struct program *program_find(const char *path);

/* The basename of `path` (the part after the last '/'). */
const char *path_basename(const char *path);

int program_count(void);
const struct program *program_at(int i);

#endif
