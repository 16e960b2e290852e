// What a pool's schema asks of a new user, as form fields: which identifier is the username,
// which attributes are required, which custom attributes exist and of what type. Pure, so the
// mapping is tested without rendering.
import type { PasswordPolicyType, SchemaAttributeType, UserPoolType } from "../../generated/cognito-idp";
import { signInAttributes } from "../../lib/person";

export type FieldKind = "String" | "Number" | "DateTime" | "Boolean";

export interface AttributeField {
  /** The attribute's name as the API takes it, e.g. `given_name` or `custom:tier`. */
  name: string;
  kind: FieldKind;
  required: boolean;
  /** False when the attribute can only be set while creating the user. */
  mutable: boolean;
  custom: boolean;
  /** String: lengths; Number: values. Absent when the schema sets no bound. */
  min?: number;
  max?: number;
}

/** How a new user's username is entered. */
export type SignInField =
  | { kind: "username" }
  /** The e-mail or phone number is the username: one field, sent as Username and as the attribute. */
  | { kind: "attribute"; attributes: ("email" | "phone_number")[] };

/** Attributes Cognito manages or that are never typed in a form. */
const NEVER_IN_FORM = new Set(["sub", "identities", "email_verified", "phone_number_verified", "updated_at"]);

/** Optional attributes the form offers even when the schema does not require them. */
const ALWAYS_OFFERED = ["email", "phone_number", "name"];

export function isCustom(name: string): boolean {
  return name.startsWith("custom:") || name.startsWith("dev:custom:");
}

function bound(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === "") return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export function toField(a: SchemaAttributeType): AttributeField {
  const name = a.Name ?? "";
  const kind = (a.AttributeDataType ?? "String") as FieldKind;
  const limits =
    kind === "String"
      ? { min: bound(a.StringAttributeConstraints?.MinLength), max: bound(a.StringAttributeConstraints?.MaxLength) }
      : kind === "Number"
        ? { min: bound(a.NumberAttributeConstraints?.MinValue), max: bound(a.NumberAttributeConstraints?.MaxValue) }
        : {};
  return {
    name,
    kind,
    required: a.Required === true,
    mutable: a.Mutable !== false,
    custom: isCustom(name),
    ...(limits.min !== undefined ? { min: limits.min } : {}),
    ...(limits.max !== undefined ? { max: limits.max } : {}),
  };
}

export function signInField(pool: Pick<UserPoolType, "UsernameAttributes"> | undefined): SignInField {
  const attributes = signInAttributes(pool?.UsernameAttributes) as ("email" | "phone_number")[];
  return attributes.length > 0 ? { kind: "attribute", attributes } : { kind: "username" };
}

/**
 * The attribute fields of the create-user form, in this order: required standard attributes,
 * the usual e-mail / phone / name, then custom attributes. The sign-in attribute of an
 * e-mail- or phone-as-username pool is left out: the username field is that attribute.
 */
export function createUserFields(pool: Pick<UserPoolType, "SchemaAttributes" | "UsernameAttributes"> | undefined): AttributeField[] {
  const schema = (pool?.SchemaAttributes ?? []).map(toField);
  const byName = new Map(schema.map((f) => [f.name, f]));
  const signIn = signInField(pool);
  const taken = new Set<string>(signIn.kind === "attribute" ? signIn.attributes : []);
  const fields: AttributeField[] = [];
  const add = (f: AttributeField) => {
    if (taken.has(f.name) || NEVER_IN_FORM.has(f.name)) return;
    taken.add(f.name);
    fields.push(f);
  };
  schema.filter((f) => f.required && !f.custom).forEach(add);
  for (const name of ALWAYS_OFFERED) add(byName.get(name) ?? { name, kind: "String", required: false, mutable: true, custom: false });
  schema.filter((f) => f.custom).forEach(add);
  return fields;
}

/** Human labels for the standard attributes the form shows most. */
const LABELS: Record<string, string> = {
  email: "E-mail",
  phone_number: "Phone number",
  name: "Name",
  given_name: "Given name",
  family_name: "Family name",
  preferred_username: "Preferred username",
  birthdate: "Birth date",
  locale: "Locale",
};

export function fieldLabel(name: string): string {
  return LABELS[name] ?? name;
}

/** What the field's limits and mutability mean, in a sentence, or "" when nothing to say. */
export function fieldHint(f: AttributeField): string {
  const parts: string[] = [];
  if (f.kind === "String" && (f.min !== undefined || f.max !== undefined)) {
    const min = f.min ?? 0;
    // The standard attributes' 0..2048 says nothing worth showing.
    if (!(min === 0 && (f.max ?? 2048) === 2048)) parts.push(f.max !== undefined ? `${min}–${f.max} characters` : `at least ${min} characters`);
  }
  if (f.kind === "Number") {
    if (f.min !== undefined && f.max !== undefined) parts.push(`a number from ${f.min} to ${f.max}`);
    else if (f.min !== undefined) parts.push(`a number, at least ${f.min}`);
    else if (f.max !== undefined) parts.push(`a number, at most ${f.max}`);
    else parts.push("a number");
  }
  if (f.kind === "DateTime") parts.push("a date and time, e.g. 2026-12-06T12:00:00Z");
  if (!f.mutable) parts.push("cannot be changed after the user is created");
  const text = parts.join("; ");
  return text ? text[0]!.toUpperCase() + text.slice(1) : "";
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+\d{4,15}$/;

/** Why a value does not fit its field (as the server would refuse it), or null when it fits. */
export function attributeProblem(f: AttributeField, value: string): string | null {
  if (value === "") return f.required ? `${fieldLabel(f.name)} is required by this pool` : null;
  if (f.name === "email" && !EMAIL.test(value)) return "Not an e-mail address";
  if (f.name === "phone_number" && !PHONE.test(value)) return "E.164, e.g. +15551234567";
  switch (f.kind) {
    case "String": {
      const len = [...value].length;
      if (f.min !== undefined && len < f.min) return `At least ${f.min} characters`;
      if (f.max !== undefined && len > f.max) return `At most ${f.max} characters`;
      return null;
    }
    case "Number": {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n)) return "A number";
      if (f.min !== undefined && n < f.min) return `At least ${f.min}`;
      if (f.max !== undefined && n > f.max) return `At most ${f.max}`;
      return null;
    }
    case "Boolean":
      return value === "true" || value === "false" ? null : "true or false";
    case "DateTime":
      return Number.isNaN(Date.parse(value)) ? "A date and time, e.g. 2026-12-06T12:00:00Z" : null;
  }
}

/** Whether a username value is an address the pool accepts as username. */
export function signInProblem(attributes: ("email" | "phone_number")[], value: string): string | null {
  const what = attributes.map((a) => (a === "email" ? "an e-mail address" : "a phone number (E.164, e.g. +15551234567)")).join(" or ");
  if (value === "") return `Required: ${what}`;
  if (attributes.includes("email") && EMAIL.test(value)) return null;
  if (attributes.includes("phone_number") && PHONE.test(value)) return null;
  return `Must be ${what}`;
}

/** The attribute an e-mail- or phone-as-username value is stored in. */
export function signInAttributeOf(attributes: ("email" | "phone_number")[], value: string): "email" | "phone_number" {
  if (attributes.includes("email") && EMAIL.test(value)) return "email";
  return attributes.includes("phone_number") ? "phone_number" : "email";
}

// ---- The password policy ----

/** The characters Cognito counts as symbols. */
const SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/** The policy Cognito applies when a pool has none. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicyType = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
};

export interface PasswordRule {
  /** What the policy asks, as a person reads it ("At least 8 characters"). */
  label: string;
  /** What is missing when broken ("8 characters"). */
  missing: string;
  met: (password: string) => boolean;
}

/** The policy's rules, each checkable on its own, in the order the server checks them. */
export function passwordRules(policy: PasswordPolicyType | undefined): PasswordRule[] {
  const p = policy ?? DEFAULT_PASSWORD_POLICY;
  const min = Math.max(p.MinimumLength ?? 8, 6);
  const rules: PasswordRule[] = [
    { label: `At least ${min} characters`, missing: `at least ${min} characters`, met: (pw) => [...pw].length >= min },
    { label: "No space at the start or end", missing: "no space at the start or end", met: (pw) => !pw.startsWith(" ") && !pw.endsWith(" ") },
  ];
  if (p.RequireUppercase) rules.push({ label: "An uppercase letter", missing: "an uppercase letter", met: (pw) => /\p{Lu}/u.test(pw) });
  if (p.RequireLowercase) rules.push({ label: "A lowercase letter", missing: "a lowercase letter", met: (pw) => /\p{Ll}/u.test(pw) });
  if (p.RequireNumbers) rules.push({ label: "A number", missing: "a number", met: (pw) => /[0-9]/.test(pw) });
  if (p.RequireSymbols) rules.push({ label: "A symbol, e.g. ! @ # $", missing: "a symbol", met: (pw) => [...pw].some((c) => SYMBOLS.includes(c)) });
  return rules;
}

/** Every rule the password breaks (not only the first, as the server reports). */
export function passwordProblems(policy: PasswordPolicyType | undefined, password: string): string[] {
  return passwordRules(policy)
    .filter((r) => !r.met(password))
    .map((r) => r.missing);
}
