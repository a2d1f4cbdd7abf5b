#!/bin/bash
# tests/user-tests.sh - user programs on the kernel: processes, system calls, musl.
#
# Each case boots the kernel with the user programs as multiboot modules and
# init=NAME, so program NAME runs as pid 1; the kernel ends QEMU when it exits
# (status 33 when it exited with 0, 39 otherwise: tests/boot-lib.sh). usertests
# (user/bin/usertests.c) checks every system call from inside and prints its own
# "usertests: N passed, N failed" line, whose counts are added to this script's.
# The modules come from the Makefile (USER_MODULES); the last line printed is
# "user: N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
. tests/boot-lib.sh

BUILD=${BUILD:-build}
if [ -z "${USER_MODULES:-}" ]; then
    USER_MODULES=$(ls "$BUILD"/user/bin/* "$BUILD"/user/musl/* "$BUILD"/user/bad/* 2>/dev/null |
                   grep -v '\.[od]$' | tr '\n' ' ')
fi
initrd=$(printf '%s\n' $USER_MODULES | paste -sd, -)
has() { printf '%s\n' $USER_MODULES | grep -q "/$1\$"; }
MODS="-initrd $initrd"

echo "user tests (qemu, serial logs in $LOGDIR):"

# @check_usertests: usertests ran to its summary with nothing failed; its counts join ours.
inner_passed=0 inner_failed=0
check_usertests() {
    line=$(grep -E '^usertests: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    [ -n "$line" ] || { echo "no 'usertests: N passed, N failed' line"; return 1; }
    p=$(echo "$line" | sed -E 's/^usertests: ([0-9]+) passed, ([0-9]+) failed$/\1/')
    f=$(echo "$line" | sed -E 's/^usertests: ([0-9]+) passed, ([0-9]+) failed$/\2/')
    echo "$p $f" > "$1.counts"
    [ "$f" = 0 ] || { echo "$f usertests failed: $(grep -E '^usertests: FAIL' "$1" | head -n 3 | tr '\n' ';')"; return 1; }
}

USER_OK=('^kernel: ready$' '^init: exited with status 0$' '!PANIC' '!selftest: FAIL')

# --- the first process: started from a module, through -kernel and through GRUB
boot_case user-init kernel "-m 128M $MODS" "init=init" pass "${USER_OK[@]}" \
    '^init: started .init. as pid 1$' '^hello from pid 2$' '^init: child 2 exited with status 0$'
ISO_MODULES="$USER_MODULES" boot_case user-init-iso iso "-m 128M" "init=init" pass "${USER_OK[@]}" \
    '^kernel: loaded by GRUB' '^programs: .hello. [0-9]+ bytes' '^hello from pid 2$'

# --- every system call, its errors and edge cases, from inside
boot_case usertests kernel "-m 128M $MODS" "init=usertests" pass "${USER_OK[@]}" @check_usertests
if [ -f "$LOGDIR/usertests.log.counts" ]; then
    read -r inner_passed inner_failed < "$LOGDIR/usertests.log.counts"
    rm -f "$LOGDIR/usertests.log.counts"
fi
# The same on a small machine: 8 MiB leaves room for only some of the fork bomb.
boot_case usertests-8M kernel "-m 8M $MODS" "init=usertests" pass "${USER_OK[@]}" @check_usertests
rm -f "$LOGDIR/usertests-8M.log.counts"

# --- demand paging and copy-on-write, from inside (user/bin/vmtests.c); its counts join ours too
check_vmtests() {
    line=$(grep -E '^vmtests: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    [ -n "$line" ] || { echo "no 'vmtests: N passed, N failed' line"; return 1; }
    echo "$line" | sed -E 's/^vmtests: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' > "$1.counts"
    grep -q ', 0 failed$' <<< "$line" || { echo "$(grep -E '^vmtests: FAIL' "$1" | head -n 3 | tr '\n' ';')"; return 1; }
}
if has vmtests; then
    boot_case vmtests kernel "-m 128M $MODS" "init=vmtests" pass "${USER_OK[@]}" @check_vmtests
    if [ -f "$LOGDIR/vmtests.log.counts" ]; then
        read -r p f < "$LOGDIR/vmtests.log.counts"
        inner_passed=$((inner_passed + p)) inner_failed=$((inner_failed + f))
        rm -f "$LOGDIR/vmtests.log.counts"
    fi
fi

# --- random mmap2/munmap/mprotect/madvise/brk/fork sequences against a model (user/bin/vmfuzz.c:
# 8 seeds, then the free-frame count); its counts join ours too
check_vmfuzz() {
    line=$(grep -E '^vmfuzz: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    [ -n "$line" ] || { echo "no 'vmfuzz: N passed, N failed' line"; return 1; }
    echo "$line" | sed -E 's/^vmfuzz: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' > "$1.counts"
    grep -q ', 0 failed$' <<< "$line" || { echo "$(grep -E '^vmfuzz: FAIL' "$1" | head -n 3 | tr '\n' ';')"; return 1; }
}
if has vmfuzz; then
    boot_case vmfuzz kernel "-m 128M $MODS" "init=vmfuzz" pass "${USER_OK[@]}" @check_vmfuzz
    if [ -f "$LOGDIR/vmfuzz.log.counts" ]; then
        read -r p f < "$LOGDIR/vmfuzz.log.counts"
        inner_passed=$((inner_passed + p)) inner_failed=$((inner_failed + f))
        rm -f "$LOGDIR/vmfuzz.log.counts"
    fi
fi

# --- swapping (issue 13): 16 MiB of RAM and a 40 MiB swap disk made by mkswap; swaptest's
# counts join ours. The disk's cache=unsafe only skips the host's fsync of the image.
if has swaptest; then
    SWAPIMG=$BUILD/test-swap40.img
    rm -f "$SWAPIMG"
    dd if=/dev/zero of="$SWAPIMG" bs=1M count=40 2>/dev/null && chmod 600 "$SWAPIMG" &&
        "$(command -v mkswap || echo /sbin/mkswap)" "$SWAPIMG" >/dev/null 2>&1
    check_swaptest() {
        line=$(grep -E '^swaptest: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
        [ -n "$line" ] || { echo "no 'swaptest: N passed, N failed' line"; return 1; }
        echo "$line" | sed -E 's/^swaptest: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' > "$1.counts"
        grep -q ', 0 failed$' <<< "$line" || { echo "$(grep -E '^swaptest: FAIL' "$1" | head -n 3 | tr '\n' ';')"; return 1; }
    }
    BOOT_TIMEOUT=240 boot_case swaptest kernel \
        "-m 16M -initrd $BUILD/user/bin/swaptest -drive file=$SWAPIMG,format=raw,index=1,media=disk,cache=unsafe" \
        "init=swaptest" pass "${USER_OK[@]}" @check_swaptest '^swap: ata0-slave, 10239 pages \(39 MiB\)$' \
        '^pid [0-9]+ \(swaptest\): out of memory at 0x[0-9a-f]{8}: killed \(RAM and swap are full\)$'
    if [ -f "$LOGDIR/swaptest.log.counts" ]; then
        read -r p f < "$LOGDIR/swaptest.log.counts"
        inner_passed=$((inner_passed + p)) inner_failed=$((inner_failed + f))
        rm -f "$LOGDIR/swaptest.log.counts"
    fi
fi

# --- ordinary C programs linked against an unmodified musl libc
for prog in musl-hello musl-malloc musl-fork musl-mallocstress musl-forkmem musl-sparse; do
    if has "$prog"; then
        boot_case "$prog" kernel "-m 128M $MODS" "init=$prog" pass "${USER_OK[@]}" "^$prog: ok\$"
    else
        echo "  SKIP  $prog (musl-dev:i386 not installed)"
    fi
done

# --- bad input: a missing program, a text file, a cut-off ELF as init
boot_case init-missing kernel "-m 64M $MODS" "init=nosuchprogram" initfail \
    "^init: no program named 'nosuchprogram' among the [0-9]+ boot modules: " '!PANIC'
boot_case init-notelf kernel "-m 64M $MODS" "init=notelf" initfail \
    "^exec: 'notelf' is not a program this kernel runs: " "^init: cannot start 'notelf'" '!PANIC'
boot_case init-truncated kernel "-m 64M $MODS" "init=truncated" initfail \
    "^exec: 'truncated' is not a program this kernel runs: " '!PANIC'

echo "user: $((boot_passed + inner_passed)) passed, $((boot_failed + inner_failed)) failed"
[ "$boot_failed" = 0 ] && [ "$inner_failed" = 0 ]
