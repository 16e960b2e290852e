import { describe, expect, it } from "vitest";
import { parseIdentities } from "./identities";

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
