#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's packages.
#
#   scripts/postgres.sh start DIR [PID [PORT]]
#                                         initdb in DIR (unless done), start it on a free
#                                         loopback port (or PORT), and print its URL (a
#                                         superuser, trust auth on loopback only); with a PID,
#                                         stop it when that process ends
#   scripts/postgres.sh stop DIR          stop it (the files stay in DIR)
#
# As root the cluster runs as the `postgres` user the package created (initdb refuses root).
# The cluster serves TLS with a certificate for `localhost` from a throwaway CA (DIR/ca.crt),
# for the tests of sslmode=verify-ca/verify-full. POOLDESK_POSTGRES_SETTINGS replaces the test
# settings (fsync off, TLS on) with others, e.g. `make bench`'s durable ones.
set -euo pipefail

action=${1:?start or stop}
dir=${2:?the cluster directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$dir/data" -U pooldesk --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if [ ! -f "$dir/server.crt" ]; then
        ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        openssl req -x509 "${ec[@]}" -days 3650 -subj "/CN=PoolDesk test CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
        openssl req "${ec[@]}" -subj /CN=localhost -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
        openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
            -extfile <(printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n') -out "$dir/server.crt" 2>/dev/null
        chmod 600 "$dir/server.key"
        if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/server.key" "$dir/server.crt"; fi
    fi
    port=${4:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    # fsync off: a throwaway cluster need not survive a power cut, and the tests run faster.
    settings=${POOLDESK_POSTGRES_SETTINGS:--c fsync=off -c full_page_writes=off -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key}
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 $settings" start >/dev/null
    if [ -n "${3:-}" ]; then
        watched=$3
        (
            trap '' HUP
            while kill -0 "$watched" 2>/dev/null; do sleep 1; done
            as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        ) </dev/null >/dev/null 2>&1 &
    fi
    echo "postgres://pooldesk@127.0.0.1:$port/postgres"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
    ;;
*)
    echo "usage: $0 start DIR [PID [PORT]] | stop DIR" >&2
    exit 2
    ;;
esac
