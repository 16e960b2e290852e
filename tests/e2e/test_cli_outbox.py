"""`pooldesk outbox --db <db> --pool <id>`: codes readable from the database while the server
runs, so local development needs no mail server."""

from __future__ import annotations

import subprocess

from conftest import PASSWORD, POOLDESK_BIN, latest_code


def run_outbox(server, pool_id: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [POOLDESK_BIN, "outbox", "--db", str(server.db_path), "--pool", pool_id],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )


def test_outbox_command_shows_a_sign_up_code_from_the_live_database(server, anon_idp, app):
    anon_idp.sign_up(
        ClientId=app.client_id, Username="olivia", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "olivia@example.com"}],
    )
    code = latest_code(server, app.pool_id, "olivia")
    proc = run_outbox(server, app.pool_id)
    assert proc.returncode == 0, proc.stderr
    assert code in proc.stdout
    assert "olivia" in proc.stdout


def test_outbox_command_shows_only_the_requested_pool(server, anon_idp, app, make_pool, make_client):
    other = make_pool()
    other_client = make_client(other["Id"])
    anon_idp.sign_up(
        ClientId=other_client["ClientId"], Username="outsider", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "outsider@example.com"}],
    )
    latest_code(server, other["Id"], "outsider")
    anon_idp.sign_up(
        ClientId=app.client_id, Username="insider", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "insider@example.com"}],
    )
    latest_code(server, app.pool_id, "insider")
    proc = run_outbox(server, app.pool_id)
    assert proc.returncode == 0, proc.stderr
    assert "insider" in proc.stdout
    assert "outsider" not in proc.stdout


def test_outbox_command_lists_every_code_of_the_pool(server, anon_idp, app):
    for name in ("first", "second"):
        anon_idp.sign_up(
            ClientId=app.client_id, Username=name, Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        )
    codes = [latest_code(server, app.pool_id, name) for name in ("first", "second")]
    proc = run_outbox(server, app.pool_id)
    assert proc.returncode == 0, proc.stderr
    for code in codes:
        assert code in proc.stdout
