// Builds what the role-mapping simulator sends: the claims an ID token of a local user would
// carry, or a pasted token, or hand-edited claims, as a PoolDesk.SimulateRoleMapping input.
import type { AdminGetUserResponse, GroupType } from "../generated/cognito-idp";
import type { SimulateRoleMappingRequest } from "../api/pooldesk";
import { issuerForPool } from "./region";

/** Attributes that Cognito puts into ID tokens as JSON booleans rather than strings. */
const BOOLEAN_CLAIMS = new Set(["email_verified", "phone_number_verified"]);

/** Groups in the order Cognito uses for `cognito:roles`: lowest precedence first, unset last. */
function byPrecedence(a: GroupType, b: GroupType): number {
  const pa = a.Precedence ?? Number.POSITIVE_INFINITY;
  const pb = b.Precedence ?? Number.POSITIVE_INFINITY;
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}

/**
 * The ID-token claims of a user: its attributes, `cognito:username`, and, when it is in
 * groups, `cognito:groups`, `cognito:roles` and `cognito:preferred_role` (the role of the
 * group with the lowest precedence; none when that precedence is shared or unset).
 */
export function claimsFromUser(
  user: AdminGetUserResponse,
  groups: GroupType[],
  pool?: { poolId: string; clientId?: string },
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const a of user.UserAttributes ?? []) {
    if (!a.Name) continue;
    claims[a.Name] = BOOLEAN_CLAIMS.has(a.Name) ? a.Value === "true" : (a.Value ?? "");
  }
  claims["cognito:username"] = user.Username;
  const sorted = groups.filter((g) => g.GroupName).slice().sort(byPrecedence);
  if (sorted.length > 0) {
    claims["cognito:groups"] = sorted.map((g) => g.GroupName);
    const roles = sorted.map((g) => g.RoleArn).filter((r): r is string => !!r);
    if (roles.length > 0) claims["cognito:roles"] = [...new Set(roles)];
    const withRole = sorted.filter((g) => g.RoleArn && g.Precedence !== undefined);
    const first = withRole[0];
    if (first && !(withRole[1] && withRole[1].Precedence === first.Precedence)) {
      claims["cognito:preferred_role"] = first.RoleArn;
    }
  }
  if (pool) {
    claims.iss = issuerForPool(pool.poolId);
    if (pool.clientId) claims.aud = pool.clientId;
    claims.token_use = "id";
  }
  return claims;
}

export type ParseResult = { ok: true; claims: Record<string, unknown> } | { ok: false; error: string };

/** Parses hand-edited claims: must be one JSON object. */
export function parseClaimsJson(text: string): ParseResult {
  if (text.trim() === "") return { ok: false, error: "Enter the claims as a JSON object" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: "Claims must be a JSON object, e.g. {\"email\": \"a@example.com\"}" };
  }
  return { ok: true, claims: value as Record<string, unknown> };
}

export type SimulationSource =
  | { mode: "user"; claims: Record<string, unknown> | undefined }
  | { mode: "token"; idToken: string }
  | { mode: "claims"; claimsText: string };

export type BuildResult = { ok: true; input: SimulateRoleMappingRequest } | { ok: false; error: string };

/** The SimulateRoleMapping input for a source, or what is missing. */
export function buildSimulationInput(
  identityPoolId: string,
  provider: string,
  source: SimulationSource,
  customRoleArn?: string,
): BuildResult {
  const extra = customRoleArn && customRoleArn.trim() !== "" ? { CustomRoleArn: customRoleArn.trim() } : {};
  switch (source.mode) {
    case "token": {
      const token = source.idToken.trim();
      if (token === "") return { ok: false, error: "Paste an ID token" };
      if (token.split(".").length !== 3) return { ok: false, error: "An ID token has three dot-separated parts" };
      return { ok: true, input: { IdentityPoolId: identityPoolId, IdToken: token, ...extra } };
    }
    case "user": {
      if (!source.claims) return { ok: false, error: "Pick a user" };
      if (!provider) return { ok: false, error: "Choose a provider" };
      return { ok: true, input: { IdentityPoolId: identityPoolId, Provider: provider, Claims: source.claims, ...extra } };
    }
    case "claims": {
      if (!provider) return { ok: false, error: "Choose a provider" };
      const parsed = parseClaimsJson(source.claimsText);
      if (!parsed.ok) return parsed;
      return { ok: true, input: { IdentityPoolId: identityPoolId, Provider: provider, Claims: parsed.claims, ...extra } };
    }
  }
}
