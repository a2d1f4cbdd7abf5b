/*
 * tests/fuzz/fuzz_heap.c - libFuzzer target for mm/heap.c.
 *
 * The input is a program for the heap: the first byte picks debug mode and an
 * optional page budget (so allocations can fail), then every 4 bytes are one
 * operation on one of 64 slots: kmalloc, kfree, krealloc, kmalloc_aligned or
 * kcalloc, with the size (small, medium or up to 1 MiB) taken from the input.
 * Every block is filled with its own pattern, verified before it is freed or
 * resized. At the end heap_check() must pass, everything is freed, and the
 * heap must be back to its starting footprint. Any mm_misuse() report, bad
 * page-source call or broken invariant aborts.
 */
#define _DEFAULT_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heap_arena.h"
#include "host_shim.h"
#include "heap.h"

#define NSLOTS 64

struct slot {
    uint8_t *p;
    size_t size;
    uint8_t seed;
};

static struct slot slots[NSLOTS];
static size_t start_pages;

static void die_unless(int ok)
{
    if (!ok)
        __builtin_trap();
}

/* The pattern covers the first and last 64 bytes and every 256th byte between. */
static size_t next_byte(size_t i, size_t n)
{
    if (i + 1 < 64 || i + 1 >= n - 64 || n <= 128)
        return i + 1;
    size_t j = (i + 256) & ~(size_t)255;
    return j < n - 64 ? j : n - 64;
}

static void fill(struct slot *s)
{
    for (size_t i = 0; i < s->size; i = next_byte(i, s->size))
        s->p[i] = (uint8_t)(s->seed + i * 13);
}

static void verify(const struct slot *s, size_t n)
{
    if (n > s->size)
        n = s->size;
    for (size_t i = 0; i < n; i = next_byte(i, s->size))
        die_unless(s->p[i] == (uint8_t)(s->seed + i * 13));
}

static size_t op_size(uint8_t scale, uint16_t v)
{
    switch (scale & 3) {
    case 0: return v % 129;
    case 1: return v % 2100;
    case 2: return v % 20000;
    default: return (size_t)v * 16; /* up to 1 MiB */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        arena_heap_init(64u << 20);
        start_pages = arena.committed;
        ready = 1;
    }
    if (size < 1)
        return 0;
    host_misuse_reset();
    uint8_t mode = data[0];
    die_unless(heap_set_debug(mode & 1) == 0);
    arena.budget = (mode & 2) ? arena.committed + (mode >> 2) : 0;
    uint8_t counter = 0;

    for (size_t i = 1; i + 4 <= size; i += 4) {
        uint8_t op = data[i], sl = data[i + 1];
        uint16_t v = (uint16_t)(data[i + 2] | data[i + 3] << 8);
        struct slot *s = &slots[sl % NSLOTS];
        size_t n = op_size(sl >> 6, v);
        uint8_t *p;
        switch (op % 6) {
        case 0:
        case 1:
        case 4:
        case 5:
            if (s->p) {
                verify(s, s->size);
                kfree(s->p);
                s->p = NULL;
            }
            if (op % 6 == 4) {
                size_t align = (size_t)1 << (op / 6 % 23);
                p = kmalloc_aligned(n, align);
                die_unless(!p || ((uintptr_t)p & (align - 1)) == 0);
            } else if (op % 6 == 5) {
                p = kcalloc(n, 1);
                for (size_t k = 0; p && k < n; k++)
                    die_unless(p[k] == 0);
            } else {
                p = kmalloc(n);
            }
            die_unless(p || arena.budget);
            if (p) {
                die_unless(((uintptr_t)p & 15) == 0 && ksize(p) >= n);
                s->p = p;
                s->size = n;
                s->seed = counter++;
                fill(s);
            }
            break;
        case 2:
            if (s->p) {
                verify(s, s->size);
                kfree(s->p);
                s->p = NULL;
            }
            break;
        case 3:
            p = krealloc(s->p, n);
            die_unless(p || arena.budget);
            if (!p) {
                if (s->p)
                    verify(s, s->size);
                break;
            }
            if (s->p)
                verify(&(struct slot){p, s->size, s->seed}, n);
            die_unless(ksize(p) >= n);
            s->p = p;
            s->size = n;
            s->seed = counter++;
            fill(s);
            break;
        }
    }

    die_unless(heap_check() == 0);
    for (int k = 0; k < NSLOTS; k++) {
        if (slots[k].p) {
            verify(&slots[k], slots[k].size);
            kfree(slots[k].p);
            slots[k].p = NULL;
        }
    }
    heap_quarantine_flush();
    die_unless(heap_check() == 0);
    die_unless(host_misuse_count == 0);
    heap_trim();
    die_unless(arena.committed == start_pages);
    die_unless(arena.errors == 0);
    arena.budget = 0;
    die_unless(heap_set_debug(false) == 0);
    return 0;
}
