#!/usr/bin/env python3
"""Seeds a database with a user pool of N synthetic users (default 1,000,000), for measuring
the desktop app and the server at scale: creates the pool through the API (`pooldesk serve`
on a loopback port with a throwaway key), then bulk-imports `pooldesk-loadgen users-csv`
output with `pooldesk import-users` (not N API calls).

    python3 scripts/seed_users.py --db /tmp/million.sqlite [--count 1000000] [--bin target/release]
    POOLDESK_DB=/tmp/million.sqlite ./target/release/pooldesk-desktop
Needs boto3 (the test venv has it) and release builds of pooldesk and pooldesk-loadgen.
"""
import argparse
import os
import socket
import subprocess
import sys
import time

import boto3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--bin", default="target/release")
    ap.add_argument("--pool-name", default="million")
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    key_id, secret = "AKIDPOOLDESKSEED0001", "seed-secret-not-for-production"
    env = dict(os.environ, POOLDESK_ROOT_ACCESS_KEY_ID=key_id, POOLDESK_ROOT_SECRET_ACCESS_KEY=secret, RUST_LOG="warn")
    server = subprocess.Popen([f"{args.bin}/pooldesk", "serve", "--db", args.db, "--listen", f"127.0.0.1:{port}"],
                              env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        idp = boto3.client("cognito-idp", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id=key_id, aws_secret_access_key=secret)
        pool_id = idp.create_user_pool(PoolName=args.pool_name, AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    finally:
        server.terminate()
        server.wait()
    started = time.monotonic()
    csv = subprocess.Popen([f"{args.bin}/pooldesk-loadgen", "users-csv", "--count", str(args.count)], stdout=subprocess.PIPE)
    subprocess.run([f"{args.bin}/pooldesk", "import-users", "--db", args.db, "--user-pool-id", pool_id, "-"],
                   stdin=csv.stdout, check=True)
    csv.wait()
    print(f"{pool_id}: {args.count} users in {time.monotonic() - started:.1f} s ({args.db})", file=sys.stderr)


if __name__ == "__main__":
    main()
