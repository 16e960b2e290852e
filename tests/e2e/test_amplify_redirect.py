"""Amplify JS v6 (`aws-amplify` from npm) in a real browser against PoolDesk over TLS.

tests/e2e/js/amplify_redirect.mjs bundles a tiny single-page app (js/amplify_app.mjs) with
esbuild, serves it over HTTPS at https://localhost:APP_PORT/, and drives Debian's Chromium with
playwright-core: signInWithRedirect through the managed login pages, getCurrentUser and
fetchAuthSession after the redirect back, signOut through the pool's /logout, and a second
sign-in that shows the form again. This test sets the pool up with boto3 and asserts on the JSON
report. Missing Node packages or Chromium fail the test (it is not skipped)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import boto3
import pytest
import requests

from conftest import PASSWORD, REGION, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, _config
from tls_certificate import make_certificate

# Starts its own servers on SQLite files: run once, in the SQLite pass (the cluster pass,
# POOLDESK_E2E_CLUSTER, leaves it out).
pytestmark = pytest.mark.own_servers

JS_DIR = Path(__file__).resolve().parent / "js"
JS_SCRIPT = JS_DIR / "amplify_redirect.mjs"
JS_LIBRARIES = ["aws-amplify", "esbuild", "playwright-core"]
CHROMIUM = os.environ.get("POOLDESK_CHROMIUM", "/usr/bin/chromium")
SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]


def free_port() -> int:
    """A loopback port nobody listens on now: the script serves the app there."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_tools() -> str:
    """node, the Node packages and Chromium, or a failure that says how to install them."""
    missing = [name for name in JS_LIBRARIES if not (JS_DIR / "node_modules" / name / "package.json").is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing from {JS_DIR / 'node_modules'}: install the Node clients with `npm ci --prefix tests/e2e/js`")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is not there: install Debian's Chromium (`apt-get install --no-install-recommends chromium`) or set POOLDESK_CHROMIUM")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (Node 20+ is needed for the browser sign-in tests)")
    return node


def test_amplify_signs_in_with_redirect_over_tls(private_servers, tmp_path):
    node = require_tools()
    cert, key = make_certificate(tmp_path)
    server = private_servers(args=["--tls-cert", str(cert), "--tls-key", str(key)])
    assert server.endpoint.startswith("https://127.0.0.1:")
    idp = boto3.session.Session().client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=server.endpoint,
        aws_access_key_id=ROOT_ACCESS_KEY_ID,
        aws_secret_access_key=ROOT_SECRET_ACCESS_KEY,
        verify=str(cert),
        config=_config(),
    )
    pool_id = idp.create_user_pool(PoolName="amplify", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    domain = f"amplify{uuid.uuid4().hex[:8]}"
    idp.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    app_port = free_port()
    app_origin = f"https://localhost:{app_port}"
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="amplify-web",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=SCOPES,
        CallbackURLs=[f"{app_origin}/"],
        LogoutURLs=[f"{app_origin}/"],
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    username, email = "amy", "amy@example.com"
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    sub = next(a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"] if a["Name"] == "sub")
    issuer = f"{server.endpoint}/{pool_id}"
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", verify=str(cert), timeout=10).json()
    assert discovery["issuer"] == issuer

    # Amplify's `domain` is host[:port][/path] without a scheme: it appends /oauth2/authorize,
    # /oauth2/token and /logout to https://{domain}.
    amplify_domain = f"{server.endpoint.removeprefix('https://')}/domains/{domain}"
    assert discovery["authorization_endpoint"] == f"https://{amplify_domain}/oauth2/authorize", discovery

    payload = {
        "server": server.endpoint,
        "userPoolId": pool_id,
        "clientId": client_id,
        "domain": amplify_domain,
        "appPort": app_port,
        "cert": str(cert),
        "key": str(key),
        "username": username,
        "password": PASSWORD,
        "chromium": CHROMIUM,
        "artifactsDir": str(tmp_path / "browser"),
    }
    env = dict(os.environ, POOLDESK_BROWSER_INPUT=json.dumps(payload))
    proc = subprocess.run([node, str(JS_SCRIPT)], cwd=JS_DIR, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180, check=False)
    lines = proc.stdout.strip().splitlines()
    assert lines, f"amplify_redirect.mjs printed nothing (exit {proc.returncode})\nstderr: {proc.stderr[-3000:]}"
    report = json.loads(lines[-1])
    assert proc.returncode == 0 and report["ok"], f"amplify_redirect.mjs failed: {json.dumps(report, indent=1)}\nstderr: {proc.stderr[-3000:]}"

    assert report["browser"].startswith("chromium ")
    assert not report["before"]["signedIn"], "no session before the first sign-in"
    assert [s["title"] for s in report["steps"][:3]] == ["Amplify app", "Sign in", "Amplify app"], report["steps"]
    assert report["steps"][1]["at"].startswith(f"https://{amplify_domain}/"), "the form is the pool domain's" 

    # What Amplify's getCurrentUser and fetchAuthSession say after the redirect back.
    got = report["signedIn"]
    assert got["signedIn"] and got["username"] == username and got["userId"] == sub, got
    assert got["hasIdToken"] and got["hasAccessToken"], got
    assert got["idToken"]["iss"] == issuer and got["idToken"]["aud"] == client_id, got["idToken"]
    assert got["idToken"]["sub"] == sub and got["idToken"]["token_use"] == "id" and got["idToken"]["email"] == email
    access = got["accessToken"]
    assert access["iss"] == issuer and access["client_id"] == client_id and access["token_use"] == "access", access
    assert "openid" in access["scope"].split(), access
    assert set(access["scope"].split()) == set(SCOPES), access
    assert got["location"] == f"{app_origin}/", "Amplify clears the code and state from the address bar"
    token_calls = [r for r in report["requests"] if r.get("path") == f"/domains/{domain}/oauth2/token" and r.get("method") == "POST"]
    assert [r["status"] for r in token_calls] == [200, 200], f"a code exchange per sign-in: {report['requests']}"

    # The session survives a reload (Amplify keeps the tokens in localStorage).
    assert report["reloaded"]["signedIn"] and report["reloaded"]["userId"] == sub, report["reloaded"]

    # signOut went through the pool's /logout and back to the app; then the form again.
    logouts = [r for r in report["requests"] if r.get("path") == f"/domains/{domain}/logout"]
    assert logouts and logouts[0]["status"] in (302, 303) and logouts[0]["location"] == f"{app_origin}/", report["requests"]
    assert not report["signedOut"]["signedIn"], report["signedOut"]
    # Before the redirect, signOut revokes the refresh token with RevokeToken at userPoolEndpoint
    # (the access token carries origin_jti); Amplify ignores a failure, so it is checked here.
    revokes = [r for r in report["requests"] if r.get("path") == "/" and r.get("method") == "POST"]
    assert [r.get("status") for r in revokes] == [200], f"signOut's RevokeToken from the browser: {revokes}"
    assert report["formShownAgain"], f"after signOut a new sign-in shows the form: {report['steps']}"
    again = report["secondSignIn"]
    assert again["signedIn"] and again["userId"] == sub and again["idToken"]["aud"] == client_id, again
