#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and integration tests (the desktop
# app's commands through Tauri's IPC on the mock runtime among them), the checks that generated
# types match the AWS models and the Rust command types, the web UI's type check and unit tests,
# the end-to-end suite that drives `pooldesk serve` with boto3, PyJWT, an SMTP sink, the AWS
# CLI, pycognito, pyotp and amazon-cognito-identity-js, the login pages in Chromium (playwright-core,
# openid-client, aws-jwt-verify), federation through an OpenID provider (oidc-provider) and a SAML
# identity provider (samlify, its signatures checked with xmlsec1), the end-to-end suite a second time
# against two servers on one PostgreSQL database behind HAProxy (at the same time as the first
# pass), and finally the desktop app: built, packaged as a .deb, installed, and driven in a real
# window under Xvfb (tauri-driver), and a short pass of every fuzz target.
source "$(dirname "$0")/lib.sh"

apt_install "${SYSTEM_PACKAGES[@]}" "${DESKTOP_PACKAGES[@]}" "${DESKTOP_TEST_PACKAGES[@]}" "${KEYCHAIN_TEST_PACKAGES[@]}" \
    "${BROWSER_TEST_PACKAGES[@]}" "${SAML_TEST_PACKAGES[@]}" "${POSTGRES_TEST_PACKAGES[@]}" python3 python3-venv
ensure_node
ensure_rust

# One build, never rebuilt in place: incremental data would only fill the disk (gigabytes).
export CARGO_INCREMENTAL=0

# The PostgreSQL cluster and the end-to-end passes' files go here: removed at the end of a run
# that passed, kept but for the database after one that failed (the servers' logs are in it).
# Repeated runs on one machine must not fill its disk (a full disk kills the linker mid-build).
SCRATCH=$(mktemp -d /tmp/pooldesk-test.XXXXXX)
chmod 755 "$SCRATCH"
POSTGRES_DIR="$SCRATCH/postgres"
CLUSTER_PASS=
finish() {
    local status=$?
    # A run stopped during the first end-to-end pass leaves the cluster pass running: end it.
    if [ -n "$CLUSTER_PASS" ]; then kill "$CLUSTER_PASS" 2>/dev/null && wait "$CLUSTER_PASS" 2>/dev/null || true; fi
    scripts/postgres.sh stop "$POSTGRES_DIR" >/dev/null 2>&1 || true
    if [ "$status" = 0 ]; then
        rm -rf "$SCRATCH"
    else
        rm -rf "$POSTGRES_DIR"
        echo "the end-to-end passes' files (server logs among them) are kept in $SCRATCH" >&2
    fi
}
trap finish EXIT

echo "==> a throwaway PostgreSQL cluster for the PostgreSQL store's tests and the cluster tests"
POOLDESK_TEST_POSTGRES=$(scripts/postgres.sh start "$POSTGRES_DIR" $$)
export POOLDESK_TEST_POSTGRES

echo "==> generated wire types (Rust and TypeScript) are up to date"
python3 tools/gen_wire.py --check

echo "==> crates/cli/hot-symbols.txt matches the compiler and dependencies (a warning at most)"
warn_if_hot_symbols_stale

echo "==> web UI: install, type check and build, unit tests (Vitest)"
ui_install
npm run --silent --prefix ui build
npm test --silent --prefix ui

echo "==> cargo fmt, clippy"
cargo fmt --all --check
(cd fuzz && cargo fmt --check)  # its own workspace, outside --all
cargo clippy --locked --workspace --all-targets -q -- -D warnings

echo "==> Rust tests (in a private D-Bus session with a real Secret Service, for the keychain tests)"
# This one build also makes the binaries the later steps drive: target/debug/pooldesk (for the
# CLI's own tests) and the desktop app with the web UI built above inside it, which is what
# `tauri build` adds (tauri/custom-protocol). Building them again apart would compile most of
# the tree twice more, since cargo unifies features differently for a workspace's tests.
scripts/with-keyring.sh cargo test --locked --workspace --features tauri/custom-protocol
# ts-rs rewrote ui/src/generated/*.ts from the command types while testing: they must match.
if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --exit-code --stat -- ui/src/generated; then
    echo "ui/src/generated is stale: commit what cargo test -p pooldesk-desktop generated" >&2
    exit 1
fi

echo "==> end-to-end suite (boto3, PyJWT, aiosmtpd, AWS CLI, pycognito, pyotp, amazon-cognito-identity-js, the AWS SDK for JavaScript, Chromium + openid-client)"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -r tests/e2e/requirements.txt
npm ci --silent --no-audit --no-fund --prefix tests/e2e/js
# The second pass runs beside the first (the suite mostly waits on its servers and browsers):
# two servers on one PostgreSQL database behind HAProxy, every test that uses the shared server.
CLUSTER_LOG="$SCRATCH/e2e-cluster.log"
POOLDESK_E2E_CLUSTER=2 POOLDESK_BIN="$ROOT/target/debug/pooldesk" scripts/with-keyring.sh .venv/bin/python -m pytest tests/e2e -q \
    -m "not own_servers and not single_server" --basetemp "$SCRATCH/e2e-cluster" >"$CLUSTER_LOG" 2>&1 &
CLUSTER_PASS=$!
first=0
POOLDESK_BIN="$ROOT/target/debug/pooldesk" scripts/with-keyring.sh .venv/bin/python -m pytest tests/e2e -q \
    --basetemp "$SCRATCH/e2e" || first=$?
second=0
wait "$CLUSTER_PASS" || second=$?
CLUSTER_PASS=
echo "==> end-to-end suite on two servers, one PostgreSQL database, HAProxy between"
cat "$CLUSTER_LOG"
if [ "$first" != 0 ] || [ "$second" != 0 ]; then
    echo "the end-to-end suite failed (SQLite pass: exit $first; PostgreSQL cluster pass: exit $second)" >&2
    exit 1
fi

echo "==> desktop app: build, package (.deb), install, drive the real window"
command -v tauri-driver >/dev/null || [ -x "$HOME/.cargo/bin/tauri-driver" ] || cargo install --locked tauri-driver --version "^2"
.venv/bin/pip install -q --disable-pip-version-check -r tests/desktop/requirements.txt
ui/node_modules/.bin/tauri bundle --debug --bundles deb  # packages the app the Rust tests built
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall ./target/debug/bundle/deb/pooldesk_*.deb
POOLDESK_DESKTOP_BIN=/usr/bin/pooldesk-desktop POOLDESK_BIN="$ROOT/target/debug/pooldesk" PATH="$HOME/.cargo/bin:$PATH" \
    xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh .venv/bin/python -m pytest tests/desktop -q

echo "==> fuzzing: every cargo-fuzz target for ${FUZZ_SECONDS:-20} s (nightly; fuzz/README.md)"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
