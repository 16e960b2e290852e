import { describe, expect, it } from "vitest";
import type { SimulationReason } from "../../api/pooldesk";
import { outcomeSentence, REASON_SENTENCES, reasonSentence, userStateWarning, withDraft } from "./simulation";

const ALL_REASONS: SimulationReason[] = [
  "GuestRole",
  "DefaultRole",
  "RuleMatched",
  "PreferredRole",
  "OnlyRoleInToken",
  "CustomRoleFromToken",
  "AmbiguousFellBackToAuthenticatedRole",
];

describe("simulation wording", () => {
  it("says every reason in plain words, never the enum name", () => {
    expect(Object.keys(REASON_SENTENCES).sort()).toEqual([...ALL_REASONS].sort());
    for (const reason of ALL_REASONS) {
      const sentence = reasonSentence(reason);
      expect(sentence).not.toContain(reason);
      expect(sentence).toMatch(/^[A-Z].{20,}\.$/);
    }
  });

  it("says what happened to each rule", () => {
    const base = { Index: 0, Claim: "email", MatchType: "Equals", Value: "a", RoleARN: "arn" } as const;
    expect(outcomeSentence({ ...base, Outcome: "NotMatched", ClaimValue: "b@x" }, 2)).toBe('Did not match: email is "b@x".');
    expect(outcomeSentence({ ...base, Outcome: "NotMatched" }, undefined)).toBe("Did not match: the token has no email claim.");
    expect(outcomeSentence({ ...base, Outcome: "NotReached" }, 2)).toBe("Not reached: rule 3 matched first.");
    expect(outcomeSentence({ ...base, Outcome: "Matched" }, 0)).toBe("Matched: this rule chooses the role.");
  });

  it("warns about users who cannot sign in", () => {
    expect(userStateWarning({ Enabled: true, UserStatus: "CONFIRMED" })).toBeNull();
    expect(userStateWarning({ Enabled: false, UserStatus: "CONFIRMED" })).toContain("is disabled");
    expect(userStateWarning({ Enabled: true, UserStatus: "UNCONFIRMED" })).toContain("has not confirmed");
    expect(userStateWarning({ Enabled: true, UserStatus: "RESET_REQUIRED" })).toContain("reset their password");
  });

  it("sends the draft roles and mappings with the input", () => {
    const input = withDraft(
      { IdentityPoolId: "p", Provider: "x", Claims: {} },
      { authenticated: "arn:aws:iam::123456789012:role/a", unauthenticated: "", mappings: { x: { Type: "Token", AmbiguousRoleResolution: "Deny", rules: [] } } },
    );
    expect(input).toEqual({
      IdentityPoolId: "p",
      Provider: "x",
      Claims: {},
      Roles: { authenticated: "arn:aws:iam::123456789012:role/a" },
      RoleMappings: { x: { Type: "Token", AmbiguousRoleResolution: "Deny" } },
    });
  });
});
