# tests/screen-lib.sh - screenshots of a test boot, and checking that they show text.
#
# Sourced after tests/boot-lib.sh. A screen test is a boot_case with three additions:
#
#   BOOT_HOOK=screen_hook boot_case NAME MODE "QEMU ARGS $(screen_args NAME)" "hold ..." pass \
#       ... '@check_screen'
#
#   screen_args NAME  creates two FIFOs and prints the QEMU arguments for a
#                     second monitor on them ($LOGDIR/NAME.mon.in / .mon.out)
#   screen_hook LOG   waits until the kernel is ready and holding (the `hold`
#                     option: a passing run does not end itself), saves the
#                     screen to LOG with .ppm instead of .log through the
#                     monitor, then ends QEMU with the pass status by writing
#                     to the isa-debug-exit port from the monitor
#   check_screen LOG  the screenshot shows several lines of text: enough lit
#                     pixels, spread over many character rows, and not a lit
#                     screen; with a framebuffer, its size is the one the log names
#
# Only POSIX tools (od, awk); the PPM (P6) format is a short text header and
# then three bytes (red, green, blue) per pixel, row by row.

SCREEN_ROWS=${SCREEN_ROWS:-20}     # character rows (of 16 pixels) examined from the top

screen_args() {
    mon=$LOGDIR/$1.mon
    rm -f "$mon.in" "$mon.out"
    mkfifo "$mon.in" "$mon.out" || return 1
    printf '%s' "-chardev pipe,id=shot,path=$mon -mon chardev=shot,mode=readline"
}

# Send one command line to the monitor of the boot whose log is $1.
screen_monitor() {
    timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$2" "${1%.log}.mon.in"
}

screen_hook() {
    log=$1 ppm=${1%.log}.ppm
    rm -f "$ppm"
    n=0
    until grep -q '^kernel: holding' "$log" 2>/dev/null; do
        grep -q '^PANIC' "$log" 2>/dev/null && return 0
        n=$((n + 1)); [ $n -gt $((BOOT_TIMEOUT * 4)) ] && return 0
        sleep 0.25
    done
    screen_monitor "$log" "screendump $ppm" || return 0
    # Wait for the file to be written completely: its size stops changing.
    last=-1 n=0
    while :; do
        sleep 0.25
        size=$(wc -c < "$ppm" 2>/dev/null || echo 0)
        [ "$size" -gt 0 ] && [ "$size" = "$last" ] && break
        last=$size n=$((n + 1)); [ $n -gt 40 ] && break
    done
    screen_monitor "$log" "o /b 0xf4 0x10"     # isa-debug-exit: QEMU exits with 33 (pass)
}

check_screen() {
    ppm=${1%.log}.ppm
    [ -s "$ppm" ] || { echo "no screenshot $ppm"; return 1; }
    # shellcheck disable=SC2046
    set -- $(head -c 24 "$ppm" | tr '\n' ' ' | tr -c 'P0-9 ' '_')
    [ "$1" = P6 ] && [ "$4" = 255 ] || { echo "$ppm is not a binary PPM"; return 1; }
    w=$2 h=$3 hdr=$(( ${#1} + ${#2} + ${#3} + ${#4} + 4 ))
    fb=$(sed -n 's/^fb: \([0-9]*\)x\([0-9]*\)x[0-9]* framebuffer at .*/\1 \2/p' "${ppm%.ppm}.log")
    if [ -n "$fb" ] && [ "$fb" != "$w $h" ]; then
        echo "screenshot is ${w}x$h, the kernel drew on a $(echo "$fb" | tr ' ' x) framebuffer"; return 1
    fi
    rows=$((SCREEN_ROWS * 16)); [ "$rows" -gt "$h" ] && rows=$h
    od -An -v -t u1 -j "$hdr" -N $((w * rows * 3)) "$ppm" | awk -v w="$w" -v rows="$rows" '
        { for (i = 1; i <= NF; i++) {
              c[k++] = $i
              if (k == 3) {
                  if (c[0] > 80 || c[1] > 80 || c[2] > 80) { lit++; textrow[int(p / w / 16)] = 1 }
                  p++; k = 0
              }
          } }
        END {
            for (r in textrow) nrows++
            if (lit < 2000) { printf "only %d lit pixels in the top %d pixel rows: no text?\n", lit, rows; exit 1 }
            if (lit > p * 0.4) { printf "%d of %d pixels lit: not text on a dark screen\n", lit, p; exit 1 }
            if (nrows < rows / 16 / 2) { printf "text on only %d of %d character rows\n", nrows, rows / 16; exit 1 }
        }'
}
