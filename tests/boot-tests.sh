#!/bin/bash
# tests/boot-tests.sh - the headless boot tests that `make test` runs.
#
# Each line is one QEMU boot (see tests/boot-lib.sh for the arguments). The last
# line printed is "boot: N passed, N failed"; the exit status is 0 only when all passed.
cd "$(dirname "$0")/.." || exit 1
. tests/boot-lib.sh
. tests/screen-lib.sh # screenshots, and QEMU's monitor through a pipe (the NMI case)

OK_BOOT=('^kernel: i386 higher-half kernel booting' '^selftest: [0-9]+ passed, 0 failed$'
         '^kernel: ready$' 'kmain at 0xc0' '!PANIC' '!selftest: FAIL')

echo "boot tests (qemu, serial logs in $LOGDIR):"

# --- boot: through QEMU's multiboot loader and through GRUB from the ISO
boot_case boot-kernel kernel "-m 128M" "" pass "${OK_BOOT[@]}" '^kernel: loaded by qemu'
boot_case boot-iso iso "-m 128M" "" pass "${OK_BOOT[@]}" '^kernel: loaded by GRUB'

# --- the identity mapping is gone: reading the kernel's own physical load address faults
boot_case identity-gone-kernel kernel "-m 128M" "test=fault-low" panic \
    '^PANIC: page fault \(#PF\), vector 14, in kernel mode$' \
    'page fault at address 0x00100000: not-present read kernel-mode' \
    'eip 0xc[0-9a-f]{7} <fault_read_low\+0x[0-9a-f]+>' '^backtrace:' '!^kernel: ready'
boot_case identity-gone-iso iso "-m 128M" "test=fault-low" panic \
    'page fault at address 0x00100000: not-present read kernel-mode' '<fault_read_low\+'

# --- decoded exception reports
boot_case fault-null kernel "-m 128M" "test=fault-null" panic \
    'page fault at address 0x00000000: not-present read kernel-mode' \
    'hint: NULL pointer dereference' '<fault_read_null\+0x[0-9a-f]+>' '#1 0xc[0-9a-f]{7} <kmain\+'
boot_case fault-ud kernel "-m 128M" "test=fault-ud" panic \
    '^PANIC: invalid opcode \(#UD\), vector 6' '<fault_invalid_opcode\+' 'eflags 0x[0-9a-f]{8}'
boot_case fault-div0 kernel "-m 128M" "test=fault-div0" panic \
    '^PANIC: divide error \(#DE\), vector 0' '<fault_divide\+'

# --- protection (issue: virtual memory): each stray access gets a precise report
boot_case fault-write-text kernel "-m 128M" "test=fault-text" panic @check_fault_address \
    'page fault at address 0xc01[0-9a-f]{5}: protection write kernel-mode' \
    'eip 0xc[0-9a-f]{7} <fault_write_text\+0x[0-9a-f]+>' '!^kernel: ready'
boot_case fault-write-rodata kernel "-m 128M" "test=fault-rodata" panic @check_fault_address \
    'page fault at address 0xc01[0-9a-f]{5}: protection write kernel-mode' \
    'eip 0xc[0-9a-f]{7} <fault_write_rodata\+0x[0-9a-f]+>'
boot_case fault-unmapped kernel "-m 128M" "test=fault-unmapped" panic \
    'page fault at address 0xcffff000: not-present read kernel-mode' '<fault_read_unmapped\+'
boot_case fault-stack-overflow kernel "-m 128M" "test=fault-overflow" panic \
    '^PANIC: kernel stack overflow: esp 0xc[0-9a-f]{7} reached the guard page 0xc[0-9a-f]{7}-0xc[0-9a-f]{7}$' \
    'eip 0xc[0-9a-f]{7} <fault_recurse\+0x[0-9a-f]+>' '#0 0xc[0-9a-f]{7} <fault_recurse\+'
boot_case fault-stack-overflow-iso iso "-m 128M" "test=fault-overflow" panic '^PANIC: kernel stack overflow: esp'

# --- memory sizes: each boots, allocates/patterns/frees every frame, reports the right totals
MEM_OK=('^selftest: pmm-all ok$' '^pmm: allocated, patterned and freed all [0-9]+ free frames$'
        '@check_mem_totals' '^kernel: ready$' '!selftest: FAIL' '!PANIC')
boot_case mem-8M kernel "-m 8M" "test=pmm-all" pass "${MEM_OK[@]}" '^mem: usable 0x001[0-9a-f]{5}-0x007dffff$'
boot_case mem-16M kernel "-m 16M" "test=pmm-all" pass "${MEM_OK[@]}" '^mem: usable 0x001[0-9a-f]{5}-0x00fdffff$'
boot_case mem-128M kernel "-m 128M" "test=pmm-all" pass "${MEM_OK[@]}" '^mem: usable 0x001[0-9a-f]{5}-0x07fdffff$'
boot_case mem-1G kernel "-m 1G" "test=pmm-all" pass "${MEM_OK[@]}" '^mem: usable 0x001[0-9a-f]{5}-0x3ffdffff$'
boot_case mem-3584M kernel "-m 3584M" "test=pmm-all" pass "${MEM_OK[@]}" '^mem: usable 0x001[0-9a-f]{5}-0xbffdffff$' \
    '^mem: ignoring 512 MiB above 4 GiB$'
QEMU=qemu-system-x86_64 boot_case mem-6G-x86_64 kernel "-m 6G" "test=pmm-all" pass "${MEM_OK[@]}" \
    '^mem: usable 0x001[0-9a-f]{5}-0xbffdffff$' '^mem: ignoring 3072 MiB above 4 GiB$' \
    '^mem: raw 0x0000000100000000-0x00000001bfffffff available$'
boot_case mem-iso-128M iso "-m 128M" "test=pmm-all" pass "${MEM_OK[@]}" '^mem: usable 0x001[0-9a-f]{5}-0x07fdffff$'
# Boot modules: each module and its name string is carved out; no frame the allocator hands
# out (every one of them, with test=pmm-all) overlaps one. 14 modules also fill the carve table.
mkdir -p "$BUILD/test-modules"
mods=""
for i in $(seq 1 14); do
    printf 'module %d\n' "$i" > "$BUILD/test-modules/m$i"
    mods="$mods${mods:+,}$BUILD/test-modules/m$i"
done
boot_case boot-modules kernel "-m 64M -initrd $mods" "test=pmm-all" pass "${MEM_OK[@]}" \
    '^mem: carve 0x[0-9a-f]{8}-0x[0-9a-f]{8} module$' '^mem: carve 0x[0-9a-f]{8}-0x[0-9a-f]{8} module string$'
# More modules than the kernel keeps (32): the rest are protected all the same (one
# carve-out spanning them), so no frame handed out by pmm-all lands on one.
mods40=""
for i in $(seq 1 40); do
    printf 'module %d\n' "$i" > "$BUILD/test-modules/n$i"
    mods40="$mods40${mods40:+,}$BUILD/test-modules/n$i"
done
boot_case boot-modules-40 kernel "-m 64M -initrd $mods40" "test=pmm-all" pass "${MEM_OK[@]}" \
    '^boot: 40 modules; the first 32 are kept as programs, the memory of the other 8 is protected$' \
    '^mem: carve 0x[0-9a-f]{8}-0x[0-9a-f]{8} modules not kept$' "^programs: 'n32' 10 bytes" "!^programs: 'n33'"
# A 15 MiB module on a 24 MiB machine leaves no 16 contiguous frames below 16 MiB: the
# self-check says so and checks a run elsewhere instead of failing (issue 16 item 6).
head -c $((15 * 1024 * 1024)) /dev/zero > "$BUILD/test-modules/big15"
boot_case big-module-24M kernel "-m 24M -initrd $BUILD/test-modules/big15" "" pass "${OK_BOOT[@]}" \
    '^selftest: no 16 free contiguous frames below 16 MiB \(boot modules may fill it\): checked anywhere$'
# No memory map from the loader (flags bit 6 clear): mem_lower/mem_upper still give a working kernel.
boot_case mem-legacy-fallback kernel "-m 64M" "nommap test=pmm-all" pass "${MEM_OK[@]}" \
    '^mem: fix no memory map from the loader: using mem_lower 639 KiB, mem_upper 64384 KiB$' \
    '^mem: usable 0x001[0-9a-f]{5}-0x03fdffff$'
# Too little RAM: a clear message with what was found and what is needed.
boot_case mem-too-little kernel "-m 2M" "" panic \
    '^PANIC: not enough memory: found [0-9]+ KiB of usable RAM, the kernel needs at least [0-9]+ KiB'
boot_case pmm-double-free kernel "-m 32M" "test=pmm-double-free" panic \
    '^PANIC: memory misuse: pmm: .*0x[0-9a-f]{8}' 'caller'

# --- the heap: exhaustion returns NULL and recovers; misuse ends in a panic naming the pointer
boot_case heap-oom-8M kernel "-m 8M" "test=heap-oom" pass '^selftest: heap-oom ok$' \
    '^heap: out of memory after [0-9]+ blocks of 64 KiB and [0-9]+ of 64 bytes; 0 frames free$' \
    '^kernel: ready$' '!selftest: FAIL'
boot_case heap-debug-boot kernel "-m 32M" "heapdebug" pass "${OK_BOOT[@]}" '^heap: debug mode' '^selftest: heap ok$'
boot_case heap-double-free kernel "-m 32M" "test=heap-double-free" panic \
    '^test: freeing heap object (0x[0-9a-f]{8}) twice$' '^PANIC: memory misuse: heap: .*0x[0-9a-f]{8}.*caller'
boot_case heap-foreign-free kernel "-m 32M" "test=heap-foreign-free" panic \
    '^PANIC: memory misuse: heap: .*0xc[0-9a-f]{7}.*caller'
boot_case heap-interior-free kernel "-m 32M" "test=heap-interior-free" panic \
    '^PANIC: memory misuse: heap: .*0x[0-9a-f]{8}.*caller'
# Debug mode: poison makes stale and uninitialised pointers fault recognisably; redzones catch overflows.
boot_case heap-use-after-free kernel "-m 32M" "heapdebug test=heap-use-after-free" panic \
    'page fault at address 0x5a5a5a5a: not-present read kernel-mode' \
    'hint: looks like recently freed heap memory \(free poison 0x5a5a5a5a\)' '<mem_run_test\+'
boot_case heap-uninitialised kernel "-m 32M" "heapdebug test=heap-uninitialised" panic \
    'page fault at address 0xa5a5a5a5: not-present read kernel-mode' \
    'hint: looks like uninitialised heap memory \(allocation poison 0xa5a5a5a5\)'
boot_case heap-redzone kernel "-m 32M" "heapdebug test=heap-redzone" panic \
    '^PANIC: memory misuse: heap: .*0x[0-9a-f]{8}' '!the overflow went unnoticed'
# The smallest machine the kernel accepts still passes every self-check.
boot_case mem-3M kernel "-m 3M" "" pass "${OK_BOOT[@]}"

# --- disks and the swap area (issue 13): a disk made by mkswap is found and used; a disk
# without the signature is never used; swap=off and swap=NAME are obeyed.
SWAPIMG=$BUILD/test-swap.img
BLANKIMG=$BUILD/test-blank.img
MKSWAP=$(command -v mkswap || echo /sbin/mkswap)
rm -f "$SWAPIMG" "$BLANKIMG"
dd if=/dev/zero of="$SWAPIMG" bs=1M count=8 2>/dev/null && chmod 600 "$SWAPIMG" && "$MKSWAP" -L testswap "$SWAPIMG" >/dev/null 2>&1
dd if=/dev/zero of="$BLANKIMG" bs=1M count=4 2>/dev/null
SWAPDISK="-drive file=$SWAPIMG,format=raw,index=1,media=disk"
BLANKDISK="-drive file=$BLANKIMG,format=raw,index=0,media=disk"
boot_case swap-found kernel "-m 32M $SWAPDISK" "" pass "${OK_BOOT[@]}" \
    '^ata: ata0-slave: ATA disk, 48-bit addressing$' '^block: ata0-slave, 16384 sectors \(8 MiB\)$' \
    '^swap: ata0-slave, 2047 pages \(7 MiB\), label "testswap"$'
boot_case swap-not-on-blank kernel "-m 32M $BLANKDISK" "" pass "${OK_BOOT[@]}" \
    '^block: ata0-master, 8192 sectors \(4 MiB\)$' '^swap: no swap area on 1 disk \(make one with mkswap\): no swap$'
boot_case swap-named kernel "-m 32M $BLANKDISK $SWAPDISK" "swap=ata0-slave" pass "${OK_BOOT[@]}" \
    '^swap: ata0-slave, 2047 pages'
boot_case swap-named-blank kernel "-m 32M $BLANKDISK $SWAPDISK" "swap=ata0-master" pass "${OK_BOOT[@]}" \
    '^swap: ata0-master: no swap signature: not used$' '!^swap: ata0-slave, '
boot_case swap-named-missing kernel "-m 32M $SWAPDISK" "swap=ata1-slave" pass "${OK_BOOT[@]}" \
    "^swap: no disk named 'ata1-slave' \(disks: ata0-slave\): no swap$"
boot_case swap-off kernel "-m 32M $SWAPDISK" "swap=off" pass "${OK_BOOT[@]}" '^swap: off \(swap=off\)$'
# The blank disk was never written.
if cmp -s "$BLANKIMG" <(dd if=/dev/zero bs=1M count=4 2>/dev/null); then
    boot_result "blank-disk-untouched" 1 "0s"
else
    boot_result "blank-disk-untouched" 0 "the blank disk was written to"
fi

# --- command-line options (issue 16 items 3, 4, 8): a value an on/off option cannot take is
# reported and ignored, heapdebug=0 means off, options past the 32nd are counted, and an
# exit= other than qemu is reported (the test's own exit=qemu comes last and wins).
boot_case option-flag-off kernel "-m 32M" "heapdebug=0" pass "${OK_BOOT[@]}" '!^heap: debug mode'
boot_case option-flag-bad kernel "-m 32M" "heapdebug=maybe" pass "${OK_BOOT[@]}" '!^heap: debug mode' \
    '^kernel: option heapdebug=maybe: expected no value, 1/on/yes or 0/off/no: ignored$'
many="exit=qemu" # first, so it is kept: the harness's own exit=qemu comes 41st and is dropped
for i in $(seq 1 39); do many="$many o$i=$i"; done
boot_case options-dropped kernel "-m 32M" "$many" pass "${OK_BOOT[@]}" \
    '^kernel: 9 options past the first 32 were dropped$'

# An NMI (QEMU's monitor command `nmi`, like a watchdog or a front-panel button) is
# reported and the kernel carries on (issue 16 item 7): sent while the kernel holds.
nmi_hook() {
    log=$1 n=0
    until grep -q '^kernel: holding' "$log" 2>/dev/null; do
        n=$((n + 1)); [ $n -gt $((BOOT_TIMEOUT * 4)) ] && return 0
        sleep 0.25
    done
    screen_monitor "$log" "nmi" || return 0
    n=0
    until grep -q '^nmi: ' "$log" 2>/dev/null; do
        n=$((n + 1)); [ $n -gt 40 ] && break
        sleep 0.25
    done
    screen_monitor "$log" "o /b 0xf4 0x10" # isa-debug-exit: QEMU exits with 33 (pass)
}
BOOT_HOOK=nmi_hook boot_case nmi kernel "-m 32M $(screen_args nmi)" "hold" pass "${OK_BOOT[@]}" \
    '^nmi: non-maskable interrupt, port 0x61 = 0x[0-9a-f]{2}: .*; carrying on$'

# Control characters in the command line are printed escaped (issue 16 item 12).
boot_case cmdline-escaped kernel "-m 32M" "$(printf 'x=\033[2J')" pass "${OK_BOOT[@]}" \
    '^kernel: loaded by qemu, command line ".*x=\\x1b\[2J' "!$(printf '\033')"

# --- bad input: not started by a multiboot loader
boot_case bad-magic kernel "-m 128M" "test=bad-magic" panic \
    '^PANIC: not started by a multiboot loader: magic 0x12345678, expected 0x2badb002'

# --- the screen (issue 6): text on a framebuffer under BIOS (GRUB sets a VBE mode) and
# UEFI (64- and 32-bit firmware), VGA text without one; each checked on a screenshot
FB_OK=('^fb: 1024x768x32 framebuffer at 0x[0-9a-f]{8} mapped at 0x[0-9a-f]{8}' '^console: framebuffer'
       '!^console: vga text' '@check_screen')
BOOT_HOOK=screen_hook boot_case screen-vga-text kernel "-m 64M $(screen_args screen-vga-text)" "hold" pass \
    "${OK_BOOT[@]}" '^console: vga text$' '!^fb:' '@check_screen'
BOOT_HOOK=screen_hook boot_case screen-bios-fb iso "-m 128M $(screen_args screen-bios-fb)" "hold" pass \
    "${OK_BOOT[@]}" "${FB_OK[@]}"
# Other depths, chosen by setting gfxpayload after `multiboot` (which sets it from our header).
GRUB_EXTRA="set gfxpayload=1024x768x24" BOOT_HOOK=screen_hook boot_case screen-bios-fb24 iso \
    "-m 128M $(screen_args screen-bios-fb24)" "hold" pass "${OK_BOOT[@]}" \
    '^fb: 1024x768x24 framebuffer at 0x[0-9a-f]{8} mapped at' '^console: framebuffer' '@check_screen'
GRUB_EXTRA="set gfxpayload=800x600x16" boot_case fb-16bpp-refused iso "-m 128M" "" pass "${OK_BOOT[@]}" \
    '^fb: 16 bits per pixel not supported' '^console: serial only$' '!^console: (framebuffer|vga text)'
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$LOGDIR/uefi64.vars.fd"
QEMU=qemu-system-x86_64 BOOT_HOOK=screen_hook BOOT_TIMEOUT=120 boot_case screen-uefi64 iso \
    "-m 256M -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
     -drive if=pflash,format=raw,unit=1,file=$LOGDIR/uefi64.vars.fd $(screen_args screen-uefi64)" "hold" pass \
    "${OK_BOOT[@]}" "${FB_OK[@]}"
# 32-bit UEFI: Debian's ovmf-ia32 is built with Secure Boot (no keys enrolled), which needs SMM on q35.
cp /usr/share/OVMF/OVMF32_VARS_4M.fd "$LOGDIR/uefi32.vars.fd"
BOOT_HOOK=screen_hook BOOT_TIMEOUT=120 boot_case screen-uefi32 iso \
    "-M q35,smm=on -m 256M -global driver=cfi.pflash01,property=secure,value=on
     -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF32_CODE_4M.secboot.fd
     -drive if=pflash,format=raw,unit=1,file=$LOGDIR/uefi32.vars.fd $(screen_args screen-uefi32)" "hold" pass \
    "${OK_BOOT[@]}" "${FB_OK[@]}"

echo "boot: $boot_passed passed, $boot_failed failed"
[ "$boot_failed" = 0 ]
