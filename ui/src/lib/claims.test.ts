import { describe, expect, it } from "vitest";
import { buildSimulationInput, claimsFromUser, parseClaimsJson } from "./claims";
import { poolIdOfProvider, providerNameForPool, regionOfPoolId } from "./region";

const user = {
  Username: "alice",
  UserAttributes: [
    { Name: "sub", Value: "1111" },
    { Name: "email", Value: "alice@example.com" },
    { Name: "email_verified", Value: "true" },
    { Name: "custom:tier", Value: "gold" },
  ],
};

describe("claimsFromUser", () => {
  it("turns attributes into ID-token claims with cognito:username", () => {
    expect(claimsFromUser(user, [])).toEqual({
      sub: "1111",
      email: "alice@example.com",
      email_verified: true,
      "custom:tier": "gold",
      "cognito:username": "alice",
    });
  });

  it("adds groups by precedence, their roles and the preferred role", () => {
    const c = claimsFromUser(user, [
      { GroupName: "staff", Precedence: 5, RoleArn: "arn:aws:iam::123456789012:role/staff" },
      { GroupName: "admins", Precedence: 1, RoleArn: "arn:aws:iam::123456789012:role/admin" },
      { GroupName: "plain" },
    ]);
    expect(c["cognito:groups"]).toEqual(["admins", "staff", "plain"]);
    expect(c["cognito:roles"]).toEqual(["arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:role/staff"]);
    expect(c["cognito:preferred_role"]).toBe("arn:aws:iam::123456789012:role/admin");
  });

  it("has no preferred role when the best precedence is shared", () => {
    const c = claimsFromUser(user, [
      { GroupName: "a", Precedence: 1, RoleArn: "arn:aws:iam::123456789012:role/a" },
      { GroupName: "b", Precedence: 1, RoleArn: "arn:aws:iam::123456789012:role/b" },
    ]);
    expect(c["cognito:preferred_role"]).toBeUndefined();
    expect(c["cognito:roles"]).toHaveLength(2);
  });

  it("omits group claims for a user in no group, and adds iss/aud for the pool", () => {
    const c = claimsFromUser(user, [], { poolId: "eu-west-1_AbC", clientId: "client1" });
    expect(c["cognito:groups"]).toBeUndefined();
    expect(c.iss).toBe("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC");
    expect(c.aud).toBe("client1");
  });
});

describe("provider names", () => {
  it("derives region and provider from the pool id", () => {
    expect(regionOfPoolId("us-east-1_Abc123")).toBe("us-east-1");
    expect(providerNameForPool("us-east-1_Abc123")).toBe("cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc123");
    expect(poolIdOfProvider("cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc123")).toBe("us-east-1_Abc123");
    expect(poolIdOfProvider("accounts.google.com")).toBeUndefined();
  });
});

describe("buildSimulationInput", () => {
  const provider = providerNameForPool("us-east-1_P");

  it("sends a user's claims with the provider", () => {
    const r = buildSimulationInput("us-east-1:id", provider, { mode: "user", claims: { sub: "1" } });
    expect(r).toEqual({ ok: true, input: { IdentityPoolId: "us-east-1:id", Provider: provider, Claims: { sub: "1" } } });
  });

  it("needs a picked user", () => {
    expect(buildSimulationInput("p", provider, { mode: "user", claims: undefined })).toEqual({ ok: false, error: "Pick a user" });
  });

  it("sends a pasted token alone (trimmed), plus CustomRoleArn if given", () => {
    const r = buildSimulationInput("p", provider, { mode: "token", idToken: "  a.b.c\n" }, "arn:aws:iam::123456789012:role/x");
    expect(r).toEqual({ ok: true, input: { IdentityPoolId: "p", IdToken: "a.b.c", CustomRoleArn: "arn:aws:iam::123456789012:role/x" } });
    expect(buildSimulationInput("p", provider, { mode: "token", idToken: "" }).ok).toBe(false);
    expect(buildSimulationInput("p", provider, { mode: "token", idToken: "notajwt" }).ok).toBe(false);
  });

  it("parses hand-edited claims as one JSON object", () => {
    const r = buildSimulationInput("p", provider, { mode: "claims", claimsText: '{"cognito:groups":["a"]}' });
    expect(r).toEqual({ ok: true, input: { IdentityPoolId: "p", Provider: provider, Claims: { "cognito:groups": ["a"] } } });
    expect(parseClaimsJson("[1]").ok).toBe(false);
    expect(parseClaimsJson("null").ok).toBe(false);
    expect(parseClaimsJson("{").ok).toBe(false);
    expect(parseClaimsJson("").ok).toBe(false);
  });
});
