// Cognito ListUsers filter syntax: `attribute operator "value"`, one condition, with `=`
// (exact) or `^=` (prefix). `status` and `cognito:user_status` only support `=`.
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html

// The attributes come from the server's own list (crates/core/src/filter.rs).
import { FILTER_ATTRIBUTES } from "../generated/rules";

export { FILTER_ATTRIBUTES };

export type FilterAttribute = (typeof FILTER_ATTRIBUTES)[number];
export type FilterOperator = "=" | "^=";

export interface FilterSpec {
  attribute: FilterAttribute;
  operator: FilterOperator;
  value: string;
}

const EXACT_ONLY: ReadonlySet<FilterAttribute> = new Set(["status", "cognito:user_status"]);

export function allowedOperators(attribute: FilterAttribute): FilterOperator[] {
  return EXACT_ONLY.has(attribute) ? ["="] : ["=", "^="];
}

/** Keeps the operator if the attribute allows it, else falls back to `=`. */
export function normalizeOperator(attribute: FilterAttribute, operator: FilterOperator): FilterOperator {
  return allowedOperators(attribute).includes(operator) ? operator : "=";
}

export function isFilterAttribute(s: string): s is FilterAttribute {
  return (FILTER_ATTRIBUTES as readonly string[]).includes(s);
}

/** Backslash-escapes `\` and `"` so the value stays one quoted string. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

/**
 * The `Filter` string for ListUsers, or `undefined` for "no filter" when the value is empty
 * (an empty quoted prefix would match everything anyway, and an empty exact match nothing
 * useful). An operator the attribute does not support is an error, not silently changed.
 */
export function buildFilter(spec: FilterSpec): string | undefined {
  if (!isFilterAttribute(spec.attribute)) throw new Error(`Unknown filter attribute: ${spec.attribute}`);
  if (!allowedOperators(spec.attribute).includes(spec.operator)) {
    throw new Error(`${spec.attribute} only supports "="`);
  }
  if (spec.value === "") return undefined;
  return `${spec.attribute} ${spec.operator} "${escapeFilterValue(spec.value)}"`;
}

/** Value suggestions for attributes with a closed set of values. */
export function valueSuggestions(attribute: FilterAttribute): string[] {
  if (attribute === "status") return ["Enabled", "Disabled"];
  if (attribute === "cognito:user_status") {
    return ["UNCONFIRMED", "CONFIRMED", "ARCHIVED", "COMPROMISED", "UNKNOWN", "RESET_REQUIRED", "FORCE_CHANGE_PASSWORD", "EXTERNAL_PROVIDER"];
  }
  return [];
}
