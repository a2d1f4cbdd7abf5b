; boot/boot.asm - the multiboot entry: from GRUB's flat 32-bit world into the higher half.
;
; GRUB (or QEMU's -kernel loader) loads the image at 1 MiB and jumps to _start
; with paging off, EAX = 0x2BADB002 and EBX = the physical address of the
; multiboot information structure. The kernel is linked at 0xC0100000, so until
; paging maps that address every absolute reference here must subtract
; KERNEL_BASE (relative jumps and calls are fine either way).
;
; Steps: save EAX/EBX; fill the boot page tables so that low memory up to the end
; of the boot tables is mapped twice - identity (so the instruction after
; "mov cr0" still exists) and at KERNEL_BASE; point PD[1023] at the directory
; itself (the recursive slot the C code uses to reach page tables) and PD[1022] at
; the fixmap table; enable paging with write protection; jump to the higher half;
; drop the identity mapping; switch to the boot stack; call kmain(magic, info).
;
; Only 4 KiB pages: a 486 has no PSE, so no 4 MiB pages are used.

%include "memlayout.inc"
%include "mmu.inc"

MB_MAGIC        equ 0x1BADB002
MB_PAGE_ALIGN   equ 1 << 0          ; load modules on page boundaries
MB_MEMORY_INFO  equ 1 << 1          ; give us mem_lower/upper and the memory map
MB_VIDEO_MODE   equ 1 << 2          ; set a video mode and describe it (the fields below)
MB_FLAGS        equ MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE

extern kmain
extern boot_pd, boot_pts, boot_pt_count, boot_fixmap_pt, boot_tables_end

section .multiboot progbits alloc noexec nowrite align=4
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    ; The a.out address fields: present because the video fields follow them,
    ; ignored since flag bit 16 is clear (GRUB reads our ELF headers instead).
    dd 0, 0, 0, 0, 0
    ; Video mode wish: a linear framebuffer (mode_type 0), 1024x768 at 32 bits.
    ; Under UEFI it is the only kind of screen there is; under BIOS GRUB sets a
    ; VBE mode, or leaves VGA text when it cannot (the kernel handles both).
    dd 0                            ; mode_type: linear graphics
    dd 1024, 768, 32                ; width, height, depth (0 would mean no preference)

; Symbols are virtual addresses; this gives the physical one.
%define PHYS(x) ((x) - KERNEL_BASE)

section .boot.text progbits alloc exec nowrite align=16
global _start
_start:
    ; Keep the loader's two registers out of harm's way from the first instruction.
    mov esi, eax                    ; multiboot magic
    mov edi, ebx                    ; physical address of the multiboot info
    cld

    ; Fill the boot page tables: PTE i maps physical page i, for every page
    ; from 0 up to the end of the boot tables (derived from the linker, never a
    ; fixed 4 MiB). They were zeroed by the loader (NOLOAD, like .bss).
    mov ecx, PHYS(boot_tables_end)
    shr ecx, PAGE_SHIFT             ; number of pages to map
    mov ebx, PHYS(boot_pts)         ; where the PTEs go
    xor eax, eax
.fill_pte:
    mov edx, eax
    shl edx, PAGE_SHIFT
    or edx, PTE_P | PTE_W
    mov [ebx + eax * 4], edx
    inc eax
    cmp eax, ecx
    jb .fill_pte

    ; Hook each table into the directory twice: at index i (identity) and at
    ; 768 + i (KERNEL_BASE). ECX becomes the number of tables in use.
    add ecx, PT_ENTRIES - 1
    shr ecx, 10
    mov ebx, PHYS(boot_pd)
    xor eax, eax
.fill_pde:
    mov edx, eax
    shl edx, PAGE_SHIFT
    add edx, PHYS(boot_pts)
    or edx, PTE_P | PTE_W
    mov [ebx + eax * 4], edx
    mov [ebx + eax * 4 + (KERNEL_BASE >> 22) * 4], edx
    inc eax
    cmp eax, ecx
    jb .fill_pde
    mov [boot_identity_pdes - KERNEL_BASE], ecx

    ; The fixmap table (temporary windows, the frame bitmap) and the recursive slot.
    mov edx, PHYS(boot_fixmap_pt)
    or edx, PTE_P | PTE_W
    mov [ebx + FIXMAP_PDX * 4], edx
    mov edx, ebx
    or edx, PTE_P | PTE_W
    mov [ebx + RECURSIVE_PDX * 4], edx

    ; Paging on, with CR0.WP so ring 0 honours read-only pages too.
    mov cr3, ebx
    mov eax, cr0
    or eax, CR0_PG | CR0_WP
    mov cr0, eax

    ; Still executing at the identity-mapped address: jump to the higher half.
    mov eax, higher_half
    jmp eax

section .text
higher_half:
    ; Remove the identity mapping: from here on a low address faults.
    mov ecx, [boot_identity_pdes]
    xor eax, eax
.clear_identity:
    mov dword [boot_pd + eax * 4], 0
    inc eax
    cmp eax, ecx
    jb .clear_identity
    mov eax, cr3                    ; reloading CR3 flushes the whole TLB
    mov cr3, eax

    ; The boot stack, in the higher half, with an unmapped guard page below it
    ; once the kernel page tables are built.
    mov esp, boot_stack_top
    xor ebp, ebp                    ; terminates frame-pointer backtraces
    push edi                        ; kmain(magic, info_phys)
    push esi
    call kmain

    ; kmain does not return; if it does, stop quietly.
    cli
.hang:
    hlt
    jmp .hang

section .data
global boot_identity_pdes
boot_identity_pdes: dd 0            ; how many directory entries the identity map used

section .bss.stack nobits alloc write align=4096
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:  resb PAGE_SIZE    ; left unmapped by the vmm: overflow hits it and faults
boot_stack_bottom: resb BOOT_STACK_SIZE
boot_stack_top:
