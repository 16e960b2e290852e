// Form state of the "create user pool" wizard and its explicit mapping to the wire requests
// (CreateUserPool, then SetUserPoolMfaConfig and CreateUserPoolClient).
import { z } from "zod";
import { passwordPolicySchema, passwordPolicyToCognito } from "../../components/form/passwordPolicy";
import { mfaDefaults, mfaSchema, toSetMfaConfigRequest } from "./mfa";
import type {
  CreateUserPoolClientRequest,
  CreateUserPoolRequest,
  ExplicitAuthFlowsType,
  SchemaAttributeType,
  SetUserPoolMfaConfigRequest,
} from "../../generated/cognito-idp";

export const REQUIRABLE_ATTRIBUTES = [
  "email",
  "phone_number",
  "name",
  "given_name",
  "family_name",
  "preferred_username",
  "birthdate",
  "locale",
] as const;

export const AUTH_FLOWS: { value: ExplicitAuthFlowsType; label: string }[] = [
  { value: "ALLOW_USER_SRP_AUTH", label: "SRP (USER_SRP_AUTH)" },
  { value: "ALLOW_USER_PASSWORD_AUTH", label: "Password (USER_PASSWORD_AUTH)" },
  { value: "ALLOW_ADMIN_USER_PASSWORD_AUTH", label: "Admin password (ADMIN_USER_PASSWORD_AUTH)" },
  { value: "ALLOW_USER_AUTH", label: "Choice-based (USER_AUTH)" },
  { value: "ALLOW_CUSTOM_AUTH", label: "Custom (CUSTOM_AUTH)" },
  { value: "ALLOW_REFRESH_TOKEN_AUTH", label: "Refresh token (REFRESH_TOKEN_AUTH)" },
];

/** PoolDesk's user pool tag choosing how tokens are signed (Cognito's API has no field for it). */
export const TOKEN_SIGNING_TAG = "pooldesk:token-signing-algorithm";

const optionalInt = z
  .string()
  .trim()
  .refine((s) => s === "" || /^-?\d+$/.test(s), "Whole number");

export const customAttributeSchema = z
  .object({
    name: z
      .string()
      .min(1, "Name is required")
      .max(20, "At most 20 characters")
      .regex(/^[^\s:]+$/, "No spaces or colons (custom: is added for you)"),
    type: z.enum(["String", "Number", "DateTime", "Boolean"]),
    mutable: z.boolean(),
    min: optionalInt,
    max: optionalInt,
  })
  .superRefine((a, ctx) => {
    if (a.min !== "" && a.max !== "" && Number(a.min) > Number(a.max)) {
      ctx.addIssue({ code: "custom", path: ["max"], message: "Max must be at least min" });
    }
    if (a.type === "String") {
      for (const k of ["min", "max"] as const) {
        if (a[k] !== "" && (Number(a[k]) < 0 || Number(a[k]) > 2048)) {
          ctx.addIssue({ code: "custom", path: [k], message: "Length between 0 and 2048" });
        }
      }
    }
  });

export const createPoolSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "Pool name is required")
      .max(128, "At most 128 characters")
      .regex(/^[\w\s+=,.@-]+$/, "Letters, digits, spaces and + = , . @ - _ only"),
    signIn: z.enum(["username", "email", "phone_number", "email_or_phone"]),
    aliasEmail: z.boolean(),
    aliasPhone: z.boolean(),
    aliasPreferredUsername: z.boolean(),
    caseInsensitive: z.boolean(),
    autoVerifyEmail: z.boolean(),
    autoVerifyPhone: z.boolean(),
    passwordPolicy: passwordPolicySchema,
    mfa: mfaSchema,
    deletionProtection: z.boolean(),
    tokenSigning: z.enum(["RS256", "ES256"]),
    requiredAttributes: z.array(z.enum(REQUIRABLE_ATTRIBUTES)),
    customAttributes: z.array(customAttributeSchema).max(50, "At most 50 custom attributes"),
    createClient: z.boolean(),
    clientName: z.string().trim(),
    generateSecret: z.boolean(),
    authFlows: z.array(z.string()),
  })
  .superRefine((v, ctx) => {
    if (v.createClient && v.clientName === "") {
      ctx.addIssue({ code: "custom", path: ["clientName"], message: "App client name is required" });
    }
    if (v.createClient && v.clientName.length > 128) {
      ctx.addIssue({ code: "custom", path: ["clientName"], message: "At most 128 characters" });
    }
    const names = v.customAttributes.map((a) => a.name);
    names.forEach((n, i) => {
      if (n && names.indexOf(n) !== i) {
        ctx.addIssue({ code: "custom", path: ["customAttributes", i, "name"], message: "Duplicate name" });
      }
    });
  });

export type CreatePoolValues = z.input<typeof createPoolSchema>;
export type CreatePoolParsed = z.output<typeof createPoolSchema>;

export const createPoolDefaults: CreatePoolValues = {
  name: "",
  signIn: "username",
  aliasEmail: false,
  aliasPhone: false,
  aliasPreferredUsername: false,
  caseInsensitive: true,
  autoVerifyEmail: true,
  autoVerifyPhone: false,
  passwordPolicy: {
    minLength: 8,
    requireUppercase: true,
    requireLowercase: true,
    requireNumbers: true,
    requireSymbols: false,
    temporaryPasswordValidityDays: 7,
  },
  mfa: mfaDefaults,
  deletionProtection: false,
  tokenSigning: "RS256",
  requiredAttributes: [],
  customAttributes: [],
  createClient: true,
  clientName: "app",
  generateSecret: false,
  authFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
};

export function customToSchema(a: CreatePoolParsed["customAttributes"][number]): SchemaAttributeType {
  const s: SchemaAttributeType = { Name: a.name, AttributeDataType: a.type, Mutable: a.mutable, Required: false };
  const c = (lo: string, hi: string) => ({ ...(lo !== "" ? { lo } : {}), ...(hi !== "" ? { hi } : {}) });
  const range = c(a.min, a.max);
  if (a.type === "String" && (range.lo !== undefined || range.hi !== undefined)) {
    s.StringAttributeConstraints = {
      ...(range.lo !== undefined ? { MinLength: range.lo } : {}),
      ...(range.hi !== undefined ? { MaxLength: range.hi } : {}),
    };
  }
  if (a.type === "Number" && (range.lo !== undefined || range.hi !== undefined)) {
    s.NumberAttributeConstraints = {
      ...(range.lo !== undefined ? { MinValue: range.lo } : {}),
      ...(range.hi !== undefined ? { MaxValue: range.hi } : {}),
    };
  }
  return s;
}

/**
 * CreateUserPool. MFA is created OFF and switched on by `toMfaRequest` afterwards, because
 * Cognito only accepts ON/OPTIONAL once an MFA method (TOTP, SMS or e-mail) is configured.
 */
export function toCreateUserPoolRequest(v: CreatePoolParsed): CreateUserPoolRequest {
  const req: CreateUserPoolRequest = {
    PoolName: v.name,
    Policies: { PasswordPolicy: passwordPolicyToCognito(v.passwordPolicy) },
    DeletionProtection: v.deletionProtection ? "ACTIVE" : "INACTIVE",
    MfaConfiguration: "OFF",
    UsernameConfiguration: { CaseSensitive: !v.caseInsensitive },
  };
  if (v.signIn === "username") {
    const aliases = [
      ...(v.aliasEmail ? (["email"] as const) : []),
      ...(v.aliasPhone ? (["phone_number"] as const) : []),
      ...(v.aliasPreferredUsername ? (["preferred_username"] as const) : []),
    ];
    if (aliases.length > 0) req.AliasAttributes = aliases;
  } else if (v.signIn === "email_or_phone") {
    req.UsernameAttributes = ["email", "phone_number"];
  } else {
    req.UsernameAttributes = [v.signIn];
  }
  const verified = [
    ...(v.autoVerifyEmail ? (["email"] as const) : []),
    ...(v.autoVerifyPhone ? (["phone_number"] as const) : []),
  ];
  if (verified.length > 0) req.AutoVerifiedAttributes = verified;
  const schema: SchemaAttributeType[] = [
    ...v.requiredAttributes.map(
      (name): SchemaAttributeType => ({ Name: name, AttributeDataType: "String", Mutable: true, Required: true }),
    ),
    ...v.customAttributes.map(customToSchema),
  ];
  if (schema.length > 0) req.Schema = schema;
  if (v.tokenSigning === "ES256") req.UserPoolTags = { [TOKEN_SIGNING_TAG]: "ES256" };
  return req;
}

export function toMfaRequest(poolId: string, v: CreatePoolParsed): SetUserPoolMfaConfigRequest | undefined {
  if (v.mfa.mode === "OFF") return undefined;
  return toSetMfaConfigRequest(poolId, v.mfa);
}

export function toCreateClientRequest(poolId: string, v: CreatePoolParsed): CreateUserPoolClientRequest | undefined {
  if (!v.createClient) return undefined;
  return {
    UserPoolId: poolId,
    ClientName: v.clientName,
    GenerateSecret: v.generateSecret,
    ExplicitAuthFlows: v.authFlows as ExplicitAuthFlowsType[],
  };
}
