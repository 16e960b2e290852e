"""The OpenID provider the federation tests sign in through (js/oidc_idp.mjs) works on its own.

No PoolDesk here: a plain `requests` session plays the relying party through the whole code
flow, so a federation test that fails points at PoolDesk, not at its IdP."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import jwt
import requests

from oidc_idp import oidc_idp  # noqa: F401 (a fixture)

REDIRECT_URI = "http://127.0.0.1:9/oauth2/idpresponse"  # never fetched: the flow stops at its Location


def test_code_flow_with_pkce_client_secret_post_and_userinfo(oidc_idp):  # noqa: F811 (the fixture)
    client = {
        "client_id": "pooldesk-rp",
        "client_secret": "rp-secret-0001",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_post",
    }
    account = {
        "sub": "idp-alice",
        "password": "Idp-Passw0rd!",
        "email": "alice@idp.example",
        "email_verified": True,
        "name": "Alice Liddell",
        "given_name": "Alice",
        "family_name": "Liddell",
        "groups": ["admins"],
    }
    idp = oidc_idp([client], [account])
    browser = requests.Session()  # keeps the provider's session and interaction cookies

    discovery = browser.get(f"{idp.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == idp.issuer

    state, nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "client_id": client["client_id"],
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    form = browser.get(f"{discovery['authorization_endpoint']}?{urlencode(query)}", timeout=10)
    assert form.status_code == 200 and "<title>IdP sign in</title>" in form.text, f"{form.status_code} {form.text[:500]}\n{idp.log()}"
    action = re.search(r'<form method="post" action="([^"]+)"', form.text).group(1)

    resp = browser.post(
        urljoin(form.url, action),
        data={"username": account["sub"], "password": account["password"]},
        allow_redirects=False,
        timeout=10,
    )
    for _ in range(10):
        assert resp.status_code in (302, 303), f"{resp.status_code} {resp.text[:500]}\n{idp.log()}"
        location = urljoin(resp.url, resp.headers["Location"])
        if location.startswith(REDIRECT_URI):
            break
        resp = browser.get(location, allow_redirects=False, timeout=10)
    else:
        raise AssertionError(f"the provider never redirected to {REDIRECT_URI}\n{idp.log()}")
    answer = parse_qs(urlparse(location).query)
    assert answer["state"] == [state]
    assert answer["iss"] == [idp.issuer]

    token = requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": answer["code"][0],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        },
        timeout=10,
    )
    assert token.status_code == 200, f"{token.status_code} {token.text}\n{idp.log()}"
    tokens = token.json()

    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(tokens["id_token"])
    id_token = jwt.decode(
        tokens["id_token"], key.key, algorithms=["RS256"], audience=client["client_id"], issuer=idp.issuer
    )
    assert id_token["nonce"] == nonce
    assert id_token["sub"] == account["sub"]
    assert id_token["email"] == account["email"] and id_token["email_verified"] is True
    assert id_token["groups"] == ["admins"]

    userinfo = requests.get(
        discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )
    assert userinfo.status_code == 200, f"{userinfo.status_code} {userinfo.text}\n{idp.log()}"
    assert userinfo.json() == {k: v for k, v in account.items() if k != "password"}
