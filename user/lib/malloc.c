/*
 * user/lib/malloc.c - malloc, free, realloc and calloc on top of brk.
 *
 * The program break is the end of the process's data: brk moves it, and the
 * kernel backs the pages in between with zeroed memory. This allocator takes
 * memory from there in chunks of at least 64 KiB and carves it into blocks.
 *
 * Every block starts with a 16-byte header holding its size. Free blocks are
 * also on one list, kept in address order so that free() can merge a block
 * with the free neighbours it touches; malloc() takes the first free block
 * big enough (first fit) and splits off what it does not need. Memory is never
 * given back to the kernel: a freed block waits for the next malloc.
 *
 * A header also carries a magic word, different for used and free blocks, so
 * freeing a pointer malloc never returned, or freeing one twice, stops the
 * program with a message instead of corrupting the list.
 */
#include "ulib.h"

struct header {
    size_t size;         /* of the whole block, header included: a multiple of ALIGN */
    uint32_t magic;      /* MAGIC_USED or MAGIC_FREE */
    struct header *next; /* the next free block, by address (free blocks only) */
    uint32_t unused;
};

#define ALIGN      16u /* every block, hence every pointer returned, is 16-byte aligned */
#define MIN_BLOCK  32u /* a header and 16 bytes: smaller remainders are not split off */
#define CHUNK      (64u * 1024)
#define MAGIC_USED 0x75736564u /* "used" */
#define MAGIC_FREE 0x66726565u /* "free" */

_Static_assert(sizeof(struct header) == ALIGN, "the header keeps the payload aligned");

static struct header *free_list; /* lowest address first */

static _Noreturn void heap_panic(const char *what, void *p)
{
    dprintf(2, "malloc: %s %p: heap corrupted or pointer not from malloc\n", what, p);
    exit_group(127);
}

/* Put block b on the free list in address order, merging it with the free
 * blocks that end where it starts or start where it ends. */
static void insert_free(struct header *b)
{
    struct header *prev = NULL, *cur = free_list;
    while (cur && cur < b) {
        prev = cur;
        cur = cur->next;
    }
    b->magic = MAGIC_FREE;
    b->next = cur;
    if (cur && (char *)b + b->size == (char *)cur) { /* merge with the one after */
        b->size += cur->size;
        b->next = cur->next;
    }
    if (prev && (char *)prev + prev->size == (char *)b) { /* merge with the one before */
        prev->size += b->size;
        prev->next = b->next;
    } else if (prev) {
        prev->next = b;
    } else {
        free_list = b;
    }
}

/* Move the break up by at least `need` bytes and free the new memory into the
 * list. False when the kernel refuses (brk then returns the old break). */
static bool grow(size_t need)
{
    uintptr_t cur = (uintptr_t)brk(NULL);
    uintptr_t start = (cur + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    size_t amount = need < CHUNK ? CHUNK : need;
    if (start + amount < start) /* past the top of the address space */
        return false;
    if ((uintptr_t)brk((void *)(start + amount)) != start + amount)
        return false;
    struct header *b = (struct header *)start;
    b->size = amount;
    insert_free(b);
    return true;
}

void *malloc(size_t n)
{
    if (n > SIZE_MAX - 2 * ALIGN)
        return NULL;
    size_t need = (n + sizeof(struct header) + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    for (;;) {
        struct header *prev = NULL;
        for (struct header *b = free_list; b; prev = b, b = b->next) {
            if (b->magic != MAGIC_FREE)
                heap_panic("free list entry", b);
            if (b->size < need)
                continue;
            if (b->size - need >= MIN_BLOCK) {
                /* Split: hand out the tail, the head stays on the list as it is. */
                b->size -= need;
                b = (struct header *)((char *)b + b->size);
                b->size = need;
            } else if (prev) {
                prev->next = b->next;
            } else {
                free_list = b->next;
            }
            b->magic = MAGIC_USED;
            b->next = NULL;
            return b + 1;
        }
        if (!grow(need))
            return NULL;
    }
}

void free(void *p)
{
    if (!p)
        return;
    struct header *b = (struct header *)p - 1;
    if ((uintptr_t)p % ALIGN != 0 || b->magic != MAGIC_USED)
        heap_panic(b->magic == MAGIC_FREE ? "double free of" : "free of", p);
    insert_free(b);
}

void *calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

/* A block of n bytes holding the first bytes of p's; p itself when it is big
 * enough already. realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and
 * returns NULL. On failure p is left as it was and NULL returned. */
void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    struct header *b = (struct header *)p - 1;
    if ((uintptr_t)p % ALIGN != 0 || b->magic != MAGIC_USED)
        heap_panic("realloc of", p);
    size_t have = b->size - sizeof(struct header);
    if (n <= have)
        return p;
    void *q = malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, have);
    free(p);
    return q;
}
