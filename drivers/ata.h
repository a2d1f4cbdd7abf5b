/* drivers/ata.h - disks on the legacy IDE channels (see ata.c). */
#ifndef DRIVERS_ATA_H
#define DRIVERS_ATA_H

/* Probe both channels, master and slave; register each ATA disk as a block device. */
void ata_init(void);

#endif
