#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for N seconds each (default 60) and prints, per
# target, the executions done and whether a crash was found. Not part of the test command:
# it is slow by design. Crashes land in fuzz/artifacts/TARGET/; turn each into a regression
# test under tests/ (see fuzz/README.md).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs `cargo install cargo-fuzz`. The machine has only the stable toolchain, so
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz use the nightly-only flags it needs.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(RUSTC_BOOTSTRAP=1 cargo fuzz list)
fi
export RUSTC_BOOTSTRAP=1
# No sanitizer: spantag is safe Rust, so address sanitizing only slows the search down;
# debug assertions (-a) turn integer overflows into findings.
build_flags=(-s none -a)
cargo fuzz build "${build_flags[@]}" || exit 2
bin_dir="target/$(rustc -vV | sed -n 's/^host: //p')/release"
mkdir -p logs
status=0
printf '%-16s %12s %10s  %s\n' target executions exec/s result
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "seeds/$t"
    log="logs/$t.log"
    mkdir -p "artifacts/$t"
    # The binary built above, run directly: `cargo fuzz run` would rebuild first, and a
    # rebuild failing on someone's half-saved source is not a finding.
    "$bin_dir/$t" -artifact_prefix="artifacts/$t/" \
        -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "corpus/$t" "seeds/$t" >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ "$rc" -eq 0 ]; then
        result="no crash"
    else
        result="CRASH (exit $rc): $(grep -m1 -E 'panicked at|ERROR: libFuzzer' "$log" | cut -c1-160); see $log and artifacts/$t/"
        status=1
    fi
    printf '%-16s %12s %10s  %s\n' "$t" "${execs:-?}" "${speed:-?}" "$result"
done
exit $status
