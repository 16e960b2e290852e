import { describe, expect, it } from "vitest";
import { poolProviders, providerKind, providerLabel, takesTokenMapping } from "./providers";

const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc";
const SAML = "arn:aws:iam::000000000000:saml-provider/Corp";

describe("poolProviders", () => {
  it("lists every provider key the server matches role mappings and tag maps on, once each, in a stable order", () => {
    expect(
      poolProviders({
        CognitoIdentityProviders: [{ ProviderName: USER_POOL, ClientId: "c" }, { ProviderName: "" }, {}],
        SupportedLoginProviders: {
          "accounts.google.com": "g",
          "graph.facebook.com": "f",
          "www.amazon.com": "a",
          "appleid.apple.com": "s",
          "idp.example.com": "oidc-client",
          "login.example.org": "other",
        },
        OpenIdConnectProviderARNs: ["arn:aws:iam::123456789012:oidc-provider/idp.example.com", "arn:aws:iam::123456789012:oidc-provider/auth.example.net/realms/x"],
        SamlProviderARNs: [SAML, "arn:aws:iam::000000000000:saml-provider/Partner.SSO", SAML],
      }),
    ).toEqual([
      USER_POOL,
      "accounts.google.com",
      "graph.facebook.com",
      "www.amazon.com",
      "appleid.apple.com",
      "idp.example.com",
      "login.example.org",
      "auth.example.net/realms/x",
      SAML,
      "arn:aws:iam::000000000000:saml-provider/Partner.SSO",
    ]);
  });

  it("is empty for a pool with no providers", () => {
    expect(poolProviders({})).toEqual([]);
    expect(poolProviders({ SupportedLoginProviders: {}, OpenIdConnectProviderARNs: [], SamlProviderARNs: [] })).toEqual([]);
  });
});

describe("provider labels and kinds", () => {
  it("names each kind of provider briefly", () => {
    expect(providerLabel(USER_POOL)).toBe("User pool: us-east-1_Abc");
    expect(providerLabel("accounts.google.com")).toBe("Google");
    expect(providerLabel("graph.facebook.com")).toBe("Facebook");
    expect(providerLabel("www.amazon.com")).toBe("Login with Amazon");
    expect(providerLabel("appleid.apple.com")).toBe("Sign in with Apple");
    expect(providerLabel(SAML)).toBe("SAML: Corp");
    expect(providerLabel("auth.example.net/realms/x")).toBe("OIDC: auth.example.net/realms/x");
  });

  it("offers Token mappings only where the login carries roles: user pools and SAML", () => {
    expect([USER_POOL, SAML, "accounts.google.com", "idp.example.com"].map(providerKind)).toEqual(["userPool", "saml", "social", "oidc"]);
    expect([USER_POOL, SAML, "accounts.google.com", "idp.example.com"].map(takesTokenMapping)).toEqual([true, true, false, false]);
  });
});
