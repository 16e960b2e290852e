"""`pooldesk import-users`: Cognito's user-import CSV loaded in bulk into a live server's
database. Imported users start in RESET_REQUIRED, as after a Cognito import job, and set a
password through ForgotPassword."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import PASSWORD, POOLDESK_BIN, latest_code

# The README's example file.
SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "users.csv"


def run_import(server, pool_id: str, csv_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [POOLDESK_BIN, "import-users", "--db", str(server.db_path), "--user-pool-id", pool_id, str(csv_path)],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


def error_code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


def test_csv_header_names_the_schema_and_the_cognito_columns(idp, app):
    header = idp.get_csv_header(UserPoolId=app.pool_id)["CSVHeader"]
    assert header[-2:] == ["cognito:mfa_enabled", "cognito:username"]
    assert "email" in header and "email_verified" in header and "phone_number" in header
    assert "sub" not in header


def test_imported_users_are_searchable_counted_and_reset_required(server, idp, app, tmp_path):
    header = idp.get_csv_header(UserPoolId=app.pool_id)["CSVHeader"]
    rows = [
        {"cognito:username": "ines", "email": "ines@example.com", "email_verified": "true", "name": "Ines"},
        {"cognito:username": "jonas", "email": "jonas@example.com", "email_verified": "true"},
        {"cognito:username": "ines", "email": "other@example.com"},  # taken username
        {"cognito:username": "", "email": "nobody@example.com"},  # no username
        {"cognito:username": "kim", "email_verified": "maybe"},  # not a boolean
    ]
    csv_path = tmp_path / "users.csv"
    csv_path.write_text(
        ",".join(header) + "\n" + "".join(",".join(r.get(col, "") for col in header) + "\n" for r in rows)
    )
    before = idp.describe_user_pool(UserPoolId=app.pool_id)["UserPool"]["EstimatedNumberOfUsers"]

    proc = run_import(server, app.pool_id, csv_path)

    assert proc.returncode == 0, proc.stderr
    assert "imported 2 users" in proc.stdout and "3 rows refused" in proc.stdout
    assert "line 4: User account already exists" in proc.stderr
    assert "line 5: cognito:username is required" in proc.stderr
    assert "line 6:" in proc.stderr
    found = idp.list_users(UserPoolId=app.pool_id, Filter='email ^= "ines@"')["Users"]
    assert [u["Username"] for u in found] == ["ines"]
    assert found[0]["UserStatus"] == "RESET_REQUIRED"
    attrs = {a["Name"]: a["Value"] for a in found[0]["Attributes"]}
    assert attrs["name"] == "Ines" and attrs["email_verified"] == "true" and attrs["sub"]
    after = idp.describe_user_pool(UserPoolId=app.pool_id)["UserPool"]["EstimatedNumberOfUsers"]
    assert after == before + 2


def test_the_sample_file_has_a_default_pools_columns_and_imports_whole(server, idp, app):
    with SAMPLE.open(newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header == idp.get_csv_header(UserPoolId=app.pool_id)["CSVHeader"]

    proc = run_import(server, app.pool_id, SAMPLE)

    assert proc.returncode == 0, proc.stderr
    assert f"imported {len(rows)} users" in proc.stdout and "; 0 rows refused" in proc.stdout
    users = {u["Username"]: u for u in idp.list_users(UserPoolId=app.pool_id)["Users"]}
    assert sorted(users) == sorted(row[header.index("cognito:username")] for row in rows)
    assert {u["UserStatus"] for u in users.values()} == {"RESET_REQUIRED"}
    ada = {a["Name"]: a["Value"] for a in users["ada"]["Attributes"]}
    assert ada["phone_number"] == "+447700900001" and ada["phone_number_verified"] == "true" and ada["name"] == "Ada Lovelace"


def test_an_imported_user_resets_the_password_then_signs_in(server, idp, anon_idp, app, tmp_path):
    csv_path = tmp_path / "users.csv"
    csv_path.write_text("cognito:username,email,email_verified\nlea,lea@example.com,true\n")
    assert run_import(server, app.pool_id, csv_path).returncode == 0

    with pytest.raises(ClientError) as exc:
        anon_idp.initiate_auth(
            ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "lea", "PASSWORD": PASSWORD},
        )
    assert error_code(exc) == "PasswordResetRequiredException"

    anon_idp.forgot_password(ClientId=app.client_id, Username="lea")
    code = latest_code(server, app.pool_id, "lea")
    anon_idp.confirm_forgot_password(ClientId=app.client_id, Username="lea", ConfirmationCode=code, Password=PASSWORD)
    tokens = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "lea", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert tokens["AccessToken"]
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username="lea")["UserStatus"] == "CONFIRMED"


def test_import_refuses_a_file_without_usernames_and_an_unknown_pool(server, app, tmp_path):
    no_usernames = tmp_path / "bad.csv"
    no_usernames.write_text("email\nx@example.com\n")
    proc = run_import(server, app.pool_id, no_usernames)
    assert proc.returncode != 0 and "cognito:username" in proc.stderr

    good = tmp_path / "good.csv"
    good.write_text("cognito:username\nmo\n")
    proc = run_import(server, "us-east-1_doesNotExist", good)
    assert proc.returncode != 0 and "does not exist" in proc.stderr


def test_suppressed_invitation_without_a_password_stores_none(idp, anon_idp, app):
    """AdminCreateUser with MessageAction=SUPPRESS and no TemporaryPassword: the generated
    password would be known to no one, so none is stored; the user signs in once an admin sets one."""
    idp.admin_create_user(UserPoolId=app.pool_id, Username="quiet", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as exc:
        anon_idp.initiate_auth(
            ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "quiet", "PASSWORD": PASSWORD},
        )
    assert error_code(exc) == "NotAuthorizedException"
    idp.admin_set_user_password(UserPoolId=app.pool_id, Username="quiet", Password=PASSWORD, Permanent=True)
    tokens = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "quiet", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert tokens["IdToken"]
