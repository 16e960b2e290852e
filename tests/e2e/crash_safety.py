"""Crash safety: every acknowledged write survives SIGKILL of the server at a random moment
mid-traffic, and the database is sound after every crash.

Both a script and a module the suite imports (`test_durability.py` runs a short form):

    python tests/e2e/crash_safety.py --trials 20 [--seed N] [--bin PATH] [--workdir DIR]

# One run
- One database file for the whole run, one loopback address: the first server picks a port,
  every restart listens on the same one. A pool (with `custom:counter` added to its schema), a
  public app client (USER_PASSWORD_AUTH) and a known confirmed user are set up once.
- A trial: `WORKERS` threads, each with its own boto3 clients, write as fast as they can:
  public `SignUp` and `AdminCreateUser` of new users (both with `custom:counter` = 0), and
  `AdminUpdateUserAttributes` setting `custom:counter` = v and `name` = "n<v>" (one request)
  to the next value on a user the worker owns. A write is acknowledged when its response came
  back; the ledger keeps, per user, the last acknowledged and the highest attempted value.
- After a delay from the seeded RNG the server gets SIGKILL; the workers stop at their next
  failure. The same database is served again at the same address (so every start after the
  first is on a file killed mid-traffic), and every user of every trial so far is read back
  with `AdminGetUser`: it must exist, and its counter must be >= the last acknowledged value
  (a write may land without its response reaching the client) and <= the highest attempted
  one; `name` must match the counter (the two were written together). Creations whose
  response never came may or may not exist, but never half. Then `PRAGMA integrity_check`
  (read-only, beside the running server) must say `ok`, and the known user must sign in.
  The restarted server carries the next trial's traffic.
- At the end the server is stopped with SIGTERM (exit code 0) and the file is checked again.

Timing is not reproducible (threads, the OS), but the seed fixes each trial's kill delay and
each worker's choice of operations.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from botocore.exceptions import ClientError

import conftest
from conftest import PASSWORD, PoolDeskServer, attrs, error_code, idp_client, sign_in, start_pooldesk, unique_name

WORKERS = 4
KILL_DELAY_S = (0.3, 2.0)
CREATE_SHARE = 0.35  # share of a worker's writes that create a user (the rest update one)
JOIN_TIMEOUT_S = 30.0
KNOWN_USER = "crash-known"


@dataclass
class UserRecord:
    """One user the script wrote, with what it knows of its `custom:counter`."""

    username: str
    kind: str  # "signup" (UNCONFIRMED) or "admin" (FORCE_CHANGE_PASSWORD)
    worker: int
    trial: int
    acked: int = 0  # last acknowledged value (0: the value it was created with)
    tried: int = 0  # highest value sent

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"

    @property
    def expected_status(self) -> str:
        return "UNCONFIRMED" if self.kind == "signup" else "FORCE_CHANGE_PASSWORD"


@dataclass
class WorkerLog:
    """What one worker did in one trial (only that worker's thread writes to it)."""

    created: list[UserRecord] = field(default_factory=list)  # acknowledged creations
    unacked_created: list[UserRecord] = field(default_factory=list)  # sent, no response
    signups: int = 0
    admin_creates: int = 0
    updates: int = 0
    in_flight_at_kill: int = 0
    errors: list[str] = field(default_factory=list)  # failures before the kill


@dataclass
class TrialResult:
    trial: int
    kill_after_s: float
    acknowledged: int
    signups: int
    admin_creates: int
    updates: int
    in_flight_at_kill: int
    users_checked: int
    duration_s: float
    problems: list[str] = field(default_factory=list)

    def line(self, total: int) -> str:
        result = "ok" if not self.problems else f"FAILED ({len(self.problems)} problem(s))"
        return (
            f"trial {self.trial}/{total}: SIGKILL after {self.kill_after_s:.2f} s with {self.acknowledged} writes "
            f"acknowledged ({self.signups} SignUp, {self.admin_creates} AdminCreateUser, {self.updates} "
            f"AdminUpdateUserAttributes), {self.in_flight_at_kill} in flight; {self.users_checked} users checked "
            f"after restart in {self.duration_s:.1f} s: {result}"
        )


def integrity_check(db_path: Path) -> str:
    """`PRAGMA integrity_check` on a read-only connection ("ok" for a sound database)."""
    con = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return "\n".join(str(row[0]) for row in con.execute("PRAGMA integrity_check").fetchall())
    finally:
        con.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return f"{error_code(exc)}: {exc.response['Error'].get('Message', '')}"
    return f"{type(exc).__name__}: {exc}"


class CrashSafety:
    """One run: a database, a server (replaced after every kill), the ledger of acknowledged
    writes across all trials."""

    def __init__(self, workdir: Path, seed: int, log: Callable[[str], None] = print, workers: int = WORKERS) -> None:
        self.workdir = workdir
        self.db_path = workdir / "crash.sqlite"
        self.seed = seed
        self.log = log
        self.workers = workers
        self.listen: str | None = None
        self.server: PoolDeskServer | None = None
        self.pool_id = ""
        self.client_id = ""
        self.users: dict[int, list[UserRecord]] = {w: [] for w in range(workers)}
        self._starts = 0
        self._ledger_lock = threading.Lock()

    # -- server ---------------------------------------------------------------------------------

    def _start(self) -> PoolDeskServer:
        self._starts += 1
        srv = start_pooldesk(self.db_path, None, self.workdir / f"logs-{self._starts}", self.listen or "127.0.0.1:0")
        if self.listen is None:
            self.listen = srv.listen_addr
        elif srv.listen_addr != self.listen:
            srv.kill()
            raise AssertionError(f"restarted server listens on {srv.listen_addr}, not {self.listen}")
        return srv

    def _setup(self) -> None:
        idp = idp_client(self.server.endpoint)
        self.pool_id = idp.create_user_pool(PoolName=unique_name("crash"), AutoVerifiedAttributes=["email"])[
            "UserPool"
        ]["Id"]
        idp.add_custom_attributes(
            UserPoolId=self.pool_id,
            CustomAttributes=[{"Name": "counter", "AttributeDataType": "Number", "Mutable": True}],
        )
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName=unique_name("crash-client"),
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=self.pool_id, Username=KNOWN_USER, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=self.pool_id, Username=KNOWN_USER, Password=PASSWORD, Permanent=True)

    # -- traffic --------------------------------------------------------------------------------

    def _work(self, w: int, trial: int, idp, anon, rng: random.Random, go: threading.Event,
              killed: threading.Event, out: WorkerLog) -> None:
        owned = self.users[w]  # only this thread touches its own list during a trial
        go.wait()
        n = 0
        while not killed.is_set():
            if not owned or rng.random() < CREATE_SHARE:
                n += 1
                rec = UserRecord(f"w{w}-t{trial}-{n}", "signup" if rng.random() < 0.5 else "admin", w, trial)
                user_attrs = [{"Name": "email", "Value": rec.email}, {"Name": "custom:counter", "Value": "0"}]
                try:
                    if rec.kind == "signup":
                        anon.sign_up(
                            ClientId=self.client_id, Username=rec.username, Password=PASSWORD, UserAttributes=user_attrs
                        )
                    else:
                        idp.admin_create_user(
                            UserPoolId=self.pool_id, Username=rec.username, MessageAction="SUPPRESS",
                            UserAttributes=user_attrs,
                        )
                except Exception as exc:  # noqa: BLE001 (any failure: not acknowledged)
                    out.unacked_created.append(rec)
                    if self._failed(out, killed, f"{'SignUp' if rec.kind == 'signup' else 'AdminCreateUser'} "
                                                 f"{rec.username}", exc):
                        return
                    continue
                out.created.append(rec)
                owned.append(rec)
                if rec.kind == "signup":
                    out.signups += 1
                else:
                    out.admin_creates += 1
            else:
                rec = rng.choice(owned)
                value = rec.tried + 1
                rec.tried = value
                try:
                    idp.admin_update_user_attributes(
                        UserPoolId=self.pool_id, Username=rec.username,
                        UserAttributes=[{"Name": "custom:counter", "Value": str(value)}, {"Name": "name", "Value": f"n{value}"}],
                    )
                except Exception as exc:  # noqa: BLE001
                    if self._failed(out, killed, f"AdminUpdateUserAttributes {rec.username} counter={value}", exc):
                        return
                    continue
                rec.acked = value
                out.updates += 1

    @staticmethod
    def _failed(out: WorkerLog, killed: threading.Event, what: str, exc: BaseException) -> bool:
        """Records a failed write; True when the worker should stop (the server was killed)."""
        if killed.is_set():
            out.in_flight_at_kill += 1
            return True
        out.errors.append(f"{what} failed before the kill: {_describe(exc)}")
        time.sleep(0.05)
        return False

    # -- checks ---------------------------------------------------------------------------------

    def _check_user(self, idp, rec: UserRecord, acknowledged: bool) -> tuple[bool, list[str]]:
        """(whether the user exists, problems with it) after a restart; brings the record up to
        the stored value."""
        what = f"user {rec.username} ({'SignUp' if rec.kind == 'signup' else 'AdminCreateUser'}, trial {rec.trial})"
        try:
            got = idp.admin_get_user(UserPoolId=self.pool_id, Username=rec.username)
        except ClientError as exc:
            if error_code(exc) == "UserNotFoundException":
                lost = f"LOST: {what}: creation was acknowledged but the user does not exist after the restart"
                return False, [lost] if acknowledged else []
            return True, [f"{what}: AdminGetUser failed: {_describe(exc)}"]
        a = attrs(got["UserAttributes"])
        problems = []
        if not acknowledged:
            with self._ledger_lock:
                self.users[rec.worker].append(rec)  # it landed: from now on it must stay
            what += " (creation not acknowledged, but it landed)"
        if got.get("UserStatus") != rec.expected_status:
            problems.append(f"{what}: status {got.get('UserStatus')!r}, expected {rec.expected_status!r}")
        if a.get("email") != rec.email:
            problems.append(f"{what}: email {a.get('email')!r}, expected {rec.email!r}")
        raw = a.get("custom:counter")
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(f"LOST: {what}: custom:counter is {raw!r} after the restart (acknowledged {rec.acked})")
            return True, problems
        if value < rec.acked:
            problems.append(
                f"LOST: {what}: custom:counter is {value} after the restart, but {rec.acked} was acknowledged "
                f"(highest attempted {rec.tried}): {rec.acked - value} acknowledged update(s) rolled back"
            )
        elif value > rec.tried:
            problems.append(f"{what}: custom:counter is {value}, a value never sent (highest attempted {rec.tried})")
        expected_name = f"n{value}" if value > 0 else None
        if a.get("name") != expected_name:
            problems.append(
                f"{what}: name is {a.get('name')!r} but custom:counter is {value} (written together, expected "
                f"{expected_name!r}): a torn update"
            )
        # What is stored now was read back from the restarted server: the new baseline.
        rec.acked = rec.tried = value
        return True, problems

    def _verify(self, unacked: list[UserRecord]) -> tuple[int, list[str]]:
        endpoint = self.server.endpoint
        todo = [(rec, True) for w in sorted(self.users) for rec in list(self.users[w])]
        todo += [(rec, False) for rec in unacked]
        problems: list[str] = []
        missing: set[str] = set()
        lock = threading.Lock()
        chunks = [todo[i :: self.workers] for i in range(self.workers)]

        def check(chunk: list[tuple[UserRecord, bool]]) -> None:
            idp = idp_client(endpoint)
            for rec, acknowledged in chunk:
                exists, found = self._check_user(idp, rec, acknowledged)
                with lock:
                    problems.extend(found)
                    if not exists:
                        missing.add(rec.username)

        threads = [threading.Thread(target=check, args=(c,), daemon=True) for c in chunks if c]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Lost users leave the ledger (reported once); landed unacknowledged ones joined it.
        for w in self.users:
            self.users[w] = [r for r in self.users[w] if r.username not in missing]
        return len(todo), sorted(problems)

    # -- a trial --------------------------------------------------------------------------------

    def trial(self, number: int) -> TrialResult:
        rng = random.Random(f"{self.seed}:{number}")
        delay = rng.uniform(*KILL_DELAY_S)
        endpoint = self.server.endpoint
        go, killed = threading.Event(), threading.Event()
        logs = [WorkerLog() for _ in range(self.workers)]
        threads = []
        for w in range(self.workers):
            worker_rng = random.Random(f"{self.seed}:{number}:{w}")
            args = (w, number, idp_client(endpoint), idp_client(endpoint, signed=False), worker_rng, go, killed, logs[w])
            threads.append(threading.Thread(target=self._work, args=args, name=f"crash-worker-{w}", daemon=True))
        for t in threads:
            t.start()
        go.set()
        time.sleep(delay)
        killed.set()  # before the kill: a failure seen with it unset was not caused by the kill
        self.server.kill()
        for t in threads:
            t.join(JOIN_TIMEOUT_S)
        problems = [f"worker {t.name} still running {JOIN_TIMEOUT_S:.0f} s after the kill" for t in threads if t.is_alive()]
        for log in logs:
            problems += log.errors

        started = time.monotonic()
        self.server = self._start()
        unacked = [rec for log in logs for rec in log.unacked_created]
        checked, found = self._verify(unacked)
        problems += found
        verdict = integrity_check(self.db_path)
        if verdict != "ok":
            problems.append(f"PRAGMA integrity_check after the restart: {verdict!r}")
        try:
            tokens = sign_in(idp_client(self.server.endpoint, signed=False), self.client_id, KNOWN_USER, PASSWORD)
            if not tokens.get("AccessToken"):
                problems.append(f"{KNOWN_USER} signed in without an access token")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"the known user {KNOWN_USER} cannot sign in after the restart: {_describe(exc)}")

        return TrialResult(
            trial=number,
            kill_after_s=delay,
            acknowledged=sum(log.signups + log.admin_creates + log.updates for log in logs),
            signups=sum(log.signups for log in logs),
            admin_creates=sum(log.admin_creates for log in logs),
            updates=sum(log.updates for log in logs),
            in_flight_at_kill=sum(log.in_flight_at_kill for log in logs),
            users_checked=checked,
            duration_s=time.monotonic() - started,
            problems=problems,
        )

    def run(self, trials: int) -> list[TrialResult]:
        results: list[TrialResult] = []
        try:
            self.server = self._start()
            self._setup()
            for number in range(1, trials + 1):
                result = self.trial(number)
                results.append(result)
                self.log(result.line(trials))
                for p in result.problems:
                    self.log(f"  {p}")
            code = self.server.stop()
            final: list[str] = []
            if code != 0:
                final.append(f"the last server exited with {code} after SIGTERM (expected 0)")
            verdict = integrity_check(self.db_path)
            if verdict != "ok":
                final.append(f"PRAGMA integrity_check after the final clean stop: {verdict!r}")
            if final and results:
                results[-1].problems += final
                for p in final:
                    self.log(f"  {p}")
        except (Exception, pytest.fail.Exception) as exc:  # the server failed to start, setup failed, ...
            msg = f"run aborted: {_describe(exc)}"
            if self.server is not None:
                msg += f"\n{self.server.log_tail(30)}"
            self.log(msg)
            results.append(TrialResult(len(results) + 1, 0.0, 0, 0, 0, 0, 0, 0, 0.0, [msg]))
        finally:
            if self.server is not None and self.server.proc.poll() is None:
                self.server.kill()
        return results


def run_trials(trials: int, workdir: Path, seed: int, log: Callable[[str], None] = print) -> list[TrialResult]:
    """`trials` trials on one database in `workdir`; every problem is in the results."""
    workdir.mkdir(parents=True, exist_ok=True)
    return CrashSafety(workdir, seed, log).run(trials)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    parser.add_argument("--bin", default=None, help="the pooldesk binary (default: $POOLDESK_BIN or target/debug/pooldesk)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the database and logs go (default: a temp dir, removed on success)")
    args = parser.parse_args(argv)
    if args.bin:
        conftest.POOLDESK_BIN = str(Path(args.bin).resolve())
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pooldesk-crash-"))
    print(f"crash safety: {args.trials} trials, seed {seed}, binary {conftest.POOLDESK_BIN}, workdir {workdir}", flush=True)

    started = time.monotonic()
    results = run_trials(args.trials, workdir, seed, log=lambda line: print(line, flush=True))
    elapsed = time.monotonic() - started
    problems = [(r.trial, p) for r in results for p in r.problems]
    acked = sum(r.acknowledged for r in results)
    print(
        f"summary: {len(results)} trials, {acked} acknowledged writes "
        f"(min {min((r.acknowledged for r in results), default=0)}, max {max((r.acknowledged for r in results), default=0)} "
        f"per trial), {sum(r.in_flight_at_kill for r in results)} in flight at kills, {elapsed:.1f} s"
    )
    if problems:
        lost = sum(1 for _, p in problems if p.startswith("LOST"))
        print(f"FAILED (seed {seed}): {len(problems)} problem(s), {lost} of them lost acknowledged writes:", file=sys.stderr)
        for trial, p in problems:
            print(f"  trial {trial}: {p}", file=sys.stderr)
        print(f"database and server logs kept in {workdir}", file=sys.stderr)
        return 1
    print(f"OK: no acknowledged write lost, integrity_check ok after every crash (seed {seed})")
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
