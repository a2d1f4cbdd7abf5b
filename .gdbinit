# .gdbinit - attach to `make debug` (QEMU halted with its gdb stub on port 1234).
# Run `gdb -x .gdbinit` here (or allow auto-loading: see README "Debugging with gdb").
set architecture i386
set disassembly-flavor intel
# The ELF carries the higher-half (0xC01...) addresses the kernel runs at.
file build/kernel.elf
target remote localhost:1234
# Stop once the kernel is in C, in the higher half.
break kmain
continue
