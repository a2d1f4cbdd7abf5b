#!/bin/bash
# tests/shell-tests.sh - drive the kernel monitor over the serial port and match its answers.
#
# QEMU runs headless with the serial port on a pipe (a bash coprocess). The script
# waits for the prompt, types one command, collects everything up to the next
# prompt and checks it against regular expressions. The session ends with
# `halt`, which ends QEMU through isa-debug-exit. Prints "shell: N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
LOGDIR=${LOGDIR:-$BUILD/test-logs}
KERNEL=${KERNEL:-$BUILD/kernel.elf}
mkdir -p "$LOGDIR/failed"
LOG=$LOGDIR/shell.log
: > "$LOG"
passed=0
failed=0
PROMPT='mon> '

# Start QEMU with the serial port on a coprocess pipe (QIN: to the kernel, QOUT: from it).
# Optional: $1 more kernel options, $2 more QEMU arguments (user programs as modules).
start_session() {
    local opts=${1:-} qargs=${2:-}
    # shellcheck disable=SC2086 # qargs holds several arguments
    coproc QEMU_PROC { exec timeout 300 qemu-system-i386 -m 64M -no-reboot -display none -monitor none \
        -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 $qargs \
        -kernel "$KERNEL" -append "exit=qemu shell $opts" 2>&1; }
    # Our own copies of the pipe ends: bash closes the coprocess's descriptors as soon
    # as QEMU exits, which would cut off the last lines it printed.
    exec {QIN}>&"${QEMU_PROC[1]}" {QOUT}<&"${QEMU_PROC[0]}"
    QPID=$QEMU_PROC_PID
}

# Type a command that ends the session; read everything until QEMU exits, match the
# patterns against it and the exit status against $1.
check_last() {
    local status=$1 cmd=$2 buf="" ch why=""
    shift 2
    printf '%s\r' "$cmd" >&"$QIN"
    while IFS= read -r -s -N 1 -t 30 ch <&"$QOUT"; do
        [ "$ch" = $'\r' ] || buf+=$ch
    done
    printf '%s' "$buf" >> "$LOG"
    wait "$QPID" 2>/dev/null
    local rc=$?
    exec {QIN}>&- {QOUT}<&-
    [ "$rc" = "$status" ] || why="QEMU exit status $rc, expected $status"
    for pat in "$@"; do
        [ -n "$why" ] && break
        grep -Eq -- "$pat" <<< "$buf" || why="output lacks /$pat/"
    done
    [ -z "$why" ] && result 1 "$cmd (ends the session)" || result 0 "$cmd (ends the session)" "$why"
}

# Read from QEMU until the prompt appears; the text before it goes to $REPLY_TEXT.
wait_prompt() {
    local buf="" ch
    while IFS= read -r -s -N 1 -t 30 ch <&"$QOUT"; do
        [ "$ch" = $'\r' ] && continue
        buf+=$ch
        if [[ $buf == *"$PROMPT" ]]; then
            REPLY_TEXT=${buf%"$PROMPT"}
            printf '%s' "$buf" >> "$LOG"
            return 0
        fi
    done
    REPLY_TEXT=$buf
    printf '%s' "$buf" >> "$LOG"
    return 1
}

# Read from QEMU until the text $1 has appeared (false after 30 s of silence).
wait_for() {
    local buf="" ch
    while IFS= read -r -s -N 1 -t 30 ch <&"$QOUT"; do
        [ "$ch" = $'\r' ] && continue
        buf+=$ch
        if [[ $buf == *"$1"* ]]; then
            printf '%s' "$buf" >> "$LOG"
            return 0
        fi
    done
    printf '%s' "$buf" >> "$LOG"
    return 1
}

result() {   # result OK NAME WHY
    if [ "$1" = 1 ]; then
        passed=$((passed + 1)); printf '  ok    %s\n' "$2"
    else
        failed=$((failed + 1)); printf '  FAIL  %s: %s\n' "$2" "$3"
    fi
}

# check COMMAND PATTERN...: type the command, then every pattern must match a line of
# its output (a leading '!' means: must not match).
check() {
    local cmd=$1 why="" name
    shift
    name=${cmd//$'\e'/<ESC>}
    name=${name//$'\b'/<BS>}
    printf '%s\r' "$cmd" >&"$QIN"
    if ! wait_prompt; then
        result 0 "$name" "no prompt came back"
        return
    fi
    for pat in "$@"; do
        case $pat in
            !*) if grep -Eq -- "${pat#!}" <<< "$REPLY_TEXT"; then why="output matches /${pat#!}/"; break; fi ;;
            *) if ! grep -Eq -- "$pat" <<< "$REPLY_TEXT"; then why="output lacks /$pat/"; break; fi ;;
        esac
    done
    [ -z "$why" ] && result 1 "$name" || result 0 "$name" "$why"
}

echo "shell tests (monitor over serial, log in $LOG):"
start_session
if ! wait_prompt; then
    result 0 "boot to the prompt" "no prompt (see $LOG)"
else
    result 1 "boot to the prompt"
    H='0x[0-9a-f]{8}'
    check "help" '^  meminfo ' '^  pagemap  FROM \[TO\]' '^  fault    KIND' '^  halt '
    check "meminfo" "^frames: [0-9]+ total \([0-9]+ KiB\), [0-9]+ free" '^heap: [0-9]+ pages held \(peak [0-9]+\)'
    check "mmap" '^raw memory map from the loader \([0-9]+ entries\):' \
        '^  0x0000000000100000-0x0000000003fdffff available$' '^usable after sanitising' \
        "^  $H-0x03fdffff\$" 'kernel image$' 'frame bitmap$'
    check "vtop 0xc0100000" '^  PDE\[768\] = 0x[0-9a-f]{8}: page table at' \
        '^  PTE\[256\] = 0x00100[0-9a-f]{3}: frame 0x00100000, P-' '^  0xc0100000 -> physical 0x00100000$'
    check "vtop 0x1000" '^  PDE\[0\] = 0x00000000: not present, so 0x00001000 is not mapped$'
    # One run of two pages, or two runs when only one page has been executed yet (the A bit differs).
    check "pagemap 0xc0100000 0xc0101fff" '^  0xc0100000-0xc010[01]fff -> 0x00100000-0x0010[01]fff +[12] pages  P-' \
        '^  0xc010[01]000-0xc0101fff -> 0x0010[01]000-0x00101fff +[12] pages  P-' '!PW'
    check "pagemap 0x0" '^  nothing mapped$'
    # A range ending inside a page counts that page; one address is one page (issue 16 item 11).
    check "pagemap 0xc0100000 0xc0101800" '0xc0101fff -> 0x[0-9a-f]{8}-0x00101fff +[12] pages' '!0xc0101800 ->'
    check "pagemap 0xc0100010 0xc0100010" '^  0xc0100000-0xc0100fff -> 0x00100000-0x00100fff +1 pages'
    # The last byte of memory is the directory's own last entry (the recursive slot): one byte, no wrap to 0.
    check "dump 0xffffffff" '^dump: stopping at 0xffffffff, the end of the address space$' \
        '^ffffffff  [0-9a-f]{2} ' '!0x0000000e' '!^0000000'
    check "dump 0xc00b8000 16" '^c00b8000  [0-9a-f]{2} [0-9a-f]{2} '
    check "dump 0x10" '^dump: 0x00000010 is not mapped$'
    # A dump that runs off the end of the VGA buffer stops at the first unmapped byte.
    check "dump 0xc00bffe0 64" '^c00bfff0 ' '^dump: 0xc00c0000 is not mapped$'
    check "alloc 100" "^alloc: ($H) \(ksize 112\), physical $H\$"
    ptr=$(grep -Eo '^alloc: 0x[0-9a-f]{8}' <<< "$REPLY_TEXT" | cut -d' ' -f2)
    check "meminfo" '^  class  112 B: 1 live'
    check "free ${ptr:-0x0}" "^free: ${ptr:-none} freed\$"
    check "free 0x1234" '^free: 0x00001234 did not come from'
    check "frames" '^  \. free   # used' '^00000000 -+.*K' "^[0-9]+ of [0-9]+ frames free\$"
    check "selftest" '^selftest: vmm-layout ok$' '^selftest: heap ok$' '^selftest: [0-9]+ passed, 0 failed$'
    check "bogus" "^error: unknown command 'bogus' \(try 'help'\)\$"
    # An over-long line is refused, not cut and run (issue 16 item 9).
    check "vtop 0x$(printf '0%.0s' $(seq 1 130))c0100000" '^error: line longer than 127 characters: not run$' '!-> physical'
    check "vtop 12zz" "^vtop: '12zz' is not a number"
    check "pagemap" '^usage: pagemap FROM \[TO\]$'
    check "leaks" '^leaks: 0 live allocations$'
    # Line editing: backspace removes the typo before the command runs.
    check $'vtopx\b 0xc0100000' '^  0xc0100000 -> physical 0x00100000$'
    # Escape sequences are read to their end and dropped: Delete (ESC [ 3 ~), PgUp,
    # Ctrl-Right (ESC [ 1 ; 5 C), F1 (ESC O P) leave no '~', 'P' or ';5C' in the line (issue 16 item 10).
    check $'vtop\e[3~\e[5~ 0xc0100000\e[1;5C\eOP' '^  0xc0100000 -> physical 0x00100000$'
    # History: ESC [ A recalls the previous line.
    check $'\e[A' '^  0xc0100000 -> physical 0x00100000$'
    check_last 33 "halt" '^kernel: halted$'
fi

# A fault from the monitor: the decoded report, then the kernel stops (status 35).
start_session
if wait_prompt; then
    check_last 35 "fault null" '^PANIC: page fault \(#PF\), vector 14, in kernel mode$' \
        'page fault at address 0x00000000: not-present read kernel-mode' '<fault_read_null\+' \
        '<cmd_fault\+' '^kernel: halted$'
else
    result 0 "fault null" "no prompt"
fi

# reboot: the CPU is reset; with -no-reboot QEMU exits with status 0 instead of restarting.
start_session
if wait_prompt; then
    check_last 0 "reboot" '^kernel: rebooting$'
else
    result 0 "reboot" "no prompt"
fi

# exit= with a value other than qemu is reported and ignored: the monitor runs (issue 16 item 3).
start_session "exit=1"
if wait_prompt; then
    if grep -q "^kernel: exit=1: the only value is exit=qemu: ignored" "$LOG"; then
        result 1 "exit=1 is reported and the monitor starts"
    else
        result 0 "exit=1 is reported and the monitor starts" "no 'exit=1 ... ignored' line"
    fi
    check_last 0 "reboot" '^kernel: rebooting$'
else
    result 0 "exit=1 is reported and the monitor starts" "no prompt"
fi

# The break key: two processes spin for ever (user/bin/spin.c); Ctrl-K stops them and
# opens the monitor, which sees them (ps, pid N) and resumes them (continue).
SPIN=$BUILD/user/bin/spin
if [ -f "$SPIN" ]; then
    start_session "init=spin" "-initrd $SPIN"
    # Wait until both run, then break in.
    if wait_for 'spin: pid 1 and its child 2 spin for ever' && sleep 0.3 && printf '\013' >&"$QIN" && wait_prompt; then
        result 1 "Ctrl-K stops spinning processes and opens the monitor"
        check "ps" '^ +1 +0 (runnable|running) +[0-9]+ +[0-9]+ spin$' '^ +2 +1 (runnable|running) +[0-9]+ +[0-9]+ spin$'
        # The boot module (spin) has its own letter in the picture of physical memory.
        check "frames" '^  \. free   # used   \+ partly used   K kernel image   M boot module' '^00000000 -+K+M'
        # Demand paging: of spin's image only the page it runs in is there (its entry
        # point's, 0x08049000), read-only and shared by the two; its first page never
        # was touched. The stack's top page holds argv: written, private.
        check "vtop 0x08049000 pid 2" '^  PDE\[32\] = 0x[0-9a-f]{8}: page table at' 'PTE\[73\] = 0x[0-9a-f]{8}: frame 0x[0-9a-f]{8}, P-U'
        check "vtop 0x08048000 pid 2" '^  PTE\[72\] = 0x00000000: not present, so 0x08048000 is not mapped$'
        check "pagemap 0x08049000 0x08049fff pid 1" '^  0x08049000-0x08049fff -> 0x[0-9a-f]{8}-0x[0-9a-f]{8} +1 pages  P-U--A---  shared'
        # The stack's top page: present, writable, user, and written (argv lives there).
        check "pagemap 0xbffff000 0xbfffffff pid 1" '^  0xbffff000-0xbfffffff -> 0x[0-9a-f]{8}-0x[0-9a-f]{8} +1 pages  PWU--AD--$'
        check "vtop 0x08048000 pid 9" '^error: no process 9 with an address space'
        check "meminfo pid 1" "^error: 'meminfo' does not take a pid"
        printf 'continue\r' >&"$QIN"
        if wait_for 'monitor: processes resumed'; then result 1 "continue"; else result 0 "continue" "no 'resumed' line"; fi
        # Still alive after resuming: break in once more.
        sleep 0.5
        printf '\013' >&"$QIN"
        if wait_prompt; then result 1 "Ctrl-K again after continue"; else result 0 "Ctrl-K again after continue" "no prompt"; fi
        check_last 33 "halt" '^kernel: halted$'
    else
        result 0 "Ctrl-K stops spinning processes and opens the monitor" "no prompt (see $LOG)"
        kill "$QPID" 2>/dev/null
    fi
    # A process's kernel stack has a guard page too: the monitor of a break session runs
    # on the interrupted process's kernel stack, and overflowing it is reported by the
    # double-fault task like an overflow of the boot stack.
    start_session "init=spin" "-initrd $SPIN"
    if wait_for 'spin: pid 1 and its child 2 spin for ever' && sleep 0.3 && printf '\013' >&"$QIN" && wait_prompt; then
        check_last 35 "fault overflow (on a process's kernel stack)" \
            '^PANIC: kernel stack overflow: esp 0xf[0-9a-f]{7} reached the guard page 0xf[0-9a-f]{4}000-0xf[0-9a-f]{4}fff$' \
            '^  the kernel stack of pid [12] \(spin\)$' '<fault_recurse\+'
    else
        result 0 "fault overflow (on a process's kernel stack)" "no prompt after Ctrl-K"
        kill "$QPID" 2>/dev/null
    fi
else
    echo "  SKIP  break key ($SPIN not built)"
fi

# The life of a page (user/bin/pagelife.c, chapter 8): after each step the program
# waits for Enter; the break key opens the monitor, which looks at the page.
LIFE=$BUILD/user/bin/pagelife
A='0x40000000 0x40000fff'
# look STEP-TEXT PID PATTERN...: wait for the step's line, break in, pagemap the page in PID, resume.
look() {
    local text=$1 pid=$2
    shift 2
    if wait_for "$text" && sleep 0.2 && printf '\013' >&"$QIN" && wait_prompt; then
        check "pagemap $A pid $pid" "$@"
        printf 'continue\r' >&"$QIN"
        wait_for 'monitor: processes resumed' >/dev/null
    else
        result 0 "$text" "no prompt after Ctrl-K"
    fi
}
if [ -f "$LIFE" ]; then
    start_session "init=pagelife" "-initrd $LIFE"
    look 'step 1: one page mapped at 0x40000000, never touched' 1 '^  nothing mapped$'
    printf '\r' >&"$QIN"
    look 'step 2: read it (0): the zero page' 1 '^  0x40000000-0x40000fff -> the zero page 0x[0-9a-f]{8} +1 pages  P-U--A---$'
    printf '\r' >&"$QIN"
    look 'step 3: wrote it: a private frame' 1 '^  0x40000000-0x40000fff -> 0x[0-9a-f]{8}-0x[0-9a-f]{8} +1 pages  PWU--AD--$'
    frame3=$(grep -Eo '0x40000fff -> 0x[0-9a-f]{8}' <<< "$REPLY_TEXT" | sed 's/.*-> //')
    printf '\r' >&"$QIN"
    look 'step 4: forked pid 2' 1 "^  0x40000000-0x40000fff -> ${frame3:-none}-0x[0-9a-f]{8} +1 pages  P-U--AD--  shared"
    # The same frame, read-only, in the child too.
    if printf '\013' >&"$QIN" && wait_prompt; then
        check "pagemap $A pid 2" "^  0x40000000-0x40000fff -> ${frame3:-none}-0x[0-9a-f]{8} +1 pages  P-U------  shared"
        check "vmstat" '^  copy-on-write copies +[0-9]+$' '^  pid +1 pagelife' '^  pid +2 pagelife'
        printf 'continue\r' >&"$QIN"
        wait_for 'monitor: processes resumed' >/dev/null
    fi
    printf '\r' >&"$QIN"
    look 'step 5: pid 1 wrote' 2 "^  0x40000000-0x40000fff -> ${frame3:-none}-0x[0-9a-f]{8} +1 pages  P-U------\$"
    printf '\r' >&"$QIN"
    look 'step 6: pid 2 wrote its copy' 2 "^  0x40000000-0x40000fff -> ${frame3:-none}-0x[0-9a-f]{8} +1 pages  PWU--AD--\$"
    printf '\r' >&"$QIN"
    if wait_for 'pagelife: done: pid 1 reads 2, pid 2 exited with 0' && wait_for 'init: exited with status 0'; then
        result 1 "pagelife ends with each process seeing its own value"
    else
        result 0 "pagelife ends with each process seeing its own value" "no 'done' line"
    fi
    wait_prompt # the monitor, once init has gone: keys typed before it belong to init's console
    check_last 33 "halt" '^kernel: halted$'
else
    echo "  SKIP  the life of a page ($LIFE not built)"
fi

[ "$failed" = 0 ] || cp "$LOG" "$LOGDIR/failed/shell.log"
echo "shell: $passed passed, $failed failed"
[ "$failed" = 0 ]
