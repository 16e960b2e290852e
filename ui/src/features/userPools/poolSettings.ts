// UpdateUserPool resets every setting it is not given to its default (AWS behaviour), so an
// update is always the described pool's updatable settings with the edited ones replaced.
import { z } from "zod";
import type { GetUserPoolMfaConfigResponse, UpdateUserPoolRequest, UserPoolType } from "../../generated/cognito-idp";
import { passwordPolicyFromCognito, passwordPolicySchema, passwordPolicyToCognito } from "../../components/form/passwordPolicy";
import { mfaFromCognito, mfaSchema } from "./mfa";

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

export const poolSettingsSchema = z.object({
  passwordPolicy: passwordPolicySchema,
  mfa: mfaSchema,
  deletionProtection: z.boolean(),
});

export type PoolSettingsValues = z.infer<typeof poolSettingsSchema>;

export function settingsFromPool(pool: UserPoolType, mfaConfig?: GetUserPoolMfaConfigResponse): PoolSettingsValues {
  return {
    passwordPolicy: passwordPolicyFromCognito(pool.Policies?.PasswordPolicy),
    mfa: mfaFromCognito(mfaConfig, pool.MfaConfiguration),
    deletionProtection: pool.DeletionProtection === "ACTIVE",
  };
}

/**
 * An UpdateUserPool request that changes nothing: every updatable setting of the described pool
 * as it is. Screens that edit a part of the pool (settings, triggers) replace only their part.
 */
export function unchangedUpdateUserPoolRequest(pool: UserPoolType): UpdateUserPoolRequest {
  const req: UpdateUserPoolRequest = { UserPoolId: pool.Id! };
  const target = req as unknown as Record<string, unknown>;
  const source = pool as unknown as Record<string, unknown>;
  for (const k of UPDATABLE) if (source[k] !== undefined) target[k] = source[k];
  if (pool.Name) req.PoolName = pool.Name;
  return req;
}

/** The full UpdateUserPool request; MFA stays as it is (it changes via SetUserPoolMfaConfig). */
export function toUpdateUserPoolRequest(pool: UserPoolType, v: PoolSettingsValues): UpdateUserPoolRequest {
  const req = unchangedUpdateUserPoolRequest(pool);
  req.Policies = { ...pool.Policies, PasswordPolicy: passwordPolicyToCognito(v.passwordPolicy, pool.Policies?.PasswordPolicy) };
  req.DeletionProtection = v.deletionProtection ? "ACTIVE" : "INACTIVE";
  return req;
}
