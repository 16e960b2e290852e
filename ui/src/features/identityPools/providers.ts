// Every sign-in provider of an identity pool, by the key the server matches role mappings and
// principal tag maps on, and what kind of provider each key is.
import type { IdentityPool } from "../../generated/cognito-identity";
import { poolIdOfProvider } from "../../lib/region";
import { KNOWN_LOGIN_PROVIDERS } from "./identityPoolForm";
import { samlProviderNameOf } from "./samlProviders";

type PoolProviders = Pick<IdentityPool, "CognitoIdentityProviders" | "SupportedLoginProviders" | "OpenIdConnectProviderARNs" | "SamlProviderARNs">;

/** `arn:aws:iam::<account>:oidc-provider/<host/path>` → `<host/path>`, the key its logins use. */
function oidcKey(arn: string): string | undefined {
  const i = arn.indexOf(":oidc-provider/");
  return i >= 0 ? arn.slice(i + ":oidc-provider/".length) || undefined : undefined;
}

/**
 * The keys of RoleMappings and principal tag maps, once each: the user pools' ProviderNames, the
 * SupportedLoginProviders keys (Google's accounts.google.com and the rest), each IAM OIDC
 * provider's host and path, each IAM SAML provider's whole ARN; in that order.
 */
export function poolProviders(pool: PoolProviders): string[] {
  const keys = [
    ...(pool.CognitoIdentityProviders ?? []).map((p) => p.ProviderName),
    ...Object.keys(pool.SupportedLoginProviders ?? {}),
    ...(pool.OpenIdConnectProviderARNs ?? []).map(oidcKey),
    ...(pool.SamlProviderARNs ?? []),
  ];
  return [...new Set(keys.filter((k): k is string => !!k))];
}

export type ProviderKind = "userPool" | "social" | "oidc" | "saml";

/** What kind of provider a RoleMappings key names (a key that is none of the others is an OIDC provider's). */
export function providerKind(key: string): ProviderKind {
  if (key.includes(":saml-provider/")) return "saml";
  if (poolIdOfProvider(key) || key.startsWith("cognito-idp.")) return "userPool";
  if (KNOWN_LOGIN_PROVIDERS.some((p) => p.key === key)) return "social";
  return "oidc";
}

/** A short name for a provider key: "User pool: us-east-1_Ab", "Google", "SAML: Corp", "OIDC: idp.example.com". */
export function providerLabel(key: string): string {
  switch (providerKind(key)) {
    case "userPool":
      return `User pool: ${poolIdOfProvider(key) ?? key.split("/").pop()}`;
    case "social":
      return KNOWN_LOGIN_PROVIDERS.find((p) => p.key === key)!.label;
    case "saml":
      return `SAML: ${samlProviderNameOf(key)}`;
    case "oidc":
      return `OIDC: ${key}`;
  }
}

/** A Token mapping reads roles the login carries: user pools' cognito:roles, SAML's Role attribute. */
export function takesTokenMapping(key: string): boolean {
  const kind = providerKind(key);
  return kind === "userPool" || kind === "saml";
}
