#!/bin/sh
# tests/user/check-on-linux.sh - run the user programs on this Linux host, before the kernel.
#
# Our kernel speaks Linux's i386 system-call ABI, so its programs are ordinary
# static i386 Linux executables: an x86_64 Linux (with IA32 emulation, the
# default) runs them as they are. That checks the programs themselves - the C
# library, the tests' expectations - against the reference implementation of
# the ABI, so a failure on our kernel is the kernel's.
#
# Every program is built (make -f user/user.mk user; NO_BUILD=1 skips that),
# its ELF header checked (static ET_EXEC for EM_386 at 0x08048000, no
# PT_INTERP, no PT_DYNAMIC), then run from a temporary directory holding the
# programs plus the two broken ones the kernel gets as boot modules: `notelf`
# (text) and `truncated` (hello's first 100 bytes). usertests, vmtests and
# vmfuzz run with --linux (their header comments say which checks that
# changes, and why).
# The musl programs (musl-*, found by name) must each print "NAME: ok".
#
# One line per check, then `check-on-linux: N passed, N failed`; exit 0 only
# when none failed.
set -u

BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1

if [ "${NO_BUILD:-0}" != 1 ]; then
    make -s -f user/user.mk BUILD="$BUILD" user || { echo "check-on-linux: build failed"; exit 1; }
fi

BIN=$BUILD/user/bin
MUSL=$BUILD/user/musl
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
ok() { echo "check-on-linux: ok $1"; passed=$((passed + 1)); }
fail() { echo "check-on-linux: FAIL $1: $2"; failed=$((failed + 1)); }

PROGS="$BIN/init $BIN/hello $BIN/echoargs $BIN/usertests $BIN/vmtests $BIN/vmfuzz"
MUSL_PROGS=""
for p in "$MUSL"/musl-*; do
    case $p in *.d | *'*'*) continue ;; esac
    MUSL_PROGS="$MUSL_PROGS $p"
done
[ -n "$MUSL_PROGS" ] || echo "check-on-linux: no musl programs built (musl-dev:i386 missing?): not checked"

# ------------------------------------------------------------- ELF headers
for p in $PROGS $MUSL_PROGS; do
    name=$(basename "$p")
    if [ ! -f "$p" ]; then
        fail "elf-$name" "$p was not built"
        continue
    fi
    hdr=$(readelf -hW "$p") && phdrs=$(readelf -lW "$p") || { fail "elf-$name" "readelf failed"; continue; }
    entry=$(echo "$hdr" | sed -n 's/^ *Entry point address: *//p')
    loads=$(echo "$phdrs" | awk '$1 == "LOAD" { print $3 }')
    why=""
    echo "$hdr" | grep -q 'Class: *ELF32' || why="$why not ELF32;"
    echo "$hdr" | grep -q 'Type: *EXEC' || why="$why not ET_EXEC;"
    echo "$hdr" | grep -q 'Machine: *Intel 80386' || why="$why not EM_386;"
    echo "$phdrs" | grep -qE '^ *(INTERP|DYNAMIC) ' && why="$why has INTERP or DYNAMIC;"
    [ -n "$loads" ] || why="$why no PT_LOAD;"
    for a in $entry $loads; do
        # 0x08048000 up to 0x08ffffff: where the default i386 link puts a program.
        if [ $((a)) -lt $((0x08048000)) ] || [ $((a)) -ge $((0x09000000)) ]; then
            why="$why address $a out of range;"
        fi
    done
    if [ -z "$why" ]; then ok "elf-$name"; else fail "elf-$name" "$why"; fi
done

# Does this host run i386 programs at all?
cp $PROGS "$TMP"/ 2>/dev/null
if ! "$TMP/hello" >/dev/null 2>&1; then
    echo "check-on-linux: this host cannot run i386 executables (no IA32 emulation?)"
    echo "check-on-linux: $passed passed, $((failed + 1)) failed"
    exit 1
fi
printf 'this is not an ELF file\n' > "$TMP/notelf"
head -c 100 "$TMP/hello" > "$TMP/truncated"
chmod +x "$TMP/notelf" "$TMP/truncated"

# run NAME EXPECTED-STATUS REGEX COMMAND...: COMMAND's output must match REGEX
# (grep -E, on some line) and its exit status be EXPECTED-STATUS.
run() {
    name=$1 want=$2 regex=$3
    shift 3
    out=$(timeout 120 "$@" 2>&1)
    st=$?
    if [ "$st" -ne "$want" ]; then
        fail "$name" "exit status $st, want $want; output:"
        echo "$out" | tail -n 20 | sed 's/^/    /'
    elif ! echo "$out" | grep -qE "$regex"; then
        fail "$name" "no line matching /$regex/; output:"
        echo "$out" | tail -n 20 | sed 's/^/    /'
    else
        ok "$name"
    fi
    [ -z "${VERBOSE:-}" ] || echo "$out" | sed 's/^/    /'
}

run hello 0 '^hello from pid [0-9]+$' "$TMP/hello" one two
run echoargs 3 '^echoargs: argv\[2\] = "two"$' "$TMP/echoargs" one two
run init 0 '^init: child [0-9]+ exited with status 0$' "$TMP/init" "$TMP/"
run init-runs-hello 0 '^hello: argv\[2\] = "init"$' "$TMP/init" "$TMP/"
run usertests 0 '^usertests: [0-9]+ passed, 0 failed$' "$TMP/usertests" --linux "$TMP/"
run vmtests 0 '^vmtests: [0-9]+ passed, 0 failed$' "$TMP/vmtests" --linux "$TMP/"
run vmfuzz 0 '^vmfuzz: [0-9]+ passed, 0 failed$' "$TMP/vmfuzz" --linux
# The summary must be the last line, not just some line.
for t in usertests vmtests vmfuzz; do
    case $t in
    vmfuzz) last=$(timeout 120 "$TMP/$t" --linux 2>&1 | tail -n 1) ;; # takes seeds, not a prefix
    *) last=$(timeout 120 "$TMP/$t" --linux "$TMP/" 2>&1 | tail -n 1) ;;
    esac
    case $last in
    "$t: "*" passed, 0 failed") ok $t-last-line ;;
    *) fail $t-last-line "last line is \"$last\"" ;;
    esac
done
for p in $MUSL_PROGS; do
    name=$(basename "$p")
    run "$name" 0 "^$name: ok\$" "$p" arg1
done

echo "check-on-linux: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
