#!/bin/sh
# tests/bench/guest-bench.sh - the kernel's own costs, counted in guest instructions.
#
# Boots the kernel under QEMU with `-icount shift=0`: the virtual clock advances
# one nanosecond per guest instruction and RDTSC reads it, so user/bin/ubench.c
# measures instructions, not time: the figures are exact and the same on any
# host. ubench runs as the first process; its lines are printed as they are.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-i386}
log=$BUILD/bench-guest.log
mods="$BUILD/user/bin/ubench,$BUILD/user/bin/big100k"
echo "== guest: kernel operations in instructions (QEMU -icount shift=0, -cpu qemu32)"
timeout 600 "$QEMU" -m 128M -cpu qemu32 -icount shift=0 -display none -no-reboot -monitor none \
    -serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$BUILD/kernel.elf" -initrd "$mods" -append "init=ubench exit=qemu" </dev/null >/dev/null 2>&1
rc=$?
tr -d '\r' < "$log" | grep '^ubench: '
[ "$rc" = 33 ] || { echo "guest-bench: QEMU ended with status $rc (log: $log)"; exit 1; }
