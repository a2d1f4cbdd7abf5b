; kernel/swtch.asm - switching from one kernel stack to another.
;
; void swtch(uint32_t *old, uint32_t new_esp)
;
; A process that gives up the CPU is always inside the kernel, in a C function
; that called swtch. The C calling convention says the caller expects EBX, ESI,
; EDI and EBP to survive the call (EAX, ECX, EDX are the caller's to save), so
; those four, plus the return address the CALL pushed, are the whole of a
; kernel context. Push them, store ESP where `old` points, load the other
; stack's ESP, pop its four registers and RET: the RET returns into whatever
; function called swtch on that stack (or, for a new process, into
; trap_return: kernel/proc.c builds that frame by hand).

section .text
global swtch
swtch:
    mov eax, [esp + 4]              ; old
    mov edx, [esp + 8]              ; new_esp
    push ebp
    push ebx
    push esi
    push edi
    mov [eax], esp
    mov esp, edx
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
