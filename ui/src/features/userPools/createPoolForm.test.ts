import { describe, expect, it } from "vitest";
import {
  createPoolDefaults,
  createPoolSchema,
  toCreateClientRequest,
  toCreateUserPoolRequest,
  toMfaRequest,
  type CreatePoolValues,
} from "./createPoolForm";
import { toUpdateUserPoolRequest, settingsFromPool } from "./poolSettings";

const parse = (over: Partial<CreatePoolValues>) => createPoolSchema.parse({ ...createPoolDefaults, ...over });

describe("create user pool form → wire", () => {
  it("asks for ES256 signatures with PoolDesk's tag, and adds no tag for RS256", () => {
    expect(toCreateUserPoolRequest(parse({ name: "fast", tokenSigning: "ES256" })).UserPoolTags).toEqual({
      "pooldesk:token-signing-algorithm": "ES256",
    });
    expect(toCreateUserPoolRequest(parse({ name: "plain" })).UserPoolTags).toBeUndefined();
    expect(() => parse({ name: "x", tokenSigning: "HS256" as "RS256" })).toThrow();
  });

  it("maps defaults to CreateUserPool + first client", () => {
    const v = parse({ name: "demo" });
    expect(toCreateUserPoolRequest(v)).toEqual({
      PoolName: "demo",
      Policies: {
        PasswordPolicy: {
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: 7,
        },
      },
      DeletionProtection: "INACTIVE",
      MfaConfiguration: "OFF",
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ["email"],
    });
    expect(toMfaRequest("p", v)).toBeUndefined();
    expect(toCreateClientRequest("p", v)).toEqual({
      UserPoolId: "p",
      ClientName: "app",
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
  });

  it("uses UsernameAttributes or AliasAttributes, never both", () => {
    expect(toCreateUserPoolRequest(parse({ name: "a", signIn: "email", aliasEmail: true })).UsernameAttributes).toEqual(["email"]);
    expect(toCreateUserPoolRequest(parse({ name: "a", signIn: "email", aliasEmail: true })).AliasAttributes).toBeUndefined();
    const aliases = toCreateUserPoolRequest(parse({ name: "a", aliasEmail: true, aliasPreferredUsername: true }));
    expect(aliases.AliasAttributes).toEqual(["email", "preferred_username"]);
    expect(aliases.UsernameAttributes).toBeUndefined();
  });

  it("builds the Schema from required and custom attributes with constraints", () => {
    const v = parse({
      name: "a",
      requiredAttributes: ["email"],
      customAttributes: [
        { name: "tier", type: "String", mutable: true, min: "1", max: "10" },
        { name: "age", type: "Number", mutable: false, min: "0", max: "" },
        { name: "vip", type: "Boolean", mutable: true, min: "", max: "" },
      ],
    });
    expect(toCreateUserPoolRequest(v).Schema).toEqual([
      { Name: "email", AttributeDataType: "String", Mutable: true, Required: true },
      { Name: "tier", AttributeDataType: "String", Mutable: true, Required: false, StringAttributeConstraints: { MinLength: "1", MaxLength: "10" } },
      { Name: "age", AttributeDataType: "Number", Mutable: false, Required: false, NumberAttributeConstraints: { MinValue: "0" } },
      { Name: "vip", AttributeDataType: "Boolean", Mutable: true, Required: false },
    ]);
  });

  it("turns MFA on after creation with TOTP", () => {
    expect(toMfaRequest("p", parse({ name: "a", mfa: { mode: "ON", totp: true, sms: false, email: false } }))).toEqual({
      UserPoolId: "p",
      MfaConfiguration: "ON",
      SoftwareTokenMfaConfiguration: { Enabled: true },
    });
  });

  it("offers SMS and e-mail codes beside authenticator apps, and needs one of them", () => {
    expect(toMfaRequest("p", parse({ name: "a", mfa: { mode: "OPTIONAL", totp: false, sms: true, email: true } }))).toEqual({
      UserPoolId: "p",
      MfaConfiguration: "OPTIONAL",
      SoftwareTokenMfaConfiguration: { Enabled: false },
      SmsMfaConfiguration: {},
      EmailMfaConfiguration: {},
    });
    const none = createPoolSchema.safeParse({ ...createPoolDefaults, name: "a", mfa: { mode: "ON", totp: false, sms: false, email: false } });
    expect(none.success).toBe(false);
    expect(none.error!.issues[0]).toMatchObject({ path: ["mfa", "totp"], message: "Choose at least one way to send codes" });
  });

  it("validates like Cognito", () => {
    expect(createPoolSchema.safeParse({ ...createPoolDefaults, name: "" }).success).toBe(false);
    const withMin = (minLength: number) => ({ ...createPoolDefaults, name: "a", passwordPolicy: { ...createPoolDefaults.passwordPolicy, minLength } });
    expect(createPoolSchema.safeParse(withMin(5)).success).toBe(false);
    expect(createPoolSchema.safeParse(withMin(100)).success).toBe(false);
    expect(createPoolSchema.safeParse(withMin(99)).success).toBe(true);
    expect(createPoolSchema.safeParse(withMin(Number.NaN)).error!.issues[0]!.message).toBe("Enter a number");
    const dup = createPoolSchema.safeParse({
      ...createPoolDefaults,
      name: "a",
      customAttributes: [
        { name: "x", type: "String", mutable: true, min: "", max: "" },
        { name: "x", type: "Number", mutable: true, min: "5", max: "1" },
      ],
    });
    expect(dup.success).toBe(false);
    expect(dup.error!.issues.map((i) => i.message)).toEqual(expect.arrayContaining(["Duplicate name", "Max must be at least min"]));
  });
});

describe("UpdateUserPool keeps what the form does not edit", () => {
  it("copies the pool's other settings and replaces the password policy", () => {
    const pool = {
      Id: "p",
      Name: "demo",
      AutoVerifiedAttributes: ["email" as const],
      MfaConfiguration: "OPTIONAL" as const,
      EmailVerificationSubject: "Your code",
      Policies: { PasswordPolicy: { MinimumLength: 8, PasswordHistorySize: 3 } },
      SchemaAttributes: [{ Name: "email" }],
    };
    const current = settingsFromPool(pool);
    const v = { ...current, passwordPolicy: { ...current.passwordPolicy, minLength: 12 }, deletionProtection: true };
    const req = toUpdateUserPoolRequest(pool, v);
    expect(req.UserPoolId).toBe("p");
    expect(req.PoolName).toBe("demo");
    expect(req.AutoVerifiedAttributes).toEqual(["email"]);
    expect(req.MfaConfiguration).toBe("OPTIONAL");
    expect(req.EmailVerificationSubject).toBe("Your code");
    expect(req.DeletionProtection).toBe("ACTIVE");
    expect(req.Policies!.PasswordPolicy).toMatchObject({ MinimumLength: 12, PasswordHistorySize: 3 });
    expect(req).not.toHaveProperty("SchemaAttributes");
  });
});
