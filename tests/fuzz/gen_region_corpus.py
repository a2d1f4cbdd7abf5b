#!/usr/bin/env python3
"""Regenerate the seed corpus for tests/fuzz/fuzz_region.c (layout described there)."""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_region")
INSERT, REMOVE, PROTECT, FIND, GAP, COPY, BAD = 0, 2, 3, 4, 5, 6, 7
FAIL1, FAIL2, FREE = 0x18, 0x38, 0x80
R, W, X = 1, 2, 4
IMAGE, BRK, ANON, STACK = 1, 2, 3, 4


def c(prot, kind):
    """The c byte for any prot and kind."""
    return 0x80 | (kind - 1) << 3 | prot


def op(code, first, pages=1, cbyte=0, d=0):
    return bytes([code, first, pages - 1, cbyte, d])


def seed(name, window, ops):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([window]) + b"".join(ops))


os.makedirs(OUT, exist_ok=True)
# A program's life: text, data, brk growing up, a stack growing down, an mmap, mprotect, munmap.
seed("process", 1, [
    op(INSERT, 0, 8, c(R | X, IMAGE)), op(INSERT, 8, 2, c(R | W, IMAGE)),
    op(INSERT, 10, 1, c(R | W, BRK)), op(INSERT, 11, 3, c(R | W, BRK)),
    op(INSERT, 250, 6, c(R | W, STACK)), op(INSERT, 246, 4, c(R | W, STACK)),
    op(GAP, 20, 8, 0, 0x10), op(INSERT, 200, 8, c(R | W, ANON)),
    op(PROTECT, 202, 2, c(R, ANON)), op(PROTECT, 200, 8, c(R | W, ANON)),
    op(REMOVE, 203, 2), op(FIND, 5, 1, 0, 0x40), op(FIND, 204, 1), op(COPY, 0),
    op(REMOVE, 0, 256)])
# Merges and splits with the biased prot (c bit 7 clear: rw- or r-- anon).
seed("merge_split", 3, [
    op(INSERT, 10, 4, 0), op(INSERT, 14, 4, 0), op(INSERT, 6, 4, 0), op(INSERT, 20, 2, 1),
    op(INSERT, 18, 2, 0), op(PROTECT, 8, 10, 1), op(PROTECT, 6, 16, 0), op(REMOVE, 9, 3),
    op(PROTECT, 0, 30, 0), op(FIND, 12, 1)])
# Allocation failures on a full array: insert, split by remove, protect, copy.
seed("nomem", 1, [
    op(INSERT, 0, 4, 0), op(INSERT, 5, 1, 0), op(INSERT, 7, 1, 0), op(INSERT, 9, 1, 0),
    op(INSERT | FAIL1, 11, 1, 1), op(REMOVE | FAIL1, 1, 1), op(PROTECT | FAIL1, 1, 2, 1),
    op(COPY | FAIL1, 0), op(PROTECT | FAIL2, 1, 1, 1), op(REMOVE | FAIL1, 0, 12)])
# The window at address 0 (page 0 is never a gap) and at the top of the address space.
seed("low_gap", 0, [op(GAP, 0, 1), op(INSERT, 1, 1, 0), op(GAP, 0, 3, 0, 0x1F), op(GAP, 0, 255, 3, 0x35)])
seed("top_gap", 3, [op(INSERT, 254, 2, 0), op(GAP, 0, 255, 0, 0x20), op(GAP, 200, 55, 2, 0x3F),
                    op(FIND, 255, 1, 0, 0xFF)])
seed("bad_args", 2, [op(INSERT, 3, 4, 0)] + [op(BAD, 2, 5, i, i) for i in range(6)] + [op(BAD | FREE, 0)])
