// Cognito's PasswordPolicyType ↔ the password-policy field set, shared by pool creation and pool
// settings, and the policy in words for the screens that show it.
import { z } from "zod";
import type { PasswordPolicyType } from "../../generated/cognito-idp";

const wholeNumber = (min: number, max: number) =>
  z
    .number({ invalid_type_error: "Enter a number" })
    .int("Whole number")
    .min(min, `At least ${min}`)
    .max(max, `At most ${max}`);

export const passwordPolicySchema = z.object({
  minLength: wholeNumber(6, 99),
  requireUppercase: z.boolean(),
  requireLowercase: z.boolean(),
  requireNumbers: z.boolean(),
  requireSymbols: z.boolean(),
  temporaryPasswordValidityDays: wholeNumber(0, 365),
});

export type PasswordPolicyValues = z.infer<typeof passwordPolicySchema>;

/** Cognito's defaults for a pool created without a policy. */
export const COGNITO_DEFAULT_POLICY: PasswordPolicyValues = {
  minLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 7,
};

export function passwordPolicyFromCognito(p: PasswordPolicyType | undefined): PasswordPolicyValues {
  if (!p) return COGNITO_DEFAULT_POLICY;
  return {
    minLength: p.MinimumLength ?? 8,
    requireUppercase: p.RequireUppercase ?? false,
    requireLowercase: p.RequireLowercase ?? false,
    requireNumbers: p.RequireNumbers ?? false,
    requireSymbols: p.RequireSymbols ?? false,
    temporaryPasswordValidityDays: p.TemporaryPasswordValidityDays ?? 7,
  };
}

/** The edited policy; what the fields do not edit (PasswordHistorySize) stays as `base` has it. */
export function passwordPolicyToCognito(v: PasswordPolicyValues, base?: PasswordPolicyType): PasswordPolicyType {
  return {
    ...base,
    MinimumLength: v.minLength,
    RequireUppercase: v.requireUppercase,
    RequireLowercase: v.requireLowercase,
    RequireNumbers: v.requireNumbers,
    RequireSymbols: v.requireSymbols,
    TemporaryPasswordValidityDays: v.temporaryPasswordValidityDays,
  };
}

/** "At least 8 characters with an uppercase letter, a lowercase letter and a number." */
export function describePasswordPolicy(p: PasswordPolicyType | undefined): string {
  const v = passwordPolicyFromCognito(p);
  const needs = [
    v.requireUppercase && "an uppercase letter",
    v.requireLowercase && "a lowercase letter",
    v.requireNumbers && "a number",
    v.requireSymbols && "a symbol",
  ].filter((x): x is string => !!x);
  const list = needs.length <= 1 ? needs.join("") : `${needs.slice(0, -1).join(", ")} and ${needs[needs.length - 1]}`;
  const history = p?.PasswordHistorySize ? ` Not one of the last ${p.PasswordHistorySize} passwords.` : "";
  return `At least ${v.minLength} characters${list ? ` with ${list}` : ""}.${history}`;
}
