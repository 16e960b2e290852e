import { describe, expect, it } from "vitest";
import {
  discoveredRows,
  formFromProvider,
  hasAllEndpoints,
  identifiersError,
  mappableAttributes,
  mappingToRows,
  newProviderForm,
  parseIdentifiers,
  providerNameError,
  providerSchema,
  providerUrlError,
  rowsToMapping,
  samlAcsUrl,
  samlEntityId,
  samlMetadataErrors,
  toCreateProviderInput,
  toUpdateProviderInput,
  withDiscoveredEndpoints,
  type ProviderFormValues,
} from "./providerForm";

const POOL = "us-east-1_P";

function oidc(patch: Partial<ProviderFormValues["details"]> = {}, rest: Partial<ProviderFormValues> = {}): ProviderFormValues {
  const v = newProviderForm("OIDC");
  return { ...v, name: "Corp", details: { ...v.details, client_id: "cid", oidc_issuer: "https://idp.example.com", ...patch }, ...rest };
}

function errors(v: ProviderFormValues, editing = false): Record<string, string> {
  const r = providerSchema(editing).safeParse(v);
  if (r.success) return {};
  return Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("provider form rules", () => {
  it("accepts a complete OIDC provider", () => {
    expect(errors(oidc())).toEqual({});
  });

  it("needs the client id, openid in the scopes, an https issuer (http only on loopback)", () => {
    const e = errors(oidc({ client_id: "", authorize_scopes: "email profile", oidc_issuer: "http://idp.example.com" }));
    expect(e["details.client_id"]).toBe("Enter the client id");
    expect(e["details.authorize_scopes"]).toMatch(/openid/);
    expect(e["details.oidc_issuer"]).toMatch(/https/);
    expect(providerUrlError("http://localhost:8080/realms/x")).toBeUndefined();
    expect(providerUrlError("http://127.0.0.1:9000")).toBeUndefined();
    expect(providerUrlError("not a url")).toMatch(/URL/);
  });

  it("takes all four endpoints or none", () => {
    expect(errors(oidc({ authorize_url: "https://idp.example.com/auth" }))["details.token_url"]).toMatch(/all four/);
    expect(
      errors(oidc({ authorize_url: "https://i/a", token_url: "https://i/t", attributes_url: "https://i/u", jwks_uri: "https://i/j" })),
    ).toEqual({});
  });

  it("checks OIDC names and forces social names to their type", () => {
    expect(providerNameError("")).toBeDefined();
    expect(providerNameError("_x")).toMatch(/_/);
    expect(providerNameError("COGNITO")).toBeDefined();
    expect(providerNameError("x".repeat(33))).toMatch(/32/);
    expect(providerNameError("Okta")).toBeUndefined();
    const g = newProviderForm("Google");
    expect(g.name).toBe("Google");
    expect(errors({ ...g, name: "Gmail", details: { ...g.details, client_id: "a", client_secret: "b" } }).name).toMatch(/named Google/);
  });

  it("requires social secrets on create only", () => {
    const g = newProviderForm("Google");
    const v = { ...g, details: { ...g.details, client_id: "a" } };
    expect(errors(v)["details.client_secret"]).toBeDefined();
    expect(errors(v, true)).toEqual({});
    const apple = newProviderForm("SignInWithApple");
    expect(Object.keys(errors(apple))).toEqual(expect.arrayContaining(["details.client_id", "details.team_id", "details.key_id", "details.private_key"]));
  });

  it("checks Facebook's API version", () => {
    const f = newProviderForm("Facebook");
    const v = { ...f, details: { ...f.details, client_id: "a", client_secret: "b", api_version: "17" } };
    expect(errors(v)["details.api_version"]).toBeDefined();
    expect(errors({ ...v, details: { ...v.details, api_version: "v17.0" } })).toEqual({});
  });

  it("checks mapping rows and identifiers", () => {
    const e = errors(oidc({}, { mapping: [{ pool: "email", provider: "" }, { pool: "email", provider: "mail" }, { pool: "username", provider: "x" }], identifiers: "ok.com\nbad/one" }));
    expect(e["mapping.0.provider"]).toBeDefined();
    expect(e["mapping.1.pool"]).toMatch(/twice/);
    expect(e["mapping.2.pool"]).toMatch(/always/);
    expect(e.identifiers).toMatch(/bad\/one/);
    expect(identifiersError(Array.from({ length: 51 }, (_, i) => `d${i}`))).toMatch(/50/);
    expect(identifiersError(["a", "a"])).toMatch(/twice/);
    expect(identifiersError(["x".repeat(41)])).toBeDefined();
    expect(identifiersError(["example.com", "Corp SSO", "a+b=c@d-e_f"])).toBeUndefined();
  });
});

describe("form ↔ request", () => {
  it("builds CreateIdentityProvider with only the filled details, mapping and identifiers", () => {
    const v = oidc({ client_secret: " s3cret " }, { mapping: [{ pool: "email", provider: "email" }, { pool: "name", provider: "display_name" }], identifiers: "example.com, example.org\n" });
    expect(toCreateProviderInput(POOL, v)).toEqual({
      UserPoolId: POOL,
      ProviderName: "Corp",
      ProviderType: "OIDC",
      ProviderDetails: {
        client_id: "cid",
        client_secret: "s3cret",
        oidc_issuer: "https://idp.example.com",
        authorize_scopes: "openid email profile",
        attributes_request_method: "GET",
      },
      AttributeMapping: { email: "email", name: "display_name" },
      IdpIdentifiers: ["example.com", "example.org"],
    });
  });

  it("names a social provider by its type and leaves other types' keys out", () => {
    const g = newProviderForm("Google");
    const input = toCreateProviderInput(POOL, { ...g, name: "whatever", details: { ...g.details, client_id: "a", client_secret: "b", oidc_issuer: "https://x" } });
    expect(input.ProviderName).toBe("Google");
    expect(input.ProviderDetails).toEqual({ client_id: "a", client_secret: "b", authorize_scopes: "profile email openid" });
  });

  it("prefills an edit without secrets, and an empty secret is not sent", () => {
    const stored = {
      ProviderName: "Corp",
      ProviderType: "OIDC" as const,
      ProviderDetails: {
        client_id: "cid",
        client_secret: "hidden",
        oidc_issuer: "https://idp.example.com",
        authorize_scopes: "openid",
        attributes_request_method: "POST",
        attributes_url_add_attributes: "false",
      },
      AttributeMapping: { username: "sub", email: "mail" },
      IdpIdentifiers: ["example.com"],
    };
    const v = formFromProvider(stored);
    expect(v.details.client_secret).toBe("");
    expect(v.details.attributes_request_method).toBe("POST");
    expect(v.mapping).toEqual([{ pool: "email", provider: "mail" }]);
    expect(v.identifiers).toBe("example.com");
    const input = toUpdateProviderInput(POOL, v);
    expect(input.ProviderDetails).toEqual({ client_id: "cid", oidc_issuer: "https://idp.example.com", authorize_scopes: "openid", attributes_request_method: "POST" });
    expect(input).toMatchObject({ ProviderName: "Corp", AttributeMapping: { email: "mail" }, IdpIdentifiers: ["example.com"] });
  });

  it("converts mapping rows and identifiers", () => {
    expect(mappingToRows({ username: "sub", email: "email" })).toEqual([{ pool: "email", provider: "email" }]);
    expect(rowsToMapping([{ pool: " email ", provider: " mail " }, { pool: "", provider: "x" }])).toEqual({ email: "mail" });
    expect(parseIdentifiers(" a ,b\n\n c ")).toEqual(["a", "b", "c"]);
    expect(mappableAttributes([{ Name: "email" }, { Name: "custom:tier" }])).toEqual(expect.arrayContaining(["email", "custom:tier", "given_name"]));
  });
});

function saml(patch: Partial<ProviderFormValues["saml"]> = {}, rest: Partial<ProviderFormValues> = {}): ProviderFormValues {
  const v = newProviderForm("SAML");
  return { ...v, name: "Okta", saml: { ...v.saml, url: "https://idp.example.com/metadata.xml", ...patch }, ...rest };
}

const METADATA = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"/>';

describe("SAML providers", () => {
  it("is named by the admin, and takes its metadata from a URL by default", () => {
    const v = newProviderForm("SAML");
    expect(v.name).toBe("");
    expect(v.saml).toEqual({ source: "url", url: "", file: "", idpInit: false, encrypted: false, signing: "", signOut: false });
    expect(v.mapping).toEqual([]);
    const e = errors(v);
    expect(e.name).toBe("Enter a name");
    expect(e["saml.url"]).toMatch(/metadata URL/);
    expect(errors(saml())).toEqual({});
    expect(errors(saml({}, { name: "_x" })).name).toMatch(/_/);
  });

  it("takes an https metadata URL, or http on loopback, as the server does", () => {
    expect(errors(saml({ url: "http://idp.example.com/md" }))["saml.url"]).toMatch(/Must be https/);
    expect(errors(saml({ url: "not a url" }))["saml.url"]).toMatch(/Enter a URL/);
    expect(errors(saml({ url: "ftp://idp.example.com/md" }))["saml.url"]).toMatch(/Must be https/);
    for (const ok of ["http://localhost:8080/md", "http://127.0.0.1/md", "http://127.0.0.2:9/md", "http://[::1]:9/md"]) {
      expect(errors(saml({ url: ok })), ok).toEqual({});
    }
  });

  it("checks a metadata document before sending it", () => {
    expect(samlMetadataErrors({ ...saml().saml, source: "file", file: "  " })).toEqual({ path: "file", message: "Paste the metadata XML or choose its file" });
    expect(errors(saml({ source: "file", file: "entityID=x" }))["saml.file"]).toMatch(/Not XML/);
    expect(errors(saml({ source: "file", file: `<!DOCTYPE x>${METADATA}` }))["saml.file"]).toMatch(/DOCTYPE/);
    expect(errors(saml({ source: "file", file: `<x>${"a".repeat(131_072)}</x>` }))["saml.file"]).toMatch(/131,072/);
    // The URL left in the form does not matter once the document is chosen, and the other way round.
    expect(errors(saml({ source: "file", file: METADATA, url: "http://bad.example.com" }))).toEqual({});
    expect(errors(saml({ source: "url", file: "not xml" }))).toEqual({});
  });

  it("sends one metadata source, the switches, and no username mapping", () => {
    const v = saml(
      { file: METADATA, idpInit: true },
      { mapping: [{ pool: "email", provider: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" }], identifiers: "example.com" },
    );
    expect(toCreateProviderInput(POOL, v)).toEqual({
      UserPoolId: POOL,
      ProviderName: "Okta",
      ProviderType: "SAML",
      ProviderDetails: { MetadataURL: "https://idp.example.com/metadata.xml", IDPInit: "true", EncryptedResponses: "false", IDPSignout: "false" },
      AttributeMapping: { email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
      IdpIdentifiers: ["example.com"],
    });
    const file = toCreateProviderInput(POOL, saml({ source: "file", file: `\n${METADATA}\n`, encrypted: true, signing: "rsa-sha256" }));
    expect(file.ProviderDetails).toEqual({ MetadataFile: METADATA, IDPInit: "false", EncryptedResponses: "true", IDPSignout: "false", RequestSigningAlgorithm: "rsa-sha256" });
    const signingOut = saml({ signOut: true });
    expect(toCreateProviderInput(POOL, signingOut).ProviderDetails.IDPSignout).toBe("true");
    expect(formFromProvider({ ProviderName: "Okta", ProviderType: "SAML", ProviderDetails: { MetadataURL: "https://idp.example.com/md", IDPSignout: "true" } }).saml.signOut).toBe(true);
  });

  it("edits a stored provider without sending back what the server filled in, keeping its metadata source", () => {
    const stored = {
      ProviderName: "Okta",
      ProviderType: "SAML" as const,
      ProviderDetails: {
        MetadataFile: METADATA,
        IDPInit: "false",
        IDPSignout: "false",
        EncryptedResponses: "true",
        RequestSigningAlgorithm: "rsa-sha256",
        SSORedirectBindingURI: "https://idp.example.com/sso",
        SLORedirectBindingURI: "https://idp.example.com/slo",
        ActiveEncryptionCertificate: "MIIC",
      },
      AttributeMapping: { email: "mail" },
    };
    const v = formFromProvider(stored);
    expect(v.saml).toEqual({ source: "file", url: "", file: METADATA, idpInit: false, encrypted: true, signing: "rsa-sha256", signOut: false });
    expect(errors(v, true)).toEqual({});
    const input = toUpdateProviderInput(POOL, v);
    expect(input.ProviderDetails).toEqual({ MetadataFile: METADATA, IDPInit: "false", EncryptedResponses: "true", IDPSignout: "false", RequestSigningAlgorithm: "rsa-sha256" });
    expect(input).toMatchObject({ ProviderName: "Okta", AttributeMapping: { email: "mail" }, IdpIdentifiers: [] });

    const byUrl = formFromProvider({ ...stored, ProviderDetails: { MetadataURL: "https://idp.example.com/md", SSORedirectBindingURI: "https://idp.example.com/sso" } });
    expect(byUrl.saml).toMatchObject({ source: "url", url: "https://idp.example.com/md", signing: "" });
    expect(toUpdateProviderInput(POOL, byUrl).ProviderDetails).toEqual({ MetadataURL: "https://idp.example.com/md", IDPInit: "false", EncryptedResponses: "false", IDPSignout: "false" });
  });

  it("names the service provider details to give the identity provider", () => {
    expect(samlEntityId("us-east-1_P")).toBe("urn:amazon:cognito:sp:us-east-1_P");
    expect(samlAcsUrl("http://127.0.0.1:9229/domains/my-app")).toBe("http://127.0.0.1:9229/domains/my-app/saml2/idpresponse");
  });
});

describe("OIDC discovery results", () => {
  const found = {
    jwks_uri: "https://idp.example.com/jwks",
    token_url: "https://idp.example.com/token",
    oidc_issuer: "https://idp.example.com",
    authorize_url: "https://idp.example.com/authorize",
    attributes_url: "https://idp.example.com/userinfo",
  };

  it("labels what was found in form order", () => {
    expect(discoveredRows(found).map((r) => [r.label, r.value])).toEqual([
      ["Issuer URL", "https://idp.example.com"],
      ["Authorization endpoint", "https://idp.example.com/authorize"],
      ["Token endpoint", "https://idp.example.com/token"],
      ["UserInfo endpoint", "https://idp.example.com/userinfo"],
      ["JWKS URI", "https://idp.example.com/jwks"],
    ]);
    expect(discoveredRows({ oidc_issuer: "i", extra: "x" }).map((r) => r.label)).toEqual(["Issuer URL", "extra"]);
  });

  it("fills the four endpoints only when all were found, leaving the issuer as typed", () => {
    expect(hasAllEndpoints(found)).toBe(true);
    expect(hasAllEndpoints({ ...found, attributes_url: "" })).toBe(false);
    const details = { ...newProviderForm("OIDC").details, oidc_issuer: "https://idp.example.com/" };
    const filled = withDiscoveredEndpoints(details, found);
    expect(filled).toMatchObject({
      oidc_issuer: "https://idp.example.com/",
      authorize_url: "https://idp.example.com/authorize",
      token_url: "https://idp.example.com/token",
      attributes_url: "https://idp.example.com/userinfo",
      jwks_uri: "https://idp.example.com/jwks",
    });
    expect(details.authorize_url).toBe("");
  });
});
