#!/usr/bin/env bash
# Builds PoolDesk and serves the Cognito API on 127.0.0.1:9229, with its SQLite database in
# the user's data directory (created on first start). Extra arguments go to `pooldesk serve`.
source "$(dirname "$0")/lib.sh"

apt_install "${SYSTEM_PACKAGES[@]}"
ensure_rust
cargo build --release --locked -p pooldesk-cli
exec ./target/release/pooldesk serve "$@"
