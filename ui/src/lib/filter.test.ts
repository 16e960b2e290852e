import { describe, expect, it } from "vitest";
import { allowedOperators, buildFilter, escapeFilterValue, FILTER_ATTRIBUTES, normalizeOperator } from "./filter";

describe("buildFilter", () => {
  it("writes Cognito's syntax for prefix and exact matches", () => {
    expect(buildFilter({ attribute: "email", operator: "^=", value: "ali" })).toBe('email ^= "ali"');
    expect(buildFilter({ attribute: "username", operator: "=", value: "bob" })).toBe('username = "bob"');
    expect(buildFilter({ attribute: "cognito:user_status", operator: "=", value: "UNCONFIRMED" })).toBe(
      'cognito:user_status = "UNCONFIRMED"',
    );
    expect(buildFilter({ attribute: "status", operator: "=", value: "Disabled" })).toBe('status = "Disabled"');
    expect(buildFilter({ attribute: "phone_number", operator: "^=", value: "+1555" })).toBe('phone_number ^= "+1555"');
  });

  it('escapes " and \\ with a backslash, backslashes first', () => {
    expect(escapeFilterValue('a"b')).toBe('a\\"b');
    expect(escapeFilterValue("a\\b")).toBe("a\\\\b");
    expect(escapeFilterValue('\\"')).toBe('\\\\\\"');
    expect(buildFilter({ attribute: "name", operator: "=", value: 'Jo "JJ" \\ Smith' })).toBe(
      'name = "Jo \\"JJ\\" \\\\ Smith"',
    );
  });

  it("keeps other characters verbatim (spaces, unicode, =, ^)", () => {
    expect(buildFilter({ attribute: "given_name", operator: "^=", value: " Zoë ^= x" })).toBe('given_name ^= " Zoë ^= x"');
  });

  it("means no filter when the value is empty", () => {
    expect(buildFilter({ attribute: "email", operator: "^=", value: "" })).toBeUndefined();
    expect(buildFilter({ attribute: "status", operator: "=", value: "" })).toBeUndefined();
  });

  it("rejects ^= on status and cognito:user_status", () => {
    expect(() => buildFilter({ attribute: "status", operator: "^=", value: "E" })).toThrow(/only supports "="/);
    expect(() => buildFilter({ attribute: "cognito:user_status", operator: "^=", value: "C" })).toThrow();
  });
});

describe("operators per attribute", () => {
  it("offers only = for status attributes and both elsewhere", () => {
    expect(allowedOperators("status")).toEqual(["="]);
    expect(allowedOperators("cognito:user_status")).toEqual(["="]);
    for (const a of FILTER_ATTRIBUTES.filter((x) => x !== "status" && x !== "cognito:user_status")) {
      expect(allowedOperators(a)).toEqual(["=", "^="]);
    }
  });

  it("falls back to = when switching to an exact-only attribute", () => {
    expect(normalizeOperator("status", "^=")).toBe("=");
    expect(normalizeOperator("email", "^=")).toBe("^=");
  });

  it("lists exactly the attributes Cognito can filter on", () => {
    expect([...FILTER_ATTRIBUTES].sort()).toEqual(
      [
        "username", "email", "phone_number", "name", "given_name", "family_name",
        "preferred_username", "cognito:user_status", "status", "sub",
      ].sort(),
    );
  });
});
