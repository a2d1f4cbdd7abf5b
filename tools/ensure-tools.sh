#!/bin/sh
# tools/ensure-tools.sh [kernel|run|test|fuzz] - make sure the build tools exist.
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
if [ "$what" != kernel ]; then
    command -v qemu-system-i386 >/dev/null 2>&1 || { missing_cmds="$missing_cmds qemu-system-i386"; add qemu-system-x86; }
    command -v grub-mkrescue >/dev/null 2>&1 || { missing_cmds="$missing_cmds grub-mkrescue"; add grub-common; }
    [ -d /usr/lib/grub/i386-pc ] || { missing_cmds="$missing_cmds grub-i386-pc-modules"; add grub-pc-bin; }
    command -v xorriso >/dev/null 2>&1 || { missing_cmds="$missing_cmds xorriso"; add xorriso; }
    command -v mformat >/dev/null 2>&1 || { missing_cmds="$missing_cmds mformat"; add mtools; }
fi
if [ "$what" = test ] || [ "$what" = fuzz ]; then
    command -v cc >/dev/null 2>&1 || { missing_cmds="$missing_cmds cc"; add gcc; add libc6-dev; }
    command -v clang >/dev/null 2>&1 || { missing_cmds="$missing_cmds clang"; add clang; }
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
    echo "  GRUB 2 with i386-pc modules (grub-mkrescue), xorriso, mtools, clang" >&2
    exit 1
fi
