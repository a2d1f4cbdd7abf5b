/*
 * mm/swaparea.c - the Linux swap header (see swaparea.h).
 */
#include "swaparea.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static bool bytes_eq(const uint8_t *p, const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i] != (uint8_t)s[i])
            return false;
    return true;
}

int swap_parse_header(const void *page, uint64_t device_pages, struct swap_area_info *out, const char **why)
{
    const uint8_t *h = page;
    const uint8_t *sig = h + SWAP_HEADER_SIZE - 10;
    if (bytes_eq(sig, "SWAP-SPACE", 10)) {
        *why = "an old version-0 swap area (SWAP-SPACE): run mkswap again";
        return SWAP_E_OLD;
    }
    if (!bytes_eq(sig, "SWAPSPACE2", 10)) {
        *why = "no swap signature";
        return SWAP_E_NONE;
    }
    uint32_t version = le32(h + 1024);
    if (version != 1) {
        *why = version == 0x01000000u ? "a swap area made on a big-endian machine" : "unknown swap version";
        return SWAP_E_FORMAT;
    }
    out->last_page = le32(h + 1028);
    out->nr_bad = le32(h + 1032);
    if (out->last_page < 1) {
        *why = "the swap area has no page after its header";
        return SWAP_E_FORMAT;
    }
    if (out->last_page >= device_pages) {
        *why = "the swap area is larger than the disk";
        return SWAP_E_FORMAT;
    }
    if (out->nr_bad > SWAP_MAX_BAD) {
        *why = "more bad pages than the header can hold";
        return SWAP_E_FORMAT;
    }
    for (uint32_t i = 0; i < out->nr_bad; i++) {
        out->bad[i] = le32(h + 1536 + 4 * i);
        if (out->bad[i] == 0 || out->bad[i] > out->last_page) {
            *why = "a bad-page entry outside the area";
            return SWAP_E_FORMAT;
        }
    }
    for (unsigned i = 0; i < 16; i++)
        out->label[i] = (char)(h[1052 + i] >= 32 && h[1052 + i] < 127 ? h[1052 + i] : 0);
    out->label[16] = '\0';
    *why = 0;
    return SWAP_OK;
}
