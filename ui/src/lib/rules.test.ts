import { describe, expect, it } from "vitest";
import { ACCESS_KEY_ID, CONNECTION_NAME, IDENTITY_POOL_NAME, REGION, ROLE_ARN, follows } from "../generated/rules";

// The same cases as the Rust rules' own tests (crates/wire/src/rules.rs): the UI reads the
// patterns the server checks, and must read them the same way.
describe("the rules shared with the server", () => {
  it("accepts IAM role ARNs in any partition, and nothing else", () => {
    for (const good of [
      "arn:aws:iam::123456789012:role/Admin",
      "arn:aws-cn:iam::123456789012:role/path/to/Admin",
      "arn:aws-us-gov:iam::123456789012:role/a+b=c,d.e@f-g_h",
    ]) {
      expect(follows(ROLE_ARN, good), good).toBe(true);
    }
    for (const bad of [
      "",
      "arn:aws:iam::12345678901:role/Admin",
      "arn:aws:iam::123456789012:user/Admin",
      "arn:aws:iam::123456789012:role/",
      "arn:aws:iam::123456789012:role/has space",
      "arn:aws:iam::123456789012:role/line\nbreak",
      "arn:AWS:iam::123456789012:role/Admin",
    ]) {
      expect(follows(ROLE_ARN, bad), bad).toBe(false);
    }
    const longest = `arn:aws:iam::123456789012:role/${"r".repeat(2048 - 31)}`;
    expect(follows(ROLE_ARN, longest)).toBe(true);
    expect(follows(ROLE_ARN, `${longest}r`)).toBe(false);
  });

  it("takes identity pool names the model allows, which the form once refused", () => {
    for (const good of ["my pool", "a+b=c,d.e@f-g_h", "Tab\tand newline\n"]) {
      expect(follows(IDENTITY_POOL_NAME, good), good).toBe(true);
    }
    for (const bad of ["", "no!", "café", "x".repeat(129)]) {
      expect(follows(IDENTITY_POOL_NAME, bad), bad).toBe(false);
    }
  });

  it("checks connection names, regions and access key ids", () => {
    expect(follows(CONNECTION_NAME, "staging-2.eu")).toBe(true);
    expect(follows(CONNECTION_NAME, "-staging") || follows(CONNECTION_NAME, "a b")).toBe(false);
    expect(follows(REGION, "us-east-1") && !follows(REGION, "US-EAST-1")).toBe(true);
    expect(follows(ACCESS_KEY_ID, "AKIAIOSFODNN7EXAMPLE") && !follows(ACCESS_KEY_ID, "AKIA")).toBe(true);
  });
});
