import { describe, expect, it } from "vitest";
import {
  addRule,
  claimSuggestions,
  emptyMapping,
  fromWireMapping,
  hasErrors,
  MAX_RULES,
  moveRule,
  toWireMapping,
  toWireRoleMappings,
  validateMapping,
  validateRoleArn,
  validateRule,
  type MappingDraft,
} from "./roleRules";

const ARN = "arn:aws:iam::123456789012:role/admins";
const rule = (over: Partial<{ Claim: string; MatchType: "Equals"; Value: string; RoleARN: string }> = {}) => ({
  Claim: "cognito:groups",
  MatchType: "Equals" as const,
  Value: "admins",
  RoleARN: ARN,
  ...over,
});

function rulesDraft(n: number): MappingDraft {
  let d: MappingDraft = { ...emptyMapping(), Type: "Rules" };
  for (let i = 0; i < n; i++) d = addRule(d);
  return {
    ...d,
    rules: d.rules.map((r, i) => ({ ...r, Claim: `c${i}`, Value: `v${i}`, RoleARN: `${ARN}${i}` })),
  };
}

describe("validateRule", () => {
  it("accepts a complete rule", () => {
    expect(validateRule(rule())).toEqual({});
  });

  it("requires every field", () => {
    const e = validateRule({ Claim: "", MatchType: "Equals", Value: "", RoleARN: "" });
    expect(e.Claim).toMatch(/required/);
    expect(e.Value).toMatch(/required/);
    expect(e.RoleARN).toMatch(/required/);
  });

  it("limits Claim to 1–64 characters", () => {
    expect(validateRule(rule({ Claim: "c".repeat(64) })).Claim).toBeUndefined();
    expect(validateRule(rule({ Claim: "c".repeat(65) })).Claim).toMatch(/64/);
  });

  it("limits Value to 1–128 characters", () => {
    expect(validateRule(rule({ Value: "v".repeat(128) })).Value).toBeUndefined();
    expect(validateRule(rule({ Value: "v".repeat(129) })).Value).toMatch(/128/);
  });

  it("rejects an unknown match type", () => {
    expect(validateRule({ ...rule(), MatchType: "Regex" as never }).MatchType).toBeDefined();
  });
});

describe("validateRoleArn", () => {
  it.each([
    ARN,
    "arn:aws:iam::123456789012:role/path/to/admins",
    "arn:aws-cn:iam::123456789012:role/r",
    "arn:aws-us-gov:iam::123456789012:role/name+=,.@-_",
  ])("accepts %s", (arn) => expect(validateRoleArn(arn)).toBeUndefined());

  it.each([
    ["arn:aws:iam::12345678901:role/x", /arn:aws:iam/], // 11 digits
    ["arn:aws:iam::123456789012:user/bob", /arn:aws:iam/],
    ["arn:aws:s3:::123456789012:role/x", /arn:aws:iam/],
    ["arn:aws:iam::123456789012:role/", /arn:aws:iam/],
    ["arn:aws:iam::1:r/x", /20–2048/], // 19 characters
    [`arn:aws:iam::123456789012:role/${"a".repeat(2048)}`, /20–2048/],
  ])("rejects %s", (arn, msg) => expect(validateRoleArn(arn)).toMatch(msg));
});

describe("validateMapping", () => {
  it("caps rules at 25", () => {
    expect(hasErrors(validateMapping(rulesDraft(25)))).toBe(false);
    const over = rulesDraft(25);
    over.rules.push({ ...over.rules[0]!, id: "extra" });
    expect(validateMapping(over).mapping).toContain("At most 25 rules per provider");
  });

  it("needs at least one rule for Rules, none for Token", () => {
    expect(validateMapping({ ...emptyMapping(), Type: "Rules" }).mapping).toContain("Add at least one rule");
    expect(hasErrors(validateMapping({ ...emptyMapping(), Type: "Token" }))).toBe(false);
  });

  it("reports errors per rule, in order", () => {
    const d = rulesDraft(3);
    d.rules[1] = { ...d.rules[1]!, RoleARN: "nope" };
    const e = validateMapping(d);
    expect(e.rules[0]).toEqual({});
    expect(e.rules[1]!.RoleARN).toBeDefined();
    expect(e.rules[2]).toEqual({});
  });
});

describe("editing", () => {
  it("addRule stops at 25", () => {
    const d = rulesDraft(MAX_RULES);
    expect(addRule(d)).toBe(d);
    expect(addRule(rulesDraft(24)).rules).toHaveLength(25);
  });

  it("moveRule reorders and ignores moves out of range", () => {
    const d = rulesDraft(3);
    const claims = (x: MappingDraft) => x.rules.map((r) => r.Claim);
    expect(claims(moveRule(d, 2, 0))).toEqual(["c2", "c0", "c1"]);
    expect(claims(moveRule(d, 0, 1))).toEqual(["c1", "c0", "c2"]);
    expect(claims(moveRule(d, 0, -1))).toEqual(["c0", "c1", "c2"]);
    expect(claims(moveRule(d, 2, 3))).toEqual(["c0", "c1", "c2"]);
  });
});

describe("wire shape", () => {
  it("emits the RoleMapping of SetIdentityPoolRoles, without editor ids", () => {
    const d = rulesDraft(2);
    d.AmbiguousRoleResolution = "Deny";
    expect(toWireMapping(d)).toEqual({
      Type: "Rules",
      AmbiguousRoleResolution: "Deny",
      RulesConfiguration: {
        Rules: [
          { Claim: "c0", MatchType: "Equals", Value: "v0", RoleARN: `${ARN}0` },
          { Claim: "c1", MatchType: "Equals", Value: "v1", RoleARN: `${ARN}1` },
        ],
      },
    });
  });

  it("Token mappings carry no rules; no mapping is left out", () => {
    expect(toWireMapping({ ...rulesDraft(2), Type: "Token" })).toEqual({
      Type: "Token",
      AmbiguousRoleResolution: "AuthenticatedRole",
    });
    expect(toWireRoleMappings({ a: emptyMapping(), b: { ...emptyMapping(), Type: "Token" } })).toEqual({
      b: { Type: "Token", AmbiguousRoleResolution: "AuthenticatedRole" },
    });
  });

  it("round-trips through the draft", () => {
    const wire = {
      Type: "Rules" as const,
      AmbiguousRoleResolution: "AuthenticatedRole" as const,
      RulesConfiguration: { Rules: [{ Claim: "email", MatchType: "StartsWith" as const, Value: "a", RoleARN: ARN }] },
    };
    expect(toWireMapping(fromWireMapping(wire))).toEqual(wire);
  });
});

describe("claimSuggestions", () => {
  it("adds the pool's attributes, custom ones as custom:x, to the standard claims", () => {
    const s = claimSuggestions([{ Name: "email" }, { Name: "custom:tier" }, { Name: "dept" }]);
    expect(s).toContain("cognito:groups");
    expect(s).toContain("custom:tier");
    expect(s).toContain("custom:dept");
    expect(s.filter((x) => x === "email")).toHaveLength(1);
  });
});
