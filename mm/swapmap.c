/*
 * mm/swapmap.c - swap-slot allocation and reference counts (see swapmap.h).
 */
#include "swapmap.h"
#include "mm_shim.h"

#define BAD_SLOT 0xFFFFu /* the count of a bad page: never free, never handed out */

static uint32_t words_for(uint32_t bits)
{
    return (bits + 31) / 32;
}

size_t swapmap_storage_bytes(uint32_t nslots)
{
    uint32_t words = words_for(nslots);
    return (size_t)nslots * sizeof(uint16_t) + (size_t)words * 4 + (size_t)words_for(words) * 4 + 4;
}

static void set_free(struct swapmap *m, uint32_t slot)
{
    uint32_t w = slot / 32;
    m->bits[w] |= 1u << (slot % 32);
    m->summary[w / 32] |= 1u << (w % 32);
}

static void set_used(struct swapmap *m, uint32_t slot)
{
    uint32_t w = slot / 32;
    m->bits[w] &= ~(1u << (slot % 32));
    if (!m->bits[w])
        m->summary[w / 32] &= ~(1u << (w % 32));
}

void swapmap_init(struct swapmap *m, void *storage, uint32_t nslots, const uint32_t *bad, uint32_t nbad)
{
    uint32_t words = words_for(nslots);
    m->nslots = nslots;
    m->count = storage;
    /* The 16-bit counts first, then the 32-bit words, aligned. */
    uintptr_t after = ((uintptr_t)storage + (size_t)nslots * sizeof(uint16_t) + 3) & ~(uintptr_t)3;
    m->bits = (uint32_t *)after;
    m->summary = m->bits + words;
    for (uint32_t i = 0; i < words; i++)
        m->bits[i] = 0;
    for (uint32_t i = 0; i < words_for(words); i++)
        m->summary[i] = 0;
    m->nfree = 0;
    m->hint = 0;
    for (uint32_t s = 0; s < nslots; s++)
        m->count[s] = 0;
    m->count[0] = BAD_SLOT; /* the header */
    for (uint32_t i = 0; i < nbad; i++)
        if (bad[i] < nslots)
            m->count[bad[i]] = BAD_SLOT;
    for (uint32_t s = 1; s < nslots; s++)
        if (m->count[s] == 0) {
            set_free(m, s);
            m->nfree++;
        }
}

/* Lowest set bit (no compiler builtin: this also runs on the 486 kernel as plain C). */
static unsigned lowest_bit(uint32_t x)
{
    unsigned n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
}

uint32_t swapmap_alloc(struct swapmap *m)
{
    if (m->nfree == 0)
        return 0;
    uint32_t words = words_for(m->nslots), swords = words_for(words);
    /* From the hint's summary word round to it: a free slot near the last one
     * keeps a process's pages close together on the disk. */
    for (uint32_t i = 0; i <= swords; i++) {
        uint32_t sw = (m->hint / 32 + i) % swords;
        uint32_t sum = m->summary[sw];
        if (!sum)
            continue;
        uint32_t w = sw * 32 + lowest_bit(sum);
        uint32_t slot = w * 32 + lowest_bit(m->bits[w]);
        set_used(m, slot);
        m->count[slot] = 1;
        m->nfree--;
        m->hint = w;
        return slot;
    }
    return 0; /* not reached: nfree said there was one */
}

static bool valid(const struct swapmap *m, uint32_t slot, const char *what)
{
    if (slot == 0 || slot >= m->nslots || m->count[slot] == 0 || m->count[slot] == BAD_SLOT) {
        mm_misuse("swap: %s of slot %u, which is not in use (%u slots)\n", what, (unsigned)slot,
                  (unsigned)m->nslots);
        return false;
    }
    return true;
}

void swapmap_dup(struct swapmap *m, uint32_t slot)
{
    if (!valid(m, slot, "dup"))
        return;
    if (m->count[slot] == BAD_SLOT - 1) {
        mm_misuse("swap: slot %u has too many references\n", (unsigned)slot);
        return;
    }
    m->count[slot]++;
}

uint32_t swapmap_put(struct swapmap *m, uint32_t slot)
{
    if (!valid(m, slot, "put"))
        return 0xFFFFFFFFu;
    if (--m->count[slot] == 0) {
        set_free(m, slot);
        m->nfree++;
    }
    return m->count[slot];
}

uint32_t swapmap_count(const struct swapmap *m, uint32_t slot)
{
    return slot < m->nslots && m->count[slot] != BAD_SLOT ? m->count[slot] : 0;
}

uint32_t swapmap_used(const struct swapmap *m)
{
    uint32_t bad = 0;
    for (uint32_t s = 0; s < m->nslots; s++)
        bad += m->count[s] == BAD_SLOT;
    return m->nslots - bad - m->nfree;
}
