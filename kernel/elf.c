/*
 * kernel/elf.c - check a static i386 ELF executable before loading it (see elf.h).
 *
 * An ELF file is read two ways: a linker sees *sections* (.text, .data, .bss...),
 * a loader sees *segments*, each a run of bytes to put somewhere in memory. This
 * parser is a loader's: it never looks at the section headers.
 *
 * The ELF header, 52 bytes at offset 0 (all fields little-endian here):
 *
 *   offset  field        what we require
 *    0      e_ident[16]  0x7f 'E' 'L' 'F'; [4] EI_CLASS = 1 (ELFCLASS32, 32-bit fields);
 *                        [5] EI_DATA = 1 (ELFDATA2LSB, little-endian); [6] EI_VERSION = 1
 *   16      e_type       2 (ET_EXEC: linked at fixed addresses). 3 (ET_DYN) is a shared
 *                        library or a position-independent executable: it must be
 *                        relocated at load time, which we do not do.
 *   18      e_machine    3 (EM_386)
 *   20      e_version    1 (EV_CURRENT)
 *   24      e_entry      the first instruction to run, in user space
 *   28      e_phoff      file offset of the program header table
 *   42      e_phentsize  size of one program header: 32 for ELFCLASS32
 *   44      e_phnum      number of program headers (1 to 64 here)
 *
 * The program header table: e_phnum entries of 32 bytes from e_phoff, each describing
 * one segment:
 *
 *    0  p_type    PT_LOAD (1): bytes to load. PT_INTERP (3) names a dynamic linker and
 *                 PT_DYNAMIC (2) holds its relocation tables: both mean "dynamically
 *                 linked", refused. PT_PHDR (6) says where the table itself is in
 *                 memory. PT_NOTE, PT_TLS (the initial thread-local block, a copy of
 *                 bytes that already lie in a PT_LOAD), PT_GNU_STACK, PT_GNU_RELRO...
 *                 describe properties of loaded memory and are ignored here.
 *    4  p_offset  where the segment's bytes start in the file
 *    8  p_vaddr   where they go in memory
 *   12  p_paddr   physical address: meaningless for user programs, ignored
 *   16  p_filesz  how many bytes come from the file
 *   20  p_memsz   how many bytes the segment occupies in memory, >= p_filesz: the
 *                 rest is zero-filled (that is .bss)
 *   24  p_flags   PF_X 1, PF_W 2, PF_R 4: the pages' permissions
 *   28  p_align   0 or 1 (none), else a power of two the addresses are congruent modulo
 *
 * So a PT_LOAD says: memory [p_vaddr, p_vaddr + p_memsz) holds file bytes [p_offset,
 * p_offset + p_filesz) followed by zeros. Page congruence: a linker sets p_align to
 * the page size (or a multiple) and makes p_vaddr and p_offset equal modulo it, so
 * every page of memory corresponds to one page of the file at the same offset within
 * the page, and a loader may map file pages directly. We check that modulo 4096
 * whenever p_align >= 4096 (the spec asks for congruence modulo p_align itself, but
 * only the page matters to paging); a file linked with a smaller p_align (ld -n / -N)
 * is still accepted, since the loader copies bytes anyway.
 *
 * What real static programs look like (GNU ld 2.40 and LLD 14, glibc and musl, -static
 * -no-pie): four PT_LOADs at 0x08048000 (lld: 0x400000) - headers R, text R X,
 * rodata R, data+bss RW - each starting on a new page of memory, the data segment
 * mid-page at an offset congruent to its file offset. The program header table lies in
 * the first PT_LOAD (GNU ld emits no PT_PHDR for static programs; lld does), which is
 * how the loader can tell the program where its headers are (AT_PHDR, used by libc to
 * find PT_TLS). None of those layouts puts two segments in one page of memory, but a
 * linker script can; we allow it when their bytes do not overlap.
 *
 * Every field is attacker-controlled: sizes are compared against what is left
 * (`x > len - off`, never `off + x > len`), so no sum can wrap around 2^32. Fields are
 * read byte by byte, so `data` may have any alignment and the host's byte order and
 * word size do not matter.
 */
#include "elf.h"
#include "mm/mmu.h"

#include <stdbool.h>

/* ELF header fields (offsets in the 52-byte ELF32 header). */
#define EHDR_SIZE   52
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define E_TYPE      16
#define E_MACHINE   18
#define E_VERSION   20
#define E_ENTRY     24
#define E_PHOFF     28
#define E_PHENTSIZE 42
#define E_PHNUM     44
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define ET_DYN      3
#define EM_386      3
#define PHDR_SIZE   32 /* sizeof(Elf32_Phdr) */

/* Program header fields (offsets in one 32-byte entry) and types. */
#define P_TYPE     0
#define P_OFFSET   4
#define P_VADDR    8
#define P_FILESZ   16
#define P_MEMSZ    20
#define P_FLAGS    24
#define P_ALIGN    28
#define PT_LOAD    1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PT_PHDR    6

#define PAGE_MASK ((uint32_t)PAGE_SIZE - 1)

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Append `n` to the sentence being built in img->why: in decimal, or hex digits. */
static void why_num(char *buf, size_t *pos, size_t size, uint32_t n, unsigned base)
{
    char digits[10];
    int k = 0;
    do {
        digits[k++] = "0123456789abcdef"[n % base];
        n /= base;
    } while (n != 0);
    while (k > 0 && *pos + 1 < size)
        buf[(*pos)++] = digits[--k];
}

/*
 * Record a failure: format `fmt` into img->why, where each "%u" takes the next of
 * a, b in decimal and each "%x" in hex (the text supplies any "0x"). Point *why at
 * it (when why is not NULL) and return `code`.
 */
static int fail(struct elf_image *img, const char **why, int code, const char *fmt, uint32_t a, uint32_t b)
{
    const uint32_t args[2] = {a, b};
    size_t pos = 0, size = sizeof img->why;
    int next = 0;

    for (; *fmt && pos + 1 < size; fmt++) {
        if (fmt[0] == '%' && (fmt[1] == 'u' || fmt[1] == 'x') && next < 2) {
            why_num(img->why, &pos, size, args[next++], fmt[1] == 'u' ? 10 : 16);
            fmt++;
        } else {
            img->why[pos++] = *fmt;
        }
    }
    img->why[pos] = '\0';
    if (why)
        *why = img->why;
    return code;
}

/*
 * Does segment `s` bring the `size` file bytes at `off` into memory? If so, store
 * the address they are loaded at in *va. The caller has checked that off + size and
 * s->offset + s->filesz are within the file, so neither sum wraps.
 */
static bool file_range_loaded(const struct elf_segment *s, uint32_t off, uint32_t size, uint32_t *va)
{
    if (off < s->offset || off - s->offset > s->filesz || size > s->filesz - (off - s->offset))
        return false;
    *va = s->vaddr + (off - s->offset);
    return true;
}

/*
 * Check one PT_LOAD program header `ph` (index i in the table) against the file
 * length and the user address range. 0 if it may be loaded (or, with p_memsz 0, may
 * be skipped), else the ELF_E_* code with img->why set.
 */
static int check_load(const uint8_t *ph, uint32_t i, size_t len, struct elf_image *img, const char **why)
{
    uint32_t off = get32(ph + P_OFFSET), va = get32(ph + P_VADDR);
    uint32_t filesz = get32(ph + P_FILESZ), memsz = get32(ph + P_MEMSZ), align = get32(ph + P_ALIGN);

    if (filesz > memsz)
        return fail(img, why, ELF_E_FILESZ, "segment %u has more bytes in the file than in memory", i, 0);
    if (memsz == 0)
        return 0;
    if (off > len || filesz > len - off)
        return fail(img, why, ELF_E_FILE, "segment %u ends past the end of the file", i, 0);
    if (va < ELF_USER_LOW)
        return fail(img, why, ELF_E_LOW, "segment at 0x%x is below 0x%x (page 0 is never mapped)", va,
                    ELF_USER_LOW);
    if (va >= ELF_USER_HIGH)
        return fail(img, why, ELF_E_KERNEL, "segment at 0x%x is in the kernel half", va, 0);
    if (memsz > ELF_USER_HIGH - va)
        return fail(img, why, ELF_E_KERNEL, "segment at 0x%x reaches into the kernel half", va, 0);
    if (align > 1 && (align & (align - 1)) != 0)
        return fail(img, why, ELF_E_PALIGN, "segment %u: p_align 0x%x is not a power of two", i, align);
    if (align >= PAGE_SIZE && ((va - off) & PAGE_MASK) != 0)
        return fail(img, why, ELF_E_CONGRUENT, "segment %u: p_vaddr and p_offset differ within the page", i,
                    0);
    return 0;
}

int elf_parse(const void *data, size_t len, struct elf_image *img, const char **why)
{
    const uint8_t *p = data;
    uint8_t index[ELF_MAX_SEGMENTS]; /* program header index of each img->seg[] */
    uint32_t phoff, phnum, phentsize, tabsize, type, i;
    int n = 0, k, err;

    img->nseg = 0;
    if (len < EHDR_SIZE)
        return fail(img, why, ELF_E_SHORT, "file too short for an ELF header (%u bytes)", (uint32_t)len, 0);
    if (p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F')
        return fail(img, why, ELF_E_MAGIC, "not an ELF file (bad magic)", 0, 0);
    if (p[EI_CLASS] != ELFCLASS32)
        return fail(img, why, ELF_E_CLASS, "not a 32-bit ELF file (class %u)", p[EI_CLASS], 0);
    if (p[EI_DATA] != ELFDATA2LSB)
        return fail(img, why, ELF_E_DATA, "not a little-endian ELF file (data encoding %u)", p[EI_DATA], 0);
    if (p[EI_VERSION] != EV_CURRENT || get32(p + E_VERSION) != EV_CURRENT)
        return fail(img, why, ELF_E_VERSION, "unknown ELF version", 0, 0);
    type = get16(p + E_TYPE);
    if (type == ET_DYN)
        return fail(img, why, ELF_E_PIE, "position-independent executables are not supported", 0, 0);
    if (type != ET_EXEC)
        return fail(img, why, ELF_E_TYPE, "not an executable (ELF type %u)", type, 0);
    if (get16(p + E_MACHINE) != EM_386)
        return fail(img, why, ELF_E_MACHINE, "not an i386 program (machine %u)", get16(p + E_MACHINE), 0);

    phoff = get32(p + E_PHOFF);
    phentsize = get16(p + E_PHENTSIZE);
    phnum = get16(p + E_PHNUM);
    if (phentsize != PHDR_SIZE)
        return fail(img, why, ELF_E_PHENTSIZE, "program headers of %u bytes (expected %u)", phentsize,
                    PHDR_SIZE);
    if (phnum < 1 || phnum > ELF_MAX_PHNUM)
        return fail(img, why, ELF_E_PHNUM, "%u program headers (1 to %u allowed)", phnum, ELF_MAX_PHNUM);
    tabsize = phnum * PHDR_SIZE; /* at most 64 * 32 */
    if (phoff > len || tabsize > len - phoff)
        return fail(img, why, ELF_E_PHTAB, "the program header table ends past the end of the file", 0, 0);

    /* A dynamically linked program is refused as such, whatever else is wrong with it. */
    for (i = 0; i < phnum; i++) {
        type = get32(p + phoff + i * PHDR_SIZE + P_TYPE);
        if (type == PT_INTERP)
            return fail(img, why, ELF_E_INTERP, "dynamically linked programs are not supported (PT_INTERP)",
                        0, 0);
        if (type == PT_DYNAMIC)
            return fail(img, why, ELF_E_DYNAMIC, "dynamically linked programs are not supported (PT_DYNAMIC)",
                        0, 0);
    }

    /* Check each PT_LOAD and insert it into img->seg[], kept sorted by vaddr. */
    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = p + phoff + i * PHDR_SIZE;
        struct elf_segment s;

        if (get32(ph + P_TYPE) != PT_LOAD)
            continue;
        err = check_load(ph, i, len, img, why);
        if (err < 0)
            return err;
        s.memsz = get32(ph + P_MEMSZ);
        if (s.memsz == 0)
            continue; /* occupies no memory: nothing to load */
        if (n == ELF_MAX_SEGMENTS)
            return fail(img, why, ELF_E_TOOMANY, "more than %u loadable segments", ELF_MAX_SEGMENTS, 0);
        s.vaddr = get32(ph + P_VADDR);
        s.offset = get32(ph + P_OFFSET);
        s.filesz = get32(ph + P_FILESZ);
        s.flags = get32(ph + P_FLAGS) & (ELF_R | ELF_W | ELF_X);
        for (k = n; k > 0 && img->seg[k - 1].vaddr > s.vaddr; k--) {
            img->seg[k] = img->seg[k - 1];
            index[k] = index[k - 1];
        }
        img->seg[k] = s;
        index[k] = (uint8_t)i;
        n++;
    }
    if (n == 0)
        return fail(img, why, ELF_E_NOLOAD, "no loadable segment (PT_LOAD)", 0, 0);

    /* Sorted, so each segment need only end before the next begins (ends are <= 3 GiB). */
    for (k = 1; k < n; k++) {
        const struct elf_segment *a = &img->seg[k - 1], *b = &img->seg[k];
        if (a->vaddr + a->memsz > b->vaddr) {
            uint32_t x = index[k - 1] < index[k] ? index[k - 1] : index[k];
            uint32_t y = index[k - 1] < index[k] ? index[k] : index[k - 1];
            return fail(img, why, ELF_E_OVERLAP, "segments %u and %u overlap", x, y);
        }
    }

    img->entry = get32(p + E_ENTRY);
    for (k = 0; k < n; k++) {
        const struct elf_segment *s = &img->seg[k];
        if ((s->flags & ELF_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            break;
    }
    if (k == n)
        return fail(img, why, ELF_E_ENTRY, "entry point 0x%x is not in an executable segment", img->entry, 0);

    /* Where do the program headers land? A PT_PHDR must agree with the segments. */
    img->phdr_vaddr = 0;
    for (k = 0; k < n; k++)
        if (file_range_loaded(&img->seg[k], phoff, tabsize, &img->phdr_vaddr))
            break;
    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = p + phoff + i * PHDR_SIZE;
        uint32_t claimed = get32(ph + P_VADDR), va = 0;

        if (get32(ph + P_TYPE) != PT_PHDR)
            continue;
        for (k = 0; k < n; k++)
            if (file_range_loaded(&img->seg[k], phoff, tabsize, &va) && va == claimed)
                break;
        if (k == n)
            return fail(img, why, ELF_E_PHDR,
                        "PT_PHDR at 0x%x is not where a segment loads the program headers", claimed, 0);
        img->phdr_vaddr = claimed;
    }

    img->phnum = phnum;
    img->phentsize = phentsize;
    img->nseg = n;
    img->low = img->seg[0].vaddr & ~PAGE_MASK;
    img->high = (img->seg[n - 1].vaddr + img->seg[n - 1].memsz + PAGE_MASK) & ~PAGE_MASK;
    if (why)
        *why = NULL;
    return 0;
}
