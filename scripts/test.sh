#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and integration tests, the check that
# the generated wire types match the AWS models, and the end-to-end suite that drives
# `pooldesk serve` with boto3, PyJWT, an SMTP sink, the AWS CLI, pycognito, pyotp and the
# amazon-cognito-identity-js package in Node.
source "$(dirname "$0")/lib.sh"

apt_install "${SYSTEM_PACKAGES[@]}" python3 python3-venv
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
ensure_rust

echo "==> generated wire types are up to date"
python3 tools/gen_wire.py --check

echo "==> cargo fmt, clippy"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -q -- -D warnings

echo "==> Rust tests"
cargo test --locked --workspace

echo "==> end-to-end suite (boto3, PyJWT, aiosmtpd, AWS CLI, pycognito, pyotp, amazon-cognito-identity-js)"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -r tests/e2e/requirements.txt
npm ci --silent --no-audit --no-fund --prefix tests/e2e/js
cargo build --locked -p pooldesk-cli
POOLDESK_BIN="$ROOT/target/debug/pooldesk" .venv/bin/python -m pytest tests/e2e -q
