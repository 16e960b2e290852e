#!/usr/bin/env python3
"""Soak: `pooldesk serve` under moderate, steady load for a long time, its memory sampled.

Four workers loop over what a real app does: create a user, sign in (argon2id), read the
user with the access token, refresh, update an attribute, list with a filter, and delete
the user again, so the data stays the same size and any growth is the server's. Resident
memory (VmRSS) is sampled every few seconds; the verdict compares the median of the last
third of the run with that of the second third (the first third is warm-up).

    make soak                                   # 30 minutes on the release build
    .venv/bin/python scripts/soak.py --minutes 2 --bin target/debug/pooldesk

Exits 1 if memory grew by more than --max-growth percent (default 10) or any call failed.
A measurement, not a test: the suite does not run it.
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
from botocore.config import Config

KEY_ID = "AKIDPOOLDESKSOAK0001"
SECRET = "pooldesk-soak-secret-not-for-production"
PASSWORD = "Soak-Passw0rd!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def clients(endpoint: str):
    config = Config(retries={"max_attempts": 1}, max_pool_connections=4)
    admin = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, config=config)
    public = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x", config=config)
    # Public operations go unsigned, as in AWS.
    from botocore import UNSIGNED
    public.meta.config.signature_version = UNSIGNED
    return admin, public


def worker(n: int, endpoint: str, pool_id: str, client_id: str, stop: threading.Event, counts: dict, errors: list):
    admin, public = clients(endpoint)
    i = 0
    while not stop.is_set():
        name = f"soak-{n}-{i}"
        i += 1
        try:
            admin.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                                    UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
            admin.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
            tokens = public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                          AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
            public.get_user(AccessToken=tokens["AccessToken"])
            public.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
            admin.admin_update_user_attributes(UserPoolId=pool_id, Username=name,
                                               UserAttributes=[{"Name": "name", "Value": f"n{i}"}])
            admin.list_users(UserPoolId=pool_id, Filter=f'email ^= "soak-{n}-"', Limit=60)
            admin.admin_delete_user(UserPoolId=pool_id, Username=name)
            counts[n] = counts.get(n, 0) + 8
        except Exception as e:  # noqa: BLE001 (every failure is reported)
            errors.append(f"{name}: {e}")
            if len(errors) > 20:
                stop.set()


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--bin", default=str(root / "target" / "release" / "pooldesk"))
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--sample-seconds", type=float, default=5.0)
    ap.add_argument("--max-growth", type=float, default=10.0, help="percent")
    args = ap.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pooldesk-soak-"))
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(os.environ, POOLDESK_ROOT_ACCESS_KEY_ID=KEY_ID, POOLDESK_ROOT_SECRET_ACCESS_KEY=SECRET, RUST_LOG="warn",
               POOLDESK_MASTER_KEY=base64.b64encode(os.urandom(32)).decode())
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 (owned by the process)
    proc = subprocess.Popen([args.bin, "serve", "--db", str(workdir / "soak.sqlite"), "--listen", f"127.0.0.1:{port}",
                             "--rate-limits", "off"], stdout=log, stderr=log, env=env)
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    print(f"the server did not start; see {workdir / 'server.log'}", file=sys.stderr)
                    return 1
                time.sleep(0.1)
        admin, _ = clients(endpoint)
        pool_id = admin.create_user_pool(PoolName="soak")["UserPool"]["Id"]
        client_id = admin.create_user_pool_client(
            UserPoolId=pool_id, ClientName="soak", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idle = rss_kib(proc.pid)

        stop, counts, errors = threading.Event(), {}, []
        threads = [threading.Thread(target=worker, args=(n, endpoint, pool_id, client_id, stop, counts, errors), daemon=True)
                   for n in range(args.workers)]
        for t in threads:
            t.start()
        samples: list[tuple[float, int]] = []
        start = time.time()
        end = start + args.minutes * 60
        print(f"soak: {args.minutes:g} min, {args.workers} workers, server pid {proc.pid}, idle RSS {idle / 1024:.1f} MiB")
        while time.time() < end and not stop.is_set():
            time.sleep(args.sample_seconds)
            samples.append((time.time() - start, rss_kib(proc.pid)))
            calls = sum(counts.values())
            print(f"  {samples[-1][0]:7.0f} s  RSS {samples[-1][1] / 1024:7.1f} MiB  calls {calls:8d}  ({calls / samples[-1][0]:.0f}/s)", flush=True)
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    third = max(1, len(samples) // 3)
    middle = statistics.median(s for _, s in samples[third:2 * third] or samples)
    last = statistics.median(s for _, s in samples[-third:])
    growth = (last - middle) / middle * 100 if middle else 0.0
    peak = max(s for _, s in samples)
    print(f"\nidle {idle / 1024:.1f} MiB, middle third median {middle / 1024:.1f} MiB, last third median {last / 1024:.1f} MiB "
          f"({growth:+.1f}%), peak {peak / 1024:.1f} MiB; {sum(counts.values())} calls, {len(errors)} errors")
    for e in errors[:5]:
        print("  error:", e)
    if errors or growth > args.max_growth:
        print(f"FAILED: {'errors' if errors else f'memory grew {growth:.1f}% (limit {args.max_growth}%)'}")
        return 1
    print("memory flat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
