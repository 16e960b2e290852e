"""`pooldesk serve --tls-cert --tls-key`: the API, discovery and the login pages over HTTPS,
with a certificate made for the test and trusted by the clients (as mkcert's would be)."""

from __future__ import annotations

import subprocess
import uuid

import boto3
import pytest
import requests

from conftest import PASSWORD, POOLDESK_BIN, REGION, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, _config
from login_pages import Browser, Page, query_of
from tls_certificate import make_certificate

# Starts its own servers on SQLite files: run once, in the SQLite pass (the cluster pass,
# POOLDESK_E2E_CLUSTER, leaves it out).
pytestmark = pytest.mark.own_servers


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost: (cert path, key path)."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(private_servers, certificate):
    cert, key = certificate
    return private_servers(args=["--tls-cert", str(cert), "--tls-key", str(key)])


def test_the_api_discovery_and_login_pages_work_over_https(tls_server, certificate, make_user):
    cert = str(certificate[0])
    assert tls_server.endpoint.startswith("https://127.0.0.1:")
    idp = boto3.session.Session().client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=tls_server.endpoint,
        aws_access_key_id=ROOT_ACCESS_KEY_ID,
        aws_secret_access_key=ROOT_SECRET_ACCESS_KEY,
        verify=cert,
        config=_config(),
    )
    pool_id = idp.create_user_pool(PoolName="tls")["UserPool"]["Id"]
    domain = f"tls{uuid.uuid4().hex[:8]}"
    idp.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=["https://localhost:3000/cb"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="tia", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="tia", Password=PASSWORD, Permanent=True)

    discovery = requests.get(f"{tls_server.endpoint}/{pool_id}/.well-known/openid-configuration", verify=cert, timeout=10).json()
    assert discovery["issuer"] == f"{tls_server.endpoint}/{pool_id}"
    assert discovery["authorization_endpoint"].startswith("https://")

    browser = Browser(tls_server.endpoint, verify=cert)
    form = browser.get(f"{discovery['authorization_endpoint']}?response_type=code&client_id={client_id}&redirect_uri=https://localhost:3000/cb")
    assert isinstance(form, Page) and form.title == "Sign in"
    assert "; Secure" in form.headers["Set-Cookie"], "cookies only travel over TLS"
    back = browser.submit(form, username="tia", password=PASSWORD)
    assert "code" in query_of(back), back


def test_plain_http_to_the_tls_port_gets_no_answer(tls_server):
    plain = tls_server.endpoint.replace("https://", "http://")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{plain}/.well-known/none", timeout=5)


def test_an_unreadable_certificate_stops_the_server_at_once(tmp_path, certificate):
    proc = subprocess.run(
        [POOLDESK_BIN, "serve", "--db", str(tmp_path / "db.sqlite"), "--listen", "127.0.0.1:0"]
        + ["--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(certificate[1])],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode != 0
    assert "missing.pem" in proc.stderr, proc.stderr
    mismatched = subprocess.run(
        [POOLDESK_BIN, "serve", "--db", str(tmp_path / "db.sqlite"), "--tls-cert", str(certificate[0])],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert mismatched.returncode != 0 and "--tls-key" in mismatched.stderr, "one without the other is refused"
