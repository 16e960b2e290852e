#!/usr/bin/env bash
# `make bench`: PoolDesk against the other Cognito emulators, side by side, in one run.
#
# Installs the peers once into $POOLDESK_BENCH_CACHE (default ~/.cache/pooldesk-bench) and
# reuses them: moto's server (PyPI), cognito-local (npm), cognitox and fakecloud (crates.io;
# fakecloud's first build takes long). A peer that fails to install is left out and named.
# Then `pooldesk-loadgen compare` runs every workload on every server in alternating rounds,
# `pooldesk-loadgen scale` measures PoolDesk at a million users, and `pooldesk-loadgen
# databases` the same users on SQLite, on PostgreSQL and on two servers sharing PostgreSQL.
# Reports go to target/bench/*.md. Nothing here is a test: timings never fail anything.
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION (4 s), BENCH_CONNECTIONS (16),
# BENCH_USERS (10000), BENCH_SCALE_USERS (1000000; 0 skips the scale run),
# BENCH_PEERS (moto,cognito-local,cognitox,fakecloud), BENCH_DATABASE_USERS (1000000; 0 skips
# the SQLite/PostgreSQL run).
source "$(dirname "$0")/lib.sh"

CACHE="${POOLDESK_BENCH_CACHE:-$HOME/.cache/pooldesk-bench}"
PEERS="${BENCH_PEERS:-moto,cognito-local,cognitox,fakecloud}"
mkdir -p "$CACHE" target/bench

apt_install "${SYSTEM_PACKAGES[@]}" python3 python3-venv
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
ensure_rust

wanted() { [[ ",$PEERS," == *",$1,"* ]]; }
skipped=()

if wanted moto && [ ! -x "$CACHE/venv/bin/moto_server" ]; then
    echo "==> installing moto[server]"
    { python3 -m venv "$CACHE/venv" && "$CACHE/venv/bin/pip" install -q 'moto[server]'; } || skipped+=(moto)
fi
if wanted cognito-local && [ ! -f "$CACHE/npm/node_modules/cognito-local/lib/bin/start.js" ]; then
    echo "==> installing cognito-local"
    npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" cognito-local || skipped+=(cognito-local)
fi
for crate in cognitox fakecloud; do
    if wanted "$crate" && [ ! -x "$CACHE/cargo/bin/$crate" ]; then
        echo "==> installing $crate (cargo install; fakecloud's first build takes a long time)"
        # cognitox 0.2 needs a newer rustc than 1.95; 0.1.2 is the newest that builds here.
        version=(); [ "$crate" = cognitox ] && version=(--version 0.1.2)
        cargo install -q --locked --root "$CACHE/cargo" "${version[@]}" "$crate" || skipped+=("$crate")
    fi
done

echo "==> building pooldesk and pooldesk-loadgen (release)"
build_release_server_and_loadgen
# Release builds pack the functions `serve` runs together (crates/cli/hot-symbols.txt); a stale
# list leaves them scattered and idle memory grows.
read -r found _ hot <<<"$(hot_symbols_coverage)"
echo "    hot-symbols.txt: $found of $hot functions found in the binary"
[ "$((found * 10))" -ge "$((hot * 9))" ] || echo "    (stale: run scripts/hot-symbols.sh, or idle memory is measured a few MiB high)"
LOADGEN="$ROOT/target/release/pooldesk-loadgen"
KEY="POOLDESK_ROOT_ACCESS_KEY_ID=AKIDPOOLDESKBENCH POOLDESK_ROOT_SECRET_ACCESS_KEY=pooldesk-bench-secret-not-for-production"

# NAME=COMMAND; {port} and {dir} are filled in by the load generator. PoolDesk first: the
# ratios are PoolDesk's throughput over the best peer's.
servers=(--server "pooldesk=env $KEY RUST_LOG=warn $ROOT/target/release/pooldesk serve --db {dir}/db.sqlite --listen 127.0.0.1:{port} --rate-limits off")
if wanted moto && [ -x "$CACHE/venv/bin/moto_server" ]; then
    servers+=(--server "moto=$CACHE/venv/bin/moto_server -H 127.0.0.1 -p {port}")
fi
if wanted cognito-local && [ -f "$CACHE/npm/node_modules/cognito-local/lib/bin/start.js" ]; then
    servers+=(--server "cognito-local=$ROOT/scripts/bench-cognito-local.sh {dir} {port} $CACHE")
fi
if wanted cognitox && [ -x "$CACHE/cargo/bin/cognitox" ]; then
    servers+=(--server "cognitox=$CACHE/cargo/bin/cognitox -p {port} -l warn")
fi
if wanted fakecloud && [ -x "$CACHE/cargo/bin/fakecloud" ]; then
    servers+=(--server "fakecloud=env FAKECLOUD_LOG=warn $CACHE/cargo/bin/fakecloud --addr 127.0.0.1:{port}")
fi

echo "==> comparing (${#servers[@]} / 2 servers); left out: ${skipped[*]:-none}"
"$LOADGEN" compare "${servers[@]}" \
    --rounds "${BENCH_ROUNDS:-3}" --duration "${BENCH_DURATION:-4}" --connections "${BENCH_CONNECTIONS:-16}" \
    --users "${BENCH_USERS:-10000}" --work-dir target/bench/compare | tee target/bench/compare.md

if [ "${BENCH_SCALE_USERS:-1000000}" != 0 ]; then
    echo "==> PoolDesk at ${BENCH_SCALE_USERS:-1000000} users"
    "$LOADGEN" scale --pooldesk target/release/pooldesk --users "${BENCH_SCALE_USERS:-1000000}" \
        --duration "${BENCH_DURATION:-4}" --connections 8 --work-dir target/bench/scale | tee target/bench/scale.md
fi
if [ "${BENCH_DATABASE_USERS:-1000000}" != 0 ]; then
    echo "==> SQLite and PostgreSQL at ${BENCH_DATABASE_USERS:-1000000} users"
    apt_install postgresql postgresql-client
    # Durable as PoolDesk's SQLite default is (synchronous=NORMAL: a power cut may lose the
    # last commits, never corrupts): fsync on, commits not waiting for their WAL flush.
    pg="$ROOT/target/bench/postgres"
    [ -d "$pg" ] && "$ROOT/scripts/postgres.sh" stop "$pg" 2>/dev/null; rm -rf "$pg"
    url=$(POOLDESK_POSTGRES_SETTINGS="-c synchronous_commit=off -c shared_buffers=1GB" "$ROOT/scripts/postgres.sh" start "$pg" $$)
    trap '"$ROOT/scripts/postgres.sh" stop "$pg"' EXIT
    psql -q "$url" -c "CREATE DATABASE bench"
    "$LOADGEN" databases --pooldesk target/release/pooldesk --postgres "${url%/*}/bench" \
        --postgres-pid "$(head -n 1 "$pg/data/postmaster.pid")" --users "${BENCH_DATABASE_USERS:-1000000}" \
        --rounds "${BENCH_ROUNDS:-3}" --duration "${BENCH_DURATION:-4}" --connections "${BENCH_CONNECTIONS:-16}" \
        --work-dir target/bench/databases | tee target/bench/databases.md
fi
echo "==> reports: target/bench/compare.md, target/bench/scale.md, target/bench/databases.md"
