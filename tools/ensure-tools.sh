#!/bin/sh
# tools/ensure-tools.sh [kernel|run|test|fuzz|lint] - make sure the build tools exist.
#
# On Debian/Ubuntu missing tools are installed with apt-get (through sudo when
# not root), saying so first. Elsewhere the script prints exactly what to install
# and fails. CROSS is the compiler prefix the Makefile chose (i686-elf- or
# i686-linux-gnu-).
set -eu
what=${1:-kernel}
CROSS=${CROSS:-i686-linux-gnu-}

missing_cmds=""

pkgs=""
add() { case " $pkgs " in *" $1 "*) ;; *) pkgs="$pkgs $1" ;; esac; }

command -v nasm >/dev/null 2>&1 || { missing_cmds="$missing_cmds nasm"; add nasm; }
if ! command -v "${CROSS}gcc" >/dev/null 2>&1; then
    missing_cmds="$missing_cmds ${CROSS}gcc"
    add gcc-i686-linux-gnu; add binutils-i686-linux-gnu
fi
# The framebuffer console's font (Makefile: FONT_PSF).
FONT_PSF=${FONT_PSF:-/usr/share/consolefonts/Uni2-VGA16.psf.gz}
[ -r "$FONT_PSF" ] || { missing_cmds="$missing_cmds $FONT_PSF"; add console-setup-linux; }
if [ "$what" != kernel ] && [ "$what" != lint ]; then
    command -v qemu-system-i386 >/dev/null 2>&1 || { missing_cmds="$missing_cmds qemu-system-i386"; add qemu-system-x86; }
    command -v grub-mkrescue >/dev/null 2>&1 || { missing_cmds="$missing_cmds grub-mkrescue"; add grub-common; }
    [ -d /usr/lib/grub/i386-pc ] || { missing_cmds="$missing_cmds grub-i386-pc-modules"; add grub-pc-bin; }
    command -v xorriso >/dev/null 2>&1 || { missing_cmds="$missing_cmds xorriso"; add xorriso; }
    command -v mformat >/dev/null 2>&1 || { missing_cmds="$missing_cmds mformat"; add mtools; }
    # UEFI GRUB: grub-mkrescue then adds 64- and 32-bit EFI loaders to the ISO.
    [ -d /usr/lib/grub/x86_64-efi ] || { missing_cmds="$missing_cmds grub-x86_64-efi-modules"; add grub-efi-amd64-bin; }
    [ -d /usr/lib/grub/i386-efi ] || { missing_cmds="$missing_cmds grub-i386-efi-modules"; add grub-efi-ia32-bin; }
fi
if [ "$what" = test ] || [ "$what" = run ]; then
    # UEFI firmware for QEMU: the UEFI boot tests and `make run-uefi`.
    [ -r /usr/share/OVMF/OVMF_CODE_4M.fd ] || { missing_cmds="$missing_cmds OVMF_CODE_4M.fd"; add ovmf; }
    [ -r /usr/share/OVMF/OVMF32_CODE_4M.secboot.fd ] || { missing_cmds="$missing_cmds OVMF32_CODE_4M.secboot.fd"; add ovmf-ia32; }
fi
if [ "$what" = test ]; then
    # The serial tests' client (tests/serial-tests.sh); mkswap for the swap disks.
    command -v python3 >/dev/null 2>&1 || { missing_cmds="$missing_cmds python3"; add python3; }
    { command -v mkswap || [ -x /sbin/mkswap ]; } >/dev/null 2>&1 || { missing_cmds="$missing_cmds mkswap"; add util-linux; }
fi
if [ "$what" = test ] || [ "$what" = fuzz ]; then
    command -v cc >/dev/null 2>&1 || { missing_cmds="$missing_cmds cc"; add gcc; add libc6-dev; }
    command -v clang >/dev/null 2>&1 || { missing_cmds="$missing_cmds clang"; add clang; }
fi
if [ "$what" = lint ]; then
    # `make lint`: the clang build and link, and the three checkers.
    for t in clang:clang ld.lld:lld cppcheck:cppcheck clang-tidy:clang-tidy clang-format:clang-format; do
        command -v "${t%%:*}" >/dev/null 2>&1 || { missing_cmds="$missing_cmds ${t%%:*}"; add "${t#*:}"; }
    done
fi

# musl (Debian's i386 build) for the musl test programs: optional, they are
# skipped without it. It needs the i386 architecture; a new one takes effect at
# the next `make test` (the Makefile looks for musl when it starts).
if [ "$what" = test ] && [ ! -r /usr/lib/i386-linux-musl/musl-gcc.specs ] && command -v dpkg >/dev/null 2>&1 &&
   [ "$(id -u)" = 0 ]; then
    echo "ensure-tools: installing musl-dev:i386 (the musl test programs); they run from the next make test"
    { dpkg --add-architecture i386 && apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-dev:i386; } ||
        echo "ensure-tools: musl-dev:i386 could not be installed: the musl programs are skipped"
fi

[ -z "$pkgs" ] && exit 0

echo "ensure-tools: missing:$missing_cmds"
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
            echo "ensure-tools: not root and no sudo: as root run: apt-get install$pkgs" >&2; exit 1
        fi
    fi
    echo "ensure-tools: installing with apt-get:$pkgs"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq$pkgs
else
    echo "ensure-tools: please install these (Debian/Ubuntu package names):$pkgs" >&2
    echo "  NASM, an i686 cross GCC and binutils (or i686-elf-gcc), QEMU (qemu-system-i386)," >&2
    echo "  GRUB 2 with i386-pc, x86_64-efi and i386-efi modules (grub-mkrescue), xorriso, mtools," >&2
    echo "  clang, a PSF console font (FONT_PSF=...), OVMF (64- and 32-bit UEFI firmware)" >&2
    exit 1
fi
