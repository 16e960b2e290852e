// The pool's MFA choice (off / optional / required) and the ways codes are sent, ↔
// SetUserPoolMfaConfig. Shared by pool creation and pool settings.
import { z } from "zod";
import type {
  GetUserPoolMfaConfigResponse,
  SetUserPoolMfaConfigRequest,
  UserPoolMfaType,
} from "../../generated/cognito-idp";

export const mfaSchema = z
  .object({
    mode: z.enum(["OFF", "OPTIONAL", "ON"]),
    totp: z.boolean(),
    sms: z.boolean(),
    email: z.boolean(),
  })
  .superRefine((v, ctx) => {
    if (v.mode !== "OFF" && !v.totp && !v.sms && !v.email) {
      ctx.addIssue({ code: "custom", path: ["totp"], message: "Choose at least one way to send codes" });
    }
  });

export type MfaValues = z.infer<typeof mfaSchema>;

export const MFA_MODES: { value: UserPoolMfaType; label: string }[] = [
  { value: "OFF", label: "Off" },
  { value: "OPTIONAL", label: "Optional: each user chooses" },
  { value: "ON", label: "Required for every user" },
];

export const mfaDefaults: MfaValues = { mode: "OFF", totp: true, sms: false, email: false };

export function mfaFromCognito(config: GetUserPoolMfaConfigResponse | undefined, mode: UserPoolMfaType | undefined): MfaValues {
  const sms = !!config?.SmsMfaConfiguration;
  const email = !!config?.EmailMfaConfiguration;
  const totp = config?.SoftwareTokenMfaConfiguration?.Enabled ?? (!sms && !email);
  return { mode: config?.MfaConfiguration ?? mode ?? "OFF", totp, sms, email };
}

/**
 * SetUserPoolMfaConfig for the chosen mode and methods. SMS and e-mail keep the pool's current
 * message settings (`current`), else the server's defaults.
 */
export function toSetMfaConfigRequest(
  poolId: string,
  v: MfaValues,
  current?: GetUserPoolMfaConfigResponse,
): SetUserPoolMfaConfigRequest {
  return {
    UserPoolId: poolId,
    MfaConfiguration: v.mode,
    SoftwareTokenMfaConfiguration: { Enabled: v.totp },
    ...(v.sms ? { SmsMfaConfiguration: current?.SmsMfaConfiguration ?? {} } : {}),
    ...(v.email ? { EmailMfaConfiguration: current?.EmailMfaConfiguration ?? {} } : {}),
  };
}

/** "Optional: authenticator app, SMS" */
export function describeMfa(v: MfaValues): string {
  if (v.mode === "OFF") return "Off";
  const ways = [v.totp && "authenticator app", v.sms && "SMS", v.email && "e-mail"].filter(Boolean).join(", ");
  return `${v.mode === "ON" ? "Required" : "Optional"}: ${ways}`;
}

const METHOD_NAMES = { totp: "authenticator app", sms: "SMS", email: "e-mail" } as const;

/**
 * The methods the server kept on although they were turned off: said, never hidden. (PoolDesk
 * before 0.2 kept SMS and e-mail once configured; a remote server may still run it.)
 */
export function methodsKept(asked: MfaValues, got: MfaValues): string[] {
  return (Object.keys(METHOD_NAMES) as (keyof typeof METHOD_NAMES)[])
    .filter((k) => !asked[k] && got[k])
    .map((k) => METHOD_NAMES[k]);
}
