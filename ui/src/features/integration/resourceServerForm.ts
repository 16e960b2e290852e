// Resource servers (APIs the pool issues access tokens for) and their custom scopes: the
// server's rules for identifiers, names and scope names, and the create/edit form.
import { z } from "zod";
import type { CreateResourceServerRequest, ResourceServerType } from "../../generated/cognito-idp";

/** Printable ASCII without space, `"` or `\`. */
const IDENTIFIER = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
/** Printable ASCII without space, `"`, `\` or `/` (a custom scope is written identifier/name). */
const SCOPE_NAME = /^[\x21\x23-\x2e\x30-\x5b\x5d-\x7e]+$/;
const NAME = /^[\w\s+=,.@-]+$/;
export const MAX_SCOPES = 100;

export function identifierError(s: string): string | undefined {
  if (s === "") return "Enter an identifier, such as https://api.example.com";
  if (s.length > 256) return "At most 256 characters";
  if (!IDENTIFIER.test(s)) return "Printable characters without spaces, \" or \\";
  return undefined;
}

export function serverNameError(s: string): string | undefined {
  if (s.trim() === "") return "Enter a name";
  if (s.length > 256) return "At most 256 characters";
  if (!NAME.test(s)) return "Letters, digits, spaces and + = , . @ - only";
  return undefined;
}

export function scopeNameError(s: string): string | undefined {
  if (s === "") return "Enter a scope name";
  if (s.length > 256) return "At most 256 characters";
  if (!SCOPE_NAME.test(s)) return "Printable characters without spaces, \", \\ or /";
  return undefined;
}

const scope = z.object({ ScopeName: z.string(), ScopeDescription: z.string() });

export const resourceServerSchema = z
  .object({ Identifier: z.string(), Name: z.string(), Scopes: z.array(scope) })
  .superRefine((v, ctx) => {
    const issue = (path: (string | number)[], message: string | undefined) => message && ctx.addIssue({ code: "custom", path, message });
    issue(["Identifier"], identifierError(v.Identifier.trim()));
    issue(["Name"], serverNameError(v.Name));
    if (v.Scopes.length > MAX_SCOPES) issue(["Scopes", "root"], `At most ${MAX_SCOPES} scopes`);
    const seen = new Set<string>();
    v.Scopes.forEach((s, i) => {
      const name = s.ScopeName.trim();
      issue(["Scopes", i, "ScopeName"], scopeNameError(name) ?? (seen.has(name) ? "Scope names must be unique" : undefined));
      seen.add(name);
      const d = s.ScopeDescription.trim();
      issue(["Scopes", i, "ScopeDescription"], d === "" ? "Enter a description" : d.length > 256 ? "At most 256 characters" : undefined);
    });
  });

export type ResourceServerFormValues = z.infer<typeof resourceServerSchema>;

export function formFromResourceServer(rs?: ResourceServerType): ResourceServerFormValues {
  return {
    Identifier: rs?.Identifier ?? "",
    Name: rs?.Name ?? "",
    Scopes: (rs?.Scopes ?? []).map((s) => ({ ScopeName: s.ScopeName, ScopeDescription: s.ScopeDescription })),
  };
}

/** Create and Update take the same input: Update replaces Name and Scopes (omitted scopes go). */
export function toResourceServerInput(poolId: string, v: ResourceServerFormValues): CreateResourceServerRequest {
  return {
    UserPoolId: poolId,
    Identifier: v.Identifier.trim(),
    Name: v.Name.trim(),
    Scopes: v.Scopes.map((s) => ({ ScopeName: s.ScopeName.trim(), ScopeDescription: s.ScopeDescription.trim() })),
  };
}

/** Every custom scope of the pool, as app clients request it: `<identifier>/<scopeName>`. */
export function customScopes(servers: readonly ResourceServerType[]): string[] {
  return servers.flatMap((rs) => (rs.Scopes ?? []).map((s) => `${rs.Identifier}/${s.ScopeName}`));
}
