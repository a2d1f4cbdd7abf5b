/*
 * tests/fuzz/fuzz_region.c - libFuzzer target for a process's regions (mm/region.c).
 *
 * The set is driven side by side with a model: one byte per page of a 256-page
 * window (0: unmapped, else 0x80 | kind << 3 | prot).
 *
 * Input layout:
 *   byte 0        where the window lies (low 2 bits): at address 0, at 0x40000000,
 *                 ending at 0xC0000000, or ending at the top of the address space
 *   5 bytes each  one operation: op, a, b, c, d
 *     op & 7        0, 1 insert; 2 remove; 3 protect; 4 find, first_from, range_free;
 *                   5 find_gap; 6 copy; 7 a bad argument (bit 7 set: region_set_free)
 *     op bits 3, 4  both set: an mm_alloc() fails (bit 5: the second, else the first)
 *     a, b          the range: first page a, 1 + b % (256 - a) pages
 *     c             prot and kind: bit 7 clear gives rw- or r-- anon, so regions merge
 *     d             sub-page offsets, guard pages, which bad argument
 *
 * After every operation the set must pass region_check(), hold exactly the maximal
 * runs of equal pages of the model, agree with it under region_find() at the first
 * and last byte of every page, and add up under region_total(). REGION_E_NOMEM is
 * accepted only when an allocation was made to fail and the operation needed one,
 * and then the set must be unchanged. Any violation is a __builtin_trap().
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "host_shim.h"
#include "region.h"

#define REQUIRE(c)            \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

#define P     ((uintptr_t)4096)
#define PAGES 256
#define TOP   (UINTPTR_MAX & ~(P - 1))

static struct region_set set;
static uint8_t model[PAGES];
static uintptr_t base;
static struct region runs[PAGES]; /* the model as regions */
static int nruns;

static uintptr_t pg(int i)
{
    return base + (uintptr_t)i * P;
}

/* The model's maximal runs of equal mapped pages: what the set must hold. */
static void model_runs(void)
{
    nruns = 0;
    for (int i = 0; i < PAGES;) {
        int j = i + 1;
        while (j < PAGES && model[j] == model[i])
            j++;
        if (model[i])
            runs[nruns++] = (struct region){pg(i), pg(j), model[i] & 7u, (model[i] >> 3) & 7u};
        i = j;
    }
}

static bool same_as_runs(const struct region_set *s)
{
    if (!region_check(s) || s->n != nruns)
        return false;
    for (int i = 0; i < nruns; i++)
        if (memcmp(&s->r[i], &runs[i], sizeof runs[i]) != 0)
            return false;
    return true;
}

static void check_all(void)
{
    size_t total = 0;

    model_runs();
    REQUIRE(same_as_runs(&set));
    for (int i = 0; i < PAGES; i++) {
        const struct region *lo = region_find(&set, pg(i)), *hi = region_find(&set, pg(i) + P - 1);
        REQUIRE(lo == hi);
        if (!model[i]) {
            REQUIRE(lo == NULL);
            continue;
        }
        REQUIRE(lo && lo->start <= pg(i) && pg(i) < lo->end);
        REQUIRE(lo->prot == (model[i] & 7u) && lo->kind == ((model[i] >> 3) & 7u));
        total += P;
    }
    REQUIRE(region_total(&set) == total);
}

static bool model_any(int a, int n, bool mapped)
{
    for (int i = a; i < a + n; i++)
        if ((model[i] != 0) == mapped)
            return true;
    return false;
}

/* Are pages [a, b) all mapped alike, so one region (the model's runs are maximal)? */
static bool one_run(int a, int b)
{
    for (int i = a; i < b; i++)
        if (model[i] == 0 || model[i] != model[a])
            return false;
    return true;
}

/* What region_find_gap must answer, by trying every page from the top down. */
static uintptr_t model_gap(int len, int floor, int top, int guard)
{
    int lowest = base == 0 && floor < 1 ? 1 : floor;

    for (int x = top - len; x >= lowest; x--) {
        bool ok = true;
        for (int i = x - guard; ok && i < x + len + guard; i++)
            ok = i < 0 || i >= PAGES || model[i] == 0;
        if (ok)
            return pg(x);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uintptr_t bases[4] = {0, 0x40000000, 0xC0000000 - PAGES * P, TOP - PAGES * P};
    static struct region saved[PAGES];

    if (size < 1)
        return 0;
    base = bases[data[0] & 3];
    region_set_free(&set);
    memset(model, 0, sizeof model);
    data++;
    size--;

    for (; size >= 5; data += 5, size -= 5) {
        uint8_t op = data[0], c = data[3], d = data[4];
        int a = data[1], n = 1 + data[2] % (PAGES - a);
        uint32_t prot = c & 0x80 ? c & 7u : (c & 1 ? REGION_R : REGION_R | REGION_W);
        uint32_t kind = c & 0x80 ? 1u + ((c >> 3) & 3u) : REGION_ANON;
        int saved_n = set.n, cap = set.cap, rc = REGION_OK;
        bool inject = (op & 0x18) == 0x18;

        model_runs();
        if (set.n > 0)
            memcpy(saved, set.r, (size_t)set.n * sizeof saved[0]);
        host_alloc_fail_in = inject ? 1 + ((op >> 5) & 1) : 0;

        switch (op & 7) {
        case 0:
        case 1:
            rc = region_insert(&set, pg(a), pg(a + n), prot, kind);
            if (model_any(a, n, true)) {
                REQUIRE(rc == REGION_E_OVERLAP);
            } else if (rc == REGION_OK) {
                memset(model + a, 0x80 | kind << 3 | prot, (size_t)n);
            } else {
                REQUIRE(rc == REGION_E_NOMEM && saved_n == cap); /* the array was full */
            }
            break;
        case 2:
            rc = region_remove(&set, pg(a), pg(a + n));
            if (rc == REGION_OK) {
                memset(model + a, 0, (size_t)n);
            } else {
                /* only a split of one region strictly around the range needs an entry */
                REQUIRE(rc == REGION_E_NOMEM && saved_n == cap && a > 0 && a + n < PAGES);
                REQUIRE(one_run(a - 1, a + n + 1));
            }
            break;
        case 3:
            rc = region_protect(&set, pg(a), pg(a + n), prot);
            if (model_any(a, n, false)) {
                REQUIRE(rc == REGION_E_HOLE);
            } else if (rc == REGION_OK) {
                for (int i = a; i < a + n; i++)
                    model[i] = (uint8_t)((model[i] & ~7u) | prot);
            } else {
                REQUIRE(rc == REGION_E_NOMEM && saved_n + 2 > cap);
            }
            break;
        case 4: {
            uintptr_t va = pg(a) + (uintptr_t)d * 16; /* somewhere in page a */
            const struct region *r = region_find(&set, va), *next = region_first_from(&set, va);
            const struct region *want = NULL;
            for (int i = 0; i < nruns && !want; i++)
                if (runs[i].end > va)
                    want = &runs[i];
            REQUIRE(r == NULL ? model[a] == 0 : (r->start <= va && va < r->end && model[a] != 0));
            REQUIRE(want ? next && memcmp(next, want, sizeof *want) == 0 : next == NULL);
            REQUIRE(region_range_free(&set, pg(a), pg(a + n)) == !model_any(a, n, true));
            break;
        }
        case 5: {
            int len = 1 + data[2] % 64, guard = (d >> 4) & 3, top = a + data[2] % (PAGES + 1 - a);
            size_t len_bytes = (size_t)len * P - (d & 0x0F);
            size_t guard_bytes = guard ? (size_t)guard * P - (op >> 7) : 0;
            uintptr_t floor_va = pg(a) - (a > 0 && (c & 1) ? P - 1 : 0);
            uintptr_t top_va = pg(top) + (c & 2 ? P - 1 : 0);
            REQUIRE(region_find_gap(&set, len_bytes, floor_va, top_va, guard_bytes) ==
                    model_gap(len, a, top, guard));
            break;
        }
        case 6: {
            struct region_set copy;
            region_set_init(&copy);
            rc = region_set_copy(&copy, &set);
            if (rc == REGION_OK) {
                REQUIRE(same_as_runs(&copy));
            } else {
                REQUIRE(rc == REGION_E_NOMEM && set.n > 0 && copy.n == 0 && copy.r == NULL);
                rc = REGION_OK; /* the set itself was not asked to change */
            }
            region_set_free(&copy);
            break;
        }
        default:
            if (op & 0x80) {
                region_set_free(&set);
                memset(model, 0, sizeof model);
                break;
            }
            switch (d % 6) {
            case 0: rc = region_insert(&set, pg(a) + 1 + d, pg(a + n), prot, kind); break;
            case 1: rc = region_remove(&set, pg(a), pg(a + n) - 1 - d); break;
            case 2: rc = region_protect(&set, pg(a), pg(a), prot); break;
            case 3: rc = region_insert(&set, pg(a + n), pg(a), prot, kind); break;
            case 4: rc = region_protect(&set, pg(a), pg(a + n), 8u << (c & 3)); break;
            default: rc = region_insert(&set, pg(a), pg(a + n), prot, c & 1 ? 0 : REGION_STACK + 1u); break;
            }
            REQUIRE(rc == REGION_E_ARG);
            break;
        }
        /* NOMEM only when this call's injected failure was used; then nothing changed */
        if (rc == REGION_E_NOMEM)
            REQUIRE(inject && host_alloc_fail_in == 0);
        if (rc != REGION_OK)
            REQUIRE(set.n == saved_n &&
                    (saved_n == 0 || memcmp(set.r, saved, (size_t)saved_n * sizeof saved[0]) == 0));
        host_alloc_fail_in = 0;
        check_all();
    }
    region_set_free(&set);
    return 0;
}
