"""Exporting users, which Cognito cannot: `pooldesk export-users` writes a pool's users as
Cognito's user-import CSV (which `pooldesk import-users` loads again into another pool) or as
JSON with status and groups; `PoolDesk.ExportUsers` pages them for any client. Passwords stay
behind."""

from __future__ import annotations

import csv
import json
import subprocess

from conftest import PASSWORD, POOLDESK_BIN, attrs, pooldesk_call

SCHEMA = [{"Name": "tier", "AttributeDataType": "String", "Mutable": True}]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([POOLDESK_BIN, *args], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def populated_pool(idp, make_pool) -> str:
    pool_id = make_pool(Schema=SCHEMA)["Id"]
    idp.create_group(UserPoolId=pool_id, GroupName="staff")
    for name, tier in [("ada", "gold"), ("bo", "silver"), ("cy,jr.", 'say "hi", twice')]:
        idp.admin_create_user(
            UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{name[:2]}@example.com"}, {"Name": "custom:tier", "Value": tier}],
        )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="ada", Password=PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="ada", GroupName="staff")
    idp.admin_disable_user(UserPoolId=pool_id, Username="bo")
    return pool_id


def test_a_csv_export_loads_again_into_another_pool(server, idp, make_pool, tmp_path):
    source = populated_pool(idp, make_pool)
    out = tmp_path / "users.csv"
    done = cli("export-users", "--db", str(server.db_path), "--user-pool-id", source, "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert f"exported 3 users from {source}" in done.stderr
    with out.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == idp.get_csv_header(UserPoolId=source)["CSVHeader"], "Cognito's import columns"
    by_name = {dict(zip(rows[0], r))["cognito:username"]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert sorted(by_name) == ["ada", "bo", "cy,jr."]
    assert by_name["cy,jr."]["custom:tier"] == 'say "hi", twice', "commas and quotes survive"
    assert by_name["ada"]["email"] == "ad@example.com" and by_name["ada"]["cognito:mfa_enabled"] == "false"

    target = make_pool(Schema=SCHEMA)["Id"]
    loaded = cli("import-users", "--db", str(server.db_path), "--user-pool-id", target, str(out))
    assert loaded.returncode == 0 and "imported 3 users" in loaded.stdout, loaded.stdout + loaded.stderr
    copied = idp.admin_get_user(UserPoolId=target, Username="cy,jr.")
    assert attrs(copied["UserAttributes"])["custom:tier"] == 'say "hi", twice'
    assert copied["UserStatus"] == "RESET_REQUIRED", "no password travels with an export"


def test_a_json_export_has_status_groups_and_no_password(server, idp, make_pool):
    source = populated_pool(idp, make_pool)
    done = cli("export-users", "--db", str(server.db_path), "--user-pool-id", source, "--format", "json")
    assert done.returncode == 0, done.stderr
    users = {u["Username"]: u for u in json.loads(done.stdout)}
    assert users["ada"]["Groups"] == ["staff"] and users["ada"]["UserStatus"] == "CONFIRMED"
    assert users["bo"]["Enabled"] is False and users["bo"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert users["ada"]["Sub"] == attrs(idp.admin_get_user(UserPoolId=source, Username="ada")["UserAttributes"])["sub"]
    assert users["ada"]["Attributes"]["custom:tier"] == "gold"
    assert PASSWORD not in done.stdout and "argon2" not in done.stdout and "verifier" not in done.stdout.lower()


def test_export_users_pages_through_a_pool_and_refuses_bad_requests(server, idp, make_pool):
    source = populated_pool(idp, make_pool)
    seen, token = [], None
    while True:
        status, page = pooldesk_call(server, "ExportUsers", {"UserPoolId": source, "MaxResults": 2, **({"NextToken": token} if token else {})})
        assert status == 200, page
        assert len(page["Users"]) <= 2
        seen += [u["Username"] for u in page["Users"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ["ada", "bo", "cy,jr."], "each user once, in username order"
    assert pooldesk_call(server, "ExportUsers", {"UserPoolId": source, "MaxResults": 0})[1]["__type"] == "InvalidParameterException"
    assert pooldesk_call(server, "ExportUsers", {"UserPoolId": "us-east-1_Nope0000"})[1]["__type"] == "ResourceNotFoundException"
    missing = cli("export-users", "--db", str(server.db_path), "--user-pool-id", "us-east-1_Nope0000")
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr
