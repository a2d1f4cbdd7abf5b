#!/bin/sh
# tests/run-tests.sh - everything `make test` runs, with one closing count.
#
#   1. host unit tests (build/host/test_*), under AddressSanitizer and UBSan;
#      each prints "<name>: N passed, N failed";
#   2. each libFuzzer target over its checked-in corpus plus a short random run;
#   3. the headless QEMU boot tests (tests/boot-tests.sh);
#   4. the user programs run natively on this Linux host (tests/user/check-on-linux.sh),
#      then as processes on the kernel: usertests and the musl programs (tests/user-tests.sh);
#   5. the monitor driven over serial (tests/shell-tests.sh);
#   6. the quick subset of the boot matrix (tests/matrix.sh --quick).
# The last line is "N passed, N failed"; the exit status is non-zero on any failure.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-10}
passed=0
failed=0

add_counts() {   # add "N passed, M failed" from the last such line of $1
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        return 1
    fi
    p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\3/')
    passed=$((passed + p))
    failed=$((failed + f))
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== host unit tests (ASan + UBSan)"
for t in "$BUILD"/host/test_*; do
    [ -x "$t" ] || continue
    "$t" > "$out" 2>&1
    rc=$?
    if ! add_counts "$out"; then
        echo "  FAIL $(basename "$t"): no summary line (exit $rc)"; cat "$out"
    elif [ $rc != 0 ]; then
        cat "$out"
        grep -q ' 0 failed' "$out" && failed=$((failed + 1))   # crashed after its summary
    else
        tail -n 1 "$out" | sed 's/^/  /'
    fi
done

echo "== fuzz smoke runs (corpus + ${FUZZ_SMOKE_SECONDS}s each)"
for f in "$BUILD"/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    n=$(basename "$f")
    # New inputs go to a scratch directory; the checked-in corpus is only read.
    mkdir -p "$BUILD/fuzz/smoke-$n"
    if "$f" -max_total_time="$FUZZ_SMOKE_SECONDS" -print_final_stats=1 "$BUILD/fuzz/smoke-$n" \
        "tests/fuzz/corpus/$n" > "$out" 2>&1; then
        passed=$((passed + 1))
        echo "  ok   $n ($(grep -E 'stat::number_of_executed_units' "$out" | awk '{print $2}') inputs)"
    else
        failed=$((failed + 1))
        echo "  FAIL $n"; tail -n 40 "$out"
    fi
done

echo "== boot tests"
bash tests/boot-tests.sh | tee "$out"
add_counts "$out"

echo "== user programs on this Linux host first (the kernel must agree with Linux)"
NO_BUILD=1 sh tests/user/check-on-linux.sh > "$out" 2>&1
if add_counts "$out" && grep -q ' 0 failed' "$out"; then tail -n 1 "$out" | sed 's/^/  /'; else cat "$out"; fi

echo "== user programs on the kernel (processes, system calls, musl)"
bash tests/user-tests.sh | tee "$out"
add_counts "$out"

echo "== monitor tests"
bash tests/shell-tests.sh | tee "$out"
add_counts "$out"

echo "== serial console under back-pressure (readers that type ahead, pause or go away)"
bash tests/serial-tests.sh | tee "$out"
add_counts "$out"

echo "== boot matrix, quick subset (make test-matrix boots every row)"
bash tests/matrix.sh --quick | tee "$out"
add_counts "$out"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
