import { describe, expect, it } from "vitest";
import type { UserPoolClientType } from "../../generated/cognito-idp";
import { asList, formFromClient, hasLoginPages, redirectUrlError, toOAuthUpdateInput, validateOAuth, type OAuthContext, type OAuthFormValues } from "./oauthForm";

const base: OAuthFormValues = {
  enabled: true,
  flows: ["code"],
  scopes: ["openid"],
  callbackUrls: "https://app.example.com/cb",
  logoutUrls: "",
  defaultRedirectUri: "",
  identityProviders: ["COGNITO"],
};
const ok: OAuthContext = { hasSecret: false };
const check = (o: Partial<OAuthFormValues>, ctx = ok) => validateOAuth({ ...base, ...o }, ctx);

describe("redirect URLs", () => {
  it("allows https, http on loopback and app schemes", () => {
    for (const u of ["https://app.example.com/cb", "http://localhost:3000/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb", "myapp://cb"]) {
      expect(redirectUrlError(u), u).toBeUndefined();
    }
  });

  it("refuses relative URLs, fragments, plain http elsewhere, javascript: and data:", () => {
    expect(redirectUrlError("/cb")).toMatch(/absolute/);
    expect(redirectUrlError("https://app.example.com/cb#x")).toMatch(/fragment/);
    expect(redirectUrlError("http://example.com/cb")).toMatch(/only for localhost/);
    expect(redirectUrlError("javascript:alert(1)")).toMatch(/not allowed/);
    expect(redirectUrlError("data:text/html,hi")).toMatch(/not allowed/);
  });
});

describe("OAuth settings", () => {
  it("accepts a sound configuration", () => {
    expect(check({})).toEqual({});
    expect(check({ flows: ["client_credentials"], scopes: ["api/read"], callbackUrls: "" }, { hasSecret: true })).toEqual({});
  });

  it("names the bad URL in its list", () => {
    expect(check({ callbackUrls: "https://ok.example.com\nhttp://example.com/cb" }).callbackUrls).toBe(
      "http://example.com/cb: http is allowed only for localhost, 127.0.0.1 and [::1]: use https",
    );
    expect(check({ logoutUrls: "https://app.example.com/#bye" }).logoutUrls).toMatch(/fragment/);
  });

  it("keeps client_credentials apart and needs a secret for it", () => {
    expect(check({ flows: ["code", "client_credentials"] }, { hasSecret: true }).flows).toBe(
      "client_credentials flow can not be selected along with code flow or implicit flow.",
    );
    expect(check({ flows: ["client_credentials"], callbackUrls: "" }).flows).toBe(
      "client_credentials flow can not be selected if client does not have a client secret.",
    );
  });

  it("wants flows, scopes and, for code or implicit, a callback URL when OAuth is on", () => {
    expect(check({ flows: [] }).flows).toBeDefined();
    expect(check({ scopes: [] }).scopes).toBeDefined();
    expect(check({ callbackUrls: "" }).callbackUrls).toBeDefined();
    expect(check({ enabled: false, flows: [], scopes: [], callbackUrls: "" })).toEqual({});
  });

  it("wants the default redirect among the callbacks, and known scopes", () => {
    expect(check({ defaultRedirectUri: "https://other.example.com" }).defaultRedirectUri).toMatch(/one of the callback URLs/);
    expect(check({ scopes: ["openid", "x/y"] }, { hasSecret: false, knownScopes: ["openid"] }).scopes).toBe("Invalid scope requested: x/y");
  });

  it("reads a one-box checkbox group as a list", () => {
    expect(asList("COGNITO")).toEqual(["COGNITO"]);
    expect(asList(false)).toEqual([]);
    expect(asList(["a"])).toEqual(["a"]);
  });

  it("changes only the OAuth settings of the client", () => {
    const c: UserPoolClientType = {
      UserPoolId: "p",
      ClientId: "c",
      ClientName: "web",
      ClientSecret: "s",
      CreationDate: 1,
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      AccessTokenValidity: 2,
      TokenValidityUnits: { AccessToken: "hours" },
      EnableTokenRevocation: true,
      AllowedOAuthFlowsUserPoolClient: false,
    };
    const v = { ...formFromClient(c), enabled: true, flows: ["code" as const], scopes: ["openid"], callbackUrls: " https://a.example.com/cb \n\n", defaultRedirectUri: "https://a.example.com/cb" };
    expect(toOAuthUpdateInput(c, v)).toEqual({
      UserPoolId: "p",
      ClientId: "c",
      ClientName: "web",
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      AccessTokenValidity: 2,
      TokenValidityUnits: { AccessToken: "hours" },
      EnableTokenRevocation: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid"],
      CallbackURLs: ["https://a.example.com/cb"],
      DefaultRedirectURI: "https://a.example.com/cb",
      SupportedIdentityProviders: ["COGNITO"],
    });
    // Off: flows and scopes go, the URLs stay.
    const off = toOAuthUpdateInput(c, { ...v, enabled: false });
    expect(off.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(off.AllowedOAuthFlows).toBeUndefined();
    expect(off.CallbackURLs).toEqual(["https://a.example.com/cb"]);
  });

  it("knows which clients have login pages", () => {
    expect(hasLoginPages({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ["implicit"] })).toBe(true);
    expect(hasLoginPages({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ["client_credentials"] })).toBe(false);
    expect(hasLoginPages({ AllowedOAuthFlowsUserPoolClient: false, AllowedOAuthFlows: ["code"] })).toBe(false);
  });
});
