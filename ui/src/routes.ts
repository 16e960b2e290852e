// The app's screens as data: a small state-driven switch instead of URL routing (a desktop
// window has no address bar). `to*` builders keep call sites typed.

export type PoolTab = "users" | "groups" | "clients" | "integration" | "providers" | "triggers" | "settings";

export type View =
  | { kind: "userPools" }
  | { kind: "userPool"; poolId: string; tab: PoolTab }
  | { kind: "identityPools" }
  | { kind: "identityPool"; identityPoolId: string }
  | { kind: "messages"; poolId?: string; username?: string }
  | { kind: "audit" }
  | { kind: "serve" }
  | { kind: "connections" };

export const toUserPools = (): View => ({ kind: "userPools" });
export const toUserPool = (poolId: string, tab: PoolTab = "users"): View => ({ kind: "userPool", poolId, tab });
export const toIdentityPools = (): View => ({ kind: "identityPools" });
export const toIdentityPool = (identityPoolId: string): View => ({ kind: "identityPool", identityPoolId });
export const toMessages = (poolId?: string, username?: string): View => ({ kind: "messages", poolId, username });
export const toAudit = (): View => ({ kind: "audit" });
export const toServe = (): View => ({ kind: "serve" });
export const toConnections = (): View => ({ kind: "connections" });

export type Navigate = (v: View) => void;
