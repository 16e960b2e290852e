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

/** Whether the pool remembers users' devices: never, every confirmed device, or when the user opts in. */
export const DEVICE_MODES = [
  { value: "off", label: "Don't remember devices" },
  { value: "always", label: "Always remember confirmed devices" },
  { value: "opt-in", label: "Remember a device when the user opts in" },
] as const;

export const poolSettingsSchema = z.object({
  passwordPolicy: passwordPolicySchema,
  mfa: mfaSchema,
  devices: z.enum(["off", "always", "opt-in"]),
  /** ChallengeRequiredOnNewDevice: a remembered device signs in instead of an MFA code. */
  devicesReplaceMfa: z.boolean(),
  deletionProtection: z.boolean(),
});

export type PoolSettingsValues = z.infer<typeof poolSettingsSchema>;

export function settingsFromPool(pool: UserPoolType, mfaConfig?: GetUserPoolMfaConfigResponse): PoolSettingsValues {
  return {
    passwordPolicy: passwordPolicyFromCognito(pool.Policies?.PasswordPolicy),
    mfa: mfaFromCognito(mfaConfig, pool.MfaConfiguration),
    devices: !pool.DeviceConfiguration ? "off" : pool.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt ? "opt-in" : "always",
    devicesReplaceMfa: pool.DeviceConfiguration?.ChallengeRequiredOnNewDevice === true,
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
  // An UpdateUserPool without DeviceConfiguration turns remembering off.
  if (v.devices === "off") delete req.DeviceConfiguration;
  else req.DeviceConfiguration = { ChallengeRequiredOnNewDevice: v.devicesReplaceMfa, DeviceOnlyRememberedOnUserPrompt: v.devices === "opt-in" };
  return req;
}

/** The pool's device remembering, in words. */
export function describeDevices(pool: UserPoolType): string {
  const c = pool.DeviceConfiguration;
  if (!c) return "Not remembered";
  const which = c.DeviceOnlyRememberedOnUserPrompt ? "Remembered when the user opts in" : "Always remembered";
  return c.ChallengeRequiredOnNewDevice ? `${which}; a remembered device replaces MFA` : which;
}
