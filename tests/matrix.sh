#!/bin/bash
# tests/matrix.sh - "boots everywhere": boot the kernel headless in many
# configurations (loader x machine x CPU x memory x emulator) and print a table.
#
#   make test-matrix               build, then boot every row (about 2 minutes on 2 cores)
#   bash tests/matrix.sh           every row, without rebuilding (needs build/kernel.elf, build/os.iso)
#   bash tests/matrix.sh --quick   the quick subset that `make test` runs (under a minute)
#   bash tests/matrix.sh NAME...   only these rows (shell patterns work: 'efi*')
#   MATRIX_JOBS=1 ...              boots run two at a time by default
#
# Loaders: "multiboot" is QEMU's -kernel loader; "grub-bios" and "grub-efi" boot
# a test ISO from tests/boot-lib.sh (GRUB menu timeout 0, command line exit=qemu)
# through the BIOS (SeaBIOS, or Bochs's own) or OVMF; "grub-text" is grub-bios
# with "set gfxpayload=text", so GRUB refuses the kernel's request for a graphics
# mode; "os.iso-bios" and "os.iso-efi" boot build/os.iso as shipped (menu
# timeout 3 s, no exit=qemu). Under UEFI there is no VGA text mode: as
# everywhere here, the serial log is what is judged.
#
# Every row carries user programs as multiboot modules (usertests and the programs
# it runs, from -initrd or GRUB `module` lines) and boots with init=usertests:
# besides the boot, a row shows that every system call works on that machine.
#
# A row passes when the log has "selftest: N passed, 0 failed" and "kernel: ready",
# "usertests: N passed, 0 failed", "init: exited with status 0",
# no PANIC, memory totals that add up (check_mem_totals), the CPU family the row
# asked for, and "ignoring ... above 4 GiB" when it has 4 GiB or more. QEMU runs
# with -no-reboot and -d cpu_reset: a normal boot logs two CPU resets (machine
# creation and reset); a triple fault logs "Triple fault" and ends QEMU with
# status 0, so either is reported as a reset. A row that runs too long is a hang.
# Bochs (its own BIOS, then GRUB in text mode: its terminal display cannot show a
# 32 bpp mode and would stop Bochs) has no isa-debug-exit device: its
# COM1 log is watched for the result and Bochs is stopped; a triple fault there
# is a Bochs panic (reset_on_triple_fault=0). Rows whose emulator or firmware is
# not installed print SKIP with the reason and count as neither passed nor failed.
# The log of every failed row is kept in build/test-logs/matrix/failed/.
#
# Debian packages: qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-efi-ia32-bin
# ovmf ovmf-ia32 bochs bochsbios vgabios bochs-term xorriso mtools (script: util-linux).
#
# The last line is "matrix: N passed, N failed"; the exit status is 0 only when
# no row failed.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
LOGDIR=${LOGDIR:-$BUILD/test-logs/matrix}
. tests/boot-lib.sh

JOBS=${MATRIX_JOBS:-2}
QEMU_TIMEOUT=${MATRIX_TIMEOUT:-120}
BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-180}
OS_ISO=$BUILD/os.iso
first_file() { for f in "$@"; do [ -f "$f" ] && { echo "$f"; return; }; done; }
OVMF64_CODE=$(first_file /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd)
OVMF64_VARS=${OVMF64_CODE/CODE/VARS}
OVMF32_CODE=$(first_file /usr/share/OVMF/OVMF32_CODE_4M.secboot.fd /usr/share/OVMF/OVMF32_CODE_4M.fd)
OVMF32_VARS=/usr/share/OVMF/OVMF32_VARS_4M.fd
BOCHS_BIOS=/usr/share/bochs/BIOS-bochs-latest
BOCHS_VGABIOS=/usr/share/vgabios/vgabios.bin

# One table line: config loader machine cpu memory result seconds self-test.
row() { printf '%-23s %-11s %-12s %-16s %-6s %-6s %4s  %s\n' "$@"; }

# The rows. emu: i386 / x86_64 (qemu-system-*) or bochs; quick: "q" puts the row
# in the subset `make test` runs. Each quick row adds something tests/boot-tests.sh
# does not cover: an old CPU and machine, q35, UEFI in both widths, RAM above 4 GiB
# through GRUB, the richest CPU model, the shipped ISO, a different BIOS.
ROWS='
# name                  loader     emu    machine cpu          memory quick
multiboot-pc-8M         multiboot  i386   pc      qemu32       8M     -
multiboot-pc-16M        multiboot  i386   pc      qemu32       16M    -
multiboot-pc-128M       multiboot  i386   pc      qemu32       128M   -
multiboot-pc-1G         multiboot  i386   pc      qemu32       1G     -
multiboot-pc-3584M      multiboot  i386   pc      qemu32       3584M  -
multiboot-pc-4G-x64     multiboot  x86_64 pc      qemu64       4G     q
multiboot-pc-6G-x64     multiboot  x86_64 pc      qemu64       6G     -
grub-pc-8M              grub-bios  i386   pc      qemu32       8M     -
grub-pc-16M             grub-bios  i386   pc      qemu32       16M    -
grub-pc-128M            grub-bios  i386   pc      qemu32       128M   -
grub-pc-1G              grub-bios  i386   pc      qemu32       1G     -
grub-pc-3584M           grub-bios  i386   pc      qemu32       3584M  -
grub-pc-4G-x64          grub-bios  x86_64 pc      qemu64       4G     -
grub-pc-6G-x64          grub-bios  x86_64 pc      qemu64       6G     q
multiboot-q35-128M      multiboot  i386   q35     qemu32       128M   -
multiboot-q35-3584M     multiboot  i386   q35     qemu32       3584M  -
grub-q35-pentium3-256M  grub-bios  i386   q35     pentium3     256M   q
grub-q35-6G-x64         grub-bios  x86_64 q35     qemu64       6G     -
multiboot-isapc-486-8M  multiboot  i386   isapc   486          8M     q
grub-isapc-486-16M      grub-bios  i386   isapc   486          16M    -
multiboot-isapc-1G      multiboot  i386   isapc   pentium      1G     -
grub-isapc-3584M        grub-bios  i386   isapc   qemu32       3584M  -
multiboot-486-128M      multiboot  i386   pc      486          128M   -
multiboot-pentium-128M  multiboot  i386   pc      pentium      128M   -
multiboot-pentium3-128M multiboot  i386   pc      pentium3     128M   -
multiboot-max-128M      multiboot  i386   pc      max          128M   -
grub-pentium-128M       grub-bios  i386   pc      pentium      128M   -
grub-text-pc-128M       grub-text  i386   pc      qemu32       128M   -
grub-max-1G-x64         grub-bios  x86_64 q35     max          1G     q
efi64-q35-256M          grub-efi   x86_64 q35     qemu64       256M   q
efi64-pc-256M           grub-efi   x86_64 pc      qemu64       256M   -
efi64-q35-4G            grub-efi   x86_64 q35     max          4G     -
efi64-q35-6G            grub-efi   x86_64 q35     qemu64       6G     -
efi32-q35-256M          grub-efi   i386   q35     qemu32       256M   q
efi32-q35-1G            grub-efi   i386   q35     pentium3     1G     -
os.iso-pc-128M          os.iso-bios i386  pc      qemu32       128M   -
os.iso-efi64-q35-256M   os.iso-efi x86_64 q35     qemu64       256M   -
bochs-pentium-16M       grub-text  bochs  bochs   pentium      16M    q
bochs-p3-128M           grub-text  bochs  bochs   p3_katmai    128M   -
bochs-generic-32M       grub-text  bochs  bochs   bx_generic   32M    -
bochs-skylake-512M      grub-text  bochs  bochs   corei7_skylake_x 512M -
bochs-swap-16M          grub-swap  bochs  bochs   pentium      16M    q
'

# What the CPU line must say for a CPU model, so a row proves the model took effect.
cpu_family() {
    case $1 in
        486) echo 'family 4 ' ;;
        pentium) echo 'family 5 ' ;;
        pentium3|p3_katmai) echo 'family 6 model 7 ' ;;
        qemu32) echo 'GenuineIntel family 6 model 6 ' ;;
        *) echo '' ;;
    esac
}

mib() {   # 8M, 1G -> MiB
    case $1 in *G) echo $(( ${1%G} * 1024 )) ;; *M) echo "${1%M}" ;; esac
}

# Does the ISO's EFI system partition hold GRUB for this firmware width?
iso_has_efi() {   # ISO FILE (bootx64.efi or bootia32.efi)
    img=$(mktemp)
    xorriso -osirrox on -indev "$1" -extract /efi.img "$img" >/dev/null 2>&1 &&
        mdir -/ -b -i "$img" ::/efi/boot 2>/dev/null | grep -qi "/$2\$"
    rc=$?
    rm -f "$img"
    return $rc
}

# Print why a row cannot run here, or nothing when it can.
skip_reason() {   # LOADER EMU ISO EFI(0/1)
    case $2 in
        i386|x86_64) command -v "qemu-system-$2" >/dev/null || { echo "qemu-system-$2 not installed"; return; } ;;
        bochs)
            command -v bochs >/dev/null || { echo "bochs not installed (bochs bochsbios vgabios bochs-term)"; return; }
            command -v script >/dev/null || { echo "script (util-linux) not installed"; return; }
            [ -f "$BOCHS_BIOS" ] || { echo "$BOCHS_BIOS missing (bochsbios)"; return; }
            [ -f "$BOCHS_VGABIOS" ] || { echo "$BOCHS_VGABIOS missing (vgabios)"; return; }
            ls /usr/lib/*/bochs/plugins/libbx_term_gui.so* >/dev/null 2>&1 ||
                { echo "Bochs term display missing (bochs-term)"; return; } ;;
    esac
    if [ "$4" = 1 ]; then
        if [ "$2" = x86_64 ]; then
            { [ -n "$OVMF64_CODE" ] && [ -f "$OVMF64_VARS" ]; } || { echo "no OVMF firmware (ovmf)"; return; }
            iso_has_efi "$3" bootx64.efi || { echo "ISO has no x86_64 EFI GRUB (grub-efi-amd64-bin)"; return; }
        else
            { [ -n "$OVMF32_CODE" ] && [ -f "$OVMF32_VARS" ]; } || { echo "no 32-bit OVMF firmware (ovmf-ia32)"; return; }
            iso_has_efi "$3" bootia32.efi || { echo "ISO has no ia32 EFI GRUB (grub-efi-ia32-bin)"; return; }
        fi
    fi
}

# Start one boot in the background (its pid in $boot_pid); the serial log goes to $slog.
start_qemu() {   # LOADER EMU MACHINE CPU MEM ISO EFI(0/1) DIR
    loader=$1 emu=$2 machine=$3 cpu=$4 mem=$5 iso=$6 efi=$7 dir=$8
    # Debian's 32-bit OVMF is the secure-boot build: it needs SMM and a secure
    # flash. No keys are enrolled in the VARS copy, so unsigned GRUB boots.
    [ "$efi" = 1 ] && [ "$emu" = i386 ] && machine="$machine,smm=on"
    set -- -M "$machine" -cpu "$cpu" -m "$mem" -no-reboot -display none -monitor none \
        -serial "file:$slog" -device isa-debug-exit,iobase=0xf4,iosize=0x04 -d cpu_reset -D "$dir/reset.log"
    if [ "$efi" = 1 ]; then
        if [ "$emu" = x86_64 ]; then
            cp "$OVMF64_VARS" "$dir/vars.fd"
            set -- "$@" -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF64_CODE"
        else
            cp "$OVMF32_VARS" "$dir/vars.fd"
            set -- "$@" -global driver=cfi.pflash01,property=secure,value=on \
                -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF32_CODE"
        fi
        set -- "$@" -drive "if=pflash,format=raw,unit=1,file=$dir/vars.fd"
    fi
    if [ "$loader" = multiboot ]; then
        set -- "$@" -kernel "$KERNEL" -append "exit=qemu $INIT_OPT"
        [ -n "$INITRD" ] && set -- "$@" -initrd "$INITRD"
    else
        set -- "$@" -cdrom "$iso"
    fi
    "qemu-system-$emu" "$@" </dev/null >"$dir/emu.out" 2>&1 &
    boot_pid=$!
}

start_bochs() {   # CPU MEM ISO DIR [SWAPDISK]
    disk=""
    [ -n "${5:-}" ] && disk="ata0-master: type=disk, path=$5, mode=flat"
    cat > "$4/bochsrc" <<RC
megs: ${2%M}
cpu: model=$1, reset_on_triple_fault=0
romimage: file=$BOCHS_BIOS
vgaromimage: file=$BOCHS_VGABIOS
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
$disk
ata0-slave: type=cdrom, path=$3, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$slog
display_library: term
log: $4/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
RC
    # Debian's Bochs starts in its debugger: "c" continues. The term display needs
    # a tty, which script provides; stopping script hangs the tty up and ends Bochs.
    echo c > "$4/debugger.rc"
    script -qc "bochs -q -f $4/bochsrc -rc $4/debugger.rc" /dev/null </dev/null >"$4/emu.out" 2>&1 &
    boot_pid=$!
}

# Wait for the boot in $boot_pid. With watch=1 stop it once the serial log shows
# the end of the boot (a panic or "kernel: ready"). Sets $rc (124 on timeout).
wait_boot() {   # TIMEOUT WATCH
    t=0
    while kill -0 "$boot_pid" 2>/dev/null; do
        if [ "$2" = 1 ] && grep -aqE "$END_OF_RUN|PANIC" "$slog" 2>/dev/null; then
            sleep 1   # the rest of a panic report
            stop_boot; rc=0; return
        fi
        if [ "$t" -ge "$1" ]; then stop_boot; rc=124; return; fi
        sleep 1; t=$((t + 1))
    done
    wait "$boot_pid"; rc=$?
    [ "$2" = 1 ] && rc=1   # ended by itself before the end of the boot
}

stop_boot() {
    kill "$boot_pid" 2>/dev/null
    for _ in 1 2 3 4 5; do kill -0 "$boot_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$boot_pid" 2>/dev/null
    wait "$boot_pid" 2>/dev/null
}

# Why a finished boot is wrong, or nothing when it is right.
judge() {   # LOADER EMU CPU MEM DIR WATCH
    if [ "$2" = bochs ]; then
        if grep -aqiE 'triple fault|3rd \([0-9]+\) exception' "$5/bochs.log" 2>/dev/null; then
            echo "triple fault (Bochs log: $(grep -aiE -m1 'triple fault|3rd' "$5/bochs.log" | cut -c1-100))"; return
        fi
    else
        resets=$(grep -ac '^CPU Reset' "$5/reset.log" 2>/dev/null)
        if grep -aq 'Triple fault' "$5/reset.log" 2>/dev/null; then echo "triple fault (QEMU logged it)"; return; fi
        if [ "${resets:-0}" -gt 2 ]; then echo "reset: $resets CPU resets, a normal boot has 2"; return; fi
    fi
    panic=$(grep -a -m1 'PANIC' "$slog")
    [ -n "$panic" ] && { echo "panic: $panic"; return; }
    case $6:$rc in
        0:33|1:0) ;;
        0:35) echo "exit status 35: the kernel panicked"; return ;;
        0:37) echo "exit status 37: a self-check failed"; return ;;
        *:124) echo "no result after ${t}s: a hang"; return ;;
        0:0|1:1) echo "the emulator ended before the boot did: a reset (triple fault?)"; return ;;
        *) echo "emulator exit status $rc"; return ;;
    esac
    grep -aqE '^selftest: [0-9]+ passed, 0 failed$' "$slog" || { echo "no passing selftest line"; return; }
    grep -aq '^kernel: ready$' "$slog" || { echo "no 'kernel: ready'"; return; }
    if [ "$1" = grub-swap ]; then
        grep -aq '^swap: ata0-master, 16383 pages' "$slog" || { echo "no swap area on ata0-master"; return; }
        grep -aqE '^swapbench: .* in all$' "$slog" || { echo "swapbench did not finish right"; return; }
        grep -aq '^init: exited with status 0$' "$slog" || { echo "swapbench did not exit with status 0"; return; }
    elif [ -n "$INIT_OPT" ] && [ "${1#os.iso}" != "$1" ]; then
        # The ISO as shipped: its default entry runs init, which runs hello.
        grep -aq '^hello from pid 2$' "$slog" || { echo "no 'hello from pid 2' from init"; return; }
        grep -aq '^init: exited with status 0$' "$slog" || { echo "init did not exit with status 0"; return; }
    elif [ -n "$INIT_OPT" ]; then
        grep -aqE '^usertests: [0-9]+ passed, 0 failed$' "$slog" ||
            { echo "usertests: $(grep -a -m1 -E '^usertests: (FAIL|[0-9]+ passed)' "$slog")"; return; }
        grep -aq '^init: exited with status 0$' "$slog" || { echo "init did not exit with status 0"; return; }
    fi
    fam=$(cpu_family "$3")
    if [ -n "$fam" ] && ! grep -aq "^cpu: .*$fam" "$slog"; then
        echo "cpu line does not say '$fam': $(grep -a -m1 '^cpu: ' "$slog")"; return
    fi
    if [ "$(mib "$4")" -ge 4096 ] && ! grep -aqE '^mem: ignoring [0-9]+ MiB above 4 GiB$' "$slog"; then
        echo "no 'mem: ignoring ... above 4 GiB' with $4"; return
    fi
    msg=$(check_mem_totals "$slog") || { echo "memory totals: $msg"; return; }
}

# Boot one row; write its table line to $OUT/N.row and pass/fail/skip to $OUT/N.res.
run_row() {   # N NAME LOADER EMU MACHINE CPU MEM
    n=$1 name=$2 loader=$3 emu=$4 machine=$5 cpu=$6 mem=$7
    dir=$OUT/$n.d
    mkdir -p "$dir"
    slog=$dir/serial.log
    efi=0 watch=0 timeout=$QEMU_TIMEOUT
    case $loader in
        multiboot) iso="" ;;
        grub-bios) iso=$ISO_EXIT ;;
        grub-text) iso=$ISO_TEXT ;;
        grub-efi) iso=$ISO_EXIT; efi=1 ;;
        os.iso-bios) iso=$OS_ISO; watch=1 ;;
        os.iso-efi) iso=$OS_ISO; watch=1; efi=1 ;;
    esac
    [ "$emu" = bochs ] && { iso=$ISO_BOCHS; watch=1; timeout=$BOCHS_TIMEOUT; }
    swapdisk=""
    if [ "$loader" = grub-swap ]; then
        # Swapping under Bochs: swapbench (32 MiB through one mapping) on 16 MiB, a
        # swap disk made by mkswap as ata0-master, programmed I/O on Bochs's strict ATA.
        iso=$ISO_SWAP
        swapdisk=$dir/swap.img
        dd if=/dev/zero of="$swapdisk" bs=1M count=64 2>/dev/null && chmod 600 "$swapdisk" &&
            "$(command -v mkswap || echo /sbin/mkswap)" "$swapdisk" >/dev/null 2>&1
    fi
    shown_machine="$emu $machine"; [ "$emu" = bochs ] && shown_machine=bochs
    kept=$LOGDIR/failed/$name.log
    rm -f "$kept"

    why=$(skip_reason "$loader" "$emu" "$iso" "$efi")
    if [ -n "$why" ]; then
        row "$name" "$loader" \
            "$shown_machine" "$cpu" "$mem" SKIP - "$why" > "$OUT/$n.row"
        echo skip > "$OUT/$n.res"; return   # .res last: it says .row is complete
    fi

    start=$(date +%s)
    : > "$slog"
    if [ "$emu" = bochs ]; then start_bochs "$cpu" "$mem" "$iso" "$dir" "$swapdisk"
    else start_qemu "$loader" "$emu" "$machine" "$cpu" "$mem" "$iso" "$efi" "$dir"; fi
    wait_boot "$timeout" "$watch"
    secs=$(( $(date +%s) - start ))
    # Serial output carries CRs and, from GRUB and OVMF, terminal escapes.
    sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$slog" > "$slog.txt" && mv -f "$slog.txt" "$slog"

    why=$(judge "$loader" "$emu" "$cpu" "$mem" "$dir" "$watch")
    selftest=$(grep -a -m1 -E '^selftest: [0-9]+ passed, [0-9]+ failed' "$slog")
    if [ -z "$why" ]; then result=ok; else result=FAIL; fi
    row "$name" "$loader" "$shown_machine" \
        "$cpu" "$mem" "$result" "$secs" "${selftest:--}" > "$OUT/$n.row"
    if [ -n "$why" ]; then
        { echo "# matrix row $name: $why"; cat "$slog"
          echo "# emulator output:"; tr -d '\r' < "$dir/emu.out" | grep -av '^ALSA lib' | tail -n 40
          [ -f "$dir/bochs.log" ] && { echo "# bochs.log (tail):"; tail -n 40 "$dir/bochs.log"; }
          [ -f "$dir/reset.log" ] && { echo "# QEMU -d cpu_reset:"; grep -aE '^CPU Reset|Triple' "$dir/reset.log"; }
        } > "$kept"
        echo "    why: $why (log: $kept)" >> "$OUT/$n.row"
    fi
    cp "$slog" "$LOGDIR/$name.log"
    if [ -z "$why" ]; then echo pass > "$OUT/$n.res"; else echo fail > "$OUT/$n.res"; fi
}

# ------------------------------------------------------------------- main
quick=0
if [ "$1" = --quick ]; then quick=1; shift; fi
[ -f "$KERNEL" ] || { echo "matrix: $KERNEL missing: run make first" >&2; exit 1; }

selected=()
while read -r name loader emu machine cpu mem q; do
    case $name in ''|'#'*) continue ;; esac
    [ "$quick" = 1 ] && [ "$q" != q ] && continue
    if [ $# -gt 0 ]; then
        hit=0
        # shellcheck disable=SC2254 # the arguments are patterns
        for p in "$@"; do case $name in $p) hit=1 ;; esac; done
        [ "$hit" = 1 ] || continue
    fi
    selected+=("$name $loader $emu $machine $cpu $mem")
done <<< "$ROWS"
[ ${#selected[@]} -gt 0 ] || { echo "matrix: no row matches: $*" >&2; exit 1; }

# The user programs every row carries (without them, rows boot to the monitor as before).
# Every row runs usertests as its first process: every system call, its errors, 19 kinds
# of fault, fork, exec, pipes, on that machine (it needs hello, echoargs and the two
# broken programs beside it).
INIT_OPT="" INITRD="" END_OF_RUN='^kernel: ready'
UT_MODS=""
for m in usertests hello echoargs; do [ -f "$BUILD/user/bin/$m" ] && UT_MODS="$UT_MODS $BUILD/user/bin/$m"; done
for m in notelf truncated; do [ -f "$BUILD/user/bad/$m" ] && UT_MODS="$UT_MODS $BUILD/user/bad/$m"; done
if [ "$(echo $UT_MODS | wc -w)" = 5 ]; then
    ISO_MODULES=$(echo $UT_MODS)
    INITRD=$(echo $UT_MODS | tr ' ' ',')
    INIT_OPT="init=usertests"
    END_OF_RUN='^init: (exited|killed|no program|cannot)'
fi
export ISO_MODULES

# Build the test ISOs once, before boots run in parallel.
ISO_EXIT=$(test_iso " exit=qemu $INIT_OPT") || exit 1
ISO_TEXT=$(test_iso " exit=qemu $INIT_OPT" "set gfxpayload=text") || exit 1
ISO_BOCHS=$(test_iso " $INIT_OPT" "set gfxpayload=text") || exit 1
ISO_SWAP=""
if [ -f "$BUILD/user/bin/swapbench" ]; then
    ISO_SWAP=$(ISO_MODULES="$BUILD/user/bin/swapbench" test_iso " init=swapbench" "set gfxpayload=text") || exit 1
fi
if printf '%s\n' "${selected[@]}" | grep -q ' os.iso-' && [ ! -f "$OS_ISO" ]; then
    echo "matrix: $OS_ISO missing: run make iso first" >&2; exit 1
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "boot matrix: ${#selected[@]} rows, $JOBS at a time (serial logs in $LOGDIR)"
row config loader machine cpu memory result secs self-test
all_start=$(date +%s)
running=0 next_print=0
print_ready() {   # print finished rows in table order
    while [ "$next_print" -lt ${#selected[@]} ] && [ -f "$OUT/$next_print.res" ]; do
        cat "$OUT/$next_print.row"; next_print=$((next_print + 1))
    done
}
for i in "${!selected[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); print_ready; fi
    # shellcheck disable=SC2086
    run_row "$i" ${selected[$i]} &
    running=$((running + 1))
done
while [ "$running" -gt 0 ]; do wait -n; running=$((running - 1)); print_ready; done
wait
print_ready

passed=$(cat "$OUT"/*.res | grep -c pass)
failed=$(cat "$OUT"/*.res | grep -c fail)
skipped=$(cat "$OUT"/*.res | grep -c skip)
echo "matrix: $(( $(date +%s) - all_start ))s; $skipped skipped (their reasons are in the table)"
echo "matrix: $passed passed, $failed failed"
[ "$failed" = 0 ]
