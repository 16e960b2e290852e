// A pool's Lambda triggers (its LambdaConfig): which functions Cognito calls and when, the form
// that edits them, and the UpdateUserPool request that saves them without touching the rest.
import { z } from "zod";
import type {
  LambdaConfigType,
  PreTokenGenerationLambdaVersionType,
  UpdateUserPoolRequest,
  UserPoolType,
} from "../../generated/cognito-idp";
import { unchangedUpdateUserPoolRequest } from "../userPools/poolSettings";

/** The triggers named by a plain ARN in LambdaConfig (pre token generation has a versioned form too). */
export const TRIGGER_NAMES = [
  "PreSignUp",
  "PostConfirmation",
  "PreAuthentication",
  "PostAuthentication",
  "PreTokenGeneration",
  "CustomMessage",
  "UserMigration",
  "DefineAuthChallenge",
  "CreateAuthChallenge",
  "VerifyAuthChallengeResponse",
] as const satisfies readonly (keyof LambdaConfigType)[];

export type TriggerName = (typeof TRIGGER_NAMES)[number];

/**
 * The custom senders: Cognito hands them the codes and temporary passwords it would send, sealed
 * under the pool's KMS key. LambdaConfig names each with an object, not a plain ARN.
 */
export const SENDER_NAMES = ["CustomEmailSender", "CustomSMSSender"] as const satisfies readonly (keyof LambdaConfigType)[];

export type SenderName = (typeof SENDER_NAMES)[number];

/** Every trigger the form edits and TestTrigger and ListTriggerInvocations know. */
export const ALL_TRIGGER_NAMES = [...TRIGGER_NAMES, ...SENDER_NAMES] as const;

export type AnyTriggerName = TriggerName | SenderName;

export interface TriggerInfo {
  name: AnyTriggerName;
  label: string;
  /** When Cognito calls it. */
  when: string;
}

export const TRIGGERS: readonly TriggerInfo[] = [
  { name: "PreSignUp", label: "Pre sign-up", when: "Before a user is created by SignUp or AdminCreateUser: can refuse the sign-up, confirm the user or verify their e-mail or phone." },
  { name: "PostConfirmation", label: "Post confirmation", when: "After a user is confirmed (ConfirmSignUp, AdminConfirmSignUp, ConfirmForgotPassword)." },
  { name: "PreAuthentication", label: "Pre authentication", when: "Before a sign-in is checked: can refuse it." },
  { name: "PostAuthentication", label: "Post authentication", when: "After a successful sign-in, before the tokens are issued." },
  { name: "PreTokenGeneration", label: "Pre token generation", when: "Before tokens are issued (sign-in, refresh, hosted login): can add, change or remove claims, groups and scopes." },
  { name: "CustomMessage", label: "Custom message", when: "Before a verification code, invitation or MFA message is sent: can rewrite its text." },
  { name: "UserMigration", label: "User migration", when: "When someone signs in or resets a password as a user the pool does not know: can bring the user in from elsewhere." },
  { name: "DefineAuthChallenge", label: "Define auth challenge", when: "In a CUSTOM_AUTH sign-in: decides the next challenge, or issues the tokens." },
  { name: "CreateAuthChallenge", label: "Create auth challenge", when: "In a CUSTOM_AUTH sign-in: makes the challenge the user must answer." },
  { name: "VerifyAuthChallengeResponse", label: "Verify auth challenge response", when: "In a CUSTOM_AUTH sign-in: checks the user's answer." },
];

export const SENDERS: readonly TriggerInfo[] = [
  { name: "CustomEmailSender", label: "Custom e-mail sender", when: "Instead of Cognito sending an e-mail (a verification code, an invitation, an MFA or password reset code): the function sends it." },
  { name: "CustomSMSSender", label: "Custom SMS sender", when: "Instead of Cognito sending a text message (a verification code, an invitation, an MFA or password reset code): the function sends it." },
];

/** The plain triggers and the senders: what the inspector filters by and names. */
export const ALL_TRIGGERS: readonly TriggerInfo[] = [...TRIGGERS, ...SENDERS];

export const PRE_TOKEN_VERSIONS = [
  { value: "V1_0", label: "V1_0: ID token claims and groups" },
  { value: "V2_0", label: "V2_0: ID and access token claims and scopes" },
  { value: "V3_0", label: "V3_0: V2_0, for machine-to-machine too" },
] as const satisfies readonly { value: PreTokenGenerationLambdaVersionType; label: string }[];

/** A Lambda function ARN, optionally with a version or alias: arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]. */
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

export function functionArnError(arn: string): string | undefined {
  if (arn === "" || FUNCTION_ARN.test(arn)) return undefined;
  return "A Lambda function ARN: arn:aws:lambda:<region>:<12-digit account>:function:<name>, optionally :<version or alias>";
}

/** A KMS key ARN: arn:aws:kms:<region>:<account>:key/<id> (a key ID or a multi-Region mrk- ID). */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

export function kmsKeyArnError(arn: string): string | undefined {
  if (arn === "" || KMS_KEY_ARN.test(arn)) return undefined;
  return "A KMS key ARN: arn:aws:kms:<region>:<12-digit account>:key/<key id>";
}

export const KMS_KEY_REQUIRED = "A KMS key is required with a custom sender: Cognito encrypts the codes it sends them with it.";

const arn = z
  .string()
  .transform((s) => s.trim())
  .superRefine((s, ctx) => {
    const message = functionArnError(s);
    if (message) ctx.addIssue({ code: "custom", message });
  });

const kmsKey = z
  .string()
  .transform((s) => s.trim())
  .superRefine((s, ctx) => {
    const message = kmsKeyArnError(s);
    if (message) ctx.addIssue({ code: "custom", message });
  });

export const triggersSchema = z
  .object({
    arns: z.object(Object.fromEntries(ALL_TRIGGER_NAMES.map((n) => [n, arn])) as Record<AnyTriggerName, typeof arn>),
    preTokenVersion: z.enum(["V1_0", "V2_0", "V3_0"]),
    kmsKeyId: kmsKey,
  })
  .superRefine((v, ctx) => {
    if (!v.kmsKeyId && SENDER_NAMES.some((n) => v.arns[n])) ctx.addIssue({ code: "custom", path: ["kmsKeyId"], message: KMS_KEY_REQUIRED });
  });

export type TriggersFormInput = z.input<typeof triggersSchema>;
export type TriggersFormValues = z.output<typeof triggersSchema>;

/**
 * The function each trigger calls, as the server reads LambdaConfig: for pre token generation
 * PreTokenGenerationConfig wins over the older plain PreTokenGeneration (which means V1_0); a
 * sender's is the LambdaArn of its object.
 */
export function configuredFunction(config: LambdaConfigType | undefined, name: AnyTriggerName): { arn: string; version?: PreTokenGenerationLambdaVersionType } | undefined {
  if (!config) return undefined;
  if (name === "CustomEmailSender" || name === "CustomSMSSender") {
    const sender = config[name]?.LambdaArn;
    return sender ? { arn: sender } : undefined;
  }
  if (name === "PreTokenGeneration") {
    const versioned = config.PreTokenGenerationConfig;
    if (versioned?.LambdaArn) return { arn: versioned.LambdaArn, version: versioned.LambdaVersion };
    return config.PreTokenGeneration ? { arn: config.PreTokenGeneration, version: "V1_0" } : undefined;
  }
  const plain = config[name];
  return plain ? { arn: plain } : undefined;
}

/** The triggers, senders included, that name a function. */
export function configuredTriggers(config: LambdaConfigType | undefined): AnyTriggerName[] {
  return ALL_TRIGGER_NAMES.filter((n) => configuredFunction(config, n));
}

export function triggersFromPool(pool: UserPoolType): TriggersFormInput {
  const config = pool.LambdaConfig;
  return {
    arns: Object.fromEntries(ALL_TRIGGER_NAMES.map((n) => [n, configuredFunction(config, n)?.arn ?? ""])) as Record<AnyTriggerName, string>,
    preTokenVersion: configuredFunction(config, "PreTokenGeneration")?.version ?? "V1_0",
    kmsKeyId: config?.KMSKeyID ?? "",
  };
}

/**
 * The pool's LambdaConfig with the form's functions; a trigger, sender or KMS key left empty is
 * removed. What the form does not show (inbound federation) is kept as it is. Pre token
 * generation is saved as PreTokenGenerationConfig, the source of truth when present, and also
 * as the plain PreTokenGeneration when it is V1_0 (what older readers of LambdaConfig know);
 * Cognito wants the two identical when both are given. The custom e-mail and SMS senders are
 * saved as their V1_0 objects, with KMSKeyID, the key Cognito seals what it hands them under.
 */
export function toLambdaConfig(current: LambdaConfigType | undefined, v: TriggersFormValues): LambdaConfigType {
  const next: LambdaConfigType = { ...current };
  for (const n of TRIGGER_NAMES) delete next[n];
  delete next.PreTokenGenerationConfig;
  delete next.CustomEmailSender;
  delete next.CustomSMSSender;
  delete next.KMSKeyID;
  for (const n of TRIGGER_NAMES) {
    const value = v.arns[n];
    if (!value) continue;
    if (n === "PreTokenGeneration") {
      next.PreTokenGenerationConfig = { LambdaVersion: v.preTokenVersion, LambdaArn: value };
      if (v.preTokenVersion === "V1_0") next.PreTokenGeneration = value;
    } else {
      next[n] = value;
    }
  }
  if (v.arns.CustomEmailSender) next.CustomEmailSender = { LambdaVersion: "V1_0", LambdaArn: v.arns.CustomEmailSender };
  if (v.arns.CustomSMSSender) next.CustomSMSSender = { LambdaVersion: "V1_0", LambdaArn: v.arns.CustomSMSSender };
  if (v.kmsKeyId) next.KMSKeyID = v.kmsKeyId;
  return next;
}

/** The full UpdateUserPool request: the pool as it is, with the form's triggers. */
export function toUpdateTriggersRequest(pool: UserPoolType, v: TriggersFormValues): UpdateUserPoolRequest {
  return { ...unchangedUpdateUserPoolRequest(pool), LambdaConfig: toLambdaConfig(pool.LambdaConfig, v) };
}

/** "UserLambdaValidationException: PreSignUp failed with error ..." → "UserLambdaValidationException". */
export function errorName(error: string): string {
  const i = error.indexOf(":");
  return i > 0 ? error.slice(0, i) : error;
}

/** The message after the error's name. */
export function errorMessage(error: string): string {
  const i = error.indexOf(":");
  return i > 0 ? error.slice(i + 1).trim() : "";
}

export function triggerLabel(name: string): string {
  return ALL_TRIGGERS.find((t) => t.name === name)?.label ?? name;
}
