/*
 * tests/host/heap_arena.h - a hosted page source for mm/heap.c.
 *
 * The arena is a large PROT_NONE mapping (virtual only). commit() makes pages
 * readable and writable, release() drops their contents and makes them
 * inaccessible again, so a heap bug that touches released memory faults at
 * once. An optional page budget makes commit() fail, for out-of-memory tests.
 * The arena also checks the heap's use of it: committing a committed page or
 * releasing one that is not committed counts as an error.
 *
 * Header-only (static functions): each host program is built from its own .c
 * plus mm/heap.c and the shim, so it includes this directly.
 */
#ifndef TESTS_HEAP_ARENA_H
#define TESTS_HEAP_ARENA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "heap.h"

struct arena {
    uint8_t *base;
    size_t pages;
    uint8_t *state;   /* 1 = committed */
    size_t committed; /* pages committed now */
    size_t budget;    /* commit fails beyond this many pages (0: no limit) */
    size_t commits, releases, refused;
    int errors; /* bad commit/release calls from the heap */
};

static struct arena arena;

static int arena_commit(void *ctx, uintptr_t va, size_t npages)
{
    struct arena *a = ctx;
    size_t first = (va - (uintptr_t)a->base) / HEAP_PAGE_SIZE;
    if (va % HEAP_PAGE_SIZE || va < (uintptr_t)a->base || first + npages > a->pages) {
        a->errors++;
        return -1;
    }
    if (a->budget && a->committed + npages > a->budget) {
        a->refused++;
        return -1;
    }
    for (size_t i = first; i < first + npages; i++) {
        if (a->state[i])
            a->errors++;
        a->state[i] = 1;
    }
    if (mprotect((void *)va, npages * HEAP_PAGE_SIZE, PROT_READ | PROT_WRITE) != 0) {
        perror("arena: mprotect");
        abort();
    }
    a->committed += npages;
    a->commits++;
    return 0;
}

static void arena_release(void *ctx, uintptr_t va, size_t npages)
{
    struct arena *a = ctx;
    size_t first = (va - (uintptr_t)a->base) / HEAP_PAGE_SIZE;
    if (va % HEAP_PAGE_SIZE || va < (uintptr_t)a->base || first + npages > a->pages) {
        a->errors++;
        return;
    }
    for (size_t i = first; i < first + npages; i++) {
        if (!a->state[i])
            a->errors++;
        a->state[i] = 0;
    }
    madvise((void *)va, npages * HEAP_PAGE_SIZE, MADV_DONTNEED);
    mprotect((void *)va, npages * HEAP_PAGE_SIZE, PROT_NONE);
    a->committed -= npages;
    a->releases++;
}

/*
 * Map (first call) or reset an arena of `bytes` bytes and start the heap on
 * it with no budget. Returns the heap's page source.
 */
static const struct heap_page_source *arena_heap_init(size_t bytes)
{
    static struct heap_page_source src;
    if (arena.base && arena.pages * HEAP_PAGE_SIZE != bytes) {
        munmap(arena.base, arena.pages * HEAP_PAGE_SIZE);
        free(arena.state);
        arena.base = NULL;
    }
    if (!arena.base) {
        void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            perror("arena: mmap");
            abort();
        }
        arena.base = p;
        arena.pages = bytes / HEAP_PAGE_SIZE;
        arena.state = calloc(arena.pages, 1);
    } else {
        madvise(arena.base, bytes, MADV_DONTNEED);
        mprotect(arena.base, bytes, PROT_NONE);
        for (size_t i = 0; i < arena.pages; i++)
            arena.state[i] = 0;
    }
    arena.committed = arena.commits = arena.releases = arena.refused = 0;
    arena.budget = 0;
    arena.errors = 0;
    src.ctx = &arena;
    src.commit = arena_commit;
    src.release = arena_release;
    heap_init(&src, (uintptr_t)arena.base, bytes);
    return &src;
}

#endif
