import { describe, expect, it } from "vitest";
import type { SchemaAttributeType } from "../../generated/cognito-idp";
import { attributeProblem, createUserFields, fieldHint, passwordProblems, passwordRules, signInField } from "./schemaForm";

const str = (Name: string, extra: Partial<SchemaAttributeType> = {}): SchemaAttributeType => ({
  Name,
  AttributeDataType: "String",
  Mutable: true,
  Required: false,
  StringAttributeConstraints: { MinLength: "0", MaxLength: "2048" },
  ...extra,
});

/** The standard attributes as the server lists them, with given_name required, and custom ones. */
const SCHEMA: SchemaAttributeType[] = [
  str("sub", { Mutable: false, Required: true }),
  str("name"),
  str("given_name", { Required: true }),
  str("email"),
  { Name: "email_verified", AttributeDataType: "Boolean", Mutable: true },
  str("phone_number"),
  { Name: "updated_at", AttributeDataType: "Number", NumberAttributeConstraints: { MinValue: "0" } },
  str("identities"),
  str("custom:employee_id", { Mutable: false, StringAttributeConstraints: { MinLength: "3", MaxLength: "10" } }),
  { Name: "custom:level", AttributeDataType: "Number", Mutable: true, NumberAttributeConstraints: { MinValue: "1", MaxValue: "5" } },
  { Name: "custom:vip", AttributeDataType: "Boolean", Mutable: true },
  { Name: "custom:joined", AttributeDataType: "DateTime", Mutable: true },
];

describe("the create-user form follows the pool's schema", () => {
  it("offers required attributes, the usual ones and every custom attribute by its type", () => {
    const fields = createUserFields({ SchemaAttributes: SCHEMA });
    expect(fields.map((f) => f.name)).toEqual([
      "given_name",
      "email",
      "phone_number",
      "name",
      "custom:employee_id",
      "custom:level",
      "custom:vip",
      "custom:joined",
    ]);
    expect(fields.find((f) => f.name === "given_name")).toMatchObject({ required: true, custom: false });
    expect(fields.find((f) => f.name === "custom:employee_id")).toMatchObject({ kind: "String", mutable: false, min: 3, max: 10, custom: true });
    expect(fields.find((f) => f.name === "custom:level")).toMatchObject({ kind: "Number", min: 1, max: 5 });
    expect(fields.find((f) => f.name === "custom:vip")).toMatchObject({ kind: "Boolean" });
    expect(fields.find((f) => f.name === "custom:joined")).toMatchObject({ kind: "DateTime" });
  });

  it("says an immutable attribute cannot be changed later, and shows its limits", () => {
    const [id] = createUserFields({ SchemaAttributes: SCHEMA }).filter((f) => f.name === "custom:employee_id");
    expect(fieldHint(id!)).toBe("3–10 characters; cannot be changed after the user is created");
    const level = createUserFields({ SchemaAttributes: SCHEMA }).find((f) => f.name === "custom:level")!;
    expect(fieldHint(level)).toBe("A number from 1 to 5");
  });

  it("leaves the sign-in attribute out of an e-mail-as-username pool: the username field is it", () => {
    const pool = { SchemaAttributes: SCHEMA, UsernameAttributes: ["email" as const] };
    expect(signInField(pool)).toEqual({ kind: "attribute", attributes: ["email"] });
    expect(createUserFields(pool).map((f) => f.name)).not.toContain("email");
    expect(createUserFields(pool).map((f) => f.name)).toContain("phone_number");
    expect(signInField({})).toEqual({ kind: "username" });
  });

  it("checks values as the server would", () => {
    const fields = createUserFields({ SchemaAttributes: SCHEMA });
    const f = (n: string) => fields.find((x) => x.name === n)!;
    expect(attributeProblem(f("given_name"), "")).toBe("Given name is required by this pool");
    expect(attributeProblem(f("name"), "")).toBeNull();
    expect(attributeProblem(f("custom:employee_id"), "ab")).toBe("At least 3 characters");
    expect(attributeProblem(f("custom:employee_id"), "E-1001")).toBeNull();
    expect(attributeProblem(f("custom:level"), "7")).toBe("At most 5");
    expect(attributeProblem(f("custom:level"), "x")).toBe("A number");
    expect(attributeProblem(f("custom:vip"), "true")).toBeNull();
    expect(attributeProblem(f("custom:joined"), "yesterday")).toMatch(/date and time/);
    expect(attributeProblem(f("email"), "nope")).toBe("Not an e-mail address");
  });
});

describe("the password policy", () => {
  const policy = { MinimumLength: 12, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true };

  it("lists every rule the password breaks, not only the first", () => {
    expect(passwordProblems(policy, "abc")).toEqual(["at least 12 characters", "an uppercase letter", "a number", "a symbol"]);
    expect(passwordProblems(policy, " Abcdefgh12! ")).toEqual(["no space at the start or end"]);
    expect(passwordProblems(policy, "Abcdefgh123!")).toEqual([]);
  });

  it("applies only what the policy asks, and Cognito's default when the pool has none", () => {
    expect(passwordRules({ MinimumLength: 6 }).map((r) => r.label)).toEqual(["At least 6 characters", "No space at the start or end"]);
    expect(passwordProblems(undefined, "password")).toEqual(["an uppercase letter", "a number", "a symbol"]);
  });
});
