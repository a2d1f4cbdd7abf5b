# tests/boot-lib.sh - boot the kernel headless in QEMU and judge the serial log.
#
# Sourced by tests/boot-tests.sh (and the boot matrix). One call of boot_case is
# one boot:
#
#   boot_case NAME MODE "QEMU ARGS" "KERNEL CMDLINE" EXPECT PATTERN...
#
#   MODE    kernel  - QEMU's own multiboot loader (-kernel, -append)
#           iso     - a GRUB ISO whose only menu entry passes CMDLINE
#   EXPECT  pass    - QEMU must end through isa-debug-exit with the pass code (33)
#           panic   - ... with the panic code (35), i.e. the kernel panicked on purpose
#           initfail - ... with code 39: the first process (init=) failed, on purpose
#           (37 means a self-check failed: never what a test expects)
#   PATTERN an extended regex that must match a line of the serial log; a
#           leading '!' means it must NOT match any line; a leading '@' names a
#           shell function called with the log's path, which prints nothing and
#           returns 0 when the log is right, or prints why not.
#
# BOOT_HOOK (optional) names a shell function started in the background with
# the log's path while QEMU runs (e.g. to take a screenshot through a monitor
# the QEMU ARGS set up); it is stopped when QEMU has ended. GRUB_EXTRA
# (optional, iso mode) is passed to test_iso as its GRUB_LINES.
#
# The kernel gets "exit=qemu" so it ends QEMU itself; -no-reboot turns a triple
# fault into an exit with status 0 (counted as a reset); `timeout` catches hangs.
# Each failed boot keeps its log in $LOGDIR/failed/NAME.log.

BUILD=${BUILD:-build}
LOGDIR=${LOGDIR:-$BUILD/test-logs}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}
QEMU=${QEMU:-qemu-system-i386}
KERNEL=${KERNEL:-$BUILD/kernel.elf}
boot_passed=0
boot_failed=0

mkdir -p "$LOGDIR/failed"

# Build (once per command line) an ISO that boots straight into CMDLINE:
#   test_iso CMDLINE [GRUB_LINES]
# GRUB_LINES (optional) go into the menu entry after the multiboot line, e.g.
# "set gfxpayload=text" to refuse the kernel's request for a graphics mode (the
# multiboot command itself sets gfxpayload from the kernel's header).
# ISO_MODULES (optional): files put on the ISO as /bin/BASENAME and loaded as
# multiboot modules (user programs).
test_iso() {
    cmdline=$1 grub_lines=${2:-}
    modlines=""
    for m in ${ISO_MODULES:-}; do
        modlines="$modlines
    module /bin/$(basename "$m") /bin/$(basename "$m")"
    done
    cfg="set timeout=0
serial --unit=0 --speed=115200
insmod all_video
menuentry \"test\" {
    multiboot /boot/kernel.elf $cmdline$modlines
    $grub_lines
    boot
}"
    # The key is the whole menu, so a change to this template builds new ISOs too.
    key=$(printf '%s' "$cfg" | cksum | cut -d' ' -f1)
    iso=$BUILD/test-iso/$key.iso
    dir=$BUILD/test-iso/$key.dir
    # Rebuilt when the kernel differs from the copy inside, not only when newer.
    stale=0
    for m in ${ISO_MODULES:-}; do cmp -s "$m" "$dir/bin/$(basename "$m")" || stale=1; done
    if [ ! -f "$iso" ] || [ $stale = 1 ] || ! cmp -s "$KERNEL" "$dir/boot/kernel.elf"; then
        rm -rf "$dir"
        mkdir -p "$dir/boot/grub" "$dir/bin"
        cp "$KERNEL" "$dir/boot/kernel.elf"
        for m in ${ISO_MODULES:-}; do cp "$m" "$dir/bin/"; done
        printf '%s\n' "$cfg" > "$dir/boot/grub/grub.cfg"
        grub-mkrescue -o "$iso" "$dir" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; return 1; }
    fi
    echo "$iso"
}

boot_case() {
    name=$1 mode=$2 qargs=$3 cmdline="$4 exit=qemu" expect=$5
    shift 5
    log=$LOGDIR/$name.log
    rm -f "$log"
    case $mode in
        kernel) media="-kernel $KERNEL"; append=$cmdline ;;
        iso) iso=$(test_iso "$cmdline" "${GRUB_EXTRA:-}") || { boot_result "$name" 0 "could not build the test ISO"; return; }
             media="-cdrom $iso"; append="" ;;
        *) boot_result "$name" 0 "unknown mode $mode"; return ;;
    esac
    start=$(date +%s)
    hook_pid=""
    if [ -n "${BOOT_HOOK:-}" ]; then "$BOOT_HOOK" "$log" & hook_pid=$!; fi
    if [ -n "$append" ]; then
        timeout "$BOOT_TIMEOUT" $QEMU $qargs -no-reboot -display none -monitor none \
            -serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
            $media -append "$append" </dev/null >"$log.qemu" 2>&1
    else
        timeout "$BOOT_TIMEOUT" $QEMU $qargs -no-reboot -display none -monitor none \
            -serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
            $media </dev/null >"$log.qemu" 2>&1
    fi
    rc=$?
    if [ -n "$hook_pid" ]; then kill "$hook_pid" 2>/dev/null; wait "$hook_pid" 2>/dev/null; fi
    secs=$(( $(date +%s) - start ))
    tr -d '\r' < "$log" > "$log.txt" 2>/dev/null; mv -f "$log.txt" "$log" 2>/dev/null

    why=""
    case $rc in
        33) [ "$expect" = pass ] || why="booted to the end, but $expect was expected" ;;
        35) [ "$expect" = panic ] || why="the kernel panicked" ;;
        37) why="a boot self-check failed" ;;
        39) [ "$expect" = initfail ] || why="the first process (init=) did not exit with status 0" ;;
        124) why="timed out after ${BOOT_TIMEOUT}s (hang)" ;;
        0) why="QEMU exited without the exit device: a reset (triple fault?)" ;;
        *) why="QEMU exited with status $rc" ;;
    esac
    if [ -z "$why" ]; then
        for pat in "$@"; do
            case $pat in
                !*) if grep -Eq -- "${pat#!}" "$log"; then why="log matches forbidden /${pat#!}/"; break; fi ;;
                @*) if ! msg=$(${pat#@} "$log"); then why="${pat#@}: $msg"; break; fi ;;
                *) if ! grep -Eq -- "$pat" "$log"; then why="log lacks /$pat/"; break; fi ;;
            esac
        done
    fi
    if [ -z "$why" ]; then
        boot_result "$name" 1 "${secs}s"
    else
        cat "$log.qemu" >> "$log" 2>/dev/null
        cp "$log" "$LOGDIR/failed/$name.log"
        boot_result "$name" 0 "$why (log: $LOGDIR/failed/$name.log)"
    fi
    rm -f "$log.qemu"
}

boot_result() {
    if [ "$2" = 1 ]; then
        boot_passed=$((boot_passed + 1))
        printf '  ok    %-28s %s\n' "$1" "$3"
    else
        boot_failed=$((boot_failed + 1))
        printf '  FAIL  %-28s %s\n' "$1" "$3"
    fi
}

# @check_mem_totals: the usable ranges add up to the logged total, and the frame
# allocator starts with exactly those frames less its own bitmap.
check_mem_totals() {
    awk '
        function hex(s,   i, v) {
            s = tolower(s); sub(/^0x/, "", s); v = 0
            for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v
        }
        /^mem: usable 0x/ { split($3, r, "-"); sum += hex(r[2]) - hex(r[1]) + 1 }
        /^mem: total usable/ { kib = $4; frames = substr($6, 2) }
        /^mem: took 0x/ { split($3, r, "-"); took = (hex(r[2]) - hex(r[1]) + 1) / 4096 }
        /^pmm: bitmap/ { free = $(NF - 4) }
        END {
            if (sum == 0) { print "no usable ranges logged"; exit 1 }
            if (sum / 1024 != kib) { printf "ranges add up to %d KiB, total says %d\n", sum / 1024, kib; exit 1 }
            if (kib / 4 != frames) { printf "%d KiB is not %d frames\n", kib, frames; exit 1 }
            if (frames - took != free) { printf "pmm has %d frames free, expected %d - %d\n", free, frames, took; exit 1 }
        }' "$1"
}

# @check_fault_address: the page fault reports exactly the address the fault test
# said it would touch ("fault: writing to .text at 0x...").
check_fault_address() {
    want=$(sed -n 's/^fault: .* at \(0x[0-9a-f]\{8\}\)$/\1/p' "$1" | head -n 1)
    got=$(sed -n 's/^  page fault at address \(0x[0-9a-f]\{8\}\):.*/\1/p' "$1" | head -n 1)
    [ -n "$want" ] || { echo "no 'fault: ... at 0x...' line"; return 1; }
    [ "$want" = "$got" ] || { echo "fault reported at ${got:-nothing}, the test touched $want"; return 1; }
}
