// An app client's OAuth 2.0 settings: the form, the server's rules (checked before sending), and
// the UpdateUserPoolClient request that changes them and keeps every other setting.
import type { OAuthFlowType, UpdateUserPoolClientRequest, UserPoolClientType } from "../../generated/cognito-idp";
import { currentClientConfig, withoutAbsent } from "../clients/clientForm";

export const OAUTH_FLOWS: { value: OAuthFlowType; label: string }[] = [
  { value: "code", label: "Authorization code grant (code)" },
  { value: "implicit", label: "Implicit grant (implicit)" },
  { value: "client_credentials", label: "Client credentials (client_credentials, machine to machine)" },
];

export const STANDARD_SCOPES = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"] as const;

export const IDENTITY_PROVIDERS = [{ value: "COGNITO", label: "Cognito user pool directory (COGNITO)" }] as const;

export interface OAuthFormValues {
  enabled: boolean;
  flows: OAuthFlowType[];
  scopes: string[];
  /** One URL a line. */
  callbackUrls: string;
  logoutUrls: string;
  /** "" for none. */
  defaultRedirectUri: string;
  identityProviders: string[];
}

export type OAuthField = keyof OAuthFormValues;
export type OAuthErrors = Partial<Record<OAuthField, string>>;

export interface OAuthContext {
  /** client_credentials needs a client secret. */
  hasSecret: boolean;
  /** The scopes the pool knows (standard and custom); when given, others are refused. */
  knownScopes?: readonly string[];
}

export function formFromClient(c: UserPoolClientType): OAuthFormValues {
  return {
    enabled: c.AllowedOAuthFlowsUserPoolClient ?? false,
    flows: c.AllowedOAuthFlows ?? [],
    scopes: c.AllowedOAuthScopes ?? [],
    callbackUrls: (c.CallbackURLs ?? []).join("\n"),
    logoutUrls: (c.LogoutURLs ?? []).join("\n"),
    defaultRedirectUri: c.DefaultRedirectURI ?? "",
    identityProviders: c.SupportedIdentityProviders ?? ["COGNITO"],
  };
}

/** The URLs of a one-a-line box, trimmed, without empty lines. */
export function urlLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * A ticked group of checkboxes as react-hook-form reports it: an array, or, when the group has
 * one box, its value or `false`.
 */
export function asList<T extends string>(v: unknown): T[] {
  if (Array.isArray(v)) return v as T[];
  return typeof v === "string" && v !== "" ? [v as T] : [];
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
const REFUSED_SCHEMES = new Set(["javascript:", "data:", "vbscript:"]);

/**
 * Why a callback or sign-out URL is refused, or undefined. As the server: absolute, no
 * fragment, https (http only for localhost, 127.0.0.1 and [::1]); app schemes such as
 * myapp://callback are allowed, javascript: and data: are not.
 */
export function redirectUrlError(url: string): string | undefined {
  if (url.length > 1024) return "At most 1024 characters";
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "Not an absolute URL (it needs a scheme, such as https://)";
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return "Not an absolute URL (it needs a scheme, such as https://)";
  if (REFUSED_SCHEMES.has(u.protocol)) return `${u.protocol} URLs are not allowed`;
  if (url.includes("#")) return "No fragment (#…) allowed";
  if (u.protocol === "http:" && !LOOPBACK.has(u.hostname)) return "http is allowed only for localhost, 127.0.0.1 and [::1]: use https";
  return undefined;
}

function urlListError(text: string, what: string): string | undefined {
  const urls = urlLines(text);
  if (urls.length > 100) return `At most 100 ${what}`;
  for (const url of urls) {
    const e = redirectUrlError(url);
    if (e) return `${url}: ${e}`;
  }
  return undefined;
}

/** The server's rules for a client's OAuth settings, field by field; {} when they hold. */
export function validateOAuth(v: OAuthFormValues, ctx: OAuthContext): OAuthErrors {
  const e: OAuthErrors = {};
  const flows = asList<OAuthFlowType>(v.flows);
  const scopes = asList<string>(v.scopes);
  const callbacks = urlLines(v.callbackUrls);
  const interactive = flows.includes("code") || flows.includes("implicit");

  e.callbackUrls = urlListError(v.callbackUrls, "callback URLs");
  e.logoutUrls = urlListError(v.logoutUrls, "sign-out URLs");
  if (v.defaultRedirectUri && !callbacks.includes(v.defaultRedirectUri)) e.defaultRedirectUri = "The default redirect URI must be one of the callback URLs";
  if (ctx.knownScopes) {
    const unknown = scopes.find((s) => !ctx.knownScopes!.includes(s));
    if (unknown) e.scopes = `Invalid scope requested: ${unknown}`;
  }
  if (v.enabled) {
    if (flows.length === 0) e.flows = "Choose at least one OAuth flow";
    else if (flows.includes("client_credentials") && interactive) e.flows = "client_credentials flow can not be selected along with code flow or implicit flow.";
    else if (flows.includes("client_credentials") && !ctx.hasSecret) e.flows = "client_credentials flow can not be selected if client does not have a client secret.";
    if (scopes.length === 0) e.scopes ??= "Choose at least one scope";
    if (interactive && callbacks.length === 0) e.callbackUrls ??= "Add a callback URL: the code and implicit flows redirect to one";
  }
  return Object.fromEntries(Object.entries(e).filter(([, m]) => m)) as OAuthErrors;
}

/**
 * The client's whole configuration with these OAuth settings. With OAuth off the flows and scopes
 * are cleared (nothing may use them); the URLs are kept for when it is turned on again.
 */
export function toOAuthUpdateInput(c: UserPoolClientType, v: OAuthFormValues): UpdateUserPoolClientRequest {
  const flows = asList<OAuthFlowType>(v.flows);
  const scopes = asList<string>(v.scopes);
  const callbacks = urlLines(v.callbackUrls);
  const logouts = urlLines(v.logoutUrls);
  const providers = asList<string>(v.identityProviders);
  const nonEmpty = <T>(xs: T[]) => (xs.length ? xs : undefined);
  return withoutAbsent({
    ...currentClientConfig(c),
    AllowedOAuthFlowsUserPoolClient: v.enabled,
    AllowedOAuthFlows: v.enabled ? nonEmpty(flows) : undefined,
    AllowedOAuthScopes: v.enabled ? nonEmpty(scopes) : undefined,
    CallbackURLs: nonEmpty(callbacks),
    LogoutURLs: nonEmpty(logouts),
    DefaultRedirectURI: v.defaultRedirectUri || undefined,
    SupportedIdentityProviders: nonEmpty(providers),
  });
}

/** Whether the client can open the login pages: OAuth on with the code or implicit flow. */
export function hasLoginPages(c: UserPoolClientType): boolean {
  return !!c.AllowedOAuthFlowsUserPoolClient && (c.AllowedOAuthFlows ?? []).some((f) => f === "code" || f === "implicit");
}
