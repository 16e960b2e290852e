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

export interface IdentityPoolFormValues {
  name: string;
  allowUnauthenticated: boolean;
  allowClassicFlow: boolean;
  providers: ProviderRow[];
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

export function validateIdentityPoolForm(v: IdentityPoolFormValues): Partial<Record<"name" | "providers", string>> {
  const e: Partial<Record<"name" | "providers", string>> = {};
  if (v.name.trim() === "") e.name = "Name is required";
  else if ([...v.name].length > IDENTITY_POOL_NAME.maxLength) e.name = `At most ${IDENTITY_POOL_NAME.maxLength} characters`;
  else if (!follows(IDENTITY_POOL_NAME, v.name)) e.name = IDENTITY_POOL_NAME.hint;
  const names = providersToWire(v.providers).map((p) => p.ProviderName);
  if (new Set(names).size !== names.length) e.providers = "Each user pool can be linked once";
  return e;
}

export function toCreateIdentityPoolInput(v: IdentityPoolFormValues): CreateIdentityPoolInput {
  const providers = providersToWire(v.providers);
  return {
    IdentityPoolName: v.name.trim(),
    AllowUnauthenticatedIdentities: v.allowUnauthenticated,
    AllowClassicFlow: v.allowClassicFlow,
    ...(providers.length ? { CognitoIdentityProviders: providers } : {}),
  };
}

/** UpdateIdentityPool replaces the whole pool: keep every field the form does not edit. */
export function toUpdateIdentityPoolInput(current: IdentityPool, v: IdentityPoolFormValues): IdentityPool {
  return {
    ...current,
    IdentityPoolName: v.name.trim(),
    AllowUnauthenticatedIdentities: v.allowUnauthenticated,
    AllowClassicFlow: v.allowClassicFlow,
    CognitoIdentityProviders: providersToWire(v.providers),
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
  };
}
