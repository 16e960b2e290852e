// Identity pool form state ↔ wire (CreateIdentityPool / UpdateIdentityPool).
import type { CognitoIdentityProvider, CreateIdentityPoolInput, IdentityPool } from "../../generated/cognito-identity";
import { IDENTITY_POOL_NAME, follows } from "../../generated/rules";
import { providerNameForPool } from "../../lib/region";

export interface ProviderRow {
  /** The local user pool id, or "" for none chosen. */
  poolId: string;
  /** The ProviderName kept verbatim for providers that are not local pools. */
  providerName?: string;
  clientId: string;
  serverSideTokenCheck: boolean;
}

/** One SupportedLoginProviders entry: the provider's key and its app id(s). */
export interface LoginProviderRow {
  provider: string;
  /** The app / client id, or several separated by commas. */
  appIds: string;
}

/** An IAM provider ARN (rows of an array field: react-hook-form wants objects). */
export interface ArnRow {
  arn: string;
}

export interface IdentityPoolFormValues {
  name: string;
  allowUnauthenticated: boolean;
  allowClassicFlow: boolean;
  providers: ProviderRow[];
  loginProviders: LoginProviderRow[];
  oidcArns: ArnRow[];
  samlArns: ArnRow[];
  /** "" for none; once the pool has one it cannot change. */
  developerProviderName: string;
}

export function newIdentityPoolForm(): IdentityPoolFormValues {
  return {
    name: "",
    allowUnauthenticated: false,
    allowClassicFlow: false,
    providers: [{ poolId: "", clientId: "", serverSideTokenCheck: false }],
    loginProviders: [],
    oidcArns: [],
    samlArns: [],
    developerProviderName: "",
  };
}

/** The providers SupportedLoginProviders names by Cognito's keys, and what each key's value is. */
export const KNOWN_LOGIN_PROVIDERS = [
  { key: "accounts.google.com", label: "Google", appId: "Google client id" },
  { key: "appleid.apple.com", label: "Sign in with Apple", appId: "Apple services id" },
  { key: "graph.facebook.com", label: "Facebook", appId: "Facebook app id" },
  { key: "www.amazon.com", label: "Login with Amazon", appId: "Login with Amazon app id" },
] as const;

export const LOGIN_PROVIDERS = { maxEntries: 10, keyMaxLength: 128, valueMaxLength: 128 } as const;
export const DEVELOPER_PROVIDER_NAME = { pattern: /^[\w.-]+$/u, maxLength: 128, hint: "Letters, digits and . _ - only" } as const;

/** arn:aws:iam::<account>:oidc-provider/<host[:port][/path]> (the host and path are the issuer's, without https://). */
const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider\/([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*)$/;
/** arn:aws:iam::<account>:saml-provider/<name>. */
const SAML_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:saml-provider\/[\w.-]{1,128}$/;

export function oidcArnError(arn: string): string | undefined {
  if (!OIDC_PROVIDER_ARN.test(arn) || arn.length > 2048) return "An IAM OIDC provider ARN, like arn:aws:iam::123456789012:oidc-provider/idp.example.com";
  return undefined;
}

export function samlArnError(arn: string): string | undefined {
  if (!SAML_PROVIDER_ARN.test(arn)) return "An IAM SAML provider ARN, like arn:aws:iam::123456789012:saml-provider/MyIdP";
  return undefined;
}

/** The key SupportedLoginProviders (and Logins) use for an OIDC provider: its ARN's host and path. */
export function oidcProviderHost(arn: string): string | undefined {
  return OIDC_PROVIDER_ARN.exec(arn.trim())?.[1];
}

/** What a SupportedLoginProviders value holds for this provider key. */
export function appIdLabel(provider: string, oidcHosts: readonly string[]): string {
  const key = provider.trim();
  const known = KNOWN_LOGIN_PROVIDERS.find((p) => p.key === key);
  if (known) return known.appId;
  if (oidcHosts.includes(key)) return "Client id(s), separated by commas";
  return "App id(s)";
}

/** A note for a provider key that is neither a known provider nor an OIDC provider listed in the pool. */
export function loginProviderNote(provider: string, oidcHosts: readonly string[]): string | undefined {
  const key = provider.trim();
  if (!key || KNOWN_LOGIN_PROVIDERS.some((p) => p.key === key) || oidcHosts.includes(key)) return undefined;
  return "Not a known provider: for an OpenID Connect provider, add its ARN under OpenID Connect providers.";
}

export function developerProviderNameError(name: string): string | undefined {
  if (name === "") return undefined;
  if ([...name].length > DEVELOPER_PROVIDER_NAME.maxLength) return `At most ${DEVELOPER_PROVIDER_NAME.maxLength} characters`;
  if (!DEVELOPER_PROVIDER_NAME.pattern.test(name)) return DEVELOPER_PROVIDER_NAME.hint;
  return undefined;
}

const filledArns = (rows: readonly ArnRow[]) => rows.map((r) => r.arn.trim()).filter(Boolean);
const filledLogins = (rows: readonly LoginProviderRow[]) => rows.filter((r) => r.provider.trim() || r.appIds.trim());

/** SupportedLoginProviders from the rows (empty rows left out). */
export function loginProvidersToWire(rows: readonly LoginProviderRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of filledLogins(rows)) {
    out[r.provider.trim()] = r.appIds
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .join(",");
  }
  return out;
}

export function providersToWire(rows: ProviderRow[]): CognitoIdentityProvider[] {
  return rows
    .filter((r) => r.poolId || r.providerName)
    .map((r) => ({
      ProviderName: r.poolId ? providerNameForPool(r.poolId) : r.providerName!,
      ...(r.clientId ? { ClientId: r.clientId } : {}),
      ServerSideTokenCheck: r.serverSideTokenCheck,
    }));
}

/**
 * The form's errors by field path: `name`, `providers` (the list), `loginProviders` (the list),
 * `loginProviders.<i>.provider` / `.appIds`, `oidcArns.<i>.arn`, `samlArns.<i>.arn`,
 * `developerProviderName`. `developerNameSet`: the pool already has one (it is not checked).
 */
export function validateIdentityPoolForm(v: IdentityPoolFormValues, opts: { developerNameSet?: boolean } = {}): Record<string, string> {
  const e: Record<string, string> = {};
  if (v.name.trim() === "") e.name = "Name is required";
  else if ([...v.name].length > IDENTITY_POOL_NAME.maxLength) e.name = `At most ${IDENTITY_POOL_NAME.maxLength} characters`;
  else if (!follows(IDENTITY_POOL_NAME, v.name)) e.name = IDENTITY_POOL_NAME.hint;
  const names = providersToWire(v.providers).map((p) => p.ProviderName);
  if (new Set(names).size !== names.length) e.providers = "Each user pool can be linked once";

  const seen = new Set<string>();
  const logins = v.loginProviders ?? [];
  logins.forEach((r, i) => {
    const key = r.provider.trim();
    const value = r.appIds.trim();
    if (!key && !value) return;
    if (!key) e[`loginProviders.${i}.provider`] = "Enter the provider";
    else if ([...key].length > LOGIN_PROVIDERS.keyMaxLength) e[`loginProviders.${i}.provider`] = `At most ${LOGIN_PROVIDERS.keyMaxLength} characters`;
    else if (seen.has(key)) e[`loginProviders.${i}.provider`] = "Listed twice";
    seen.add(key);
    const ids = loginProvidersToWire([r])[key] ?? "";
    if (!value || !ids) e[`loginProviders.${i}.appIds`] = "Enter the app id";
    else if ([...ids].length > LOGIN_PROVIDERS.valueMaxLength) e[`loginProviders.${i}.appIds`] = `At most ${LOGIN_PROVIDERS.valueMaxLength} characters`;
  });
  if (filledLogins(logins).length > LOGIN_PROVIDERS.maxEntries) e.loginProviders = `At most ${LOGIN_PROVIDERS.maxEntries} sign-in providers`;

  for (const [field, check] of [
    ["oidcArns", oidcArnError],
    ["samlArns", samlArnError],
  ] as const) {
    const arns = new Set<string>();
    (v[field] ?? []).forEach((r, i) => {
      const arn = r.arn.trim();
      if (!arn) return;
      const err = check(arn) ?? (arns.has(arn) ? "Listed twice" : undefined);
      if (err) e[`${field}.${i}.arn`] = err;
      arns.add(arn);
    });
  }

  if (!opts.developerNameSet) {
    const err = developerProviderNameError((v.developerProviderName ?? "").trim());
    if (err) e.developerProviderName = err;
  }
  return e;
}

/** The form's other sign-in providers on the wire, each left out when empty. */
function otherProvidersToWire(v: IdentityPoolFormValues): Pick<IdentityPool, "SupportedLoginProviders" | "OpenIdConnectProviderARNs" | "SamlProviderARNs"> {
  const logins = loginProvidersToWire(v.loginProviders ?? []);
  const oidc = filledArns(v.oidcArns ?? []);
  const saml = filledArns(v.samlArns ?? []);
  return {
    ...(Object.keys(logins).length ? { SupportedLoginProviders: logins } : {}),
    ...(oidc.length ? { OpenIdConnectProviderARNs: oidc } : {}),
    ...(saml.length ? { SamlProviderARNs: saml } : {}),
  };
}

export function toCreateIdentityPoolInput(v: IdentityPoolFormValues): CreateIdentityPoolInput {
  const providers = providersToWire(v.providers);
  const developer = (v.developerProviderName ?? "").trim();
  return {
    IdentityPoolName: v.name.trim(),
    AllowUnauthenticatedIdentities: v.allowUnauthenticated,
    AllowClassicFlow: v.allowClassicFlow,
    ...(providers.length ? { CognitoIdentityProviders: providers } : {}),
    ...otherProvidersToWire(v),
    ...(developer ? { DeveloperProviderName: developer } : {}),
  };
}

/**
 * UpdateIdentityPool replaces the whole pool: keep every field the form does not edit; a list
 * emptied in the form is left out (removed). The developer provider name, once set, is kept.
 */
export function toUpdateIdentityPoolInput(current: IdentityPool, v: IdentityPoolFormValues): IdentityPool {
  const { SupportedLoginProviders: _l, OpenIdConnectProviderARNs: _o, SamlProviderARNs: _s, DeveloperProviderName: _d, ...rest } = current;
  const developer = current.DeveloperProviderName || (v.developerProviderName ?? "").trim();
  return {
    ...rest,
    IdentityPoolName: v.name.trim(),
    AllowUnauthenticatedIdentities: v.allowUnauthenticated,
    AllowClassicFlow: v.allowClassicFlow,
    CognitoIdentityProviders: providersToWire(v.providers),
    ...otherProvidersToWire(v),
    ...(developer ? { DeveloperProviderName: developer } : {}),
  };
}

export function formFromPool(pool: IdentityPool, localPoolIds: Set<string>): IdentityPoolFormValues {
  return {
    name: pool.IdentityPoolName,
    allowUnauthenticated: pool.AllowUnauthenticatedIdentities,
    allowClassicFlow: pool.AllowClassicFlow ?? false,
    providers: (pool.CognitoIdentityProviders ?? []).map((p) => {
      const poolId = p.ProviderName?.split("/").pop() ?? "";
      const local = localPoolIds.has(poolId) && p.ProviderName === providerNameForPool(poolId);
      return {
        poolId: local ? poolId : "",
        providerName: local ? undefined : p.ProviderName,
        clientId: p.ClientId ?? "",
        serverSideTokenCheck: p.ServerSideTokenCheck ?? false,
      };
    }),
    loginProviders: Object.entries(pool.SupportedLoginProviders ?? {}).map(([provider, appIds]) => ({ provider, appIds })),
    oidcArns: (pool.OpenIdConnectProviderARNs ?? []).map((arn) => ({ arn })),
    samlArns: (pool.SamlProviderARNs ?? []).map((arn) => ({ arn })),
    developerProviderName: pool.DeveloperProviderName ?? "",
  };
}
