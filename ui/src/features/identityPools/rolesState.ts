// The Roles + RoleMappings of an identity pool as edited, and the SetIdentityPoolRoles call.
import type { GetIdentityPoolRolesResponse, SetIdentityPoolRolesInput } from "../../generated/cognito-identity";
import {
  fromWireMapping,
  hasErrors,
  toWireRoleMappings,
  validateMapping,
  validateRoleArn,
  type MappingDraft,
} from "../../lib/roleRules";

export interface RolesDraft {
  authenticated: string;
  unauthenticated: string;
  mappings: Record<string, MappingDraft>;
}

export function draftFromWire(r: GetIdentityPoolRolesResponse, providers: string[]): RolesDraft {
  const mappings: Record<string, MappingDraft> = {};
  for (const p of new Set([...providers, ...Object.keys(r.RoleMappings ?? {})])) {
    mappings[p] = fromWireMapping(r.RoleMappings?.[p]);
  }
  return {
    authenticated: r.Roles?.authenticated ?? "",
    unauthenticated: r.Roles?.unauthenticated ?? "",
    mappings,
  };
}

export function toSetIdentityPoolRolesInput(identityPoolId: string, d: RolesDraft): SetIdentityPoolRolesInput {
  const Roles: Record<string, string> = {};
  if (d.authenticated) Roles.authenticated = d.authenticated;
  if (d.unauthenticated) Roles.unauthenticated = d.unauthenticated;
  return { IdentityPoolId: identityPoolId, Roles, RoleMappings: toWireRoleMappings(d.mappings) };
}

/** What the server would store: used to tell "unsaved changes" apart (rule ids ignored). */
export function fingerprint(d: RolesDraft): string {
  return JSON.stringify(toSetIdentityPoolRolesInput("", d));
}

export function validateRoles(d: RolesDraft) {
  const roles = {
    authenticated: d.authenticated ? validateRoleArn(d.authenticated) : undefined,
    unauthenticated: d.unauthenticated ? validateRoleArn(d.unauthenticated) : undefined,
  };
  const mappings = Object.fromEntries(Object.entries(d.mappings).map(([p, m]) => [p, validateMapping(m)]));
  const ok = !roles.authenticated && !roles.unauthenticated && Object.values(mappings).every((e) => !hasErrors(e));
  return { roles, mappings, ok };
}
