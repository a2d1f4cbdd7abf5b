#!/usr/bin/env python3
"""Regenerate the seed corpus for tests/fuzz/fuzz_memmap.c (layout described there)."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_memmap")
K, M, G = 1 << 10, 1 << 20, 1 << 30


def rec(base, length, typ, size=20):
    body = struct.pack("<QQI", base, length, typ)
    return struct.pack("<I", size) + body + b"\xee" * (size - 20)


def seed(name, entries, carves=(), take=None, tail=b""):
    flags = len(carves) | (4 if take else 0)
    data = bytes([flags])
    for start, length in carves:
        data += struct.pack("<II", start, length)
    if take:
        data += struct.pack("<II", *take)
    data += b"".join(rec(*e) for e in entries) + tail
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


QEMU = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
        (M, 0x7EE0000, 1), (0x7FE0000, 0x20000, 2), (0xFFFC0000, 0x40000, 2)]

os.makedirs(OUT, exist_ok=True)
seed("qemu_128m", QEMU)
seed("qemu_128m_kernel", QEMU, carves=[(M, 0x7A123), (0x7F00000, 0x200000)], take=(0x21000, 16 * M))
seed("qemu_8g", [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
                 (M, 0xBFEE0000, 1), (0xBFFE0000, 0x20000, 2), (0xFEFFC000, 0x4000, 2),
                 (0xFFFC0000, 0x40000, 2), (4 * G, 5 * G, 1), (0xFD00000000, 0x300000000, 2)])
seed("uefi_types", [(0, 0xA0000, 1, 24), (M, 0x6F00000, 1, 24), (0x7000000, 0x80000, 3, 24),
                    (0x7080000, 0x80000, 4, 24), (0x7100000, 0x8F00000, 1, 24),
                    (0x8000000, 0x1000000, 20, 24), (0x10000000, 0x30000000, 1, 24),
                    (0x20000000, 0x1000, 5, 24), (0xFEE00000, 0x1000, 2, 24)])
seed("overlap_unsorted", [(16 * M, 48 * M, 1), (M, 32 * M, 1), (8 * M, M, 2), (30 * M, 4 * M, 2),
                          (M, 15 * M, 1), (60 * M, 8 * M, 4), (0x100123, 0x3000, 1)])
seed("duplicates_zero", [(M, 15 * M, 1), (M, 15 * M, 1), (2 * M, 0, 1), (3 * M, 0, 2),
                         (4 * M, M, 2), (4 * M, M, 2), (16 * M, 16 * M, 1)])
seed("huge_lengths", [(M, 0xFFFFFFFFFFFFFFFF, 1), (0xFFFFFFFFFFFFF000, 0x2000, 1),
                      (0x10000000, 0xFFFFFFFFFFFFFFFF, 2)])
seed("size32_records", [(0, 0x9F000, 1, 32), (M, 127 * M, 1, 32), (128 * M, M, 2, 28)])
seed("bad_size", [(M, 15 * M, 1), (0, 0, 0, 20)], tail=struct.pack("<I", 12) + b"\0" * 12)
seed("truncated", [(M, 15 * M, 1)], tail=rec(32 * M, M, 1)[:17])
seed("many_entries", [((3 * i + 1) * M, M, 1 + (i % 7 == 6)) for i in range(130)],
     carves=[(301 * M + 4 * K, 4 * K)])
seed("carve_straddle", [(M, 7 * M, 1), (8 * M, M, 2), (9 * M, 7 * M, 1)],
     carves=[(M, 0x7A123), (0x780000, 0x200000), (0x10000, 0x100)], take=(4 * M, 0))
seed("only_low", [(0, 640 * K, 1), (640 * K, 384 * K, 1)])
seed("empty", [])
