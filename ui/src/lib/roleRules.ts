// The role-mapping editor's model: drafts of the RoleMapping of one provider, validated the
// way Cognito validates SetIdentityPoolRoles, and mapped to and from the wire shape.
// https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_RoleMapping.html
import type {
  AmbiguousRoleResolutionType,
  MappingRule,
  MappingRuleMatchType,
  RoleMapping,
} from "../generated/cognito-identity";
import { ROLE_ARN, ROLE_MAPPING, follows } from "../generated/rules";

export const MAX_RULES = ROLE_MAPPING.maxRules;
export const MATCH_TYPES: MappingRuleMatchType[] = ["Equals", "Contains", "StartsWith", "NotEqual"];


export interface RuleDraft extends MappingRule {
  /** Stable key for React and drag-and-drop; not sent. */
  id: string;
}

export interface MappingDraft {
  /** "" = no mapping for this provider: the pool's default authenticated role applies. */
  Type: "" | "Token" | "Rules";
  AmbiguousRoleResolution: AmbiguousRoleResolutionType;
  rules: RuleDraft[];
}

export type RuleErrors = Partial<Record<"Claim" | "MatchType" | "Value" | "RoleARN", string>>;

export interface MappingErrors {
  /** Errors about the whole mapping (rule count, ...). */
  mapping: string[];
  /** Per rule, same order as the draft. */
  rules: RuleErrors[];
}

let nextId = 0;
export function newRuleId(): string {
  nextId += 1;
  return `rule-${nextId}`;
}

export function emptyRule(): RuleDraft {
  return { id: newRuleId(), Claim: "", MatchType: "Equals", Value: "", RoleARN: "" };
}

export function emptyMapping(): MappingDraft {
  return { Type: "", AmbiguousRoleResolution: "AuthenticatedRole", rules: [] };
}

export function validateRoleArn(arn: string): string | undefined {
  if (arn === "") return "Role ARN is required";
  if (arn.length < 20 || arn.length > 2048) return "Role ARN must be 20–2048 characters";
  if (!follows(ROLE_ARN, arn)) return "Must look like arn:aws:iam::123456789012:role/name";
  return undefined;
}

export function validateRule(rule: MappingRule): RuleErrors {
  const { claimMaxLength, valueMaxLength } = ROLE_MAPPING;
  const errors: RuleErrors = {};
  const claimLen = [...rule.Claim].length;
  if (claimLen === 0) errors.Claim = "Claim is required";
  else if (claimLen > claimMaxLength) errors.Claim = `Claim must be at most ${claimMaxLength} characters`;
  else if (/\s/u.test(rule.Claim)) errors.Claim = "Claim cannot contain spaces";
  if (!MATCH_TYPES.includes(rule.MatchType)) errors.MatchType = "Choose a match type";
  const valueLen = [...rule.Value].length;
  if (valueLen === 0) errors.Value = "Value is required";
  else if (valueLen > valueMaxLength) errors.Value = `Value must be at most ${valueMaxLength} characters`;
  const arn = validateRoleArn(rule.RoleARN);
  if (arn) errors.RoleARN = arn;
  return errors;
}

export function validateMapping(draft: MappingDraft): MappingErrors {
  const mapping: string[] = [];
  if (draft.Type === "Rules") {
    if (draft.rules.length === 0) mapping.push("Add at least one rule");
    if (draft.rules.length > MAX_RULES) mapping.push(`At most ${MAX_RULES} rules per provider`);
  }
  if (draft.Type !== "" && !["AuthenticatedRole", "Deny"].includes(draft.AmbiguousRoleResolution)) {
    mapping.push("Choose what happens when no role can be chosen");
  }
  const rules = draft.Type === "Rules" ? draft.rules.map(validateRule) : draft.rules.map(() => ({}));
  return { mapping, rules };
}

export function hasErrors(e: MappingErrors): boolean {
  return e.mapping.length > 0 || e.rules.some((r) => Object.keys(r).length > 0);
}

/** Adds an empty rule at the end, unless the cap is reached. */
export function addRule(draft: MappingDraft): MappingDraft {
  if (draft.rules.length >= MAX_RULES) return draft;
  return { ...draft, rules: [...draft.rules, emptyRule()] };
}

export function removeRule(draft: MappingDraft, index: number): MappingDraft {
  return { ...draft, rules: draft.rules.filter((_, i) => i !== index) };
}

export function updateRule(draft: MappingDraft, index: number, patch: Partial<MappingRule>): MappingDraft {
  return { ...draft, rules: draft.rules.map((r, i) => (i === index ? { ...r, ...patch } : r)) };
}

/** Moves a rule from one position to another (order = evaluation order: first match wins). */
export function moveRule(draft: MappingDraft, from: number, to: number): MappingDraft {
  if (from === to || from < 0 || to < 0 || from >= draft.rules.length || to >= draft.rules.length) return draft;
  const rules = draft.rules.slice();
  const [moved] = rules.splice(from, 1);
  rules.splice(to, 0, moved!);
  return { ...draft, rules };
}

/** The wire RoleMapping, or undefined when the provider has no mapping. */
export function toWireMapping(draft: MappingDraft): RoleMapping | undefined {
  if (draft.Type === "") return undefined;
  if (draft.Type === "Token") {
    return { Type: "Token", AmbiguousRoleResolution: draft.AmbiguousRoleResolution };
  }
  return {
    Type: "Rules",
    AmbiguousRoleResolution: draft.AmbiguousRoleResolution,
    RulesConfiguration: {
      Rules: draft.rules.map(({ Claim, MatchType, Value, RoleARN }) => ({ Claim, MatchType, Value, RoleARN })),
    },
  };
}

export function fromWireMapping(mapping: RoleMapping | undefined): MappingDraft {
  if (!mapping) return emptyMapping();
  return {
    Type: mapping.Type,
    AmbiguousRoleResolution: mapping.AmbiguousRoleResolution ?? "AuthenticatedRole",
    rules: (mapping.RulesConfiguration?.Rules ?? []).map((r) => ({ ...r, id: newRuleId() })),
  };
}

/** All providers' mappings in the shape SetIdentityPoolRoles takes. */
export function toWireRoleMappings(drafts: Record<string, MappingDraft>): Record<string, RoleMapping> {
  const out: Record<string, RoleMapping> = {};
  for (const [provider, draft] of Object.entries(drafts)) {
    const wire = toWireMapping(draft);
    if (wire) out[provider] = wire;
  }
  return out;
}

/** Standard ID-token claims offered as suggestions beside the pool's own attributes. */
export const STANDARD_CLAIMS = [
  "sub",
  "email",
  "email_verified",
  "phone_number",
  "phone_number_verified",
  "name",
  "given_name",
  "family_name",
  "preferred_username",
  "cognito:groups",
  "cognito:username",
  "cognito:roles",
  "cognito:preferred_role",
  "aud",
  "iss",
  "amr",
  "token_use",
  "auth_time",
];

/** Claim suggestions: standard claims plus the pool's schema (custom ones as `custom:x`). */
export function claimSuggestions(schema: { Name?: string }[] | undefined): string[] {
  const names = new Set(STANDARD_CLAIMS);
  for (const a of schema ?? []) {
    if (!a.Name) continue;
    names.add(a.Name.startsWith("custom:") || isStandardAttribute(a.Name) ? a.Name : `custom:${a.Name}`);
  }
  return [...names];
}

const STANDARD_ATTRIBUTES = new Set([
  "sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
  "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
  "phone_number", "phone_number_verified", "address", "updated_at",
]);

export function isStandardAttribute(name: string): boolean {
  return STANDARD_ATTRIBUTES.has(name);
}

/** The role's name from its ARN (`arn:aws:iam::1:role/path/alice` → `alice`), or "" if none. */
export function roleNameOf(arn: string): string {
  const m = /:role\/(?:.*\/)?([^/]+)$/.exec(arn.trim());
  return m ? m[1]! : "";
}
