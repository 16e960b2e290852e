// The create-user form of one pool: its fields come from the pool's schema (schemaForm.ts),
// its checks mirror the server's, and its values map explicitly to AdminCreateUser.
import { z } from "zod";
import type { AdminCreateUserRequest, AttributeType, PasswordPolicyType, UserPoolType } from "../../generated/cognito-idp";
import {
  attributeProblem,
  createUserFields,
  passwordProblems,
  signInAttributeOf,
  signInField,
  signInProblem,
  type AttributeField,
  type SignInField,
} from "./schemaForm";

/** Everything the form needs to know about the pool. */
export interface CreateUserForm {
  signIn: SignInField;
  fields: AttributeField[];
  policy: PasswordPolicyType | undefined;
}

export function createUserForm(pool: UserPoolType | undefined): CreateUserForm {
  return { signIn: signInField(pool), fields: createUserFields(pool), policy: pool?.Policies?.PasswordPolicy };
}

export interface CreateUserValues {
  /** The username, or in e-mail / phone pools the address that is the username. */
  username: string;
  /** Attribute values by attribute name; "" is not sent. Booleans are "true" / "false". */
  attributes: Record<string, string>;
  emailVerified: boolean;
  phoneVerified: boolean;
  temporaryPassword: string;
  suppressMessage: boolean;
}

export function createUserDefaults(form: CreateUserForm): CreateUserValues {
  return {
    username: "",
    attributes: Object.fromEntries(form.fields.map((f) => [f.name, ""])),
    emailVerified: true,
    phoneVerified: false,
    temporaryPassword: "",
    suppressMessage: true,
  };
}

/** The form's validation: every problem at once, each on its field. */
export function createUserSchema(form: CreateUserForm) {
  return z
    .object({
      username: z.string(),
      attributes: z.record(z.string()),
      emailVerified: z.boolean(),
      phoneVerified: z.boolean(),
      temporaryPassword: z.string(),
      suppressMessage: z.boolean(),
    })
    .superRefine((v, ctx) => {
      const usernameProblem =
        form.signIn.kind === "attribute"
          ? signInProblem(form.signIn.attributes, v.username)
          : v.username === ""
            ? "Username is required"
            : v.username.length > 128
              ? "At most 128 characters"
              : /\s/.test(v.username)
                ? "No spaces"
                : null;
      if (usernameProblem) ctx.addIssue({ code: "custom", path: ["username"], message: usernameProblem });
      for (const f of form.fields) {
        const problem = attributeProblem(f, v.attributes[f.name] ?? "");
        if (problem) ctx.addIssue({ code: "custom", path: ["attributes", f.name], message: problem });
      }
      // Empty means the server generates one; anything typed must meet every rule.
      if (v.temporaryPassword !== "") {
        const missing = passwordProblems(form.policy, v.temporaryPassword);
        if (missing.length > 0) {
          ctx.addIssue({ code: "custom", path: ["temporaryPassword"], message: `The pool's policy needs ${missing.join(", ")}` });
        }
      }
    });
}

export function toAdminCreateUserRequest(poolId: string, form: CreateUserForm, v: CreateUserValues): AdminCreateUserRequest {
  const values: Record<string, string> = { ...v.attributes };
  // In e-mail / phone pools Cognito takes the address as Username and keeps it in the attribute.
  if (form.signIn.kind === "attribute") values[signInAttributeOf(form.signIn.attributes, v.username)] = v.username;
  const attrs: AttributeType[] = Object.entries(values)
    .filter(([, value]) => value !== "")
    .map(([Name, Value]) => ({ Name, Value }));
  if (values.email && v.emailVerified) attrs.push({ Name: "email_verified", Value: "true" });
  if (values.phone_number && v.phoneVerified) attrs.push({ Name: "phone_number_verified", Value: "true" });
  return {
    UserPoolId: poolId,
    Username: v.username,
    ...(attrs.length ? { UserAttributes: attrs } : {}),
    ...(v.temporaryPassword ? { TemporaryPassword: v.temporaryPassword } : {}),
    ...(v.suppressMessage ? { MessageAction: "SUPPRESS" as const } : {}),
  };
}
