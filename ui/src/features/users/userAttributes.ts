// Which of a user's attributes the details panel lets an admin change, by the pool's schema.
import type { SchemaAttributeType } from "../../generated/cognito-idp";
import { parseIdentities } from "./identities";

/** Attributes Cognito manages itself, never written by anyone. */
const MANAGED = new Set(["sub", "identities"]);

/** Why an attribute cannot be edited, or null when it can. */
export function lockReason(name: string, schema: SchemaAttributeType[]): string | null {
  if (MANAGED.has(name)) return "Set by Cognito";
  const def = schema.find((a) => a.Name === name);
  if (def?.Mutable === false) return "Immutable: set only when the user is created";
  return null;
}

/** The schema's attributes an admin can add to a user who lacks them, custom ones first. */
export function newAttributeNames(schema: SchemaAttributeType[], present: string[]): string[] {
  const have = new Set(present);
  const names = schema
    .filter((a) => a.Name && a.Mutable !== false && !MANAGED.has(a.Name) && !have.has(a.Name))
    .map((a) => a.Name!);
  const custom = names.filter((n) => n.includes("custom:"));
  return [...custom, ...names.filter((n) => !n.includes("custom:"))];
}

/**
 * Whether another section of the panel shows this attribute better: `identities` is listed by
 * Linked identities. A value it cannot read in full stays in the list, as it is.
 */
export function shownElsewhere(name: string, value: string): boolean {
  if (name !== "identities") return false;
  try {
    const raw: unknown = JSON.parse(value);
    return Array.isArray(raw) && parseIdentities(value).length === raw.length;
  } catch {
    return false;
  }
}
