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

# Swapping: 32 MiB written and read back on a 16 MiB machine with a swap disk, then on
# a 64 MiB one that needs no swap. Disk transfers take no virtual time under -icount:
# the ratio is the CPU's share of swapping (on a real disk, the waits come on top).
img=$BUILD/bench-swap.img
dd if=/dev/zero of="$img" bs=1M count=64 2>/dev/null && chmod 600 "$img" &&
    "$(command -v mkswap || echo /sbin/mkswap)" "$img" >/dev/null 2>&1
echo "== guest: 32 MiB through one mapping, with and without swapping (user/bin/swapbench.c)"
for mem in 16M 64M; do
    "$(command -v mkswap || echo /sbin/mkswap)" "$img" >/dev/null 2>&1
    timeout 600 "$QEMU" -m $mem -cpu qemu32 -icount shift=0 -display none -no-reboot -monitor none \
        -serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -drive "file=$img,format=raw,index=1,media=disk,cache=unsafe" \
        -kernel "$BUILD/kernel.elf" -initrd "$BUILD/user/bin/swapbench" -append "init=swapbench exit=qemu" \
        </dev/null >/dev/null 2>&1
    rc=$?
    tr -d '\r' < "$log" | grep -E '^swapbench: |^swap: '
    [ "$rc" = 33 ] || { echo "guest-bench: swapbench on $mem ended with status $rc (log: $log)"; exit 1; }
done
