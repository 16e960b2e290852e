"""Several `pooldesk serve` processes on one PostgreSQL database behind HAProxy.

- `postgres_admin_url()`: the test cluster (`POOLDESK_TEST_POSTGRES`, started by
  `scripts/test.sh`, else started here with `scripts/postgres.sh` for this run).
- `fresh_database(label)`: a new, empty database in it.
- `HaProxy`: Debian's haproxy in front of the servers, `balance roundrobin` in HTTP mode, so
  consecutive requests (even on one keep-alive connection) go to alternate servers.
- `Cluster`: N servers and their balancer, shaped like `PoolDeskServer` (endpoint, db_path,
  proc, logs) so the suite's tests run against it unchanged.
"""

from __future__ import annotations

import base64
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
_counter = itertools.count()
_started_cluster: str | None = None


def postgres_admin_url() -> str:
    global _started_cluster
    url = os.environ.get("POOLDESK_TEST_POSTGRES", "")
    if url:
        return url
    if _started_cluster is None:
        workdir = Path(tempfile.mkdtemp(prefix="pooldesk-e2e-postgres-"))
        _started_cluster = start_postgres(workdir, watch_pid=os.getpid())
    return _started_cluster


def start_postgres(workdir: Path, watch_pid: int | None = None) -> str:
    """A throwaway PostgreSQL cluster in `workdir`; returns its superuser URL."""
    args = ["bash", str(REPO_ROOT / "scripts" / "postgres.sh"), "start", str(workdir)]
    if watch_pid is not None:
        args.append(str(watch_pid))
    out = subprocess.run(args, capture_output=True, text=True, timeout=90)
    if out.returncode != 0:
        raise RuntimeError(f"starting PostgreSQL: {out.stderr}")
    return out.stdout.strip()


def stop_postgres(workdir: Path) -> None:
    subprocess.run(["bash", str(REPO_ROOT / "scripts" / "postgres.sh"), "stop", str(workdir)], check=True, timeout=60)


def psql(url: str, sql: str) -> str:
    out = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", sql], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"psql {sql!r}: {out.stderr}")
    return out.stdout.strip()


def fresh_database(label: str, admin_url: str | None = None) -> str:
    admin = admin_url or postgres_admin_url()
    name = f"e2e_{label}_{os.getpid()}_{next(_counter)}".lower()
    psql(admin, f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_master_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


class HaProxy:
    """HAProxy from Debian's package, balancing HTTP requests round-robin over `backends`
    (host:port), each health-checked at /health/ready."""

    def __init__(self, port: int, backends: list[str], workdir: Path) -> None:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        workdir.mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"    server s{i} {b} check inter 500ms fall 2 rise 1" for i, b in enumerate(backends))
        config = workdir / "haproxy.cfg"
        config.write_text(
            f"""global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    option forwardfor
    retries 0
frontend pooldesk
    bind 127.0.0.1:{port}
    default_backend servers
backend servers
    balance roundrobin
    option httpchk GET /health/ready
{servers}
"""
        )
        self.port = port
        self.log = open(workdir / "haproxy.log", "ab")  # noqa: SIM115 (owned by the process)
        self.proc = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"haproxy exited: {(workdir / 'haproxy.log').read_text()}")
            time.sleep(0.1)
        raise RuntimeError("haproxy did not answer within 15 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.log.close()


class _AnyProcess:
    """`proc.poll()` for a cluster: the exit code of the first server that has gone, if any."""

    def __init__(self, servers: list[Any]) -> None:
        self._servers = servers

    def poll(self) -> int | None:
        for s in self._servers:
            code = s.proc.poll()
            if code is not None:
                return code
        return None

    @property
    def returncode(self) -> int | None:
        return self.poll()


@dataclass
class Cluster:
    """N servers on one database behind a balancer, used where the suite expects one server."""

    endpoint: str
    db_path: str
    servers: list[Any]
    balancer: HaProxy
    smtp: Any
    master_key: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def proc(self) -> _AnyProcess:
        return _AnyProcess(self.servers)

    @property
    def smtp_messages(self) -> list:
        return self.smtp.messages if self.smtp is not None else []

    @property
    def listen_addr(self) -> str:
        return self.endpoint.removeprefix("http://")

    def stderr_text(self) -> str:
        return "\n".join(s.stderr_text() for s in self.servers)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(f"=== server {i} ===\n{s.log_tail(lines)}" for i, s in enumerate(self.servers))

    def stop(self) -> int:
        self.balancer.stop()
        codes = [s.stop() for s in self.servers]
        return next((c for c in codes if c != 0), 0)

    def kill(self) -> None:
        self.balancer.stop()
        for s in self.servers:
            s.kill()


def start_cluster(
    start_pooldesk: Callable[..., Any],
    smtp: Any,
    workdir: Path,
    *,
    count: int = 2,
    database: str | None = None,
    master_key: str | None = None,
    args: list[str] | None = None,
    public_url: str | None = None,
    env: dict[str, str | None] | None = None,
) -> Cluster:
    """`count` servers on `database` (a fresh one by default) behind HAProxy. Each is told the
    balancer's URL (or `public_url`) as its public URL, so tokens name one issuer, and trusts
    the balancer for X-Forwarded-For; `env` adds to (or, with None, removes from) their
    environment."""
    database = database or fresh_database("cluster")
    master_key = master_key or new_master_key()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = {**(env or {}), "POOLDESK_MASTER_KEY": master_key}
    servers = [
        start_pooldesk(
            database,
            smtp,
            workdir / f"server-{i}",
            args=["--public-url", public_url or public, "--trusted-proxy", "127.0.0.1", *(args or [])],
            env=env,
        )
        for i in range(count)
    ]
    balancer = HaProxy(port, [s.listen_addr for s in servers], workdir / "haproxy")
    return Cluster(endpoint=public, db_path=database, servers=servers, balancer=balancer, smtp=smtp, master_key=master_key, env=env)
