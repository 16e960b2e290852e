"""The AWS CLI against PoolDesk: only --endpoint-url changes, as a developer would use it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PASSWORD, REGION, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, claims, unique_name


def find_aws() -> str:
    beside_python = Path(sys.executable).parent / "aws"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which("aws")
    if not found:
        pytest.fail("the AWS CLI (`aws`) is not installed: pip install -r tests/e2e/requirements.txt")
    return found


@pytest.fixture(scope="module")
def aws(server, tmp_path_factory):
    """aws(*args) -> parsed JSON output (None when the command prints nothing)."""
    exe = find_aws()
    home = tmp_path_factory.mktemp("aws-home")
    (home / "config").write_text("")
    (home / "credentials").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_ACCESS_KEY,
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "AWS_DEFAULT_REGION": REGION,
            "AWS_PAGER": "",
            "AWS_MAX_ATTEMPTS": "1",
            "HOME": str(home),
        }
    )

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess | dict | None:
        cmd = [exe, "cognito-idp", *args, "--endpoint-url", server.endpoint, "--region", REGION, "--output", "json"]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        if not check:
            return proc
        assert proc.returncode == 0, f"{' '.join(args[:1])} failed ({proc.returncode}): {proc.stderr}"
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    return run


def test_aws_cli_round_trip(aws):
    pool = aws("create-user-pool", "--pool-name", unique_name("cli-pool"))["UserPool"]
    pool_id = pool["Id"]
    assert pool_id.startswith("us-east-1_")

    client = aws(
        "create-user-pool-client", "--user-pool-id", pool_id, "--client-name", unique_name("cli-client"),
        "--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
    )["UserPoolClient"]
    client_id = client["ClientId"]

    created = aws(
        "admin-create-user", "--user-pool-id", pool_id, "--username", "cli-user",
        "--user-attributes", "Name=email,Value=cli-user@example.com", "--message-action", "SUPPRESS",
    )["User"]
    assert created["Username"] == "cli-user"
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    assert aws(
        "admin-set-user-password", "--user-pool-id", pool_id, "--username", "cli-user",
        "--password", PASSWORD, "--permanent",
    ) is None

    auth = aws(
        "initiate-auth", "--client-id", client_id, "--auth-flow", "USER_PASSWORD_AUTH",
        "--auth-parameters", json.dumps({"USERNAME": "cli-user", "PASSWORD": PASSWORD}),
    )["AuthenticationResult"]
    assert auth["TokenType"] == "Bearer"
    assert claims(auth["IdToken"])["cognito:username"] == "cli-user"
    assert claims(auth["IdToken"])["aud"] == client_id

    users = aws("list-users", "--user-pool-id", pool_id)["Users"]
    assert [u["Username"] for u in users] == ["cli-user"]
    assert users[0]["UserStatus"] == "CONFIRMED"


def test_aws_cli_reports_a_service_error(aws):
    pool_id = aws("create-user-pool", "--pool-name", unique_name("cli-pool"))["UserPool"]["Id"]
    proc = aws("admin-get-user", "--user-pool-id", pool_id, "--username", "ghost", check=False)
    assert proc.returncode != 0
    assert "UserNotFoundException" in proc.stderr


def test_aws_cli_list_user_pools_sees_a_created_pool(aws):
    name = unique_name("cli-pool")
    pool_id = aws("create-user-pool", "--pool-name", name)["UserPool"]["Id"]
    # The CLI follows NextToken itself.
    pools = aws("list-user-pools", "--max-results", "60")["UserPools"]
    assert {"Id": pool_id, "Name": name} in [{"Id": p["Id"], "Name": p["Name"]} for p in pools]
