# Shared by scripts/run.sh and scripts/test.sh: install what a fresh Debian/Ubuntu machine lacks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PKG...: installs the Debian packages that are missing (apt-get update only if needed).
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "==> installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

# ensure_rust: a Rust toolchain new enough for edition 2024 (rustup's stable when there is none).
ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -x "$HOME/.cargo/bin/cargo" ] || curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
}

# The OS keychain (Secret Service) is reached over D-Bus by zbus, in Rust: no libdbus to install.
# SAML signatures are checked by libxmlsec1 (with libxml2 and OpenSSL), whose Rust bindings
# are generated at build time by bindgen (libclang).
SYSTEM_PACKAGES=(build-essential pkg-config ca-certificates curl libxmlsec1-dev libxml2-dev libssl-dev libclang-dev)

# build_release_server_and_loadgen: the release `pooldesk` as ./scripts/run.sh builds it, then
# the load generator. Two cargo runs, not one: built together, the loadgen's extra features
# (tokio's `process`) would change the crate hashes in `pooldesk`'s symbol names, and a binary
# measured or traced that way would not be the one users run (hot-symbols.txt matched 99% of
# the one and 63% of the other).
build_release_server_and_loadgen() {
    cargo build --locked --release -q -p pooldesk-cli
    cargo build --locked --release -q -p pooldesk-loadgen
}

# hot_symbols_coverage: "N of M", how many of crates/cli/hot-symbols.txt's names (the release
# build's code layout, written by scripts/hot-symbols.sh) the release binary still defines.
# The names carry crate hashes: after a dependency change many stop matching.
hot_symbols_coverage() {
    local order=crates/cli/hot-symbols.txt
    echo "$(grep -cxFf <(nm --defined-only target/release/pooldesk | awk '{print $3}' | sort -u) "$order" || true) of $(grep -cv '^#' "$order")"
}

# hot_symbols_made_for: the first line of hot-symbols.txt (a comment: lld skips lines starting
# with '#'), naming what the crate hashes in its names come from that can be seen without a
# release build: the compiler, and pooldesk's dependency tree with versions and features (a
# digest of `cargo tree`, local paths left out). Changes to our own functions do not show
# here; hot_symbols_coverage after a release build is the exact measure.
hot_symbols_made_for() {
    local tree
    tree=$(cargo tree --locked -q -p pooldesk-cli -e normal,build --charset ascii -f '{p} {f}') || return 1
    echo "# made for $(rustc --version), dependencies $(sed 's| (/[^)]*)||' <<<"$tree" | sha256sum | cut -c1-64)"
}

# warn_if_hot_symbols_stale: a warning, never a failure, when hot-symbols.txt was made for
# another compiler or other dependencies: release builds still link (lld skips names it does
# not find), but an idle server then maps more of its code.
warn_if_hot_symbols_stale() {
    local order=crates/cli/hot-symbols.txt now
    if ! now=$(hot_symbols_made_for); then
        echo "WARNING: could not tell whether $order is stale (cargo tree failed)"
    elif [ "$(head -n 1 "$order")" != "$now" ]; then
        echo "WARNING: $order was made for another compiler or other dependencies of pooldesk;"
        echo "WARNING: release builds still work, an idle server maps more memory. Regenerate and commit it: scripts/hot-symbols.sh"
    fi
}

# The desktop app (Tauri 2: GTK and WebKitGTK): what building it and linking its tests need.
DESKTOP_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev
    libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libxdo-dev libdbus-1-dev file)
# Its tests in a real window: Xvfb, WebKit's WebDriver, a private D-Bus session.
DESKTOP_TEST_PACKAGES=(xvfb xauth webkit2gtk-driver dbus-daemon dbus-x11 fonts-dejavu-core)
# The keychain tests: a real Secret Service (GNOME Keyring) in a private session, secret-tool to
# look inside it, and faketime for a server whose clock is wrong.
KEYCHAIN_TEST_PACKAGES=(gnome-keyring dbus-daemon libsecret-tools faketime)
# The login pages in a real browser: Debian's Chromium, which playwright-core (npm, no browser
# download of its own) drives in tests/e2e/test_login_browser.py.
BROWSER_TEST_PACKAGES=(chromium)
# The SAML federation tests: xmlsec1 checks the XML signatures (and opens the encrypted
# assertions) of the SAML identity provider they sign in through (tests/e2e/js/saml_idp.mjs).
SAML_TEST_PACKAGES=(xmlsec1)
# Several servers on one database: PostgreSQL for the store's tests and the cluster tests (a
# throwaway cluster per run, scripts/postgres.sh; psql makes their databases), HAProxy in front.
POSTGRES_TEST_PACKAGES=(postgresql postgresql-client haproxy openssl)

# ensure_node: Node.js and npm for the web UI (the machine's own when it has them).
ensure_node() {
    command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
}

# ui_install: the web UI's npm dependencies, exactly as locked.
ui_install() {
    npm ci --silent --no-audit --no-fund --prefix ui
}
