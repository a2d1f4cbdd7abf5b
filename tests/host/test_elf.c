/*
 * tests/host/test_elf.c - the ELF executable parser (kernel/elf.c) on the host.
 *
 * Each test builds a small ELF image in memory (mk() + ph()), breaks one rule and
 * expects that rule's ELF_E_* code and a sentence. Files named on the command line
 * are parsed too and must be accepted: run it on real static programs, e.g.
 *   i686-linux-gnu-gcc -static -no-pie hello.c -o /tmp/hello && build/host/test_elf /tmp/hello
 */
#include <stdlib.h>

#include "check.h"
#include "kernel/elf.h"

#define PT_NULL      0
#define PT_LOAD      1
#define PT_DYNAMIC   2
#define PT_INTERP    3
#define PT_NOTE      4
#define PT_PHDR      6
#define PT_TLS       7
#define PT_GNU_STACK 0x6474e551u
#define PT_GNU_RELRO 0x6474e552u
#define RX           (ELF_R | ELF_X)
#define RW           (ELF_R | ELF_W)
#define TEXT         0x08048000u
#define ENTRY        0x08048100u

/*
 * The image under test: an ELF header, the program header table right after it
 * (offset 52), and file bytes up to `len`. The default program (mk()) is
 *   segment 0  PT_LOAD  offset 0       vaddr 0x08048000  filesz 0x200  memsz 0x200   R X
 *   segment 1  PT_LOAD  offset 0x1200  vaddr 0x08049200  filesz 0x100  memsz 0x3000  RW
 * with its entry point at 0x08048100; the table is loaded at 0x08048034.
 */
static uint8_t file[0x3000];
static size_t len;
static int nph;
static struct elf_image img;
static const char *why;

static void put16(size_t off, uint32_t v)
{
    file[off] = (uint8_t)v;
    file[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
    put16(off, v & 0xFFFF);
    put16(off + 2, v >> 16);
}

/* An empty image with a valid ELF header and no program headers yet. */
static void mk_empty(void)
{
    static const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 1, 1, 1};

    memset(file, 0xA5, sizeof file);
    memcpy(file, ident, sizeof ident);
    put16(16, 2);     /* e_type: ET_EXEC */
    put16(18, 3);     /* e_machine: EM_386 */
    put32(20, 1);     /* e_version */
    put32(24, ENTRY); /* e_entry */
    put32(28, 52);    /* e_phoff */
    put32(32, 0);     /* e_shoff */
    put32(36, 0);     /* e_flags */
    put16(40, 52);    /* e_ehsize */
    put16(42, 32);    /* e_phentsize */
    put16(44, 0);     /* e_phnum */
    put16(46, 40);    /* e_shentsize */
    put32(48, 0);     /* e_shnum, e_shstrndx */
    nph = 0;
    len = 52;
}

/* Append a program header; the file grows to hold the table and the segment's bytes. */
static void ph(uint32_t type, uint32_t offset, uint32_t vaddr, uint32_t filesz, uint32_t memsz,
               uint32_t flags, uint32_t align)
{
    size_t at = 52 + (size_t)nph * 32;

    put32(at + 0, type);
    put32(at + 4, offset);
    put32(at + 8, vaddr);
    put32(at + 12, vaddr); /* p_paddr */
    put32(at + 16, filesz);
    put32(at + 20, memsz);
    put32(at + 24, flags);
    put32(at + 28, align);
    nph++;
    put16(44, (uint32_t)nph);
    if (len < at + 32)
        len = at + 32;
    if (type == PT_LOAD && (uint64_t)offset + filesz <= sizeof file && len < offset + filesz)
        len = offset + filesz;
}

/* The default program described above. */
static void mk(void)
{
    mk_empty();
    ph(PT_LOAD, 0, TEXT, 0x200, 0x200, RX, 0x1000);
    ph(PT_LOAD, 0x1200, 0x08049200, 0x100, 0x3000, RW, 0x1000);
}

static int parse(void)
{
    why = "(not set)";
    return elf_parse(file, len, &img, &why);
}

/* Expect failure `code` with a sentence (printed when ELF_WHY is in the environment). */
#define CHECK_FAIL(code)                              \
    do {                                              \
        CHECK_EQ(parse(), code);                      \
        CHECK(why != NULL && why[0] != '\0');         \
        if (why != NULL && getenv("ELF_WHY") != NULL) \
            printf("  %-4d %s\n", code, why);         \
    } while (0)

/* ------------------------------------------------------------------ valid */

static void test_valid(void)
{
    mk();
    CHECK_EQ(parse(), 0);
    CHECK(why == NULL);
    CHECK_EQ(img.entry, ENTRY);
    CHECK_EQ(img.phnum, 2);
    CHECK_EQ(img.phentsize, 32);
    CHECK_EQ(img.nseg, 2);
    CHECK_EQ(img.seg[0].vaddr, TEXT);
    CHECK_EQ(img.seg[0].offset, 0);
    CHECK_EQ(img.seg[0].filesz, 0x200);
    CHECK_EQ(img.seg[0].memsz, 0x200);
    CHECK_EQ(img.seg[0].flags, RX);
    CHECK_EQ(img.seg[1].vaddr, 0x08049200);
    CHECK_EQ(img.seg[1].offset, 0x1200);
    CHECK_EQ(img.seg[1].filesz, 0x100);
    CHECK_EQ(img.seg[1].memsz, 0x3000);
    CHECK_EQ(img.seg[1].flags, RW);
    CHECK_EQ(img.low, TEXT);
    CHECK_EQ(img.high, 0x0804d000); /* 0x0804c200 rounded up */
    CHECK_EQ(img.phdr_vaddr, TEXT + 52);

    /* why may be NULL; the data need not be aligned. */
    CHECK_EQ(elf_parse(file, len, &img, NULL), 0);
    static uint8_t shifted[sizeof file + 1];
    memcpy(shifted + 1, file, len);
    CHECK_EQ(elf_parse(shifted + 1, len, &img, &why), 0);
    CHECK_EQ(img.seg[1].vaddr, 0x08049200);
}

/* Expect: segments come out sorted by address whatever the table's order. */
static void test_sorted(void)
{
    mk_empty();
    ph(PT_LOAD, 0x1000, 0x0804b000, 0x10, 0x10, RW, 0x1000);
    ph(PT_LOAD, 0, TEXT, 0x200, 0x200, RX, 0x1000);
    ph(PT_LOAD, 0x800, 0x0804a800, 0x10, 0x10, ELF_R, 0x1000);
    ph(PT_LOAD, 0x1000, 0x08050000, 0, 0x1000, RW, 0x1000);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.nseg, 4);
    CHECK_EQ(img.seg[0].vaddr, TEXT);
    CHECK_EQ(img.seg[1].vaddr, 0x0804a800);
    CHECK_EQ(img.seg[2].vaddr, 0x0804b000);
    CHECK_EQ(img.seg[3].vaddr, 0x08050000);
    CHECK_EQ(img.low, TEXT);
    CHECK_EQ(img.high, 0x08051000);
}

/* Expect: program headers that only describe loaded memory are ignored, garbage and all. */
static void test_ignored_types(void)
{
    mk();
    ph(PT_NOTE, 0xFFFFFFF0, 0, 0xFFFFFFFF, 0, 0, 3);
    ph(PT_TLS, 0x1200, 0x08049200, 0x10, 0x40, ELF_R, 4);
    ph(PT_GNU_STACK, 0, 0, 0, 0, RW, 16);
    ph(PT_GNU_RELRO, 0x1200, 0x08049200, 0x20, 0x20, ELF_R, 1);
    ph(PT_NULL, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.nseg, 2);
    CHECK_EQ(img.phnum, 7);
}

/* Expect: only the R, W and X bits of p_flags are kept. */
static void test_flags_masked(void)
{
    mk();
    put32(52 + 24, 0xF00FF005); /* PF_MASKOS and PF_MASKPROC bits, R, X */
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.seg[0].flags, RX);
}

/* --------------------------------------------------------------- header */

static void test_short(void)
{
    mk();
    len = 51;
    CHECK_FAIL(ELF_E_SHORT);
    CHECK_EQ(elf_parse(file, 0, &img, &why), ELF_E_SHORT);
    /* Every truncation of a valid program fails, without reading past the end. */
    mk();
    size_t full = len, accepted = 0;
    for (size_t n = 0; n < full; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes, so ASan sees any overrun */
        memcpy(copy, file, n);
        accepted += elf_parse(copy, n, &img, &why) >= 0;
        free(copy);
    }
    CHECK_EQ(accepted, 0);
}

static void test_magic(void)
{
    mk();
    file[3] = 'f';
    CHECK_FAIL(ELF_E_MAGIC);
    CHECK_STR(why, "not an ELF file (bad magic)");
    mk();
    file[0] = 0;
    CHECK_FAIL(ELF_E_MAGIC);
}

static void test_class(void)
{
    mk();
    file[4] = 2; /* ELFCLASS64 */
    CHECK_FAIL(ELF_E_CLASS);
    CHECK_STR(why, "not a 32-bit ELF file (class 2)");
    file[4] = 0;
    CHECK_FAIL(ELF_E_CLASS);
}

static void test_data(void)
{
    mk();
    file[5] = 2; /* ELFDATA2MSB */
    CHECK_FAIL(ELF_E_DATA);
}

static void test_version(void)
{
    mk();
    file[6] = 0;
    CHECK_FAIL(ELF_E_VERSION);
    mk();
    put32(20, 2);
    CHECK_FAIL(ELF_E_VERSION);
}

static void test_type(void)
{
    mk();
    put16(16, 3); /* ET_DYN */
    CHECK_FAIL(ELF_E_PIE);
    CHECK_STR(why, "position-independent executables are not supported");
    put16(16, 1); /* ET_REL */
    CHECK_FAIL(ELF_E_TYPE);
    put16(16, 4); /* ET_CORE */
    CHECK_FAIL(ELF_E_TYPE);
    put16(16, 0x102); /* ET_EXEC in the high byte too: not ET_EXEC */
    CHECK_FAIL(ELF_E_TYPE);
}

static void test_machine(void)
{
    mk();
    put16(18, 62); /* EM_X86_64 */
    CHECK_FAIL(ELF_E_MACHINE);
    CHECK_STR(why, "not an i386 program (machine 62)");
}

static void test_phentsize(void)
{
    mk();
    put16(42, 56); /* Elf64_Phdr */
    CHECK_FAIL(ELF_E_PHENTSIZE);
    put16(42, 0);
    CHECK_FAIL(ELF_E_PHENTSIZE);
}

static void test_phnum(void)
{
    mk();
    put16(44, 0);
    CHECK_FAIL(ELF_E_PHNUM);
    put16(44, 65);
    len = sizeof file;
    CHECK_FAIL(ELF_E_PHNUM);
    CHECK_STR(why, "65 program headers (1 to 64 allowed)");
    put16(44, 0xFFFF); /* PN_XNUM: the real count would be in a section header */
    CHECK_FAIL(ELF_E_PHNUM);

    /* 64 program headers are fine. */
    mk();
    while (nph < 64)
        ph(PT_NOTE, 0, 0, 0, 0, 0, 0);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.phnum, 64);
}

/* Expect: the table must lie inside the file; e_phoff near 4 GiB must not wrap. */
static void test_phtab(void)
{
    mk();
    put32(28, (uint32_t)len - 63); /* 64 bytes needed, 63 left */
    CHECK_FAIL(ELF_E_PHTAB);
    CHECK_STR(why, "the program header table ends past the end of the file");
    put32(28, 0xFFFFFFF0);
    CHECK_FAIL(ELF_E_PHTAB);
    put32(28, 0xFFFFFFFF);
    CHECK_FAIL(ELF_E_PHTAB);

    /* A table ending exactly at the end of the file is fine. */
    mk();
    memcpy(file + len, file + 52, 64);
    put32(28, (uint32_t)len);
    len += 64;
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.phdr_vaddr, 0); /* past every segment's file bytes */
}

/* -------------------------------------------------------- program headers */

static void test_interp(void)
{
    mk();
    ph(PT_INTERP, 0x100, TEXT + 0x100, 0x13, 0x13, ELF_R, 1);
    CHECK_FAIL(ELF_E_INTERP);
    CHECK_STR(why, "dynamically linked programs are not supported (PT_INTERP)");

    /* Named as such even when a PT_LOAD before it is broken too. */
    mk_empty();
    ph(PT_LOAD, 0, 0, 0x200, 0x100, RX, 0x1000);
    ph(PT_INTERP, 0x100, TEXT + 0x100, 0x13, 0x13, ELF_R, 1);
    CHECK_FAIL(ELF_E_INTERP);
}

static void test_dynamic(void)
{
    mk();
    ph(PT_DYNAMIC, 0x1200, 0x08049200, 0x80, 0x80, RW, 4);
    CHECK_FAIL(ELF_E_DYNAMIC);
    CHECK_STR(why, "dynamically linked programs are not supported (PT_DYNAMIC)");
}

static void test_noload(void)
{
    mk_empty();
    ph(PT_NOTE, 0x100, TEXT + 0x100, 0x20, 0x20, ELF_R, 4);
    CHECK_FAIL(ELF_E_NOLOAD);
    /* Zero-size PT_LOADs occupy nothing: skipped, so there is still nothing to load. */
    ph(PT_LOAD, 0, TEXT, 0, 0, RX, 0x1000);
    CHECK_FAIL(ELF_E_NOLOAD);
}

/* Expect: a zero-size PT_LOAD is skipped, wherever it claims to be. */
static void test_zero_size_skipped(void)
{
    mk();
    ph(PT_LOAD, 0xFFFFFFFF, 0xC0000000, 0, 0, RW, 0x1234);
    ph(PT_LOAD, 0, TEXT, 0, 0, RW, 0x1000); /* would overlap segment 0 */
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.nseg, 2);
    CHECK_EQ(img.high, 0x0804d000);
}

static void test_toomany(void)
{
    mk_empty();
    for (uint32_t i = 0; i < ELF_MAX_SEGMENTS; i++)
        ph(PT_LOAD, 0, TEXT + i * 0x1000, 0x200, 0x200, RX, 0x1000);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.nseg, ELF_MAX_SEGMENTS);
    CHECK_EQ(img.high, TEXT + ELF_MAX_SEGMENTS * 0x1000);
    ph(PT_LOAD, 0, TEXT + ELF_MAX_SEGMENTS * 0x1000, 0x200, 0x200, RX, 0x1000);
    CHECK_FAIL(ELF_E_TOOMANY);
    CHECK_STR(why, "more than 16 loadable segments");
}

static void test_filesz(void)
{
    mk();
    put32(52 + 32 + 16, 0x3001); /* segment 1: filesz 0x3001 > memsz 0x3000 */
    len = sizeof file;
    CHECK_FAIL(ELF_E_FILESZ);
    CHECK_STR(why, "segment 1 has more bytes in the file than in memory");
    /* A zero-size segment is skipped, but not one with file bytes and no memory. */
    mk();
    ph(PT_LOAD, 0, 0x08060000, 1, 0, RW, 0x1000);
    CHECK_FAIL(ELF_E_FILESZ);
}

/* Expect: p_offset + p_filesz must not pass the end of the file, nor wrap past 4 GiB. */
static void test_file_range(void)
{
    mk();
    len--; /* segment 1's last byte is gone */
    CHECK_FAIL(ELF_E_FILE);
    CHECK_STR(why, "segment 1 ends past the end of the file");
    mk();
    put32(52 + 32 + 4, 0xFFFFF200); /* offset + 0x100 wraps to 0x300 in 32 bits */
    CHECK_FAIL(ELF_E_FILE);
    mk();
    put32(52 + 32 + 4, (uint32_t)len + 0x1000); /* bss-only, but its offset is past the end */
    put32(52 + 32 + 16, 0);
    CHECK_FAIL(ELF_E_FILE);
    /* A bss-only segment whose offset is the end of the file is fine. */
    mk();
    ph(PT_LOAD, (uint32_t)len, 0x08060000 + ((uint32_t)len & 0xFFF), 0, 0x100, RW, 0x1000);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.nseg, 3);
}

static void test_low(void)
{
    mk();
    ph(PT_LOAD, 0x1200, 0x200, 0x10, 0x10, RW, 0x1000);
    CHECK_FAIL(ELF_E_LOW);
    CHECK_STR(why, "segment at 0x200 is below 0x1000 (page 0 is never mapped)");
    mk();
    ph(PT_LOAD, 0x1000 - 1, 0xFFF, 0x1, 0x10, RW, 1);
    CHECK_FAIL(ELF_E_LOW);
    /* 0x1000 itself is allowed. */
    mk_empty();
    put32(24, 0x1000);
    ph(PT_LOAD, 0, ELF_USER_LOW, 0x100, 0x100, RX, 0x1000);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.low, ELF_USER_LOW);
}

/* Expect: no byte of a segment may be at or above 0xC0000000, and vaddr + memsz must not wrap. */
static void test_kernel_half(void)
{
    mk();
    ph(PT_LOAD, 0x1000, 0xC0000000, 0x10, 0x10, RW, 0x1000);
    CHECK_FAIL(ELF_E_KERNEL);
    CHECK_STR(why, "segment at 0xc0000000 is in the kernel half");
    mk();
    ph(PT_LOAD, 0x1000, 0xFFFFF000, 0x10, 0x10, RW, 0x1000);
    CHECK_FAIL(ELF_E_KERNEL);
    mk();
    ph(PT_LOAD, 0x1000, 0xBFFFF000, 0x10, 0x1001, RW, 0x1000);
    CHECK_FAIL(ELF_E_KERNEL);
    CHECK_STR(why, "segment at 0xbffff000 reaches into the kernel half");
    mk();
    ph(PT_LOAD, 0x1000, 0x0804f000, 0x10, 0xFFFFF000, RW, 0x1000); /* end wraps to 0x0804e000 */
    CHECK_FAIL(ELF_E_KERNEL);
    /* Ending exactly at 0xC0000000 is fine, and high does not overflow. */
    mk();
    ph(PT_LOAD, 0x1000, 0xBFFFF000, 0x10, 0x1000, RW, 0x1000);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.high, ELF_USER_HIGH);
}

static void test_palign(void)
{
    mk();
    put32(52 + 32 + 28, 0x3000);
    CHECK_FAIL(ELF_E_PALIGN);
    CHECK_STR(why, "segment 1: p_align 0x3000 is not a power of two");
    put32(52 + 32 + 28, 0xFFFFFFFF);
    CHECK_FAIL(ELF_E_PALIGN);
    /* 0 and every power of two (1 to 2^31) are fine. */
    put32(52 + 32 + 28, 0);
    CHECK_EQ(parse(), 0);
    for (uint32_t a = 0; a < 32; a++) {
        put32(52 + 32 + 28, 1u << a);
        CHECK_EQ(parse(), 0);
    }
}

/* Expect: with p_align >= 4096, p_vaddr and p_offset must agree within the page. */
static void test_congruent(void)
{
    mk();
    put32(52 + 32 + 8, 0x08049100); /* offset 0x1200 */
    CHECK_FAIL(ELF_E_CONGRUENT);
    CHECK_STR(why, "segment 1: p_vaddr and p_offset differ within the page");
    put32(52 + 32 + 28, 0x200000);
    CHECK_FAIL(ELF_E_CONGRUENT);
    /* A smaller p_align asks for no congruence (ld -n, ld -N). */
    put32(52 + 32 + 28, 0x20);
    CHECK_EQ(parse(), 0);
    put32(52 + 32 + 28, 0);
    CHECK_EQ(parse(), 0);
    /* The offset may exceed the address: only the difference modulo 4096 counts. */
    mk();
    ph(PT_LOAD, 0x2010, 0x1010, 0x10, 0x10, RW, 0x1000);
    CHECK_EQ(parse(), 0);
}

/*
 * Overlaps, in pages of 0x1000 starting at TEXT (segment 0 is [0, 0x200)):
 *   byte overlap      |0====|                    refused
 *                        |1====|
 *   shared page       |0==|1==|                  allowed: bytes are disjoint
 *   inside            |0==========|              refused
 *                        |1==|
 */
static void test_overlap(void)
{
    mk();
    ph(PT_LOAD, 0x1100, 0x08049100, 0x80, 0x180, RW, 0x1000); /* segment 1 starts at 0x08049200 */
    CHECK_FAIL(ELF_E_OVERLAP);
    CHECK_STR(why, "segments 1 and 2 overlap");
    /* Ending exactly where the next begins, in the same page: allowed. */
    mk();
    ph(PT_LOAD, 0x1100, 0x08049100, 0x80, 0x100, RW, 0x1000);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.nseg, 3);
    /* Same page as the text's end. */
    mk();
    ph(PT_LOAD, 0x200, TEXT + 0x200, 0x10, 0x10, RW, 0x1000);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.seg[1].vaddr, TEXT + 0x200);
    mk();
    ph(PT_LOAD, 0x1ff, TEXT + 0x1ff, 0x10, 0x10, RW, 0x1000);
    CHECK_FAIL(ELF_E_OVERLAP);
    CHECK_STR(why, "segments 0 and 2 overlap");
    /* One segment inside another; and two at the same address. */
    mk();
    ph(PT_LOAD, 0x1800, 0x08049800, 0x10, 0x10, ELF_R, 0x1000);
    CHECK_FAIL(ELF_E_OVERLAP);
    mk();
    ph(PT_LOAD, 0, TEXT, 0x10, 0x10, RX, 0x1000);
    CHECK_FAIL(ELF_E_OVERLAP);
    CHECK_STR(why, "segments 0 and 2 overlap");
    /* A big bss running over a later segment, listed first in the table. */
    mk_empty();
    ph(PT_LOAD, 0x1200, 0x08049200, 0x100, 0x10000, RW, 0x1000);
    ph(PT_LOAD, 0, TEXT, 0x200, 0x200, RX, 0x1000);
    ph(PT_LOAD, 0x1000, 0x08050000, 0x10, 0x10, ELF_R, 0x1000);
    CHECK_FAIL(ELF_E_OVERLAP);
    CHECK_STR(why, "segments 0 and 2 overlap");
}

static void test_entry(void)
{
    mk();
    put32(24, 0x08049200); /* in the data segment: not executable */
    CHECK_FAIL(ELF_E_ENTRY);
    CHECK_STR(why, "entry point 0x8049200 is not in an executable segment");
    put32(24, TEXT + 0x200); /* one past the text */
    CHECK_FAIL(ELF_E_ENTRY);
    put32(24, 0);
    CHECK_FAIL(ELF_E_ENTRY);
    put32(24, 0xC0000000);
    CHECK_FAIL(ELF_E_ENTRY);
    put32(24, TEXT + 0x1ff); /* the last byte is fine */
    CHECK_EQ(parse(), 0);
    put32(24, TEXT);
    CHECK_EQ(parse(), 0);
}

/* Expect: AT_PHDR comes from the PT_LOAD holding the table, and a PT_PHDR must agree. */
static void test_phdr(void)
{
    mk();
    ph(PT_PHDR, 52, TEXT + 52, 96, 96, ELF_R, 4);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.phdr_vaddr, TEXT + 52);
    put32(52 + 64 + 8, TEXT + 0x100); /* claims another address */
    CHECK_FAIL(ELF_E_PHDR);
    CHECK_STR(why, "PT_PHDR at 0x8048100 is not where a segment loads the program headers");

    /* The table is not in any segment's file bytes: no AT_PHDR, and a PT_PHDR is wrong. */
    mk_empty();
    ph(PT_LOAD, 0x1000, TEXT + 0x1000, 0x200, 0x200, RX, 0x1000);
    put32(24, TEXT + 0x1000);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.phdr_vaddr, 0);
    ph(PT_PHDR, 52, TEXT + 52, 64, 64, ELF_R, 4);
    CHECK_FAIL(ELF_E_PHDR);

    /* Only part of the table loaded (the segment's file bytes stop inside it). */
    mk_empty();
    ph(PT_LOAD, 0, TEXT, 60, 0x200, RX, 0x1000);
    put32(24, TEXT + 0x10);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(img.phdr_vaddr, 0);
}

/* ------------------------------------------------------------ real files */

static void parse_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    static uint8_t data[64 << 20];
    size_t n;

    CHECK(f != NULL);
    if (!f)
        return;
    n = fread(data, 1, sizeof data, f);
    fclose(f);
    int r = elf_parse(data, n, &img, &why);
    CHECK_EQ(r, 0);
    if (r != 0) {
        fprintf(stderr, "%s: %s\n", path, why);
        return;
    }
    printf("%s: entry 0x%x, phdr at 0x%x, [0x%x, 0x%x)\n", path, img.entry, img.phdr_vaddr, img.low,
           img.high);
    for (int i = 0; i < img.nseg; i++)
        printf("  vaddr 0x%08x memsz 0x%06x offset 0x%06x filesz 0x%06x %c%c%c\n", img.seg[i].vaddr,
               img.seg[i].memsz, img.seg[i].offset, img.seg[i].filesz, img.seg[i].flags & ELF_R ? 'r' : '-',
               img.seg[i].flags & ELF_W ? 'w' : '-', img.seg[i].flags & ELF_X ? 'x' : '-');
}

int main(int argc, char **argv)
{
    RUN(test_valid);
    RUN(test_sorted);
    RUN(test_ignored_types);
    RUN(test_flags_masked);
    RUN(test_short);
    RUN(test_magic);
    RUN(test_class);
    RUN(test_data);
    RUN(test_version);
    RUN(test_type);
    RUN(test_machine);
    RUN(test_phentsize);
    RUN(test_phnum);
    RUN(test_phtab);
    RUN(test_interp);
    RUN(test_dynamic);
    RUN(test_noload);
    RUN(test_zero_size_skipped);
    RUN(test_toomany);
    RUN(test_filesz);
    RUN(test_file_range);
    RUN(test_low);
    RUN(test_kernel_half);
    RUN(test_palign);
    RUN(test_congruent);
    RUN(test_overlap);
    RUN(test_entry);
    RUN(test_phdr);
    for (int i = 1; i < argc; i++)
        parse_file(argv[i]);
    return check_summary("test_elf");
}
