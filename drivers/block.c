/*
 * drivers/block.c - the registry of block devices (see block.h).
 */
#include "block.h"
#include "mm/mm_shim.h"

static struct blockdev *devs[BLOCK_MAX];
static int ndevs;

static bool name_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int block_register(struct blockdev *d)
{
    if (ndevs == BLOCK_MAX) {
        mm_log("block: %s not registered: %d disks already\n", d->name, BLOCK_MAX);
        return BLOCK_E_FULL;
    }
    devs[ndevs++] = d;
    mm_log("block: %s, %llu sectors (%llu MiB)\n", d->name, (unsigned long long)d->sectors,
           (unsigned long long)(d->sectors >> 11));
    return BLOCK_OK;
}

static int check(const struct blockdev *d, uint64_t lba, uint32_t count)
{
    if (lba > d->sectors || count > d->sectors - lba)
        return BLOCK_E_RANGE;
    return BLOCK_OK;
}

int block_read(struct blockdev *d, uint64_t lba, uint32_t count, void *buf)
{
    int err = check(d, lba, count);
    return err || !count ? err : d->read(d, lba, count, buf);
}

int block_write(struct blockdev *d, uint64_t lba, uint32_t count, const void *buf)
{
    int err = check(d, lba, count);
    return err || !count ? err : d->write(d, lba, count, buf);
}

int block_count(void)
{
    return ndevs;
}

struct blockdev *block_at(int i)
{
    return i >= 0 && i < ndevs ? devs[i] : 0;
}

struct blockdev *block_find(const char *name)
{
    for (int i = 0; i < ndevs; i++)
        if (name_eq(devs[i]->name, name))
            return devs[i];
    return 0;
}

const char *block_strerror(int err)
{
    switch (err) {
    case BLOCK_OK: return "no error";
    case BLOCK_E_IO: return "the device reported an error";
    case BLOCK_E_RANGE: return "sectors past the end of the device";
    case BLOCK_E_FULL: return "too many devices";
    case BLOCK_E_TIMEOUT: return "the device did not answer in time";
    default: return "unknown error";
    }
}
