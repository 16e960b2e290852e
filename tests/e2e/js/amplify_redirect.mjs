// Amplify JS v6 in a real browser against PoolDesk over TLS: signInWithRedirect through the
// managed login pages, the session read back with getCurrentUser and fetchAuthSession, signOut
// through the pool's /logout, and a second sign-in that shows the form again.
//
// The app (amplify_app.mjs) is bundled with esbuild into a temporary directory and served over
// HTTPS on 127.0.0.1:appPort with the server's self-signed certificate, at the origin
// https://localhost:appPort (the client's CallbackURLs and LogoutURLs are that origin + "/").
// Chromium is Debian's, driven by playwright-core (no browser download).
//
// Input: one JSON object, as the first argument, in the env var POOLDESK_BROWSER_INPUT, or on
// stdin:
//   {"server": "https://127.0.0.1:PORT", "userPoolId": "...", "clientId": "...",
//    "domain": "127.0.0.1:PORT/domains/NAME", "appPort": 4443, "cert": "cert.pem", "key": "key.pem",
//    "username": "...", "password": "...",
//    "chromium": "/usr/bin/chromium" (optional), "artifactsDir": "/tmp/x" (optional: a
//    screenshot of the page is left there when something fails)}
// Output (stdout, one line of JSON): {"ok": true, ...what happened...}; on a failure
// {"ok": false, "error": "...", "steps": [...], "requests": [...]} and exit code 1. Bad input
// exits 2.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // The server's and the app's certificate is self-signed, made by the test for 127.0.0.1 and
  // localhost; Chromium has no way to trust it short of an NSS database, so certificate errors
  // are ignored (the pages are still https: origins, so Secure cookies and the like still apply).
  "--ignore-certificate-errors",
];
const OVERALL_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 20_000;

const STEPS = []; // every page the browser settled on, in order
const REQUESTS = []; // every request to PoolDesk: method, URL (without query values), status
const CONSOLE = []; // the app's console errors and uncaught exceptions

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
  for (const key of ["server", "userPoolId", "clientId", "domain", "cert", "key", "username", "password"]) {
    if (typeof input[key] !== "string" || input[key] === "") usage(`input lacks "${key}"`);
  }
  if (!Number.isInteger(input.appPort) || input.appPort <= 0) usage('input lacks "appPort"');
  return input;
}

function usage(why) {
  process.stderr.write(`${why}\nusage: node amplify_redirect.mjs '{"server","userPoolId","clientId","domain","appPort","cert","key","username","password"}'\n`);
  process.exit(2);
}

let finished = false;
function finish(result, code) {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exitCode = code;
}

// ---------------------------------------------------------------------------------------------
// The app: bundled, then served over HTTPS
// ---------------------------------------------------------------------------------------------

async function bundleApp(dir) {
  const outfile = path.join(dir, "app.js");
  await build({
    entryPoints: [path.join(HERE, "amplify_app.mjs")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    outfile,
    logLevel: "silent",
  });
  return readFileSync(outfile);
}

function indexHtml(config) {
  // JSON in a script element: "<" escaped so no value can close the element.
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Amplify app</title>
<script>window.POOLDESK_APP = ${json};</script>
<script type="module" src="/app.js"></script></head>
<body>
<button id="sign-in" type="button">Sign in</button>
<button id="sign-out" type="button">Sign out</button>
<pre id="result"></pre>
<pre id="events"></pre>
</body></html>`;
}

async function serveApp(input, bundle) {
  const html = indexHtml({
    userPoolId: input.userPoolId,
    userPoolClientId: input.clientId,
    userPoolEndpoint: input.server,
    domain: input.domain,
  });
  const server = createServer({ cert: readFileSync(input.cert), key: readFileSync(input.key) }, (req, res) => {
    const { pathname } = new URL(req.url, "https://localhost");
    if (pathname === "/app.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
      res.end(bundle);
    } else if (pathname === "/favicon.ico") {
      res.writeHead(404).end();
    } else {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(html);
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(input.appPort, "127.0.0.1", resolve);
  });
  return server;
}

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

class App {
  constructor(page, origin, server) {
    this.page = page;
    this.origin = origin;
    this.server = server;
  }

  atApp() {
    return this.page.url().startsWith(`${this.origin}/`);
  }

  async record(action, extra = {}) {
    const url = new URL(this.page.url());
    const step = { action, at: `${url.origin}${url.pathname}`, title: await this.page.title(), query: [...url.searchParams.keys()], ...extra };
    if (!this.atApp()) step.errors = (await this.page.locator(".error").allInnerTexts()).map((t) => t.trim());
    STEPS.push(step);
    return step;
  }

  /** The app's verdict once it has one: {state, value}. */
  async result(action) {
    await this.page.waitForURL((url) => url.href.startsWith(`${this.origin}/`), { waitUntil: "load" });
    const pre = this.page.locator("#result[data-state]");
    await pre.waitFor({ state: "attached" });
    const state = await pre.getAttribute("data-state");
    const value = JSON.parse(await pre.textContent());
    const events = await this.page.locator("#events").textContent();
    await this.record(action, { state, hubEvents: events ? JSON.parse(events).map((e) => e.event) : [] });
    return { state, ...value };
  }

  /** Clicks the app's "Sign in": where Amplify's redirect lands (the form, or back at the app). */
  async clickSignIn(action) {
    await Promise.all([
      this.page.waitForURL((url) => !url.href.startsWith(`${this.origin}/`) || url.searchParams.has("code"), { waitUntil: "load" }),
      this.page.getByRole("button", { name: "Sign in", exact: true }).click(),
    ]);
    return this.record(action);
  }

  /** Fills PoolDesk's sign-in form by its labels and submits it. */
  async submitForm(username, password) {
    await this.page.getByLabel("Username", { exact: true }).fill(username);
    await this.page.getByLabel("Password", { exact: true }).fill(password);
    await this.page.getByRole("button", { name: "Sign in", exact: true }).click();
  }
}

function expectForm(step) {
  if (step.title !== "Sign in" || step.at.endsWith("/")) throw new Error(`expected PoolDesk's sign-in form, got ${JSON.stringify(step)}`);
}

function expectState(result, state, what) {
  if (result.state !== state) throw new Error(`${what}: the app is ${result.state}, expected ${state}: ${JSON.stringify(result)}`);
}

async function run(browser, input) {
  const origin = `https://localhost:${input.appPort}`;
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const app = new App(page, origin, input.server);
  page.on("console", (msg) => {
    if (msg.type() === "error") CONSOLE.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => CONSOLE.push(`pageerror: ${err.message}`));
  page.on("requestfinished", async (req) => {
    if (!req.url().startsWith(input.server)) return;
    const url = new URL(req.url());
    const resp = await req.response().catch(() => null);
    REQUESTS.push({
      method: req.method(),
      path: url.pathname,
      query: [...url.searchParams.keys()],
      status: resp?.status() ?? null,
      location: resp?.headers().location?.split("?")[0],
      resourceType: req.resourceType(),
    });
  });
  page.on("requestfailed", (req) => {
    if (req.url().startsWith(input.server)) REQUESTS.push({ method: req.method(), path: new URL(req.url()).pathname, failed: req.failure()?.errorText });
  });

  // A first visit: no session yet.
  await page.goto(`${origin}/`, { waitUntil: "load" });
  const before = await app.result("open the app");
  expectState(before, "signed-out", "before signing in");

  // signInWithRedirect: PoolDesk's form; signing in there comes back with a code that Amplify redeems.
  const form = await app.clickSignIn("click Sign in");
  expectForm(form);
  await app.submitForm(input.username, input.password);
  const signedIn = await app.result("signed in at PoolDesk");
  expectState(signedIn, "signed-in", "after the sign-in form");

  // A reload: the session is in the browser's storage now.
  await page.reload({ waitUntil: "load" });
  const reloaded = await app.result("reload the app");

  // signOut: Amplify goes to PoolDesk's /logout with logout_uri, which redirects the browser
  // back (no page commits at PoolDesk, so it is the request that is awaited). The verdict is
  // cleared first so that only the page after the redirect (or a failed signOut) sets one.
  await page.locator("#result").evaluate((pre) => pre.removeAttribute("data-state"));
  await Promise.all([
    page.waitForRequest((req) => req.url().startsWith(`${input.server}/`) && new URL(req.url()).pathname.endsWith("/logout")),
    page.getByRole("button", { name: "Sign out", exact: true }).click(),
  ]);
  const signedOut = await app.result("signed out");
  expectState(signedOut, "signed-out", "after signOut");

  // A second sign-in: PoolDesk's session ended with the logout, so the form again.
  const again = await app.clickSignIn("click Sign in again");
  const formShownAgain = again.title === "Sign in" && !again.at.startsWith(origin);
  let secondSignIn = null;
  if (formShownAgain) {
    await app.submitForm(input.username, input.password);
    secondSignIn = await app.result("signed in again");
  }
  await context.close();
  return { before, signedIn, reloaded, signedOut, formShownAgain, secondSignIn };
}

// ---------------------------------------------------------------------------------------------

const input = await readInput();
const timer = setTimeout(() => {
  finish({ ok: false, error: `no result within ${OVERALL_TIMEOUT_MS / 1000} s`, steps: STEPS, requests: REQUESTS, console: CONSOLE }, 1);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
timer.unref();

let browser;
let server;
const workDir = mkdtempSync(path.join(tmpdir(), "pooldesk-amplify-"));
try {
  const bundle = await bundleApp(workDir);
  server = await serveApp(input, bundle);
  browser = await chromium.launch({
    executablePath: input.chromium || process.env.POOLDESK_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const out = await run(browser, input);
  finish(
    {
      ok: true,
      browser: `${browser.browserType().name()} ${browser.version()}`,
      bundleBytes: bundle.length,
      steps: STEPS,
      requests: REQUESTS,
      console: CONSOLE,
      ...out,
    },
    0,
  );
} catch (e) {
  const pages = browser?.contexts().flatMap((c) => c.pages()) ?? [];
  const page = pages.at(-1);
  let screenshot;
  if (page && input.artifactsDir) {
    mkdirSync(input.artifactsDir, { recursive: true });
    screenshot = path.join(input.artifactsDir, "failed-amplify.png");
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
  }
  const where = page ? { url: page.url(), result: await page.locator("#result").textContent({ timeout: 1000 }).catch(() => null) } : undefined;
  const blocked = CONSOLE.filter((line) => /CORS|Failed to fetch/.test(line));
  const error = `${e?.name ?? "Error"}: ${e?.message ?? e}` + (blocked.length ? ` (the browser said: ${blocked.join(" | ")})` : "");
  finish({ ok: false, error, stack: e?.stack, where, steps: STEPS, requests: REQUESTS, console: CONSOLE, screenshot }, 1);
} finally {
  await browser?.close().catch(() => {});
  server?.closeAllConnections();
  server?.close();
  rmSync(workDir, { recursive: true, force: true });
}
