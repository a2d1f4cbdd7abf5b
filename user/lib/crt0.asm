; user/lib/crt0.asm - where every program of ours starts: _start, the ELF entry point.
;
; The kernel's execve leaves no registers that mean anything (Linux says only
; that EDX may hold a function for atexit, and we ignore it). What it leaves is
; the System V i386 initial stack, built at the top of the new stack:
;
;   ESP ->  argc
;           argv[0] ... argv[argc-1]   pointers to the argument strings
;           NULL
;           envp[0] ... envp[n-1]      pointers to "NAME=value" strings
;           NULL
;           auxv: {type, value} pairs (AT_PAGESZ, AT_ENTRY, ...), ending with AT_NULL
;           ... and the strings themselves, higher up
;
; _start turns that into main(argc, argv, envp) and hands main's return value
; to exit(). A C function cannot do this: its compiler would expect a return
; address at (%esp) where argc is.

bits 32
section .text

global _start
extern main
extern exit

_start:
    xor ebp, ebp                ; a zero frame pointer ends gdb's backtraces here
    mov eax, [esp]              ; argc
    lea ecx, [esp + 4]          ; argv
    lea edx, [ecx + eax*4 + 4]  ; envp: just past argv's NULL
    ; The i386 System V ABI wants ESP 16-byte aligned at each call; the kernel
    ; need not leave it so. Align down, then leave room so the three arguments
    ; end on the boundary: 4 + 3*4 = 16.
    and esp, -16
    sub esp, 4
    push edx
    push ecx
    push eax
    call main
    mov [esp], eax              ; main's result is exit's argument
    call exit                   ; does not return
    ud2

; No executable stack: without this note the linker would assume one is needed.
section .note.GNU-stack noalloc noexec nowrite progbits
