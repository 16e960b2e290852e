import { describe, expect, it } from "vitest";
import type { UserPoolType } from "../../generated/cognito-idp";
import { createUserDefaults, createUserForm, createUserSchema, toAdminCreateUserRequest, type CreateUserValues } from "./createUser";

const POOL: UserPoolType = {
  Id: "us-east-1_P1",
  UsernameAttributes: ["email"],
  Policies: { PasswordPolicy: { MinimumLength: 10, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
  SchemaAttributes: [
    { Name: "sub", AttributeDataType: "String", Mutable: false, Required: true },
    { Name: "email", AttributeDataType: "String", Mutable: true },
    { Name: "given_name", AttributeDataType: "String", Mutable: true, Required: true },
    { Name: "custom:employee_id", AttributeDataType: "String", Mutable: false },
    { Name: "custom:vip", AttributeDataType: "Boolean", Mutable: true },
  ],
};

function values(form: ReturnType<typeof createUserForm>, patch: Partial<CreateUserValues>): CreateUserValues {
  const d = createUserDefaults(form);
  return { ...d, ...patch, attributes: { ...d.attributes, ...patch.attributes } };
}

describe("AdminCreateUser from the form", () => {
  it("sends the e-mail as Username in an e-mail-as-username pool, with the immutable custom attribute", () => {
    const form = createUserForm(POOL);
    const v = values(form, {
      username: "alice@example.com",
      attributes: { given_name: "Alice", "custom:employee_id": "E-1001", "custom:vip": "true" },
      temporaryPassword: "Temporary1!x",
    });
    expect(toAdminCreateUserRequest("us-east-1_P1", form, v)).toEqual({
      UserPoolId: "us-east-1_P1",
      Username: "alice@example.com",
      UserAttributes: [
        { Name: "given_name", Value: "Alice" },
        { Name: "custom:employee_id", Value: "E-1001" },
        { Name: "custom:vip", Value: "true" },
        { Name: "email", Value: "alice@example.com" },
        { Name: "email_verified", Value: "true" },
      ],
      TemporaryPassword: "Temporary1!x",
      MessageAction: "SUPPRESS",
    });
  });

  it("stores a phone number typed as the username in phone_number when the pool takes either", () => {
    const form = createUserForm({ ...POOL, UsernameAttributes: ["email", "phone_number"] });
    expect(form.fields.map((f) => f.name)).not.toContain("phone_number");
    const v = values(form, { username: "+15551234567", attributes: { given_name: "P" }, phoneVerified: true });
    expect(createUserSchema(form).safeParse(v).success).toBe(true);
    expect(toAdminCreateUserRequest("p", form, v)).toMatchObject({
      Username: "+15551234567",
      UserAttributes: [
        { Name: "given_name", Value: "P" },
        { Name: "phone_number", Value: "+15551234567" },
        { Name: "phone_number_verified", Value: "true" },
      ],
    });
    expect(createUserSchema(form).safeParse({ ...v, username: "nobody" }).error?.issues[0]?.message).toBe(
      "Must be an e-mail address or a phone number (E.164, e.g. +15551234567)",
    );
  });

  it("keeps Username and E-mail apart in a username pool", () => {
    const form = createUserForm({ ...POOL, UsernameAttributes: undefined });
    const req = toAdminCreateUserRequest("p", form, values(form, { username: "alice", attributes: { email: "a@x.io", given_name: "A" } }));
    expect(req.Username).toBe("alice");
    expect(req.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: "email", Value: "a@x.io" },
        { Name: "email_verified", Value: "true" },
      ]),
    );
  });

  it("reports the required attribute, the username and every failed password rule at once", () => {
    const form = createUserForm(POOL);
    const r = createUserSchema(form).safeParse(values(form, { username: "alice", temporaryPassword: "short" }));
    expect(r.success).toBe(false);
    const issues = Object.fromEntries(r.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(issues).toEqual({
      username: "Must be an e-mail address",
      "attributes.given_name": "Given name is required by this pool",
      temporaryPassword: "The pool's policy needs at least 10 characters, an uppercase letter, a number, a symbol",
    });
  });
});
