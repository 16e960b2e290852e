import { describe, expect, it } from "vitest";
import {
  COGNITO_DEFAULT_POLICY,
  describePasswordPolicy,
  passwordPolicyFromCognito,
  passwordPolicySchema,
  passwordPolicyToCognito,
} from "./passwordPolicy";

describe("password policy ↔ PasswordPolicyType", () => {
  it("reads Cognito's policy into the fields, absent rules as not required", () => {
    expect(passwordPolicyFromCognito({ MinimumLength: 12, RequireSymbols: true, TemporaryPasswordValidityDays: 3 })).toEqual({
      minLength: 12,
      requireUppercase: false,
      requireLowercase: false,
      requireNumbers: false,
      requireSymbols: true,
      temporaryPasswordValidityDays: 3,
    });
    expect(passwordPolicyFromCognito(undefined)).toEqual(COGNITO_DEFAULT_POLICY);
  });

  it("writes the fields back, keeping what the fields do not edit", () => {
    const v = { ...COGNITO_DEFAULT_POLICY, minLength: 10, requireSymbols: false };
    expect(passwordPolicyToCognito(v, { MinimumLength: 6, PasswordHistorySize: 5 })).toEqual({
      MinimumLength: 10,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: false,
      TemporaryPasswordValidityDays: 7,
      PasswordHistorySize: 5,
    });
  });

  it("round-trips", () => {
    const wire = { MinimumLength: 9, RequireUppercase: true, RequireLowercase: false, RequireNumbers: true, RequireSymbols: false, TemporaryPasswordValidityDays: 1 };
    expect(passwordPolicyToCognito(passwordPolicyFromCognito(wire))).toEqual(wire);
  });

  it("validates Cognito's bounds and says an empty box is not a number", () => {
    const at = (o: object) => passwordPolicySchema.safeParse({ ...COGNITO_DEFAULT_POLICY, ...o });
    expect(at({ minLength: 5 }).error!.issues[0]!.message).toBe("At least 6");
    expect(at({ minLength: 100 }).error!.issues[0]!.message).toBe("At most 99");
    expect(at({ temporaryPasswordValidityDays: 366 }).success).toBe(false);
    expect(at({ minLength: Number.NaN }).error!.issues[0]!.message).toBe("Enter a number");
    expect(at({ minLength: 6 }).success).toBe(true);
  });

  it("puts the policy in words", () => {
    expect(describePasswordPolicy({ MinimumLength: 8, RequireUppercase: true, RequireNumbers: true, PasswordHistorySize: 2 })).toBe(
      "At least 8 characters with an uppercase letter and a number. Not one of the last 2 passwords.",
    );
    expect(describePasswordPolicy({ MinimumLength: 6 })).toBe("At least 6 characters.");
  });
});
