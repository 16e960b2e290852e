#!/usr/bin/env bash
# Runs a command in a private D-Bus session with an unlocked GNOME Keyring (a real Secret
# Service), as the keychain tests need. The keyring lives in a throwaway directory, so the
# user's own keychain is never touched.   Usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
if [ -z "${POOLDESK_IN_KEYRING_SESSION:-}" ]; then
  exec env POOLDESK_IN_KEYRING_SESSION=1 dbus-run-session -- "$0" "$@"
fi
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
# --unlock reads a password on stdin and creates the `login` collection with it; on a fresh
# keyring without it every write fails with "no storage access" (NoStorageAccess).
printf 'pooldesk-test' | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
