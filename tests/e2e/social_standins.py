"""Stand-ins for Facebook's and Login with Amazon's OAuth 2.0 endpoints, on loopback.

These two providers cannot run here and speak no OpenID Connect: what PoolDesk must get right
is their own protocol, so the stand-ins check it strictly and record what they were sent:
- Facebook (Graph API): `GET /facebook/dialog/oauth` (consent is the user's, so it answers at
  once with a code), `GET /facebook/oauth/access_token` with `client_id`, `client_secret`,
  `redirect_uri` and `code` in the query (Cognito's `token_request_method` GET), and
  `GET /facebook/me?fields=...` with the access token, answering only the fields asked for.
- Login with Amazon: `GET /amazon/ap/oa`, `POST /amazon/auth/o2/token` (a form with
  `grant_type=authorization_code`), `GET /amazon/user/profile` with the bearer token.
- For identity pools, which check an access token they are handed: Graph API `GET
  /facebook/app` (the app the token was issued to) and Amazon's `GET
  /amazon/auth/o2/tokeninfo?access_token=` (its `aud` and `user_id`).
A code is single use and bound to its client and redirect URI; a wrong secret is refused.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class SocialStandIns:
    def __init__(self, client_id: str, client_secret: str, users: dict[str, dict]) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.users = users  # "facebook" / "amazon" -> the profile its token answers with
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (provider, redirect_uri)
        self.tokens: dict[str, tuple[str, str]] = {}  # access token -> (provider, app it was issued to)
        self.requests: list[tuple[str, str]] = []
        stand_ins = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: requests are recorded instead
                pass

            def answer(self, status: int, body: dict, location: str | None = None) -> None:
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                data = json.dumps(body).encode()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                stand_ins.handle(self, "GET", None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                stand_ins.handle(self, "POST", self.rfile.read(length).decode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, h, method: str, body: str | None) -> None:
        url = urllib.parse.urlsplit(h.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        form = dict(urllib.parse.parse_qsl(body or ""))
        self.requests.append((method, h.path))
        path = url.path
        if method == "GET" and path in ("/facebook/dialog/oauth", "/amazon/ap/oa"):
            provider = path.split("/")[1]
            if query.get("client_id") != self.client_id or query.get("response_type") != "code":
                return h.answer(400, {"error": "invalid_request"})
            code = secrets.token_urlsafe(16)
            self.codes[code] = (provider, query["redirect_uri"])
            back = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"
            return h.answer(302, {}, location=back)
        if (method, path) in (("GET", "/facebook/oauth/access_token"), ("POST", "/amazon/auth/o2/token")):
            provider = path.split("/")[1]
            params = query if method == "GET" else form
            if provider == "amazon" and params.get("grant_type") != "authorization_code":
                return h.answer(400, {"error": "unsupported_grant_type"})
            if params.get("client_id") != self.client_id or params.get("client_secret") != self.client_secret:
                return h.answer(401, {"error": {"message": "Error validating client secret.", "type": "OAuthException"}})
            issued = self.codes.pop(params.get("code", ""), None)
            if issued != (provider, params.get("redirect_uri")):
                return h.answer(400, {"error": {"message": "Invalid verification code format.", "type": "OAuthException"}})
            return h.answer(200, {"access_token": self.mint(provider), "token_type": "bearer", "expires_in": 3600})
        if method == "GET" and path == "/facebook/app":
            issued = self.tokens.get(h.headers.get("Authorization", "").removeprefix("Bearer "))
            if not issued or issued[0] != "facebook":
                return h.answer(400, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException"}})
            return h.answer(200, {"id": issued[1], "name": "An app"})
        if method == "GET" and path == "/amazon/auth/o2/tokeninfo":
            issued = self.tokens.get(query.get("access_token", ""))
            if not issued or issued[0] != "amazon":
                return h.answer(400, {"error": "invalid_token", "error_description": "The access token is invalid."})
            return h.answer(200, {"iss": "https://www.amazon.com", "user_id": self.users["amazon"]["user_id"], "aud": issued[1], "app_id": "app", "exp": 3600})
        if method == "GET" and path in ("/facebook/me", "/amazon/user/profile"):
            provider = path.split("/")[1]
            token = h.headers.get("Authorization", "").removeprefix("Bearer ")
            if self.tokens.get(token, ("", ""))[0] != provider:
                return h.answer(401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException"}})
            profile = self.users[provider]
            if provider == "facebook":
                fields = query.get("fields", "id").split(",")
                profile = {k: v for k, v in profile.items() if k in fields}
            return h.answer(200, profile)
        return h.answer(404, {"error": "not found"})

    def mint(self, provider: str, app: str | None = None) -> str:
        """An access token the provider issued (to `app`, this stand-in's client unless named)."""
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (provider, app or self.client_id)
        return token

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def social_standins():
    started: list[SocialStandIns] = []

    def _start(client_id: str, client_secret: str, users: dict[str, dict]) -> SocialStandIns:
        s = SocialStandIns(client_id, client_secret, users)
        started.append(s)
        return s

    yield _start
    for s in started:
        s.stop()
