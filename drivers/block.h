/*
 * drivers/block.h - block devices: disks as numbered 512-byte sectors.
 *
 * A disk driver (ATA on the legacy IDE ports, drivers/ata.c; AHCI, the SATA
 * controller of every newer PC and of QEMU's q35, drivers/ahci.c) registers one
 * struct blockdev per disk it finds. Everything above (the swap area, later a
 * file system) reads and writes through it and never knows which controller is
 * underneath. Buffers are kernel virtual addresses; a driver that needs physical
 * addresses (DMA) translates them itself, page by page.
 *
 * The registry is plain C (drivers/block.c), also built on the host for tests.
 */
#ifndef DRIVERS_BLOCK_H
#define DRIVERS_BLOCK_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define BLOCK_SECTOR   512
#define BLOCK_MAX      8 /* disks the registry keeps */
#define BLOCK_NAME_MAX 16

#define BLOCK_OK        0
#define BLOCK_E_IO      (-1) /* the device reported an error (the driver logged which) */
#define BLOCK_E_RANGE   (-2) /* sectors past the end of the device */
#define BLOCK_E_FULL    (-3) /* no room to register another device */
#define BLOCK_E_TIMEOUT (-4) /* the device did not answer in time */

struct blockdev {
    char name[BLOCK_NAME_MAX]; /* "ata0-master", "ata1-slave", "ahci0-port2" */
    uint64_t sectors;          /* capacity in 512-byte sectors */
    /* Move `count` sectors starting at `lba` between the disk and `buf`:
     * BLOCK_OK or a BLOCK_E_* code. Called only through block_read/block_write,
     * which have checked the range. */
    int (*read)(struct blockdev *d, uint64_t lba, uint32_t count, void *buf);
    int (*write)(struct blockdev *d, uint64_t lba, uint32_t count, const void *buf);
    void *priv; /* the driver's own state */
};

/* Add a disk (the struct must live for ever); one log line with its size. */
int block_register(struct blockdev *d);

/* Range-checked reads and writes (count 0 is a no-op). */
int block_read(struct blockdev *d, uint64_t lba, uint32_t count, void *buf);
int block_write(struct blockdev *d, uint64_t lba, uint32_t count, const void *buf);

int block_count(void);
struct blockdev *block_at(int i);
struct blockdev *block_find(const char *name);

/* A sentence for a BLOCK_E_* code. */
const char *block_strerror(int err);

#endif
