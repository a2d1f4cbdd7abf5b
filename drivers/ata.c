/*
 * drivers/ata.c - disks on the legacy IDE channels, by programmed I/O.
 *
 * A PC has two ATA channels at fixed I/O ports, each with up to two drives
 * (master and slave) that share the channel's registers:
 *
 *   channel    command block   control block   IRQ
 *   primary    0x1F0-0x1F7     0x3F6           14
 *   secondary  0x170-0x177     0x376           15
 *
 *   +0 data (16 bits)   +1 error / features   +2 sector count   +3 LBA 0-7
 *   +4 LBA 8-15         +5 LBA 16-23          +6 drive select   +7 status / command
 *   control: alternate status (read, no side effects) / device control (write)
 *
 * A command is: select the drive, write the sector count and the address, write
 * the command byte. The drive sets BSY while it works; for each 512-byte sector
 * it then sets DRQ, and the data moves through the data port, 256 words at a
 * time. Addresses are 28 bits (LBA28: 128 GiB) or, with the EXT commands, 48
 * bits (LBA48): the high bytes are written first into the same registers.
 *
 * Interrupts are masked (nIEN): the kernel polls. Every wait is bounded in time
 * (kernel/clock.h); a drive that stays busy is reset and reported, a channel
 * with nothing on it (the status port floats at 0xFF) is skipped, and nothing
 * here can hang the boot. Errors are decoded from the error register.
 */
#include "ata.h"
#include "block.h"
#include "kernel/clock.h"
#include "kernel/io.h"
#include "kernel/kprintf.h"

#define REG_DATA    0
#define REG_ERROR   1
#define REG_COUNT   2
#define REG_LBA0    3
#define REG_LBA1    4
#define REG_LBA2    5
#define REG_DRIVE   6
#define REG_STATUS  7
#define REG_COMMAND 7

#define ST_ERR 0x01 /* the last command failed: see the error register */
#define ST_DRQ 0x08 /* data ready to move */
#define ST_DF  0x20 /* drive fault */
#define ST_RDY 0x40 /* drive ready */
#define ST_BSY 0x80 /* busy: no other bit is valid */

#define CTL_NIEN 0x02 /* no interrupts */
#define CTL_SRST 0x04 /* software reset of both drives */

#define CMD_READ      0x20
#define CMD_READ_EXT  0x24
#define CMD_WRITE     0x30
#define CMD_WRITE_EXT 0x34
#define CMD_FLUSH     0xE7
#define CMD_FLUSH_EXT 0xEA
#define CMD_IDENTIFY  0xEC

#define TIMEOUT_US  5000000u /* a command: 5 s (a real disk may spin up) */
#define IDENTIFY_US 2000000u

struct ata_drive {
    struct blockdev dev;
    uint16_t io, ctl;
    bool slave, lba48;
};

static struct ata_drive drives[4];

static void insw(uint16_t port, void *buf, uint32_t words)
{
    __asm__ volatile("rep insw" : "+D"(buf), "+c"(words) : "d"(port) : "memory");
}

static void outsw(uint16_t port, const void *buf, uint32_t words)
{
    __asm__ volatile("rep outsw" : "+S"(buf), "+c"(words) : "d"(port) : "memory");
}

/* About 400 ns: the drive needs that long after a select before its status is valid. */
static void settle(const struct ata_drive *d)
{
    for (int i = 0; i < 4; i++)
        (void)inb(d->ctl);
}

/* Wait until BSY clears and (`drq`) DRQ sets; the status, or -1 on timeout. */
static int wait_ready(const struct ata_drive *d, bool drq, uint32_t us)
{
    struct deadline dl;
    deadline_start(&dl, us);
    for (;;) {
        uint8_t st = inb(d->ctl);
        if (!(st & ST_BSY) && (st & (ST_ERR | ST_DF)))
            return st;
        if (!(st & ST_BSY) && (!drq || (st & ST_DRQ)))
            return st;
        if (deadline_passed(&dl))
            return -1;
    }
}

/* The error register in words. */
static void describe_error(uint8_t st, uint8_t err, char *buf, unsigned size)
{
    static const char *const bits[8] = {
        "address mark not found",  "track 0 not found", "command aborted",          "media change request",
        "sector not found (IDNF)", "media changed",     "uncorrectable data (UNC)", "bad block"};
    unsigned n = 0;
    const char *first = (st & ST_DF) ? "drive fault" : 0;
    for (int b = 0; b < 8 && !first; b++)
        if (err & (1u << b))
            first = bits[b];
    for (const char *s = first ? first : "error with no reason given"; *s && n + 1 < size; s++)
        buf[n++] = *s;
    buf[n] = '\0';
}

/* Reset both drives of the channel after a timeout, so the next command can work. */
static void reset_channel(const struct ata_drive *d)
{
    outb(d->ctl, CTL_NIEN | CTL_SRST);
    clock_delay_us(10);
    outb(d->ctl, CTL_NIEN);
    clock_delay_us(2000);
    (void)wait_ready(d, false, TIMEOUT_US);
}

static int fail(struct ata_drive *d, const char *what, uint64_t lba, int st)
{
    if (st < 0) {
        kprintf("ata: %s: %s at sector %llu timed out (busy for 5 s): channel reset\n", d->dev.name, what,
                (unsigned long long)lba);
        reset_channel(d);
        return BLOCK_E_TIMEOUT;
    }
    char why[48];
    uint8_t err = inb(d->io + REG_ERROR);
    describe_error((uint8_t)st, err, why, sizeof why);
    kprintf("ata: %s: %s at sector %llu failed: %s (status 0x%02x, error 0x%02x)\n", d->dev.name, what,
            (unsigned long long)lba, why, (unsigned)st, (unsigned)err);
    return BLOCK_E_IO;
}

/* Select the drive and write the address and count of a command (not yet the command). */
static void setup(struct ata_drive *d, uint64_t lba, uint32_t count)
{
    if (d->lba48) {
        outb(d->io + REG_DRIVE, (uint8_t)(0x40 | (d->slave ? 0x10 : 0)));
        settle(d);
        outb(d->io + REG_COUNT, (uint8_t)(count >> 8));
        outb(d->io + REG_LBA0, (uint8_t)(lba >> 24));
        outb(d->io + REG_LBA1, (uint8_t)(lba >> 32));
        outb(d->io + REG_LBA2, (uint8_t)(lba >> 40));
    } else {
        outb(d->io + REG_DRIVE, (uint8_t)(0xE0 | (d->slave ? 0x10 : 0) | ((lba >> 24) & 0x0F)));
        settle(d);
    }
    outb(d->io + REG_COUNT, (uint8_t)count); /* 0 means 256 (LBA28) or 65536 (LBA48) */
    outb(d->io + REG_LBA0, (uint8_t)lba);
    outb(d->io + REG_LBA1, (uint8_t)(lba >> 8));
    outb(d->io + REG_LBA2, (uint8_t)(lba >> 16));
}

/* At most 256 sectors per command: the count register's limit without EXT. */
#define CHUNK 256u

/* Move `count` sectors at `lba` between the disk and `p`, a chunk per command and
 * the data port 256 words per sector; a write ends with a cache flush. */
static int transfer(struct ata_drive *d, uint64_t lba, uint32_t count, uint8_t *p, bool write)
{
    const char *what = write ? "write" : "read";
    uint8_t cmd = write ? (d->lba48 ? CMD_WRITE_EXT : CMD_WRITE) : (d->lba48 ? CMD_READ_EXT : CMD_READ);
    while (count) {
        uint32_t n = CHUNK;
        if (count < n)
            n = count;
        setup(d, lba, n);
        outb(d->io + REG_COMMAND, cmd);
        for (uint32_t i = 0; i < n; i++, p += BLOCK_SECTOR) {
            settle(d);
            int st = wait_ready(d, true, TIMEOUT_US);
            if (st < 0 || (st & (ST_ERR | ST_DF)))
                return fail(d, what, lba + i, st);
            if (write)
                outsw(d->io + REG_DATA, p, BLOCK_SECTOR / 2);
            else
                insw(d->io + REG_DATA, p, BLOCK_SECTOR / 2);
        }
        lba += n, count -= n;
    }
    if (!write)
        return BLOCK_OK;
    /* The data may sit in the drive's cache: a page written out to swap must be on the disk. */
    outb(d->io + REG_COMMAND, d->lba48 ? CMD_FLUSH_EXT : CMD_FLUSH);
    settle(d);
    int st = wait_ready(d, false, TIMEOUT_US);
    if (st < 0 || (st & (ST_ERR | ST_DF)))
        return fail(d, "cache flush", lba, st);
    return BLOCK_OK;
}

static int ata_read(struct blockdev *bd, uint64_t lba, uint32_t count, void *buf)
{
    return transfer(bd->priv, lba, count, buf, false);
}

static int ata_write(struct blockdev *bd, uint64_t lba, uint32_t count, const void *buf)
{
    return transfer(bd->priv, lba, count, (uint8_t *)(uintptr_t)buf, true); /* only read from, when writing */
}

/* IDENTIFY DEVICE: is an ATA disk there, and how big is it? */
static bool identify(struct ata_drive *d)
{
    outb(d->io + REG_DRIVE, (uint8_t)(0xA0 | (d->slave ? 0x10 : 0)));
    settle(d);
    outb(d->io + REG_COUNT, 0);
    outb(d->io + REG_LBA0, 0);
    outb(d->io + REG_LBA1, 0);
    outb(d->io + REG_LBA2, 0);
    outb(d->io + REG_COMMAND, CMD_IDENTIFY);
    settle(d);
    if (inb(d->io + REG_STATUS) == 0)
        return false; /* no drive answers */
    int st = wait_ready(d, false, IDENTIFY_US);
    if (st < 0) {
        kprintf("ata: %s: no answer to IDENTIFY within 2 s: skipped\n", d->dev.name);
        reset_channel(d);
        return false;
    }
    uint8_t mid = inb(d->io + REG_LBA1), hi = inb(d->io + REG_LBA2);
    if (mid || hi) {
        /* ATAPI (0x14 0xEB) or SATA (0x3C 0xC3) signatures: not a plain ATA disk. */
        kprintf("ata: %s: %s device, not a disk: skipped\n", d->dev.name,
                mid == 0x14 && hi == 0xEB ? "an ATAPI (CD-ROM)" : "a non-ATA");
        return false;
    }
    st = wait_ready(d, true, IDENTIFY_US);
    if (st < 0 || (st & (ST_ERR | ST_DF))) {
        /* A missing slave (or master) next to a present drive answers this way too. */
        kprintf("ata: %s: no disk (IDENTIFY aborted, status 0x%02x)\n", d->dev.name, (unsigned)(st & 0xFF));
        return false;
    }
    uint16_t id[256] = {0}; /* filled by insw, which the static checkers cannot see */
    insw(d->io + REG_DATA, id, 256);
    d->lba48 = (id[83] & (1u << 10)) != 0;
    uint64_t n48 =
        (uint64_t)id[100] | ((uint64_t)id[101] << 16) | ((uint64_t)id[102] << 32) | ((uint64_t)id[103] << 48);
    uint32_t n28 = (uint32_t)id[60] | ((uint32_t)id[61] << 16);
    d->dev.sectors = d->lba48 && n48 ? n48 : n28;
    if (!(id[49] & (1u << 9)) || d->dev.sectors == 0) {
        kprintf("ata: %s: no LBA addressing (a pre-1994 CHS-only disk): skipped\n", d->dev.name);
        return false;
    }
    return true;
}

static void name_drive(struct ata_drive *d, int channel)
{
    const char *role = d->slave ? "slave" : "master";
    unsigned n = 0;
    for (const char *s = "ata"; *s; s++)
        d->dev.name[n++] = *s;
    d->dev.name[n++] = (char)('0' + channel);
    d->dev.name[n++] = '-';
    for (const char *s = role; *s; s++)
        d->dev.name[n++] = *s;
    d->dev.name[n] = '\0';
}

void ata_init(void)
{
    static const uint16_t io[2] = {0x1F0, 0x170}, ctl[2] = {0x3F6, 0x376};
    for (int c = 0; c < 2; c++) {
        /* Nothing on the channel: the bus floats and every register reads 0xFF. */
        if (inb(io[c] + REG_STATUS) == 0xFF)
            continue;
        outb(ctl[c], CTL_NIEN);
        for (int s = 0; s < 2; s++) {
            struct ata_drive *d = &drives[c * 2 + s];
            d->io = io[c];
            d->ctl = ctl[c];
            d->slave = s == 1;
            name_drive(d, c);
            if (!identify(d))
                continue;
            d->dev.read = ata_read;
            d->dev.write = ata_write;
            d->dev.priv = d;
            kprintf("ata: %s: ATA disk, %s addressing\n", d->dev.name, d->lba48 ? "48-bit" : "28-bit");
            block_register(&d->dev);
        }
    }
}
