import { describe, expect, it } from "vitest";
import type { IdentityPool } from "../../generated/cognito-identity";
import {
  appIdLabel,
  developerProviderNameError,
  formFromPool,
  loginProviderNote,
  loginProvidersToWire,
  newIdentityPoolForm,
  oidcArnError,
  oidcProviderHost,
  samlArnError,
  toCreateIdentityPoolInput,
  toUpdateIdentityPoolInput,
  validateIdentityPoolForm,
  type IdentityPoolFormValues,
} from "./identityPoolForm";

const OIDC = "arn:aws:iam::123456789012:oidc-provider/idp.example.com/tenant";
const SAML = "arn:aws:iam::123456789012:saml-provider/Corp_IdP";

const pool: IdentityPool = {
  IdentityPoolId: "us-east-1:p",
  IdentityPoolName: "ids",
  AllowUnauthenticatedIdentities: false,
  AllowClassicFlow: false,
  SupportedLoginProviders: { "accounts.google.com": "g-client", "idp.example.com/tenant": "a,b" },
  OpenIdConnectProviderARNs: [OIDC],
  SamlProviderARNs: [SAML],
  DeveloperProviderName: "login.shop",
  IdentityPoolTags: { team: "a" },
};

const form = (over: Partial<IdentityPoolFormValues> = {}): IdentityPoolFormValues => ({ ...newIdentityPoolForm(), name: "ids", providers: [], ...over });

describe("provider ARNs", () => {
  it("takes IAM OIDC provider ARNs with a host and optional path", () => {
    expect(oidcArnError(OIDC)).toBeUndefined();
    expect(oidcArnError("arn:aws:iam::123456789012:oidc-provider/accounts.example.com")).toBeUndefined();
    expect(oidcArnError("arn:aws:iam::123456789012:oidc-provider/localhost:8080/realms/x")).toBeUndefined();
    expect(oidcArnError("arn:aws:iam::12345:oidc-provider/idp.example.com")).toMatch(/IAM OIDC provider ARN/);
    expect(oidcArnError("arn:aws:iam::123456789012:saml-provider/x")).toMatch(/IAM OIDC provider ARN/);
    expect(oidcArnError("arn:aws:iam::123456789012:oidc-provider/https://idp.example.com")).toMatch(/IAM OIDC provider ARN/);
    expect(oidcArnError("arn:aws:iam::123456789012:oidc-provider/")).toMatch(/IAM OIDC provider ARN/);
  });

  it("takes IAM SAML provider ARNs with a name", () => {
    expect(samlArnError(SAML)).toBeUndefined();
    expect(samlArnError("arn:aws:iam::123456789012:saml-provider/")).toMatch(/IAM SAML provider ARN/);
    expect(samlArnError("arn:aws:iam::123456789012:saml-provider/a b")).toMatch(/IAM SAML provider ARN/);
    expect(samlArnError(OIDC)).toMatch(/IAM SAML provider ARN/);
  });

  it("names an OIDC provider by its ARN's host and path", () => {
    expect(oidcProviderHost(OIDC)).toBe("idp.example.com/tenant");
    expect(oidcProviderHost("nonsense")).toBeUndefined();
  });
});

describe("sign-in provider keys", () => {
  it("labels the value for known providers and listed OIDC hosts", () => {
    expect(appIdLabel("accounts.google.com", [])).toBe("Google client id");
    expect(appIdLabel("appleid.apple.com", [])).toBe("Apple services id");
    expect(appIdLabel("graph.facebook.com", [])).toBe("Facebook app id");
    expect(appIdLabel("www.amazon.com", [])).toBe("Login with Amazon app id");
    expect(appIdLabel("idp.example.com", ["idp.example.com"])).toMatch(/Client id\(s\)/);
    expect(appIdLabel("other", [])).toBe("App id(s)");
  });

  it("notes a key that is neither known nor a listed OIDC host", () => {
    expect(loginProviderNote("accounts.google.com", [])).toBeUndefined();
    expect(loginProviderNote("idp.example.com", ["idp.example.com"])).toBeUndefined();
    expect(loginProviderNote("idp.example.com", [])).toMatch(/Not a known provider/);
    expect(loginProviderNote("", [])).toBeUndefined();
  });

  it("trims keys and comma-separated ids, leaving out empty rows", () => {
    expect(
      loginProvidersToWire([
        { provider: " accounts.google.com ", appIds: " g1 , g2,, " },
        { provider: "", appIds: "" },
      ]),
    ).toEqual({ "accounts.google.com": "g1,g2" });
  });
});

describe("developer provider name", () => {
  it("is optional, at most 128 of letters, digits and . _ -", () => {
    expect(developerProviderNameError("")).toBeUndefined();
    expect(developerProviderNameError("login.my_app-1")).toBeUndefined();
    expect(developerProviderNameError("has space")).toMatch(/Letters, digits/);
    expect(developerProviderNameError("a/b")).toMatch(/Letters, digits/);
    expect(developerProviderNameError("x".repeat(129))).toBe("At most 128 characters");
  });
});

describe("validateIdentityPoolForm", () => {
  it("accepts an empty set of other providers", () => {
    expect(validateIdentityPoolForm(form())).toEqual({});
  });

  it("reports each bad row at its field, and the list's limits", () => {
    const e = validateIdentityPoolForm(
      form({
        loginProviders: [
          { provider: "accounts.google.com", appIds: "" },
          { provider: "", appIds: "x" },
          { provider: "accounts.google.com", appIds: "y" },
          { provider: "k".repeat(129), appIds: "v".repeat(129) },
          { provider: "", appIds: "" },
        ],
        oidcArns: [{ arn: OIDC }, { arn: "arn:aws:iam::1:oidc-provider/x" }, { arn: OIDC }, { arn: "" }],
        samlArns: [{ arn: "saml" }],
        developerProviderName: "bad name",
      }),
    );
    expect(e).toEqual({
      "loginProviders.0.appIds": "Enter the app id",
      "loginProviders.1.provider": "Enter the provider",
      "loginProviders.2.provider": "Listed twice",
      "loginProviders.3.provider": "At most 128 characters",
      "loginProviders.3.appIds": "At most 128 characters",
      "oidcArns.1.arn": expect.stringMatching(/IAM OIDC provider ARN/),
      "oidcArns.2.arn": "Listed twice",
      "samlArns.0.arn": expect.stringMatching(/IAM SAML provider ARN/),
      developerProviderName: expect.stringMatching(/Letters, digits/),
    });
  });

  it("allows at most 10 sign-in providers", () => {
    const rows = Array.from({ length: 11 }, (_, i) => ({ provider: `p${i}.example.com`, appIds: "id" }));
    expect(validateIdentityPoolForm(form({ loginProviders: rows })).loginProviders).toBe("At most 10 sign-in providers");
    expect(validateIdentityPoolForm(form({ loginProviders: rows.slice(0, 10) }))).toEqual({});
  });

  it("does not check a developer name already set (it cannot change)", () => {
    expect(validateIdentityPoolForm(form({ developerProviderName: "set by the CLI/with a slash" }), { developerNameSet: true })).toEqual({});
  });
});

describe("wire mapping", () => {
  it("reads the pool's other providers into the form", () => {
    const v = formFromPool(pool, new Set());
    expect(v.loginProviders).toEqual([
      { provider: "accounts.google.com", appIds: "g-client" },
      { provider: "idp.example.com/tenant", appIds: "a,b" },
    ]);
    expect(v.oidcArns).toEqual([{ arn: OIDC }]);
    expect(v.samlArns).toEqual([{ arn: SAML }]);
    expect(v.developerProviderName).toBe("login.shop");
  });

  it("round-trips an unchanged pool", () => {
    expect(toUpdateIdentityPoolInput(pool, formFromPool(pool, new Set()))).toEqual({ ...pool, CognitoIdentityProviders: [] });
  });

  it("sends added providers and leaves out emptied lists; keeps the developer name once set", () => {
    const v = formFromPool(pool, new Set());
    v.loginProviders = [{ provider: "graph.facebook.com", appIds: "fb-app" }];
    v.oidcArns = [];
    v.samlArns = [{ arn: "" }];
    v.developerProviderName = "changed";
    const input = toUpdateIdentityPoolInput(pool, v);
    expect(input.SupportedLoginProviders).toEqual({ "graph.facebook.com": "fb-app" });
    expect(input).not.toHaveProperty("OpenIdConnectProviderARNs");
    expect(input).not.toHaveProperty("SamlProviderARNs");
    expect(input.DeveloperProviderName).toBe("login.shop");
    expect(input.IdentityPoolTags).toEqual({ team: "a" });
  });

  it("sets a developer name on a pool without one", () => {
    const { DeveloperProviderName: _, ...without } = pool;
    const v = formFromPool(without, new Set());
    expect(v.developerProviderName).toBe("");
    expect(toUpdateIdentityPoolInput(without, v)).not.toHaveProperty("DeveloperProviderName");
    v.developerProviderName = " login.new ";
    expect(toUpdateIdentityPoolInput(without, v).DeveloperProviderName).toBe("login.new");
  });

  it("creates a pool with its other providers", () => {
    const input = toCreateIdentityPoolInput(
      form({
        loginProviders: [{ provider: "appleid.apple.com", appIds: "com.example.web" }],
        oidcArns: [{ arn: OIDC }],
        developerProviderName: "login.shop",
      }),
    );
    expect(input).toEqual({
      IdentityPoolName: "ids",
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: false,
      SupportedLoginProviders: { "appleid.apple.com": "com.example.web" },
      OpenIdConnectProviderARNs: [OIDC],
      DeveloperProviderName: "login.shop",
    });
  });
});
