// Sign-in providers (Cognito's identity providers): the details each type takes, the server's
// rules checked before sending, and the form ↔ CreateIdentityProvider / UpdateIdentityProvider
// conversion. Secrets are never shown back: an edit leaves them empty, and empty keeps them.
import { z } from "zod";
import type {
  CreateIdentityProviderRequest,
  IdentityProviderType,
  IdentityProviderTypeType,
  SchemaAttributeType,
  UpdateIdentityProviderRequest,
} from "../../generated/cognito-idp";

/** The types this server can create: all of Cognito's. */
export type ProviderKind = IdentityProviderTypeType;

export const PROVIDER_TYPES: { value: IdentityProviderTypeType; label: string; disabled?: boolean }[] = [
  { value: "OIDC", label: "OpenID Connect (OIDC)" },
  { value: "Google", label: "Google" },
  { value: "Facebook", label: "Facebook" },
  { value: "LoginWithAmazon", label: "Login with Amazon" },
  { value: "SignInWithApple", label: "Sign in with Apple" },
  { value: "SAML", label: "SAML 2.0" },
];

export const SOCIAL_TYPES: readonly ProviderKind[] = ["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];

/** ProviderDetails keys that hold a secret: write-only, masked wherever shown. */
export const SECRET_KEYS = ["client_secret", "private_key"] as const;
export const isSecretKey = (k: string) => (SECRET_KEYS as readonly string[]).includes(k);

/** OIDC endpoints that, all four given, replace discovery from the issuer. */
export const OIDC_ENDPOINTS = ["authorize_url", "token_url", "attributes_url", "jwks_uri"] as const;

export type DetailKey =
  | "client_id"
  | "client_secret"
  | "attributes_request_method"
  | "oidc_issuer"
  | "authorize_scopes"
  | (typeof OIDC_ENDPOINTS)[number]
  | "api_version"
  | "team_id"
  | "key_id"
  | "private_key";

export interface DetailField {
  key: DetailKey;
  label: string;
  /** Required on create (a secret is optional on edit: empty keeps the stored one). */
  required: boolean;
  secret?: boolean;
  multiline?: boolean;
  select?: readonly string[];
  hint?: string;
}

const CLIENT_ID: DetailField = { key: "client_id", label: "Client ID", required: true };
const CLIENT_SECRET: DetailField = { key: "client_secret", label: "Client secret", required: true, secret: true };
const scopes = (hint: string): DetailField => ({ key: "authorize_scopes", label: "Authorized scopes", required: true, hint });

/** The ProviderDetails each type takes, in form order. */
export const DETAIL_FIELDS: Record<ProviderKind, DetailField[]> = {
  OIDC: [
    CLIENT_ID,
    { ...CLIENT_SECRET, required: false, hint: "Optional: public clients have none." },
    { key: "oidc_issuer", label: "Issuer URL", required: true, hint: "https (http only for localhost or 127.0.0.1), such as https://accounts.example.com" },
    scopes("Separated by spaces; must include openid."),
    { key: "attributes_request_method", label: "Attributes request method", required: true, select: ["GET", "POST"] },
    { key: "authorize_url", label: "Authorization endpoint", required: false },
    { key: "token_url", label: "Token endpoint", required: false },
    { key: "attributes_url", label: "UserInfo endpoint", required: false },
    { key: "jwks_uri", label: "JWKS URI", required: false },
  ],
  Google: [CLIENT_ID, CLIENT_SECRET, scopes("Separated by spaces, such as profile email openid.")],
  Facebook: [
    { ...CLIENT_ID, label: "App ID" },
    { ...CLIENT_SECRET, label: "App secret" },
    scopes("Separated by commas, such as public_profile, email."),
    { key: "api_version", label: "Graph API version", required: false, hint: "Optional, such as v17.0." },
  ],
  LoginWithAmazon: [CLIENT_ID, CLIENT_SECRET, scopes("Separated by spaces, such as profile postal_code.")],
  SignInWithApple: [
    { ...CLIENT_ID, label: "Services ID" },
    { key: "team_id", label: "Team ID", required: true },
    { key: "key_id", label: "Key ID", required: true },
    { key: "private_key", label: "Private key (PEM)", required: true, secret: true, multiline: true },
    scopes("Separated by spaces: email and/or name."),
  ],
  // A SAML provider's details have a form of their own (`saml`).
  SAML: [],
};

const DEFAULT_SCOPES: Record<ProviderKind, string> = {
  OIDC: "openid email profile",
  Google: "profile email openid",
  Facebook: "public_profile, email",
  LoginWithAmazon: "profile postal_code",
  SignInWithApple: "email name",
  SAML: "",
};

/** The provider attribute the server always maps to username (SAML: the user is `<ProviderName>_<NameID>`). */
export const USERNAME_SOURCE: Record<IdentityProviderTypeType, string> = {
  OIDC: "sub",
  Google: "sub",
  Facebook: "id",
  LoginWithAmazon: "user_id",
  SignInWithApple: "sub",
  SAML: "NameID",
};

/** Standard attributes of a user pool a provider attribute can fill. */
export const STANDARD_ATTRIBUTES = [
  "address",
  "birthdate",
  "email",
  "email_verified",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "phone_number_verified",
  "picture",
  "preferred_username",
  "profile",
  "updated_at",
  "website",
  "zoneinfo",
] as const;

/** The pool attributes a mapping may fill: the standard ones and the pool's custom:* ones. */
export function mappableAttributes(schema: readonly SchemaAttributeType[] | undefined): string[] {
  const custom = (schema ?? []).map((a) => a.Name ?? "").filter((n) => n.startsWith("custom:"));
  return [...STANDARD_ATTRIBUTES, ...custom];
}

export interface MappingRow {
  /** The pool attribute. */
  pool: string;
  /** The provider's attribute. */
  provider: string;
}

export type ProviderDetailsForm = Record<DetailKey, string>;

/** A SAML provider's details: one metadata source, and its switches. */
export interface SamlForm {
  /** Which metadata is sent: `MetadataURL` or `MetadataFile` (the other is kept in the form, not sent). */
  source: "url" | "file";
  url: string;
  /** The metadata document's XML. */
  file: string;
  /** IDPInit: sign-ins begun at the identity provider. */
  idpInit: boolean;
  /** EncryptedResponses: assertions encrypted with the provider's own certificate. */
  encrypted: boolean;
  /** RequestSigningAlgorithm; empty: requests are not signed. */
  signing: "" | "rsa-sha256";
  /** IDPSignout: signing out of the pool signs out at the identity provider too. */
  signOut: boolean;
}

/** The most MetadataFile the server takes. */
export const MAX_METADATA_FILE = 131_072;

/** How SAML attribute names often look (the claims of AD FS and Entra ID). */
export const SAML_ATTRIBUTE_EXAMPLE = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";

/** The ProviderDetails keys the server fills in for a SAML provider: shown, never sent. */
export const SAML_FILLED_KEYS = ["SSORedirectBindingURI", "SLORedirectBindingURI", "ActiveEncryptionCertificate"] as const;

export interface ProviderFormValues {
  type: ProviderKind;
  name: string;
  details: ProviderDetailsForm;
  mapping: MappingRow[];
  /** One a line, or separated by commas. */
  identifiers: string;
  /** Used by SAML providers only. */
  saml: SamlForm;
}

const EMPTY_DETAILS: ProviderDetailsForm = {
  client_id: "",
  client_secret: "",
  attributes_request_method: "GET",
  oidc_issuer: "",
  authorize_scopes: "",
  authorize_url: "",
  token_url: "",
  attributes_url: "",
  jwks_uri: "",
  api_version: "",
  team_id: "",
  key_id: "",
  private_key: "",
};

const EMPTY_SAML: SamlForm = { source: "url", url: "", file: "", idpInit: false, encrypted: false, signing: "", signOut: false };

/** OIDC and SAML providers are named by the admin; the social ones after their type. */
export const isNamedByAdmin = (type: ProviderKind) => type === "OIDC" || type === "SAML";

export function newProviderForm(type: ProviderKind): ProviderFormValues {
  return {
    type,
    name: isNamedByAdmin(type) ? "" : type,
    details: { ...EMPTY_DETAILS, authorize_scopes: DEFAULT_SCOPES[type] },
    mapping: type === "OIDC" || type === "Google" ? [{ pool: "email", provider: "email" }] : [],
    identifiers: "",
    saml: { ...EMPTY_SAML },
  };
}

/** A stored SAML provider's details in the form (the filled-in keys are left behind). */
export function samlFormFromDetails(d: Record<string, string> | undefined): SamlForm {
  const url = d?.MetadataURL;
  return {
    source: url !== undefined || d?.MetadataFile === undefined ? "url" : "file",
    url: url ?? "",
    file: d?.MetadataFile ?? "",
    idpInit: d?.IDPInit === "true",
    encrypted: d?.EncryptedResponses === "true",
    signing: d?.RequestSigningAlgorithm === "rsa-sha256" ? "rsa-sha256" : "",
    signOut: d?.IDPSignout === "true",
  };
}

/** An existing provider in the form: its details, secrets left empty (empty keeps them). */
export function formFromProvider(p: IdentityProviderType): ProviderFormValues {
  const type = (p.ProviderType ?? "OIDC") as ProviderKind;
  const details = { ...EMPTY_DETAILS };
  for (const f of DETAIL_FIELDS[type] ?? []) {
    if (f.secret) continue;
    const v = p.ProviderDetails?.[f.key];
    if (v !== undefined) details[f.key] = v;
  }
  return {
    type,
    name: p.ProviderName ?? "",
    details,
    mapping: mappingToRows(p.AttributeMapping),
    identifiers: (p.IdpIdentifiers ?? []).join("\n"),
    saml: type === "SAML" ? samlFormFromDetails(p.ProviderDetails) : { ...EMPTY_SAML },
  };
}

/** The mapping as editable rows, without the fixed username row. */
export function mappingToRows(m: Record<string, string> | undefined): MappingRow[] {
  return Object.entries(m ?? {})
    .filter(([k]) => k !== "username")
    .map(([pool, provider]) => ({ pool, provider }));
}

export function rowsToMapping(rows: readonly MappingRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) {
    const k = r.pool.trim();
    const v = r.provider.trim();
    if (k && v) out[k] = v;
  }
  return out;
}

/** Identifiers typed one a line or separated by commas. */
export function parseIdentifiers(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export const MAX_IDENTIFIERS = 50;
const IDENTIFIER = /^[\w\s+=.@-]+$/;

export function identifiersError(ids: readonly string[]): string | undefined {
  if (ids.length > MAX_IDENTIFIERS) return `At most ${MAX_IDENTIFIERS} identifiers`;
  const bad = ids.find((i) => i.length > 40 || !IDENTIFIER.test(i));
  if (bad !== undefined) return `"${bad}": 1 to 40 letters, digits, spaces and _ + = . @ - only`;
  const dup = ids.find((i, n) => ids.indexOf(i) !== n);
  if (dup !== undefined) return `"${dup}" is listed twice`;
  return undefined;
}

export function providerNameError(name: string): string | undefined {
  if (name === "") return "Enter a name";
  if (name.length > 32) return "At most 32 characters";
  if (name.startsWith("_")) return "Must not start with _";
  if (/\s/.test(name)) return "No spaces";
  if (name.toUpperCase() === "COGNITO") return "COGNITO names the pool's own directory";
  if ((SOCIAL_TYPES as readonly string[]).includes(name)) return `${name} is the name of the ${name} provider type`;
  return undefined;
}

/** https, or http on loopback: localhost, 127.x.x.x, [::1] (a provider on this computer), as the server takes. */
export function providerUrlError(s: string, example = "https://accounts.example.com"): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return `Enter a URL, such as ${example}`;
  }
  if (u.protocol === "https:" && u.hostname !== "") return undefined;
  if (u.protocol === "http:" && (u.hostname === "localhost" || /^127(\.\d{1,3}){3}$/.test(u.hostname) || u.hostname === "[::1]")) return undefined;
  return "Must be https (http only for localhost or 127.0.0.1)";
}

/** What the server would refuse in a SAML provider's metadata source, before it reads it. */
export function samlMetadataErrors(s: SamlForm): { path: "url" | "file"; message: string } | undefined {
  if (s.source === "url") {
    const url = s.url.trim();
    if (url === "") return { path: "url", message: "Enter the metadata URL, or choose a metadata file" };
    const bad = providerUrlError(url, "https://idp.example.com/metadata.xml");
    return bad ? { path: "url", message: bad } : undefined;
  }
  const xml = s.file.trim();
  if (xml === "") return { path: "file", message: "Paste the metadata XML or choose its file" };
  if (xml.length > MAX_METADATA_FILE) return { path: "file", message: `At most ${MAX_METADATA_FILE.toLocaleString("en-US")} characters: give the metadata URL instead` };
  if (!xml.startsWith("<")) return { path: "file", message: "Not XML: the metadata is an <EntityDescriptor> document" };
  if (/<!DOCTYPE/i.test(xml)) return { path: "file", message: "A document type declaration (<!DOCTYPE …>) is not accepted: remove it" };
  return undefined;
}

/** The form's rules; `editing`: secrets may stay empty (the stored ones are kept). */
export function providerSchema(editing = false) {
  return z
    .object({
      type: z.enum(["OIDC", "Google", "Facebook", "LoginWithAmazon", "SignInWithApple", "SAML"]),
      name: z.string(),
      details: z.object(Object.fromEntries(Object.keys(EMPTY_DETAILS).map((k) => [k, z.string()])) as Record<DetailKey, z.ZodString>),
      mapping: z.array(z.object({ pool: z.string(), provider: z.string() })),
      identifiers: z.string(),
      saml: z.object({
        source: z.enum(["url", "file"]),
        url: z.string(),
        file: z.string(),
        idpInit: z.boolean(),
        encrypted: z.boolean(),
        signing: z.enum(["", "rsa-sha256"]),
        signOut: z.boolean(),
      }),
    })
    .superRefine((v, ctx) => {
      const issue = (path: (string | number)[], message: string | undefined) => message && ctx.addIssue({ code: "custom", path, message });
      const d = (k: DetailKey) => (v.details[k] ?? "").trim();
      if (isNamedByAdmin(v.type)) issue(["name"], providerNameError(v.name.trim()));
      else if (v.name !== v.type) issue(["name"], `A ${v.type} provider is named ${v.type}`);

      for (const f of DETAIL_FIELDS[v.type]) {
        const required = f.required && !(editing && f.secret);
        if (required && d(f.key) === "") issue(["details", f.key], `Enter the ${f.label.toLowerCase()}`);
      }
      if (v.type === "OIDC") {
        if (d("oidc_issuer")) issue(["details", "oidc_issuer"], providerUrlError(d("oidc_issuer")));
        const sc = d("authorize_scopes");
        if (sc && !sc.split(/\s+/).includes("openid")) issue(["details", "authorize_scopes"], "Include openid (scopes are separated by spaces)");
        if (!["GET", "POST"].includes(d("attributes_request_method"))) issue(["details", "attributes_request_method"], "GET or POST");
        const given = OIDC_ENDPOINTS.filter((k) => d(k) !== "");
        if (given.length > 0 && given.length < OIDC_ENDPOINTS.length) {
          for (const k of OIDC_ENDPOINTS) if (d(k) === "") issue(["details", k], "Give all four endpoints, or none to discover them from the issuer");
        }
        for (const k of given) issue(["details", k], providerUrlError(d(k)));
      }
      if (v.type === "SAML") {
        const bad = samlMetadataErrors(v.saml);
        if (bad) issue(["saml", bad.path], bad.message);
      }
      if (v.type === "Facebook" && d("api_version") && !/^v\d+\.\d+$/.test(d("api_version"))) {
        issue(["details", "api_version"], "Such as v17.0");
      }

      const seen = new Set<string>();
      v.mapping.forEach((r, i) => {
        const k = r.pool.trim();
        issue(["mapping", i, "pool"], k === "" ? "Choose a pool attribute" : k === "username" ? "username is always mapped" : seen.has(k) ? "Mapped twice" : undefined);
        issue(["mapping", i, "provider"], r.provider.trim() === "" ? "Enter the provider's attribute" : r.provider.length > 131072 ? "Too long" : undefined);
        seen.add(k);
      });
      issue(["identifiers"], identifiersError(parseIdentifiers(v.identifiers)));
    });
}

/**
 * The details of this type that are filled in; empty secrets left out (on edit: keep them).
 * SAML: the chosen metadata source only, the switches, never the keys the server fills in.
 */
export function toProviderDetails(v: ProviderFormValues): Record<string, string> {
  if (v.type === "SAML") return samlDetails(v.saml);
  const out: Record<string, string> = {};
  for (const f of DETAIL_FIELDS[v.type]) {
    const val = (v.details[f.key] ?? "").trim();
    if (val !== "") out[f.key] = val;
  }
  return out;
}

function samlDetails(s: SamlForm): Record<string, string> {
  return {
    ...(s.source === "url" ? { MetadataURL: s.url.trim() } : { MetadataFile: s.file.trim() }),
    IDPInit: String(s.idpInit),
    EncryptedResponses: String(s.encrypted),
    IDPSignout: String(s.signOut),
    ...(s.signing ? { RequestSigningAlgorithm: s.signing } : {}),
  };
}

export function toCreateProviderInput(poolId: string, v: ProviderFormValues): CreateIdentityProviderRequest {
  const ids = parseIdentifiers(v.identifiers);
  const mapping = rowsToMapping(v.mapping);
  return {
    UserPoolId: poolId,
    ProviderName: isNamedByAdmin(v.type) ? v.name.trim() : v.type,
    ProviderType: v.type,
    ProviderDetails: toProviderDetails(v),
    ...(Object.keys(mapping).length ? { AttributeMapping: mapping } : {}),
    ...(ids.length ? { IdpIdentifiers: ids } : {}),
  };
}

/** Update replaces details, mapping and identifiers; details without a secret keep the stored one. */
export function toUpdateProviderInput(poolId: string, v: ProviderFormValues): UpdateIdentityProviderRequest {
  return {
    UserPoolId: poolId,
    ProviderName: v.name,
    ProviderDetails: toProviderDetails(v),
    AttributeMapping: rowsToMapping(v.mapping),
    IdpIdentifiers: parseIdentifiers(v.identifiers),
  };
}

/** What PoolDesk.DiscoverOpenIdProvider found, labelled as the form labels it, in form order. */
export function discoveredRows(found: Record<string, string>): { key: string; label: string; value: string }[] {
  const labels = new Map(DETAIL_FIELDS.OIDC.map((f) => [f.key as string, f.label]));
  const order = ["oidc_issuer", ...OIDC_ENDPOINTS] as string[];
  const keys = [...order.filter((k) => k in found), ...Object.keys(found).filter((k) => !order.includes(k))];
  return keys.map((key) => ({ key, label: labels.get(key) ?? key, value: found[key]! }));
}

/** Whether discovery found all four endpoints (explicit endpoints are all four or none). */
export function hasAllEndpoints(found: Record<string, string>): boolean {
  return OIDC_ENDPOINTS.every((k) => (found[k] ?? "").trim() !== "");
}

/** The form's details with the discovered endpoints filled in (the issuer is left as typed). */
export function withDiscoveredEndpoints(details: ProviderDetailsForm, found: Record<string, string>): ProviderDetailsForm {
  const out = { ...details };
  for (const k of OIDC_ENDPOINTS) if (found[k]) out[k] = found[k];
  return out;
}

/** Where the provider sends people back: register this at the provider. */
export function idpResponseUrl(domainBase: string): string {
  return `${domainBase}/oauth2/idpresponse`;
}

/** Where a SAML provider posts its responses (the assertion consumer service). */
export function samlAcsUrl(domainBase: string): string {
  return `${domainBase}/saml2/idpresponse`;
}

/** Where a SAML provider answers the sign-outs sent to it (single logout). */
export function samlLogoutUrl(domainBase: string): string {
  return `${domainBase}/saml2/logout`;
}

/** The pool's SAML service provider entity ID (the audience of the assertions). */
export function samlEntityId(poolId: string): string {
  return `urn:amazon:cognito:sp:${poolId}`;
}

export function typeLabel(t: IdentityProviderTypeType | undefined): string {
  return PROVIDER_TYPES.find((p) => p.value === t)?.label ?? t ?? "—";
}
