#!/usr/bin/env python3
"""Regenerate the seed corpus for tests/fuzz/fuzz_elf.c: small ELF executables, valid and not.

Each seed is an ELF32 header, its program header table at offset 52, and the segments'
file bytes (filled with a pattern); every file stays under 2 KiB. The layouts copy what
GNU ld and LLD produce for static programs (readelf -l), shrunk.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_elf")
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS = 1, 2, 3, 4, 6, 7
PT_GNU_STACK, PT_GNU_RELRO = 0x6474E551, 0x6474E552
X, W, R = 1, 2, 4


def elf(entry, phdrs, e_type=2, machine=3, ident=b"\x7fELF\x01\x01\x01", size=None, phoff=52):
    """phdrs: (type, offset, vaddr, filesz, memsz, flags, align) tuples."""
    hdr = ident.ljust(16, b"\0") + struct.pack("<HHIIIIIHHHHHH", e_type, machine, 1, entry, phoff, 0, 0,
                                                 52, 32, len(phdrs), 40, 0, 0)
    table = b"".join(struct.pack("<8I", t, o, v, v, fs, ms, fl, al) for t, o, v, fs, ms, fl, al in phdrs)
    end = max([phoff + len(table)] + [o + fs for t, o, v, fs, ms, fl, al in phdrs
                                      if t == PT_LOAD and o + fs < 2048])
    data = bytearray(bytes(range(256)) * 8)[:end]
    data[0:52] = hdr
    data[phoff:phoff + len(table)] = table
    return bytes(data[:size] if size is not None else data)


def seed(name, data):
    assert len(data) < 2048, name
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


B = 0x08048000
# GNU ld, -z separate-code (the default): headers R, text R X, rodata R, data+bss RW.
GNU = [(PT_LOAD, 0, B, 0x140, 0x140, R, 0x1000),
       (PT_LOAD, 0x100, B + 0x1100, 0x200, 0x200, R | X, 0x1000),
       (PT_LOAD, 0x300, B + 0x2300, 0x100, 0x100, R, 0x1000),
       (PT_LOAD, 0x4AC, B + 0x34AC, 0x60, 0x1E000, R | W, 0x1000),
       (PT_NOTE, 0xB4, B + 0xB4, 0x24, 0x24, R, 4),
       (PT_TLS, 0x4AC, B + 0x34AC, 0xC, 0x30, R, 4),
       (PT_GNU_STACK, 0, 0, 0, 0, R | W, 16),
       (PT_GNU_RELRO, 0x4AC, B + 0x34AC, 0x20, 0x20, R, 1)]
# LLD: a PT_PHDR first, segments packed in the file, each on a new page in memory.
L = 0x400000
LLD = [(PT_PHDR, 52, L + 52, 0xC0, 0xC0, R, 4),
       (PT_LOAD, 0, L, 0x200, 0x200, R, 0x1000),
       (PT_LOAD, 0x200, L + 0x1200, 0x300, 0x300, R | X, 0x1000),
       (PT_LOAD, 0x500, L + 0x2500, 0x40, 0x40, R | W, 0x1000),
       (PT_LOAD, 0x540, L + 0x3540, 0x40, 0x18000, R | W, 0x1000),
       (PT_GNU_RELRO, 0x500, L + 0x2500, 0x40, 0xB00, R, 1),
       (PT_GNU_STACK, 0, 0, 0, 0, R | W, 0)]

os.makedirs(OUT, exist_ok=True)
seed("gnu_static", elf(B + 0x1100, GNU))
seed("lld_static", elf(L + 0x1200, LLD))
seed("gnu_nosep", elf(B + 0x80, [(PT_LOAD, 0, B, 0x300, 0x300, R | X, 0x1000),
                                 (PT_LOAD, 0x300, B + 0x1300, 0x80, 0x2000, R | W, 0x1000),
                                 (PT_GNU_STACK, 0, 0, 0, 0, R | W, 16)]))
seed("omagic_rwx", elf(B + 0x98, [(PT_LOAD, 0x74, B + 0x74, 0x35, 0x2038, R | W | X, 4),
                                  (PT_NOTE, 0x74, B + 0x74, 0x24, 0x24, R, 4)]))
seed("shared_page", elf(B + 0x100, [(PT_LOAD, 0, B, 0x200, 0x200, R | X, 0x1000),
                                    (PT_LOAD, 0x200, B + 0x200, 0x40, 0x800, R | W, 0x1000),
                                    (PT_LOAD, 0, B + 0x3000, 0, 0, R, 0x1000)]))
seed("low_high", elf(0x1000, [(PT_LOAD, 0, 0x1000, 0x100, 0x100, R | X, 0x1000),
                              (PT_LOAD, 0x100, 0xBFFFF100, 0x10, 0xF00, R | W, 0x1000)]))
seed("phnum_56", elf(B + 0x100, [(PT_LOAD, 0, B, 0x7F0, 0x7F0, R | X, 0x1000)] +
                     [(PT_NOTE, 0, 0, 0, 0, 0, 0)] * 55))
seed("seg_16", elf(B + 0x10, [(PT_LOAD, 0x40 * i, B + 0x1000 * i + 0x40 * i, 0x40, 0x40, R | X, 0x1000)
                              for i in range(16)]))
# Invalid, one rule each.
seed("bad_magic", elf(B + 0x1100, GNU, ident=b"\x7fELG\x01\x01\x01"))
seed("class64", elf(B + 0x1100, GNU, ident=b"\x7fELF\x02\x01\x01"))
seed("big_endian", elf(B + 0x1100, GNU, ident=b"\x7fELF\x01\x02\x01"))
seed("pie", elf(0x1100, [(t, o, v - B if v else 0, fs, ms, fl, al) for t, o, v, fs, ms, fl, al in GNU], e_type=3))
seed("x86_64", elf(B + 0x1100, GNU, machine=62))
seed("interp", elf(L + 0x1200, LLD[:1] + [(PT_INTERP, 0x100, L + 0x100, 0x14, 0x14, R, 1)] + LLD[1:]))
seed("dynamic", elf(L + 0x1200, LLD + [(PT_DYNAMIC, 0x500, L + 0x2500, 0x40, 0x40, R | W, 4)]))
seed("truncated", elf(B + 0x1100, GNU, size=0x4B0))
seed("phoff_wrap", elf(B + 0x1100, GNU, phoff=0xFFFFFFF0)[:52] + elf(B + 0x1100, GNU)[52:])
seed("seg_17", elf(B + 0x10, [(PT_LOAD, 0x40 * i, B + 0x1000 * i + 0x40 * i, 0x40, 0x40, R | X, 0x1000)
                              for i in range(17)]))
seed("filesz_gt_memsz", elf(B + 0x100, [(PT_LOAD, 0, B, 0x200, 0x1FF, R | X, 0x1000)]))
seed("offset_wrap", elf(B + 0x100, [(PT_LOAD, 0, B, 0x200, 0x200, R | X, 0x1000),
                                    (PT_LOAD, 0xFFFFF300, B + 0x1300, 0x1000, 0x1000, R | W, 0x1000)]))
seed("page_zero", elf(0x100, [(PT_LOAD, 0, 0, 0x200, 0x200, R | X, 0x1000)]))
seed("kernel_half", elf(B + 0x100, [(PT_LOAD, 0, B, 0x200, 0x200, R | X, 0x1000),
                                    (PT_LOAD, 0x200, 0xC0000200, 0x10, 0x10, R | W, 0x1000)]))
seed("memsz_wrap", elf(B + 0x100, [(PT_LOAD, 0, B, 0x200, 0x200, R | X, 0x1000),
                                   (PT_LOAD, 0x200, B + 0x1200, 0x10, 0xFFFFF000, R | W, 0x1000)]))
seed("incongruent", elf(B + 0x100, [(PT_LOAD, 0, B, 0x200, 0x200, R | X, 0x1000),
                                    (PT_LOAD, 0x200, B + 0x1100, 0x10, 0x10, R | W, 0x1000)]))
seed("overlap", elf(B + 0x100, [(PT_LOAD, 0, B, 0x200, 0x200, R | X, 0x1000),
                                (PT_LOAD, 0x1F0, B + 0x1F0, 0x20, 0x20, R | W, 0x1000)]))
seed("entry_in_data", elf(B + 0x1300, GNU[:2] + [(PT_LOAD, 0x300, B + 0x1300, 0x80, 0x2000, R | W, 0x1000)]))
seed("phdr_mismatch", elf(L + 0x1200, [(PT_PHDR, 52, L + 0x100, 0xC0, 0xC0, R, 4)] + LLD[1:]))
