// UpdateUserPool resets every setting it is not given to its default (AWS behaviour), so an
// update is always the described pool's updatable settings with the edited ones replaced.
import type { UpdateUserPoolRequest, UserPoolMfaType, UserPoolType } from "../../generated/cognito-idp";

const UPDATABLE = [
  "Policies",
  "DeletionProtection",
  "LambdaConfig",
  "AutoVerifiedAttributes",
  "SmsVerificationMessage",
  "EmailVerificationMessage",
  "EmailVerificationSubject",
  "VerificationMessageTemplate",
  "SmsAuthenticationMessage",
  "UserAttributeUpdateSettings",
  "MfaConfiguration",
  "DeviceConfiguration",
  "EmailConfiguration",
  "SmsConfiguration",
  "UserPoolTags",
  "AdminCreateUserConfig",
  "UserPoolAddOns",
  "AccountRecoverySetting",
  "UserPoolTier",
] as const satisfies readonly (keyof UpdateUserPoolRequest & keyof UserPoolType)[];

export interface PoolSettingsValues {
  minLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
  temporaryPasswordValidityDays: number;
  mfa: UserPoolMfaType;
  deletionProtection: boolean;
}

export function settingsFromPool(pool: UserPoolType): PoolSettingsValues {
  const p = pool.Policies?.PasswordPolicy ?? {};
  return {
    minLength: p.MinimumLength ?? 8,
    requireUppercase: p.RequireUppercase ?? false,
    requireLowercase: p.RequireLowercase ?? false,
    requireNumbers: p.RequireNumbers ?? false,
    requireSymbols: p.RequireSymbols ?? false,
    temporaryPasswordValidityDays: p.TemporaryPasswordValidityDays ?? 7,
    mfa: pool.MfaConfiguration ?? "OFF",
    deletionProtection: pool.DeletionProtection === "ACTIVE",
  };
}

/** The full UpdateUserPool request; MFA stays as it is (it changes via SetUserPoolMfaConfig). */
export function toUpdateUserPoolRequest(pool: UserPoolType, v: PoolSettingsValues): UpdateUserPoolRequest {
  const req: UpdateUserPoolRequest = { UserPoolId: pool.Id! };
  const target = req as unknown as Record<string, unknown>;
  const source = pool as unknown as Record<string, unknown>;
  for (const k of UPDATABLE) if (source[k] !== undefined) target[k] = source[k];
  if (pool.Name) req.PoolName = pool.Name;
  req.Policies = {
    ...pool.Policies,
    PasswordPolicy: {
      ...pool.Policies?.PasswordPolicy,
      MinimumLength: v.minLength,
      RequireUppercase: v.requireUppercase,
      RequireLowercase: v.requireLowercase,
      RequireNumbers: v.requireNumbers,
      RequireSymbols: v.requireSymbols,
      TemporaryPasswordValidityDays: v.temporaryPasswordValidityDays,
    },
  };
  req.DeletionProtection = v.deletionProtection ? "ACTIVE" : "INACTIVE";
  return req;
}
