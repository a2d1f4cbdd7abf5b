; kernel/isr.asm - entry stubs for the 32 CPU exceptions.
;
; The CPU pushes EFLAGS, CS and EIP (and, for some vectors, an error code)
; and jumps to the gate's handler. For a uniform frame each stub pushes a zero
; where the CPU pushed no error code, then the vector number; the common part
; saves the general registers and segment registers and calls
; trap_handler(struct trapframe *) (kernel/trap.h describes the layout).

%include "gdt.inc"

extern trap_handler

%macro EXC_NOERR 1
global isr%1
isr%1:
    push dword 0
    push dword %1
    jmp trap_common
%endmacro

%macro EXC_ERR 1
global isr%1
isr%1:
    push dword %1                   ; the CPU already pushed an error code
    jmp trap_common
%endmacro

section .text

EXC_NOERR 0
EXC_NOERR 1
EXC_NOERR 2
EXC_NOERR 3
EXC_NOERR 4
EXC_NOERR 5
EXC_NOERR 6
EXC_NOERR 7
EXC_ERR   8
EXC_NOERR 9
EXC_ERR   10
EXC_ERR   11
EXC_ERR   12
EXC_ERR   13
EXC_ERR   14
EXC_NOERR 15
EXC_NOERR 16
EXC_ERR   17
EXC_NOERR 18
EXC_NOERR 19
EXC_NOERR 20
EXC_ERR   21
EXC_NOERR 22
EXC_NOERR 23
EXC_NOERR 24
EXC_NOERR 25
EXC_NOERR 26
EXC_NOERR 27
EXC_NOERR 28
EXC_ERR   29
EXC_ERR   30
EXC_NOERR 31

; The 16 hardware interrupt lines, remapped to vectors 32-47 (kernel/pic.c).
%assign v 32
%rep 16
EXC_NOERR v
%assign v v+1
%endrep

; System calls: `int 0x80` from ring 3 (the gate's DPL is 3; kernel/idt.c).
EXC_NOERR 128

trap_common:
    pusha
    push ds
    push es
    push fs
    push gs
    mov ax, SEG_KDATA               ; kernel data segment (kernel/gdt.h)
    mov ds, ax
    mov es, ax
    cld
    push esp                        ; the trapframe
    call trap_handler
    add esp, 4
; A new process starts here too (kernel/proc.c): its first "return" from the
; kernel pops the trapframe built at the top of its kernel stack and IRETs to
; ring 3, loading the user's CS, EIP, EFLAGS, SS and ESP in one step.
global trap_return
trap_return:
    pop gs
    pop fs
    pop es
    pop ds
    popa
    add esp, 8                      ; vector and error code
    iret

; A table of the stub addresses (32 exceptions, 16 IRQs), so idt.c can install them in a loop
; (the system-call stub, isr128, is installed by name).
section .rodata
global isr_stub_table
isr_stub_table:
%assign i 0
%rep 48
    dd isr %+ i
%assign i i+1
%endrep
