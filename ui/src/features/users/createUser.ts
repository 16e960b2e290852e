import { z } from "zod";
import type { AdminCreateUserRequest, AttributeType } from "../../generated/cognito-idp";

export const createUserSchema = z.object({
  username: z.string().min(1, "Username is required").max(128, "At most 128 characters"),
  email: z.union([z.literal(""), z.string().email("Not an e-mail address")]),
  emailVerified: z.boolean(),
  phone: z.union([z.literal(""), z.string().regex(/^\+\d{4,15}$/, "E.164, e.g. +15551234567")]),
  name: z.string(),
  temporaryPassword: z.string(),
  suppressMessage: z.boolean(),
});

export type CreateUserValues = z.infer<typeof createUserSchema>;

export const createUserDefaults: CreateUserValues = {
  username: "",
  email: "",
  emailVerified: true,
  phone: "",
  name: "",
  temporaryPassword: "",
  suppressMessage: true,
};

export function toAdminCreateUserRequest(poolId: string, v: CreateUserValues): AdminCreateUserRequest {
  const attrs: AttributeType[] = [];
  if (v.email) {
    attrs.push({ Name: "email", Value: v.email });
    if (v.emailVerified) attrs.push({ Name: "email_verified", Value: "true" });
  }
  if (v.phone) attrs.push({ Name: "phone_number", Value: v.phone });
  if (v.name) attrs.push({ Name: "name", Value: v.name });
  return {
    UserPoolId: poolId,
    Username: v.username,
    ...(attrs.length ? { UserAttributes: attrs } : {}),
    ...(v.temporaryPassword ? { TemporaryPassword: v.temporaryPassword } : {}),
    ...(v.suppressMessage ? { MessageAction: "SUPPRESS" as const } : {}),
  };
}
