/*
 * kernel/multiboot.h - the structures of the Multiboot 1 specification.
 *
 * The loader leaves a struct multiboot_info in physical memory and passes its
 * address in EBX. Which fields are valid is told by bits in `flags`. All
 * pointers in it are physical addresses, possibly anywhere in RAM.
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#define MBI_MEMORY      (1u << 0)   /* mem_lower, mem_upper */
#define MBI_CMDLINE     (1u << 2)
#define MBI_MODS        (1u << 3)
#define MBI_ELF_SHDR    (1u << 5)
#define MBI_MEM_MAP     (1u << 6)
#define MBI_LOADER_NAME (1u << 9)
#define MBI_FRAMEBUFFER (1u << 12)

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;          /* KiB below 1 MiB, KiB from 1 MiB to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t shdr_num, shdr_size, shdr_addr, shdr_shndx;  /* ELF section headers */
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe_control_info, vbe_mode_info;
    uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
    uint64_t framebuffer_addr;
    uint32_t framebuffer_pitch, framebuffer_width, framebuffer_height;
    uint8_t framebuffer_bpp, framebuffer_type;
    uint8_t color_info[6];
} __attribute__((packed));

struct multiboot_module {
    uint32_t mod_start, mod_end;
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

#endif
