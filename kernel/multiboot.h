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

#define MBI_MEMORY      (1u << 0) /* mem_lower, mem_upper */
#define MBI_CMDLINE     (1u << 2)
#define MBI_MODS        (1u << 3)
#define MBI_ELF_SHDR    (1u << 5)
#define MBI_MEM_MAP     (1u << 6)
#define MBI_LOADER_NAME (1u << 9)
#define MBI_FRAMEBUFFER (1u << 12) /* framebuffer_* and color_info */

/* framebuffer_type: what the framebuffer_* fields describe. */
#define MB_FB_INDEXED  0 /* palette colours; color_info = palette address and size */
#define MB_FB_RGB      1 /* direct colour; color_info = the fields below */
#define MB_FB_EGA_TEXT 2 /* VGA text mode: width x height characters at 0xB8000 */

/* For MB_FB_RGB, color_info holds bit position then size of red, green, blue. */
#define MB_FB_RED_POS    0
#define MB_FB_RED_SIZE   1
#define MB_FB_GREEN_POS  2
#define MB_FB_GREEN_SIZE 3
#define MB_FB_BLUE_POS   4
#define MB_FB_BLUE_SIZE  5

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper; /* KiB below 1 MiB, KiB from 1 MiB to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t shdr_num, shdr_size, shdr_addr, shdr_shndx; /* ELF section headers */
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
    /* The specification's table puts color_info at offset 110, but GRUB's own
     * multiboot.h (what GRUB writes) has it in a union with a 32-bit field,
     * aligned to offset 112. We follow GRUB. */
    uint8_t color_info_pad[2];
    uint8_t color_info[6];
} __attribute__((packed));

struct multiboot_module {
    uint32_t mod_start, mod_end;
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

#endif
