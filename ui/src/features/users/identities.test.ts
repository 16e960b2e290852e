import { describe, expect, it } from "vitest";
import { parseIdentities } from "./identities";
import { shownElsewhere } from "./userAttributes";

describe("parseIdentities", () => {
  it("reads Cognito's identities attribute", () => {
    const json = JSON.stringify([
      { userId: "abc", providerName: "Corp", providerType: "OIDC", issuer: "https://idp.example.com", primary: "true", dateCreated: "1700000000000" },
      { userId: 42, providerName: "Facebook", providerType: "Facebook", issuer: null, primary: false, dateCreated: 1700000000000 },
    ]);
    expect(parseIdentities(json)).toEqual([
      { providerName: "Corp", providerType: "OIDC", userId: "abc", issuer: "https://idp.example.com", primary: true, dateCreated: 1700000000000 },
      { providerName: "Facebook", providerType: "Facebook", userId: "42", issuer: undefined, primary: false, dateCreated: 1700000000000 },
    ]);
  });

  it("ignores a missing or malformed attribute", () => {
    expect(parseIdentities(undefined)).toEqual([]);
    expect(parseIdentities("not json")).toEqual([]);
    expect(parseIdentities('{"a":1}')).toEqual([]);
    expect(parseIdentities('[{"userId":"x"}]')).toEqual([]);
  });
});

describe("shownElsewhere", () => {
  it("leaves identities to Linked identities only when they read in full", () => {
    const ok = JSON.stringify([{ userId: "abc", providerName: "Corp", primary: "true" }]);
    expect(shownElsewhere("identities", ok)).toBe(true);
    expect(shownElsewhere("identities", "[]")).toBe(true);
    expect(shownElsewhere("identities", "not json")).toBe(false);
    expect(shownElsewhere("identities", JSON.stringify([{ userId: "abc" }]))).toBe(false);
    expect(shownElsewhere("email", ok)).toBe(false);
  });
});
