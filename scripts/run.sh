#!/usr/bin/env bash
# Builds and opens the PoolDesk desktop app on this computer's pools (a SQLite file in the
# user's data directory, created on first start).
#   ./scripts/run.sh              the desktop app
#   ./scripts/run.sh serve [ARGS] the server alone on 127.0.0.1:9229 (ARGS go to `pooldesk serve`)
source "$(dirname "$0")/lib.sh"

if [ "${1:-}" = serve ]; then
    shift
    apt_install "${SYSTEM_PACKAGES[@]}"
    ensure_rust
    cargo build --release --locked -p pooldesk-cli
    exec ./target/release/pooldesk serve "$@"
fi

apt_install "${SYSTEM_PACKAGES[@]}" "${DESKTOP_PACKAGES[@]}"
ensure_rust
ensure_node
ui_install
# Builds the web UI (tauri.conf.json's beforeBuildCommand) and the app with the UI embedded.
ui/node_modules/.bin/tauri build --no-bundle -- --locked
exec ./target/release/pooldesk-desktop
