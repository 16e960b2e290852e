// An external SAML 2.0 identity provider for the SAML federation tests: samlify's IdP role (with
// @authenio/samlify-node-xmllint checking every inbound message against the SAML schemas) on
// loopback, so PoolDesk's service-provider side (the Redirect-binding AuthnRequest, its
// signature, the POST-binding Response at the ACS URL with its signatures, conditions, audience
// and encrypted assertion, single logout) is tested against a real SAML implementation rather
// than against a mock written to agree with it.
//
// Input: a JSON file named by the first argument (or the JSON itself in POOLDESK_SAML_IDP_CONFIG):
//   {"port": 0, "key_pem": "...", "cert_pem": "...",
//    "other_key_pem"?: "...", "other_cert_pem"?: "...",   (the `other_key` tamper signs with these)
//    "accounts": [{"username", "password", "name_id", "name_id_format"?,
//                  "attributes": {"<SAML Attribute Name>": "value" | ["v1", "v2"]}}]}
// name_id_format is a URI or one of persistent (the default), transient, email, unspecified.
//
// Output: when listening, one line on stdout: {"base": "http://127.0.0.1:PORT"}. The entity ID
// is BASE/metadata. Each request is logged on stderr (method, path, status) with what it
// carried (AuthnRequest and LogoutRequest IDs, NameID, SessionIndex) and any error. SIGTERM
// (or SIGINT) closes the server and exits 0. Bad input exits 2.
//
// Endpoints:
//   GET  /metadata        IdP metadata: signing KeyDescriptor (cert_pem), SingleSignOnService and
//                         SingleLogoutService (HTTP-Redirect) at BASE/sso and BASE/slo, NameID
//                         formats persistent, emailAddress, unspecified. WantAuthnRequestsSigned
//                         is the want_signed_requests of the last SP registered (false before).
//   POST /sp              JSON: registers or replaces (by entity_id) a service provider:
//                         {"entity_id", "acs_url", "slo_url"?, "signing_cert"? (base64 DER),
//                          "want_signed_requests": bool, "encryption_cert"? (base64 DER),
//                          "encrypt": bool, "data_encryption": "aes256-cbc" (default) |
//                          "aes128-cbc" | "aes128-gcm" | "aes256-gcm" | "tripledes-cbc" | a URI,
//                          "key_encryption": "rsa-oaep-mgf1p" (default) | "rsa-1_5" | a URI,
//                          "sign": "both" (default) | "assertion" | "response"}  -> 204
//   GET  /sso             Redirect-binding AuthnRequest (SAMLRequest, RelayState, SigAlg,
//                         Signature). The SP is found by the request's Issuer. When the SP wants
//                         signed requests the query signature (over the raw
//                         SAMLRequest=..&RelayState=..&SigAlg=..) must verify with its
//                         signing_cert: missing or bad is a 400 saying why. A signature that is
//                         sent is checked in any case when the SP has a signing_cert. Answers
//                         the sign-in form (title "SAML IdP sign in").
//   POST /login           The form: username, password, request_id, sp, relay_state, tamper?.
//                         Wrong password: the form again with "Wrong username or password".
//                         Success: the "SAML IdP continue" page, a form POSTing SAMLResponse and
//                         RelayState to the SP's ACS URL (no JavaScript: a test or a browser
//                         submits it).
//   GET  /idp-init        ?sp=ENTITY_ID&username=U&relay_state=R&tamper=T: an IdP-initiated
//                         response for that account (no InResponseTo, no password asked).
//   GET  /slo             Redirect-binding LogoutRequest from an SP (signature rules as /sso):
//                         answers the "SAML IdP logout" page, a form POSTing a signed
//                         LogoutResponse (InResponseTo the request) and RelayState to slo_url.
//   GET  /last-request    JSON {"id", "issuer", "acs_url", "signed", "relay_state"} of the last
//                         AuthnRequest that parsed (null before any); signed: a query signature
//                         was present and verified.
//   GET  /last-logout     JSON {"id", "name_id", "session_index", "issuer", "relay_state"} of the
//                         last LogoutRequest (null before any).
//
// The Response: Destination and SubjectConfirmationData Recipient the ACS URL, InResponseTo
// (SP-initiated), Conditions NotBefore now and NotOnOrAfter now + 5 minutes with the SP's entity
// ID as Audience, an AuthnStatement (PasswordProtectedTransport) with a fresh SessionIndex, the
// account's attributes (several AttributeValue elements for a list). Signed RSA-SHA256 with
// exclusive c14n: the assertion, the response or both as the SP's `sign` says; with `encrypt`
// the (signed) assertion is encrypted to the SP's encryption_cert and the response signed after.
//
// Tamper knobs (`tamper` form field of POST /login, query parameter of /idp-init), for negative
// tests; whatever is not named stays correct:
//   expired         Conditions NotOnOrAfter and SubjectConfirmationData NotOnOrAfter 5 minutes
//                   in the past (NotBefore 10 minutes ago), correctly signed.
//   audience=X      the Audience is X, correctly signed.
//   unsigned        no signature at all (still encrypted if the SP wants that).
//   other_key       signed (as `sign` says) with other_key_pem, other_cert_pem in KeyInfo: a key
//                   that is not in the metadata. Needs other_key_pem/other_cert_pem in the config.
//   recipient=X     SubjectConfirmationData Recipient (and Destination) X, correctly signed.
//   in_response_to=X  InResponseTo X (Response and SubjectConfirmationData), correctly signed.
// Everything lives in memory.

import { randomUUID, verify as cryptoVerify } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { inflateRawSync } from "node:zlib";

import xmllint from "@authenio/samlify-node-xmllint";
import samlify from "samlify";

// Only the ready line goes to stdout.
console.log = console.info = console.warn = (...args) => console.error(...args);

const { IdentityProvider, ServiceProvider, SamlLib, Constants, setSchemaValidator } = samlify;
setSchemaValidator(xmllint);

const BINDING = Constants.namespace.binding;
const NAME_ID_FORMATS = {
  persistent: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  transient: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
  email: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  emailaddress: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  unspecified: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
};
const DATA_ENCRYPTION = {
  "aes128-cbc": "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
  "aes256-cbc": "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
  "aes128-gcm": "http://www.w3.org/2009/xmlenc11#aes128-gcm",
  "aes256-gcm": "http://www.w3.org/2009/xmlenc11#aes256-gcm",
  "tripledes-cbc": "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
};
const KEY_ENCRYPTION = {
  "rsa-oaep-mgf1p": "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
  "rsa-1_5": "http://www.w3.org/2001/04/xmlenc#rsa-1_5",
};
const SIG_ALGS = {
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "sha256",
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": "sha512",
  "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "sha1",
};
const PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
const VALIDITY_MS = 5 * 60 * 1000;

function fail(message) {
  process.stderr.write(`saml_idp.mjs: ${message}\n`);
  process.exit(2);
}

function readConfig() {
  let raw = process.env.POOLDESK_SAML_IDP_CONFIG;
  if (process.argv[2]) {
    try {
      raw = readFileSync(process.argv[2], "utf8");
    } catch (e) {
      fail(`cannot read ${process.argv[2]}: ${e.message}`);
    }
  }
  if (!raw) fail("usage: node saml_idp.mjs CONFIG.json (or POOLDESK_SAML_IDP_CONFIG)");
  let config;
  try {
    config = JSON.parse(raw);
  } catch (e) {
    fail(`the config is not JSON: ${e.message}`);
  }
  const { port = 0, key_pem, cert_pem, other_key_pem, other_cert_pem, accounts = [] } = config;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port ${JSON.stringify(port)}`);
  if (typeof key_pem !== "string" || typeof cert_pem !== "string") fail("key_pem and cert_pem are required");
  if (!Array.isArray(accounts)) fail("accounts must be an array");
  for (const a of accounts) {
    if (!a?.username || typeof a.password !== "string" || !a.name_id) fail(`an account needs username, password and name_id: ${JSON.stringify(a)}`);
  }
  return { port, key_pem, cert_pem, other_key_pem, other_cert_pem, accounts };
}

const config = readConfig();

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function html(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(res, status, body, type = "text/html; charset=utf-8") {
  res.statusCode = status;
  res.setHeader("Content-Type", type);
  res.setHeader("Cache-Control", "no-store");
  res.end(body);
}

const sendText = (res, status, text) => send(res, status, `${text}\n`, "text/plain; charset=utf-8");
const sendJson = (res, status, value) => send(res, status, `${JSON.stringify(value)}\n`, "application/json; charset=utf-8");

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 256 * 1024) throw new Error("body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function derToPem(b64) {
  const body = String(b64).replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g).join("\n")}\n-----END CERTIFICATE-----\n`;
}

function nameIdFormat(format) {
  if (!format) return NAME_ID_FORMATS.persistent;
  return NAME_ID_FORMATS[String(format).toLowerCase()] ?? format;
}

function parseTamper(value) {
  const raw = (value ?? "").trim();
  if (!raw) return {};
  const eq = raw.indexOf("=");
  const kind = eq < 0 ? raw : raw.slice(0, eq);
  const arg = eq < 0 ? "" : raw.slice(eq + 1);
  const known = ["expired", "audience", "unsigned", "other_key", "recipient", "in_response_to"];
  if (!known.includes(kind)) throw new Error(`unknown tamper ${JSON.stringify(raw)}: one of ${known.join(", ")}`);
  if (kind === "other_key" && !(config.other_key_pem && config.other_cert_pem)) throw new Error("tamper other_key needs other_key_pem and other_cert_pem in the config");
  return { [kind]: arg || true };
}

// The raw (still URL-encoded) SAMLRequest|SAMLResponse, RelayState and SigAlg of a query, in
// that order, as the Redirect binding signs them (saml-bindings 3.4.4.1).
function octetString(rawQuery, messageParam) {
  const parts = rawQuery.split("&");
  const pick = (name) => parts.find((p) => p.startsWith(`${name}=`));
  return [pick(messageParam), pick("RelayState"), pick("SigAlg")].filter(Boolean).join("&");
}

// ---------------------------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------------------------

let base = "";
let entityId = "";
const sps = new Map(); // entity_id -> registration
let lastWantSigned = false;
let lastRequest = null;
let lastLogout = null;
const pending = new Map(); // AuthnRequest ID -> {sp, relayState}

function spEntity(reg) {
  const slo = reg.slo_url
    ? [{ Binding: BINDING.post, Location: reg.slo_url }, { Binding: BINDING.redirect, Location: reg.slo_url }]
    : [];
  return ServiceProvider({
    entityID: reg.entity_id,
    assertionConsumerService: [{ Binding: BINDING.post, Location: reg.acs_url }],
    singleLogoutService: slo,
    ...(reg.signingPem ? { signingCert: reg.signingPem } : {}),
    ...(reg.encryptionPem ? { encryptCert: reg.encryptionPem } : {}),
    authnRequestsSigned: reg.want_signed_requests,
    wantAssertionsSigned: reg.sign !== "response",
    wantMessageSigned: reg.sign !== "assertion",
    wantLogoutResponseSigned: true,
    wantLogoutRequestSigned: reg.want_signed_requests,
  });
}

// One IdP entity per use: samlify keeps encryption and request-signing settings on the IdP,
// and they follow the SP here.
function idpEntity({ reg, otherKey = false, wantSigned = reg?.want_signed_requests ?? lastWantSigned } = {}) {
  return IdentityProvider({
    entityID: entityId,
    privateKey: otherKey ? config.other_key_pem : config.key_pem,
    signingCert: otherKey ? config.other_cert_pem : config.cert_pem,
    singleSignOnService: [{ Binding: BINDING.redirect, Location: `${base}/sso` }],
    singleLogoutService: [{ Binding: BINDING.redirect, Location: `${base}/slo` }],
    nameIDFormat: [NAME_ID_FORMATS.persistent, NAME_ID_FORMATS.email, NAME_ID_FORMATS.unspecified],
    wantAuthnRequestsSigned: wantSigned,
    wantLogoutRequestSigned: wantSigned,
    isAssertionEncrypted: Boolean(reg?.encrypt),
    ...(reg?.encrypt ? { dataEncryptionAlgorithm: reg.dataEncryption, keyEncryptionAlgorithm: reg.keyEncryption } : {}),
  });
}

function registerSp(body) {
  const r = body ?? {};
  const need = (cond, why) => {
    if (!cond) throw new Error(why);
  };
  need(typeof r.entity_id === "string" && r.entity_id, "entity_id is required");
  need(typeof r.acs_url === "string" && /^https?:\/\//.test(r.acs_url), "acs_url (http or https URL) is required");
  const sign = r.sign ?? "both";
  need(["assertion", "response", "both"].includes(sign), `sign is assertion, response or both, not ${JSON.stringify(sign)}`);
  need(!r.want_signed_requests || r.signing_cert, "want_signed_requests needs signing_cert");
  need(!r.encrypt || r.encryption_cert, "encrypt needs encryption_cert");
  const dataEncryption = DATA_ENCRYPTION[r.data_encryption ?? "aes256-cbc"] ?? r.data_encryption;
  const keyEncryption = KEY_ENCRYPTION[r.key_encryption ?? "rsa-oaep-mgf1p"] ?? r.key_encryption;
  need(/^http/.test(dataEncryption), `unknown data_encryption ${JSON.stringify(r.data_encryption)}`);
  need(/^http/.test(keyEncryption), `unknown key_encryption ${JSON.stringify(r.key_encryption)}`);
  const reg = {
    entity_id: r.entity_id,
    acs_url: r.acs_url,
    slo_url: r.slo_url || undefined,
    want_signed_requests: Boolean(r.want_signed_requests),
    encrypt: Boolean(r.encrypt),
    sign,
    dataEncryption,
    keyEncryption,
    signingPem: r.signing_cert ? derToPem(r.signing_cert) : undefined,
    encryptionPem: r.encryption_cert ? derToPem(r.encryption_cert) : undefined,
  };
  reg.entity = spEntity(reg); // fails here on a bad certificate
  sps.set(reg.entity_id, reg);
  lastWantSigned = reg.want_signed_requests;
  process.stderr.write(`  registered SP ${reg.entity_id} acs=${reg.acs_url} sign=${reg.sign} encrypt=${reg.encrypt} want_signed_requests=${reg.want_signed_requests}\n`);
}

// ---------------------------------------------------------------------------------------------
// Inbound Redirect-binding messages
// ---------------------------------------------------------------------------------------------

class BadRequest extends Error {}

// Decodes, finds the SP by Issuer, checks the query signature, then has samlify parse and
// validate (schema, and the signature again when the SP wants signed requests).
async function parseRedirect(req, messageParam, kind) {
  const rawQuery = (req.url ?? "").split("?")[1] ?? "";
  const query = Object.fromEntries(new URLSearchParams(rawQuery));
  // Base64 has no spaces: a "+" left unencoded by the sender came through as one.
  for (const name of [messageParam, "Signature"]) {
    if (query[name]) query[name] = query[name].replace(/ /g, "+");
  }
  const message = query[messageParam];
  if (!message) throw new BadRequest(`no ${messageParam} in the query`);
  let xml;
  try {
    xml = inflateRawSync(Buffer.from(message, "base64")).toString("utf8");
  } catch (e) {
    throw new BadRequest(`${messageParam} is not deflated base64 (${e.message})`);
  }
  const issuer = /<(?:\w+:)?Issuer\b[^>]*>\s*([^<]*?)\s*<\/(?:\w+:)?Issuer>/.exec(xml)?.[1];
  if (!issuer) throw new BadRequest(`the ${kind} has no Issuer`);
  const reg = sps.get(issuer);
  if (!reg) throw new BadRequest(`unknown service provider ${issuer}: register it with POST /sp`);

  const octets = octetString(rawQuery, messageParam);
  let signed = false;
  if (query.Signature || query.SigAlg) {
    if (!query.Signature || !query.SigAlg) throw new BadRequest(`the ${kind} has ${query.Signature ? "a Signature but no SigAlg" : "a SigAlg but no Signature"}`);
    const hash = SIG_ALGS[query.SigAlg];
    if (!hash) throw new BadRequest(`unsupported SigAlg ${query.SigAlg}`);
    if (reg.signingPem) {
      const ok = cryptoVerify(hash, Buffer.from(octets, "utf8"), reg.signingPem, Buffer.from(query.Signature, "base64"));
      if (!ok) throw new BadRequest(`the ${kind} signature (${query.SigAlg}) does not verify with the signing_cert of ${issuer}`);
      signed = true;
    } else if (reg.want_signed_requests) {
      throw new BadRequest(`${issuer} has no signing_cert to check the signature with`);
    }
  } else if (reg.want_signed_requests) {
    throw new BadRequest(`${issuer} wants signed requests and this ${kind} has no Signature/SigAlg`);
  }

  const idp = idpEntity({ reg });
  const envelope = { query, octetString: octets };
  let parsed;
  try {
    parsed = kind === "AuthnRequest"
      ? await idp.parseLoginRequest(reg.entity, "redirect", envelope)
      : await idp.parseLogoutRequest(reg.entity, "redirect", envelope);
  } catch (e) {
    throw new BadRequest(`samlify refused the ${kind}: ${e?.message ?? e}`);
  }
  return { reg, parsed, signed, relayState: query.RelayState ?? "", xml };
}

// ---------------------------------------------------------------------------------------------
// The Response
// ---------------------------------------------------------------------------------------------

function attributeStatement(attributes) {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return "";
  const attrs = entries.map(([name, value]) => {
    const values = (Array.isArray(value) ? value : [value])
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${html(v)}</saml:AttributeValue>`)
      .join("");
    return `<saml:Attribute Name="${html(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">${values}</saml:Attribute>`;
  });
  return `<saml:AttributeStatement>${attrs.join("")}</saml:AttributeStatement>`;
}

// The login response XML from samlify's default template, every tag filled here (samlify's own
// values would leave out the AuthnStatement and allow one AttributeValue per attribute).
function renderResponse(template, { reg, account, inResponseTo, tamper, sessionIndex }) {
  const now = new Date();
  const iso = (ms) => new Date(now.getTime() + ms).toISOString();
  const notOnOrAfter = tamper.expired ? iso(-VALIDITY_MS) : iso(VALIDITY_MS);
  const recipient = typeof tamper.recipient === "string" ? tamper.recipient : reg.acs_url;
  const irt = typeof tamper.in_response_to === "string" ? tamper.in_response_to : inResponseTo;
  const id = `_${randomUUID()}`;
  const authn = `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${html(sessionIndex)}"><saml:AuthnContext><saml:AuthnContextClassRef>${PASSWORD_CLASS}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`;
  const values = {
    ID: id,
    AssertionID: `_${randomUUID()}`,
    Destination: recipient,
    Audience: typeof tamper.audience === "string" ? tamper.audience : reg.entity_id,
    SubjectRecipient: recipient,
    Issuer: entityId,
    IssueInstant: now.toISOString(),
    StatusCode: Constants.StatusCode.Success,
    ConditionsNotBefore: tamper.expired ? iso(-2 * VALIDITY_MS) : now.toISOString(),
    ConditionsNotOnOrAfter: notOnOrAfter,
    SubjectConfirmationDataNotOnOrAfter: notOnOrAfter,
    NameIDFormat: nameIdFormat(account.name_id_format),
    NameID: account.name_id,
    InResponseTo: irt || null, // null drops the attribute (IdP-initiated)
  };
  let xml = SamlLib.replaceTagsByValue(template, values);
  xml = xml.replace("{AuthnStatement}", authn).replace("{AttributeStatement}", attributeStatement(account.attributes));
  return { id, context: xml };
}

async function loginResponse({ reg, account, inResponseTo, tamper, relayState }) {
  const sessionIndex = `_${randomUUID()}`;
  const spec = { reg, account, inResponseTo, tamper, sessionIndex };
  const idp = idpEntity({ reg, otherKey: Boolean(tamper.other_key) });
  let samlResponse;
  if (tamper.unsigned) {
    const { context } = renderResponse(SamlLib.defaultLoginResponseTemplate.context, spec);
    samlResponse = reg.encrypt
      ? await SamlLib.encryptAssertion(idp, reg.entity, context)
      : Buffer.from(context, "utf8").toString("base64");
  } else {
    const out = await idp.createLoginResponse(reg.entity, null, "post", {}, {
      relayState,
      customTagReplacement: (template) => renderResponse(template, spec),
      // The response signature must come after encryption, or it covers the replaced assertion.
      encryptThenSign: reg.encrypt,
    });
    samlResponse = out.context;
  }
  process.stderr.write(`  Response for ${account.name_id} to ${reg.entity_id} InResponseTo=${inResponseTo ?? "-"} SessionIndex=${sessionIndex}${Object.keys(tamper).length ? ` tamper=${JSON.stringify(tamper)}` : ""}\n`);
  return samlResponse;
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

function signInPage({ requestId, sp, relayState, username = "", error = "" }) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>SAML IdP sign in</title></head>
<body>
<h1>SAML IdP sign in</h1>
<p>Signing in to ${html(sp)}</p>
${error ? `<p id="error" role="alert">${html(error)}</p>\n` : ""}<form method="post" action="/login">
<input type="hidden" name="request_id" value="${html(requestId)}">
<input type="hidden" name="sp" value="${html(sp)}">
<input type="hidden" name="relay_state" value="${html(relayState)}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username" value="${html(username)}" required></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
</body>
</html>
`;
}

function postPage(title, action, fields) {
  const inputs = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `<input type="hidden" name="${html(k)}" value="${html(v)}">`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${html(title)}</title></head>
<body>
<h1>${html(title)}</h1>
<form method="post" action="${html(action)}">
${inputs}
<button type="submit">Continue</button>
</form>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

async function sso(req, res) {
  const { reg, parsed, signed, relayState } = await parseRedirect(req, "SAMLRequest", "AuthnRequest");
  const request = parsed.extract.request ?? {};
  const id = request.id;
  if (!id) throw new BadRequest("the AuthnRequest has no ID");
  const acs = request.assertionConsumerServiceUrl;
  if (acs && acs !== reg.acs_url) throw new BadRequest(`AssertionConsumerServiceURL ${acs} is not the registered acs_url ${reg.acs_url}`);
  lastRequest = { id, issuer: reg.entity_id, acs_url: acs ?? null, signed, relay_state: relayState };
  pending.set(id, { sp: reg.entity_id, relayState });
  process.stderr.write(`  AuthnRequest ${id} from ${reg.entity_id} signed=${signed}\n`);
  send(res, 200, signInPage({ requestId: id, sp: reg.entity_id, relayState }));
}

async function login(req, res) {
  const form = new URLSearchParams(await readBody(req));
  const requestId = form.get("request_id") ?? "";
  const spId = form.get("sp") ?? "";
  const relayState = form.get("relay_state") ?? "";
  const reg = sps.get(spId);
  if (!reg) throw new BadRequest(`unknown service provider ${spId}`);
  if (requestId && !pending.has(requestId)) throw new BadRequest(`no AuthnRequest ${requestId} in progress`);
  const tamper = (() => {
    try {
      return parseTamper(form.get("tamper"));
    } catch (e) {
      throw new BadRequest(e.message);
    }
  })();
  const username = form.get("username") ?? "";
  const account = config.accounts.find((a) => a.username === username.trim());
  if (!account || account.password !== (form.get("password") ?? "")) {
    return send(res, 200, signInPage({ requestId, sp: spId, relayState, username, error: "Wrong username or password" }));
  }
  pending.delete(requestId);
  const samlResponse = await loginResponse({ reg, account, inResponseTo: requestId || undefined, tamper, relayState });
  send(res, 200, postPage("SAML IdP continue", reg.acs_url, { SAMLResponse: samlResponse, RelayState: relayState }));
}

async function idpInit(req, res) {
  const q = new URL(req.url, base).searchParams;
  const reg = sps.get(q.get("sp") ?? "");
  if (!reg) throw new BadRequest(`unknown service provider ${q.get("sp")}: register it with POST /sp`);
  const account = config.accounts.find((a) => a.username === (q.get("username") ?? ""));
  if (!account) throw new BadRequest(`no account ${q.get("username")}`);
  let tamper;
  try {
    tamper = parseTamper(q.get("tamper"));
  } catch (e) {
    throw new BadRequest(e.message);
  }
  const relayState = q.get("relay_state") ?? "";
  const samlResponse = await loginResponse({ reg, account, inResponseTo: undefined, tamper, relayState });
  send(res, 200, postPage("SAML IdP continue", reg.acs_url, { SAMLResponse: samlResponse, RelayState: relayState }));
}

async function slo(req, res) {
  const { reg, parsed, relayState } = await parseRedirect(req, "SAMLRequest", "LogoutRequest");
  const ex = parsed.extract;
  const id = ex.request?.id;
  lastLogout = {
    id: id ?? null,
    name_id: ex.nameID ?? null,
    session_index: ex.sessionIndex ?? null,
    issuer: reg.entity_id,
    relay_state: relayState,
  };
  process.stderr.write(`  LogoutRequest ${id} from ${reg.entity_id} NameID=${ex.nameID} SessionIndex=${JSON.stringify(ex.sessionIndex)}\n`);
  if (!reg.slo_url) throw new BadRequest(`${reg.entity_id} was registered without slo_url`);
  const idp = idpEntity({ reg });
  const out = idp.createLogoutResponse(reg.entity, parsed, "post", { relayState });
  send(res, 200, postPage("SAML IdP logout", reg.slo_url, { SAMLResponse: out.context, RelayState: relayState }));
}

async function route(req, res) {
  const path = (req.url ?? "/").split("?")[0];
  const method = req.method;
  if (method === "GET" && path === "/metadata") {
    return send(res, 200, idpEntity({ wantSigned: lastWantSigned }).getMetadata(), "application/samlmetadata+xml; charset=utf-8");
  }
  if (method === "POST" && path === "/sp") {
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch (e) {
      throw new BadRequest(`the body is not JSON: ${e.message}`);
    }
    try {
      registerSp(body);
    } catch (e) {
      throw new BadRequest(`bad service provider: ${e.message}`);
    }
    res.statusCode = 204;
    return res.end();
  }
  if (method === "GET" && path === "/sso") return sso(req, res);
  if (method === "POST" && path === "/login") return login(req, res);
  if (method === "GET" && path === "/idp-init") return idpInit(req, res);
  if (method === "GET" && path === "/slo") return slo(req, res);
  if (method === "GET" && path === "/last-request") return sendJson(res, 200, lastRequest);
  if (method === "GET" && path === "/last-logout") return sendJson(res, 200, lastLogout);
  const known = { "/metadata": "GET", "/sp": "POST", "/sso": "GET", "/login": "POST", "/idp-init": "GET", "/slo": "GET", "/last-request": "GET", "/last-logout": "GET" };
  if (known[path]) {
    res.setHeader("Allow", known[path]);
    return sendText(res, 405, "method not allowed");
  }
  return sendText(res, 404, "not found");
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  res.on("finish", () => process.stderr.write(`${req.method} ${path} ${res.statusCode}\n`));
  route(req, res).catch((e) => {
    if (e instanceof BadRequest) {
      process.stderr.write(`  refused: ${e.message}\n`);
      if (!res.headersSent) return sendText(res, 400, e.message);
    } else {
      process.stderr.write(`  error: ${e?.stack ?? e}\n`);
      if (!res.headersSent) return sendText(res, 500, `internal error: ${e?.message ?? e}`);
    }
    res.end();
  });
});
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(config.port, "127.0.0.1", resolve);
});
base = `http://127.0.0.1:${server.address().port}`;
entityId = `${base}/metadata`;

// Fail at start, not at the first sign-in, on a key or certificate samlify cannot use.
try {
  idpEntity({ wantSigned: false }).getMetadata();
} catch (e) {
  fail(`bad key_pem/cert_pem: ${e.message}`);
}

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

process.stdout.write(`${JSON.stringify({ base })}\n`);
