// An external OpenID Connect identity provider for the federation tests: panva's oidc-provider
// (an OpenID Certified implementation) on loopback, so PoolDesk's relying-party side (the
// authorization redirect with state, nonce and PKCE, the code exchange at the token endpoint with
// client_secret_post or client_secret_basic, the ID token checked against the JWKS, userinfo) is
// tested against the real protocol rather than against a mock written to agree with it.
//
// Input: one JSON object in the env var POOLDESK_IDP_CONFIG (or as the first argument):
//   {"port": 0,
//    "clients": [{"client_id", "client_secret", "redirect_uris": [...],
//                 "token_endpoint_auth_method": "client_secret_post" | "client_secret_basic", ...}],
//    "accounts": [{"sub", "password", "email", "email_verified", "name", "given_name",
//                  "family_name", "phone_number", ..., "groups": ["admins"]}]}
// Clients take any other client metadata oidc-provider knows; grant_types and response_types
// default to the authorization code flow. An account signs in with its sub, its email or its
// preferred_username as the username. Every key of an account but `password` is a claim: the
// standard ones come with their scope (email, profile, phone, address), any other (`groups`)
// with `profile`. Scope claims go into the ID token as well as userinfo (conformIdTokenClaims
// off), the way the IdPs people federate with (Google, Entra ID, Okta) fill their ID tokens.
//
// A client must authenticate at the token endpoint with its registered method (oidc-provider
// alone would take client_secret_basic and client_secret_post from either).
//
// Output: when listening, one line on stdout: {"issuer": "http://127.0.0.1:PORT"}. Each
// request is logged on stderr (method, path, status; for the token endpoint the client
// authentication method used), with the provider's errors. SIGTERM (or SIGINT) closes the
// server and exits 0. Bad input exits 2.
//
// Sign-in is a tiny HTML form that needs no JavaScript (GET /interaction/:uid, POST
// /interaction/:uid/login); consent is given automatically, so the browser goes straight back
// to the client's redirect URI with the code. PKCE (S256) is accepted but not required. The
// ID token is signed RS256 with a key generated at start-up. Everything lives in memory.

import { generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { createServer } from "node:http";

import Provider from "oidc-provider";

// oidc-provider writes its notices with console.info (stdout): stdout is for the ready line.
console.log = console.info = (...args) => console.error(...args);

const SCOPE_CLAIMS = {
  openid: ["sub"],
  email: ["email", "email_verified"],
  phone: ["phone_number", "phone_number_verified"],
  address: ["address"],
  profile: [
    "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
    "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
  ],
};
const NOT_CLAIMS = new Set(["password"]);

function fail(message) {
  process.stderr.write(`oidc_idp.mjs: ${message}\n`);
  process.exit(2);
}

function readConfig() {
  const raw = process.argv[2] ?? process.env.POOLDESK_IDP_CONFIG;
  if (!raw) fail("set POOLDESK_IDP_CONFIG to {\"port\", \"clients\": [...], \"accounts\": [...]}");
  let config;
  try {
    config = JSON.parse(raw);
  } catch (e) {
    fail(`POOLDESK_IDP_CONFIG is not JSON: ${e.message}`);
  }
  const { port = 0, clients = [], accounts = [] } = config;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port ${JSON.stringify(port)}`);
  if (!Array.isArray(clients) || !Array.isArray(accounts)) fail("clients and accounts must be arrays");
  for (const c of clients) {
    if (!c?.client_id || !Array.isArray(c.redirect_uris)) fail(`a client needs client_id and redirect_uris: ${JSON.stringify(c)}`);
  }
  for (const a of accounts) {
    if (!a?.sub || typeof a.password !== "string") fail(`an account needs sub and password: ${JSON.stringify(a)}`);
  }
  return { port, clients, accounts };
}

const { port, clients, accounts } = readConfig();

// The scopes -> claims map, the accounts' own non-standard claims added to `profile`.
const standard = new Set(Object.values(SCOPE_CLAIMS).flat());
const extra = new Set();
for (const account of accounts) {
  for (const key of Object.keys(account)) {
    if (!NOT_CLAIMS.has(key) && !standard.has(key)) extra.add(key);
  }
}
const claims = { ...SCOPE_CLAIMS, profile: [...SCOPE_CLAIMS.profile, ...extra] };

function accountClaims(account) {
  return Object.fromEntries(Object.entries(account).filter(([key]) => !NOT_CLAIMS.has(key)));
}

function findByUsername(username) {
  const wanted = username.trim();
  return accounts.find(
    (a) =>
      a.sub === wanted ||
      (typeof a.email === "string" && a.email.toLowerCase() === wanted.toLowerCase()) ||
      a.preferred_username === wanted,
  );
}

const signingKey = {
  ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
  kid: `idp-${randomBytes(6).toString("hex")}`,
  alg: "RS256",
  use: "sig",
};

// ---------------------------------------------------------------------------------------------
// The sign-in form
// ---------------------------------------------------------------------------------------------

function html(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, clientId, { username = "", error = "" } = {}) {
  const action = `/interaction/${encodeURIComponent(uid)}/login`;
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>IdP sign in</title></head>
<body>
<h1>IdP sign in</h1>
<p>Signing in to ${html(clientId)}</p>
${error ? `<p id="error" role="alert">${html(error)}</p>\n` : ""}<form method="post" action="${html(action)}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username" value="${html(username)}" required></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
</body>
</html>
`;
}

function send(res, status, body, type = "text/html; charset=utf-8") {
  res.statusCode = status;
  res.setHeader("Content-Type", type);
  res.setHeader("Cache-Control", "no-store");
  res.end(body);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error("form too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

// The grant for what the authorization request asked for: its scopes, the claims of a `claims`
// parameter and any resource scopes the consent prompt reports missing.
async function autoConsent(provider, details, accountId) {
  const { params, prompt } = details;
  let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== params.client_id) {
    grant = new provider.Grant({ accountId, clientId: params.client_id });
  }
  if (params.scope) grant.addOIDCScope(params.scope);
  if (params.claims) {
    try {
      const requested = JSON.parse(params.claims);
      grant.addOIDCClaims([...Object.keys(requested.id_token ?? {}), ...Object.keys(requested.userinfo ?? {})]);
    } catch {
      // oidc-provider already rejected a malformed claims parameter.
    }
  }
  const missing = prompt?.details ?? {};
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  return grant.save();
}

async function interaction(provider, req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (e) {
    return send(res, 400, `no sign-in in progress here (${html(e.message)}): start again from the application\n`, "text/plain; charset=utf-8");
  }
  if (details.uid !== uid) return send(res, 400, "this sign-in is not the one in progress\n", "text/plain; charset=utf-8");
  const clientId = details.params.client_id;

  if (action === undefined && req.method === "GET") {
    if (details.prompt.name === "login") return send(res, 200, loginPage(uid, clientId));
    // Signed in already (a session): only consent is wanted, and it is given.
    const accountId = details.session?.accountId;
    if (!accountId) return send(res, 400, `cannot handle the ${html(details.prompt.name)} prompt\n`, "text/plain; charset=utf-8");
    const grantId = await autoConsent(provider, details, accountId);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (action === "login" && req.method === "POST") {
    const form = await readForm(req);
    const username = form.get("username") ?? "";
    const account = findByUsername(username);
    if (!account || account.password !== (form.get("password") ?? "")) {
      return send(res, 200, loginPage(uid, clientId, { username, error: "Incorrect username or password." }));
    }
    const grantId = await autoConsent(provider, details, account.sub);
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }
  res.setHeader("Allow", action === "login" ? "POST" : "GET");
  return send(res, 405, "method not allowed\n", "text/plain; charset=utf-8");
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

let handler = (_req, res) => send(res, 503, "starting\n", "text/plain; charset=utf-8");
const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  res.on("finish", () => process.stderr.write(`${req.method} ${path} ${res.statusCode}${res.authMethod ? ` (${res.authMethod})` : ""}\n`));
  handler(req, res);
});
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, "127.0.0.1", resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: clients.map(({ apple: _apple, ...c }) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    ...c,
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString("base64url")] },
  claims,
  conformIdTokenClaims: false,
  responseTypes: ["code"],
  pkce: { required: () => false },
  ttl: { AuthorizationCode: 60, AccessToken: 3600, IdToken: 3600, Grant: 3600, Interaction: 600, Session: 3600 },
  features: {
    devInteractions: { enabled: false },
  },
  interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
  async findAccount(_ctx, sub) {
    const account = accounts.find((a) => a.sub === sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => accountClaims(account) };
  },
  async renderError(ctx, out) {
    ctx.type = "html";
    ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>IdP error</title></head><body><h1>IdP error</h1><pre>${html(JSON.stringify(out, null, 1))}</pre></body></html>\n`;
  },
});
for (const event of ["server_error", "authorization.error", "grant.error", "userinfo.error", "introspection.error", "revocation.error", "jwks.error", "discovery.error", "end_session.error"]) {
  provider.on(event, (ctx, err) => process.stderr.write(`  ${event}: ${err?.name ?? ""} ${err?.message ?? err}${err?.error_description ? ` (${err.error_description})` : ""}\n`));
}

// oidc-provider accepts client_secret_basic and client_secret_post alike from a client registered
// with either; this one holds a client to the method it is registered with, so a test shows
// which one the relying party used. The body is read here and handed on as req.body, which
// oidc-provider takes in place of the stream.
const registeredMethod = new Map(clients.map((c) => [c.client_id, c.token_endpoint_auth_method ?? "client_secret_basic"]));

// Sign in with Apple's one non-standard part, stood in for here: its client secret is a JWT
// (ES256) the relying party signs with the team's key, {iss: team_id, sub: client_id, aud:
// "https://appleid.apple.com", iat, exp}, kid the key id. A client registered with
// "apple": {"team_id", "key_id", "public_key_pem"} has that JWT checked (signature, claims,
// expiry), then the request goes on to oidc-provider with the client's registered secret.
const appleClients = new Map(clients.filter((c) => c.apple).map((c) => [c.client_id, c]));

function checkAppleSecret(client, jwt) {
  const [h, p, sig] = (jwt ?? "").split(".");
  if (!sig) return "the client secret is not a JWT";
  const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  if (header.alg !== "ES256" || header.kid !== client.apple.key_id) return `header ${JSON.stringify(header)}`;
  const ok = verify("sha256", Buffer.from(`${h}.${p}`), { key: client.apple.public_key_pem, dsaEncoding: "ieee-p1363" }, Buffer.from(sig, "base64url"));
  if (!ok) return "the signature does not verify with the team's key";
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== client.apple.team_id || claims.sub !== client.client_id || claims.aud !== "https://appleid.apple.com") return `claims ${JSON.stringify(claims)}`;
  if (!(claims.exp > now && claims.iat <= now + 60)) return "expired";
  return undefined;
}

async function checkTokenAuth(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString("utf8");
  req.body = raw;
  const form = new URLSearchParams(raw);
  const authorization = req.headers.authorization ?? "";
  let used;
  let clientId = form.get("client_id");
  if (/^basic /i.test(authorization)) {
    used = "client_secret_basic";
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    clientId = decodeURIComponent(decoded.split(":")[0] ?? "");
  } else if (form.has("client_secret")) {
    used = "client_secret_post";
  } else {
    used = "none";
  }
  res.authMethod = used;
  const apple = appleClients.get(clientId);
  if (apple) {
    const why = used === "client_secret_post" ? checkAppleSecret(apple, form.get("client_secret")) : `used ${used}`;
    if (why) {
      res.statusCode = 401;
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end(JSON.stringify({ error: "invalid_client", error_description: `Apple client secret JWT refused: ${why}` }));
      return false;
    }
    res.authMethod = "apple client secret JWT";
    form.set("client_secret", apple.client_secret);
    req.body = form.toString();
    return true;
  }
  const expected = registeredMethod.get(clientId);
  if (expected && used !== expected && (used === "client_secret_basic" || used === "client_secret_post")) {
    res.statusCode = 401;
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.end(JSON.stringify({ error: "invalid_client", error_description: `client ${clientId} authenticates with ${expected}, not ${used}` }));
    return false;
  }
  return true;
}

const oidc = provider.callback();
const INTERACTION_RE = /^\/interaction\/([^/]+)(?:\/(login))?$/;
handler = (req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "POST" && path === "/token") {
    return checkTokenAuth(req, res)
      .then((ok) => ok && oidc(req, res))
      .catch((e) => {
        process.stderr.write(`  token error: ${e?.stack ?? e}\n`);
        if (!res.headersSent) send(res, 500, "token request failed\n", "text/plain; charset=utf-8");
      });
  }
  const m = INTERACTION_RE.exec(path);
  if (!m) return oidc(req, res);
  return interaction(provider, req, res, decodeURIComponent(m[1]), m[2]).catch((e) => {
    process.stderr.write(`  interaction error: ${e?.stack ?? e}\n`);
    if (!res.headersSent) send(res, 500, "interaction failed\n", "text/plain; charset=utf-8");
    else res.end();
  });
};

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
