#!/usr/bin/env bash
# Rewrites crates/cli/hot-symbols.txt: the functions `pooldesk serve` runs while it starts,
# then those it runs serving the benchmark's workloads, each in the order they first ran.
# Release builds hand the file to the linker (crates/cli/build.rs), which places those
# functions together, so an idle server maps a couple of MiB of its code, not most of it.
#
# Symbol names carry hashes of the crates' versions and features: run this again after
# changing dependencies or the compiler (it prints how many of the file's names the binary
# still has; scripts/test.sh warns when the file's first line no longer matches).
# It runs the server under callgrind (every function executed, not a sample), then natively
# while tracing page faults, to add the code callgrind cannot show: aws-lc picks AVX-512
# routines on CPUs that have them, and valgrind's emulated CPU has none.
source "$(dirname "$0")/lib.sh"
apt_install "${SYSTEM_PACKAGES[@]}" valgrind
# perf is Debian's linux-perf; elsewhere (Ubuntu: linux-tools-$(uname -r)) install it by hand.
command -v perf >/dev/null || apt_install linux-perf || true
ensure_rust

ORDER=crates/cli/hot-symbols.txt
WORK="$ROOT/target/hot-symbols"
BIN="$ROOT/target/release/pooldesk"
KEY="POOLDESK_ROOT_ACCESS_KEY_ID=AKIDPOOLDESKBENCH POOLDESK_ROOT_SECRET_ACCESS_KEY=pooldesk-bench-secret-not-for-production"
rm -rf "$WORK" && mkdir -p "$WORK"

# The binary's functions, mangled (the names the linker matches).
functions() { nm --defined-only "$BIN" | awk '$2 ~ /^[tTwW]$/ {print $3}' | sort -u; }
coverage() { echo "$(hot_symbols_coverage) names in $ORDER are in the binary"; }
ours() { awk 'NR == FNR {ours[$0] = 1; next} ($0 in ours)' <(functions) -; }

# start_idle WRAPPER DIR: starts the server as the benchmark does (which connects once to see
# it listen), leaves it idle 2 s, stops it.
start_idle() {
    mkdir -p "$2"
    env $KEY RUST_LOG=warn $1 "$BIN" serve --db "$2/db.sqlite" --listen 127.0.0.1:0 --rate-limits off >"$2/server.log" 2>&1 &
    local pid=$! port=""
    for _ in $(seq 1200); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$2/server.log")
        [ -n "$port" ] && break
        sleep 0.1
    done
    (exec 3<>"/dev/tcp/127.0.0.1/$port")
    sleep 2
    kill -TERM "$pid"
    wait "$pid" || true
}
# run_workloads WRAPPER DIR: every workload of the benchmark, briefly.
run_workloads() {
    "$ROOT/target/release/pooldesk-loadgen" compare --work-dir "$2" --rounds 1 --warmup 0 --duration 1 \
        --users 20 --connections 2 --workloads getuser,listusers,create,credentials,refresh,refresh-es256,signin,srp \
        --server "pooldesk=env $KEY RUST_LOG=warn $1 $BIN serve --db {dir}/db.sqlite --listen 127.0.0.1:{port} --rate-limits off" \
        >"$2.log" 2>&1
}
# callgrind numbers functions in the order they first ran: `fn=(N) name` names N once.
executed() { grep -oE '^c?fn=\([0-9]+\) .*' "$1" | sed -E 's/^c?fn=\(([0-9]+)\) /\1 /' | sort -n -k1,1 -u | cut -d' ' -f2- | ours; }
# A fault on code names the function it ran into (the fault's address is the instruction's).
faulted() { perf script --no-demangle -i "$1" -F ip,sym,addr,dso 2>/dev/null | awk -v bin="($BIN)" '$1 == $4 && $3 == bin {print $2}'; }
first_seen() { awk '!seen[$0]++' "$@"; }

echo "==> building (release)"
build_release_server_and_loadgen
[ -f "$ORDER" ] && echo "before: $(coverage)"

echo "==> pooldesk serve under callgrind: starting, then the workloads (a few minutes)"
CALLGRIND="valgrind --tool=callgrind --demangle=no --callgrind-out-file"
start_idle "$CALLGRIND=$WORK/startup.callgrind" "$WORK/startup"
run_workloads "$CALLGRIND=$WORK/workloads.callgrind" "$WORK/workloads"
executed "$WORK/startup.callgrind" >"$WORK/startup.txt"
executed "$WORK/workloads.callgrind" >"$WORK/workloads.txt"
first_seen "$WORK/startup.txt" "$WORK/workloads.txt" >"$ORDER"

if ! command -v perf >/dev/null; then
    echo "no perf: the functions only a native run shows (aws-lc's AVX-512 code) stay where they are"
else
    echo "==> rebuilding with $(wc -l <"$ORDER") functions packed, then tracing its code's page faults"
    build_release_server_and_loadgen
    PERF="perf record -q -c 1 -e page-faults -d -o"
    start_idle "$PERF $WORK/startup.faults" "$WORK/startup-native"
    run_workloads "$PERF $WORK/workloads.faults" "$WORK/workloads-native"
    faulted "$WORK/startup.faults" >"$WORK/startup-faulted.txt"
    faulted "$WORK/workloads.faults" >"$WORK/workloads-faulted.txt"
    first_seen "$WORK/startup.txt" "$WORK/startup-faulted.txt" "$WORK/workloads.txt" "$WORK/workloads-faulted.txt" >"$ORDER"
    echo "added $(($(wc -l <"$ORDER") - $(first_seen "$WORK/startup.txt" "$WORK/workloads.txt" | wc -l))) functions seen only natively"
fi

# The first line records what the names were made for; scripts/test.sh warns when that changes.
{ hot_symbols_made_for; cat "$ORDER"; } >"$WORK/order.txt"
mv "$WORK/order.txt" "$ORDER"

build_release_server_and_loadgen
echo "after: $(coverage)"
