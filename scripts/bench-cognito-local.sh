#!/usr/bin/env bash
# Starts cognito-local for `make bench` in DIR on PORT. Its data always goes to ./.cognito, and
# without UsernameAttributes=[] in its config every pool wants e-mail usernames
# (AdminCreateUser then fails with "Username should be an email").
set -euo pipefail
dir="$1" port="$2" cache="$3"
mkdir -p "$dir/.cognito"
echo '{"UserPoolDefaults":{"UsernameAttributes":[]}}' > "$dir/.cognito/config.json"
cd "$dir"
PORT="$port" HOST=127.0.0.1 exec node "$cache/npm/node_modules/cognito-local/lib/bin/start.js"
