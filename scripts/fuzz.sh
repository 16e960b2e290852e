#!/usr/bin/env bash
# Runs each cargo-fuzz target for SECONDS (default 60) on the nightly toolchain, installing it
# and cargo-fuzz if missing. Seeds come from the AWS models and real requests (fuzz/seeds.py);
# the corpus grows in target/fuzz/corpus/TARGET between runs. A crash stops the run: its input
# is in fuzz/artifacts/TARGET/, and it becomes a regression test (see fuzz/README.md).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
source "$(dirname "$0")/lib.sh"
seconds="${1:-60}"
shift || true
ensure_rust
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
cd "$ROOT/fuzz"
work="$ROOT/target/fuzz"
fuzz=(cargo +nightly fuzz)
# Release code with debug assertions and overflow checks: an overflow that would wrap silently
# in a release build is a finding here.
flags=(--target-dir "$work" --debug-assertions)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("${fuzz[@]}" list)
mkdir -p "$work/logs"
echo "==> building the fuzz targets (nightly, address sanitizer, debug assertions; log: $work/logs/build.log)"
"${fuzz[@]}" build "${flags[@]}" >"$work/logs/build.log" 2>&1 || { tail -40 "$work/logs/build.log"; exit 1; }
python3 seeds.py "$work/seeds" >/dev/null
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    log="$work/logs/$target.log"
    mkdir -p "$corpus"
    echo "==> fuzz $target for ${seconds}s (log: $log)"
    # The first corpus directory collects what the run finds; the seeds are read only.
    if ! "${fuzz[@]}" run "${flags[@]}" "$target" "$corpus" "$work/seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 >"$log" 2>&1; then
        tail -60 "$log"
        echo "fuzz target $target failed: the crashing input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E "^Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb" "$log" | tr '\n' ' '
    echo "cov: $(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2) corpus: $(ls "$corpus" | wc -l)"
done
