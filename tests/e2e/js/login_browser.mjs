// Sign-in through PoolDesk's managed login pages in a real browser: Debian's Chromium driven by
// playwright-core (no browser download), with openid-client (the certified OpenID Connect
// relying party for Node) doing discovery, PKCE, the code exchange and userinfo, and AWS's
// aws-jwt-verify checking the ID and access tokens against the pool's JWKS.
//
// Input: one JSON object, as the first argument, in the env var POOLDESK_BROWSER_INPUT, or on
// stdin:
//   {"scenario": "code_pkce" | "sso" | "logout" | "no_js" | "new_password" | "totp" | "sign_up" | "styled" | "saml",
//    "issuer": "http://127.0.0.1:PORT/us-east-1_xxx", "clientId": "...",
//    "otherClientId": "..." (sso), "username": "...", "password": "...",
//    "redirectUri": "http://localhost:3000/callback", "logoutUri": "http://localhost:3000/bye" (logout),
//    "newPassword": "..." (new_password), "totpSecret": "BASE32" (totp), "email": "..." (sign_up),
//    "provider": "Corp", "workEmail": "..." (saml: the provider's button, then the work e-mail
//    field that routes to it; username and password are the IdP's),
//    "chromium": "/usr/bin/chromium" (optional), "artifactsDir": "/tmp/x" (optional: a
//    screenshot of the page is left there when something fails)}
// Output (stdout, one line of JSON): {"ok": true, "scenario": ..., ...what happened...}; on a
// failure {"ok": false, "error": "...", "steps": [...]} and exit code 1. Bad input exits 2.
// What only the test can read (sign_up's e-mailed code) the script asks for on the way: a line
// {"need": "code"} on stdout, answered by one line on stdin.
//
// Every authorization ends at the client's redirect URI (http://localhost:PORT/...): the script
// serves that origin itself on 127.0.0.1:PORT, as the app would, with a tiny page whose inline
// script retitles it, so the title tells whether JavaScript ran in that browser context.
// (Playwright's page.route() cannot stand in for it: it does not see the hops of a redirect.)

import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { createInterface } from "node:readline";

import * as client from "openid-client";
import { JwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { chromium } from "playwright-core";

const SCENARIOS = ["code_pkce", "sso", "logout", "no_js", "new_password", "totp", "sign_up", "styled", "saml"];
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
// Every page the browsers saw, in order (reported on success and on failure), and every session.
const STEPS = [];
const SESSIONS = [];
const OVERALL_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Input and output
// ---------------------------------------------------------------------------------------------

async function readInput() {
  let raw = process.argv[2] ?? process.env.POOLDESK_BROWSER_INPUT;
  if (!raw && !process.stdin.isTTY) {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    raw = Buffer.concat(chunks).toString("utf8").trim();
  }
  if (!raw) usage("no input");
  let input;
  try {
    input = JSON.parse(raw);
  } catch (e) {
    usage(`input is not JSON: ${e.message}`);
  }
  if (!SCENARIOS.includes(input.scenario)) usage(`scenario must be one of ${SCENARIOS.join(", ")}`);
  const needed = ["issuer", "clientId", "username", "password", "redirectUri"];
  if (input.scenario === "sso") needed.push("otherClientId");
  if (input.scenario === "logout") needed.push("logoutUri");
  if (input.scenario === "new_password") needed.push("newPassword");
  if (input.scenario === "totp") needed.push("totpSecret");
  if (input.scenario === "sign_up") needed.push("email");
  if (input.scenario === "saml") needed.push("provider", "workEmail", "logoutUri");
  for (const key of needed) {
    if (typeof input[key] !== "string" || input[key] === "") usage(`input lacks "${key}"`);
  }
  return input;
}

function usage(why) {
  process.stderr.write(`${why}\nusage: node login_browser.mjs '{"scenario","issuer","clientId","username","password","redirectUri",...}'\n`);
  process.exit(2);
}

let stdinReader; // opened by the first question, closed at the end (it keeps Node running)
let stdinLines;
/** Asks the test for what only it can read: a line of JSON out, its answer as a line in. */
async function askFor(what) {
  process.stdout.write(JSON.stringify({ need: what }) + "\n");
  stdinReader ??= createInterface({ input: process.stdin });
  stdinLines ??= stdinReader[Symbol.asyncIterator]();
  const { value, done } = await stdinLines.next();
  if (done) throw new Error(`stdin closed before the test answered ${what}`);
  return value.trim();
}

let finished = false;
function finish(result, code) {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exitCode = code;
}

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238: SHA-1, 6 digits, 30 s), as an authenticator app computes it
// ---------------------------------------------------------------------------------------------

function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.toUpperCase().replace(/=+$/, "")) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totp(secret, when = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / 30)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, "0");
}

// ---------------------------------------------------------------------------------------------
// The relying party: openid-client for the protocol, aws-jwt-verify for the tokens
// ---------------------------------------------------------------------------------------------

class RelyingParty {
  constructor(config, clientId, redirectUri) {
    this.config = config;
    this.clientId = clientId;
    this.redirectUri = redirectUri;
    const meta = config.serverMetadata();
    // aws-jwt-verify's CognitoJwtVerifier only accepts issuers of the form
    // https://cognito-idp.<region>.amazonaws.com/<poolId>, so a self-hosted pool's tokens are
    // checked with its generic JwtVerifier (the same signature, issuer, audience and expiry
    // checks) plus the Cognito claims (token_use, client_id) in customJwtCheck. Its default
    // fetcher speaks HTTPS only; the JWKS is fetched over loopback HTTP with Node's fetch.
    const jwksCache = new SimpleJwksCache({
      fetcher: {
        async fetch(uri) {
          const resp = await fetch(uri);
          if (resp.status !== 200) throw new Error(`JWKS ${uri}: HTTP ${resp.status}`);
          return resp.arrayBuffer();
        },
      },
    });
    this.idVerifier = JwtVerifier.create(
      {
        issuer: meta.issuer,
        audience: clientId,
        jwksUri: meta.jwks_uri,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== "id") throw new Error(`token_use is ${payload.token_use}, expected id`);
        },
      },
      { jwksCache },
    );
    this.accessVerifier = JwtVerifier.create(
      {
        issuer: meta.issuer,
        audience: null, // Cognito's access tokens carry client_id, not aud
        scope: "openid",
        jwksUri: meta.jwks_uri,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== "access") throw new Error(`token_use is ${payload.token_use}, expected access`);
          if (payload.client_id !== clientId) throw new Error(`client_id is ${payload.client_id}, expected ${clientId}`);
        },
      },
      { jwksCache },
    );
  }

  static async discover(issuer, clientId, redirectUri) {
    // Plain HTTP on loopback: openid-client refuses it unless told otherwise. A public client
    // (no secret): openid-client then authenticates with client_id alone ("none").
    const config = await client.discovery(new URL(issuer), clientId, undefined, undefined, {
      execute: [client.allowInsecureRequests],
    });
    return new RelyingParty(config, clientId, redirectUri);
  }

  /** A fresh authorization request: PKCE (S256), state and nonce. */
  async authorizationRequest(extra = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(this.config, {
      redirect_uri: this.redirectUri,
      scope: "openid email",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
      ...extra,
    });
    return { url: url.href, verifier, state, nonce };
  }

  /** The code exchange, userinfo, and both tokens verified: what the client learnt. */
  async redeem(callbackUrl, request) {
    const back = new URL(callbackUrl);
    const tokens = await client.authorizationCodeGrant(this.config, back, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims(); // openid-client's own ID token checks (iss, aud, exp, nonce)
    const idToken = await this.idVerifier.verify(tokens.id_token);
    const accessToken = await this.accessVerifier.verify(tokens.access_token);
    const userinfo = await client.fetchUserInfo(this.config, tokens.access_token, claims.sub);
    return {
      stateReturned: back.searchParams.get("state"),
      stateSent: request.state,
      nonceSent: request.nonce,
      tokenType: tokens.token_type,
      expiresIn: tokens.expires_in,
      hasRefreshToken: typeof tokens.refresh_token === "string" && tokens.refresh_token.length > 0,
      openidClientClaims: { sub: claims.sub, aud: claims.aud, iss: claims.iss, nonce: claims.nonce },
      idToken, // as verified by aws-jwt-verify
      accessToken, // as verified by aws-jwt-verify
      userinfo,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

class Session {
  constructor(page, redirectOrigin, steps, artifactsDir) {
    this.page = page;
    this.redirectOrigin = redirectOrigin;
    this.steps = steps;
    this.artifactsDir = artifactsDir;
  }

  static async open(browser, input, { javaScriptEnabled = true } = {}) {
    const context = await browser.newContext({ javaScriptEnabled });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    const redirectOrigin = new URL(input.redirectUri).origin;
    const session = new Session(page, redirectOrigin, STEPS, input.artifactsDir);
    SESSIONS.push(session);
    return session;
  }

  atApp() {
    return this.page.url().startsWith(`${this.redirectOrigin}/`);
  }

  async record(action) {
    const url = new URL(this.page.url());
    const step = { action, at: `${url.origin}${url.pathname}`, title: await this.page.title() };
    if (this.atApp()) step.query = Object.fromEntries(url.searchParams);
    else step.errors = (await this.page.locator(".error").allInnerTexts()).map((t) => t.trim());
    this.steps.push(step);
    return step;
  }

  /** Goes to a URL; what the browser ended on after the redirects. */
  async visit(action, url) {
    await this.page.goto(url, { waitUntil: "load" });
    return this.record(action);
  }

  /** Fills fields by their labels and clicks the named button; the page that follows. */
  async submit(action, fields, button) {
    for (const [label, value] of Object.entries(fields)) {
      await this.page.getByLabel(label, { exact: true }).fill(value);
    }
    await Promise.all([
      this.page.waitForEvent("load"),
      this.page.getByRole("button", { name: button, exact: true }).click(),
    ]);
    return this.record(action);
  }

  async signInForm(action, username, password) {
    return this.submit(action, { Username: username, Password: password }, "Sign in");
  }

  async screenshot(name) {
    if (!this.artifactsDir) return undefined;
    mkdirSync(this.artifactsDir, { recursive: true });
    const file = path.join(this.artifactsDir, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true }).catch(() => {});
    return file;
  }
}

function expectForm(step) {
  if (step.title !== "Sign in") throw new Error(`expected the sign-in form, got ${JSON.stringify(step)}`);
}

function expectApp(session, step) {
  if (!session.atApp()) throw new Error(`expected to be back at the app, got ${JSON.stringify(step)}`);
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/** Authorize, sign in on the form, redeem the code: the usual sign-in. */
async function signIn(session, rp, input, label = "sign-in") {
  const request = await rp.authorizationRequest();
  const form = await session.visit(`${label}: authorize`, request.url);
  expectForm(form);
  const back = await session.signInForm(`${label}: submit the form`, input.username, input.password);
  expectApp(session, back);
  return { formShown: true, callback: back, jsRanAtApp: back.title === "App (scripts run)", ...(await rp.redeem(session.page.url(), request)) };
}

const scenarios = {
  async code_pkce(browser, input, rp) {
    const session = await Session.open(browser, input);
    return { session, result: await signIn(session, rp, input) };
  },

  async no_js(browser, input, rp) {
    const session = await Session.open(browser, input, { javaScriptEnabled: false });
    return { session, result: await signIn(session, rp, input) };
  },

  async sso(browser, input, rp) {
    const session = await Session.open(browser, input);
    const first = await signIn(session, rp, input, "client A");
    const other = await RelyingParty.discover(input.issuer, input.otherClientId, input.redirectUri);

    // Client B, same browser: the pool's session cookie answers for the user.
    const silent = await other.authorizationRequest();
    const silentStep = await session.visit("client B: authorize", silent.url);
    const second = session.atApp()
      ? { formShown: false, callback: silentStep, ...(await other.redeem(session.page.url(), silent)) }
      : { formShown: true, callback: silentStep };

    // prompt=login: the form all the same, and signing in there works.
    const forced = await other.authorizationRequest({ prompt: "login" });
    const forcedStep = await session.visit("client B, prompt=login: authorize", forced.url);
    let third = { formShown: forcedStep.title === "Sign in", page: forcedStep };
    if (third.formShown) {
      const back = await session.signInForm("client B, prompt=login: submit the form", input.username, input.password);
      expectApp(session, back);
      third = { ...third, ...(await other.redeem(session.page.url(), forced)) };
    }
    return { session, result: { first, second, promptLogin: third } };
  },

  async logout(browser, input, rp) {
    const session = await Session.open(browser, input);
    const first = await signIn(session, rp, input);

    const before = await rp.authorizationRequest();
    const beforeStep = await session.visit("before logout: authorize again", before.url);
    const beforeLogout = { formShown: !session.atApp(), page: beforeStep };

    const endSession = client.buildEndSessionUrl(rp.config, { client_id: input.clientId, logout_uri: input.logoutUri });
    const logoutStep = await session.visit("logout", endSession.href);
    const landedAt = session.page.url();

    const after = await rp.authorizationRequest();
    const afterStep = await session.visit("after logout: authorize again", after.url);
    const afterLogout = { formShown: afterStep.title === "Sign in", page: afterStep };
    const silent = await rp.authorizationRequest({ prompt: "none" });
    const silentStep = await session.visit("after logout: authorize with prompt=none", silent.url);
    return {
      session,
      result: {
        first,
        beforeLogout,
        endSessionUrl: endSession.href,
        logout: { landedAt, page: logoutStep },
        afterLogout,
        promptNone: silentStep.query ?? null,
      },
    };
  },

  async new_password(browser, input, rp) {
    const session = await Session.open(browser, input);
    const request = await rp.authorizationRequest();
    expectForm(await session.visit("authorize", request.url));
    const change = await session.signInForm("sign in with the temporary password", input.username, input.password);
    const newPasswordLabel = await session.page.getByLabel("New password", { exact: true }).count();
    const back = await session.submit("set a new password", { "New password": input.newPassword }, "Continue");
    expectApp(session, back);
    const redeemed = await rp.redeem(session.page.url(), request);

    // The new password is the one that works now.
    const again = await Session.open(browser, input);
    const later = await signIn(again, rp, { ...input, password: input.newPassword }, "later, with the new password");
    await again.page.context().close();
    return { session, result: { challengePage: change, newPasswordField: newPasswordLabel === 1, ...redeemed, later } };
  },

  async sign_up(browser, input, rp) {
    const session = await Session.open(browser, input);
    const request = await rp.authorizationRequest();
    expectForm(await session.visit("authorize", request.url));
    await Promise.all([session.page.waitForEvent("load"), session.page.getByRole("link", { name: "Sign up", exact: true }).click()]);
    const signUpPage = await session.record("follow the Sign up link");
    const fields = { Username: input.username, Email: input.email, Password: input.password };
    const confirmPage = await session.submit("sign up", fields, "Sign up");
    const code = await askFor("code");
    const confirmed = await session.submit("the e-mailed code", { Code: code }, "Verify");
    const notices = (await session.page.locator(".notice").allInnerTexts()).map((t) => t.trim());
    const back = await session.signInForm("sign in with the new account", input.username, input.password);
    expectApp(session, back);
    return { session, result: { signUpPage, confirmPage, confirmed, notices, ...(await rp.redeem(session.page.url(), request)) } };
  },

  /** The page's computed look in a light and a dark browser, then a sign-in through it. */
  async styled(browser, input, rp) {
    const looks = {};
    for (const colorScheme of ["light", "dark"]) {
      const context = await browser.newContext({ colorScheme });
      const page = await context.newPage();
      const request = await rp.authorizationRequest();
      await page.goto(request.url, { waitUntil: "load" });
      looks[colorScheme] = await page.evaluate(() => {
        const style = (selector) => getComputedStyle(document.querySelector(selector));
        const logo = document.querySelector("img.logo-customizable");
        return {
          title: document.title,
          page: style("body").backgroundColor,
          form: style("main").backgroundColor,
          button: style("button[type=submit]").backgroundColor,
          buttonText: style("button[type=submit]").color,
          logoWidth: logo && logo.complete ? logo.naturalWidth : 0,
        };
      });
      await context.close();
    }
    const session = await Session.open(browser, input);
    return { session, result: { looks, signedIn: await signIn(session, rp, input) } };
  },

  /** Through a SAML identity provider: its button on the sign-in page, its own form, the answer
   * it posts back; then by the work e-mail field; then a sign-out that ends its session too. */
  async saml(browser, input, rp) {
    const session = await Session.open(browser, input);
    const atProvider = async (label, request) => {
      const form = await session.record(`${label}: at the identity provider`);
      const posting = await session.submit(`${label}: sign in at the identity provider`, { Username: input.username, Password: input.password }, "Sign in");
      const back = await session.submit(`${label}: the provider's answer posted back`, {}, "Continue");
      expectApp(session, back);
      return { providerForm: form, posting, ...(await rp.redeem(session.page.url(), request)) };
    };
    const request = await rp.authorizationRequest();
    expectForm(await session.visit("authorize", request.url));
    await Promise.all([
      session.page.waitForEvent("load"),
      session.page.getByRole("link", { name: `Sign in with ${input.provider}`, exact: true }).click(),
    ]);
    const byButton = await atProvider("by the button", request);

    // A fresh browser: the work e-mail address routes to the provider by its identifier.
    const other = await Session.open(browser, input);
    const routed = await rp.authorizationRequest();
    expectForm(await other.visit("authorize (work e-mail)", routed.url));
    const routedTo = await other.submit("route by the work e-mail address", { "Work e-mail address": input.workEmail }, "Continue with work e-mail");
    await other.page.context().close();

    const endSession = client.buildEndSessionUrl(rp.config, { client_id: input.clientId, logout_uri: input.logoutUri });
    const providerLogout = await session.visit("logout", endSession.href);
    const landed = await session.submit("the provider's logout answer posted back", {}, "Continue");
    const landedAt = session.page.url();
    const after = await rp.authorizationRequest();
    const afterStep = await session.visit("after logout: authorize again", after.url);
    return {
      session,
      result: { byButton, routedTo, providerLogout, logout: { landedAt, page: landed }, afterLogout: { formShown: afterStep.title === "Sign in" } },
    };
  },

  async totp(browser, input, rp) {
    const session = await Session.open(browser, input);
    const request = await rp.authorizationRequest();
    expectForm(await session.visit("authorize", request.url));
    const ask = await session.signInForm("submit the form", input.username, input.password);
    const codeField = await session.page.getByLabel("Code", { exact: true }).count();
    const good = totp(input.totpSecret);
    const wrong = good === "000000" ? "111111" : "000000";
    const refused = await session.submit("a wrong code", { Code: wrong }, "Verify");
    const back = await session.submit("the authenticator's code", { Code: totp(input.totpSecret) }, "Verify");
    expectApp(session, back);
    return { session, result: { challengePage: ask, codeField: codeField === 1, wrongCode: refused, ...(await rp.redeem(session.page.url(), request)) } };
  },
};

// ---------------------------------------------------------------------------------------------

const input = await readInput();
const timer = setTimeout(() => {
  finish({ ok: false, scenario: input.scenario, error: `no result within ${OVERALL_TIMEOUT_MS / 1000} s` }, 1);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
timer.unref();

/** The app: answers every path of the redirect URI's origin with a tiny page. */
async function serveApp(redirectUri) {
  const { hostname, port } = new URL(redirectUri);
  if (!["localhost", "127.0.0.1"].includes(hostname) || !port) throw new Error(`redirectUri must be http://localhost:PORT/...: ${redirectUri}`);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end('<!doctype html><title>App</title><script>document.title = "App (scripts run)"</script><p>back at the app</p>');
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(port), "127.0.0.1", resolve);
  });
  return server;
}

let browser;
let app;
try {
  app = await serveApp(input.redirectUri);
  const rp = await RelyingParty.discover(input.issuer, input.clientId, input.redirectUri);
  browser = await chromium.launch({
    executablePath: input.chromium || process.env.POOLDESK_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const out = await scenarios[input.scenario](browser, input, rp);
  finish(
    {
      ok: true,
      scenario: input.scenario,
      browser: `${browser.browserType().name()} ${browser.version()}`,
      discovery: rp.config.serverMetadata(),
      steps: STEPS,
      ...out.result,
    },
    0,
  );
} catch (e) {
  const last = SESSIONS.at(-1);
  const screenshot = last ? await last.screenshot(`failed-${input.scenario}`) : undefined;
  finish({ ok: false, scenario: input.scenario, error: `${e?.name ?? "Error"}: ${e?.message ?? e}`, stack: e?.stack, steps: STEPS, screenshot }, 1);
} finally {
  stdinReader?.close();
  process.stdin.destroy();
  await browser?.close().catch(() => {});
  app?.closeAllConnections();
  app?.close();
}
