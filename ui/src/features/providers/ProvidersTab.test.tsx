import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { readFileAsText } from "../../lib/files";
import { ProvidersTab } from "./ProvidersTab";

const POOL = "us-east-1_A";

const corp = {
  UserPoolId: POOL,
  ProviderName: "Corp",
  ProviderType: "OIDC",
  ProviderDetails: {
    client_id: "corp-client",
    client_secret: "do-not-show-me",
    oidc_issuer: "https://idp.example.com",
    authorize_scopes: "openid email",
    attributes_request_method: "GET",
    authorize_url: "https://idp.example.com/authorize",
    token_url: "https://idp.example.com/token",
    attributes_url: "https://idp.example.com/userinfo",
    jwks_uri: "https://idp.example.com/jwks",
    attributes_url_add_attributes: "false",
  },
  AttributeMapping: { username: "sub", email: "email" },
  IdpIdentifiers: ["example.com"],
  CreationDate: 1_700_000_000,
  LastModifiedDate: 1_700_000_100,
};
const google = {
  UserPoolId: POOL,
  ProviderName: "Google",
  ProviderType: "Google",
  ProviderDetails: { client_id: "g-id", authorize_scopes: "profile email openid" },
  AttributeMapping: { username: "sub" },
  CreationDate: 1_700_000_000,
  LastModifiedDate: 1_700_000_000,
};

const METADATA = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"/>';
const SIGNING_CERT = "MIIC" + "S".repeat(120);
const ENCRYPTION_CERT = "MIIC" + "E".repeat(100);
const okta = {
  UserPoolId: POOL,
  ProviderName: "Okta",
  ProviderType: "SAML",
  ProviderDetails: {
    MetadataFile: METADATA,
    IDPInit: "true",
    EncryptedResponses: "true", IDPSignout: "false",
    RequestSigningAlgorithm: "rsa-sha256",
    SSORedirectBindingURI: "https://idp.example.com/sso/redirect",
    SLORedirectBindingURI: "https://idp.example.com/slo/redirect",
    ActiveEncryptionCertificate: ENCRYPTION_CERT,
  },
  AttributeMapping: { email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
  CreationDate: 1_700_000_000,
  LastModifiedDate: 1_700_000_000,
};

let calls: { target: string; input: any }[];
let providers: Record<string, any>;
let pool: any;
let fail: Record<string, { code: string; message: string }>;

const discovered = (issuer: string) => ({
  oidc_issuer: issuer,
  authorize_url: `${issuer}/oauth2/authorize`,
  token_url: `${issuer}/oauth2/token`,
  attributes_url: `${issuer}/oauth2/userinfo`,
  jwks_uri: `${issuer}/.well-known/jwks.json`,
});

const sent = (op: string) => calls.filter((c) => c.target.endsWith(`.${op}`)).map((c) => c.input);

beforeEach(() => {
  calls = [];
  fail = {};
  pool = { Id: POOL, Name: "shop", Domain: "my-app", SchemaAttributes: [{ Name: "email" }, { Name: "custom:tier" }] };
  providers = { Corp: structuredClone(corp), Google: structuredClone(google) };
  const clients: Record<string, any> = {
    c1: { ClientId: "c1", ClientName: "web", SupportedIdentityProviders: ["COGNITO", "Corp"] },
    c2: { ClientId: "c2", ClientName: "mobile", SupportedIdentityProviders: ["Corp", "Google"] },
  };
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (cmd, args) => {
    if (cmd === "serve_status") return { endpoint: "http://127.0.0.1:9229", region: "us-east-1", accessKeyId: "AK", secretAccessKey: "SK" };
    if (cmd !== "call") throw { code: "UnknownCommand", message: cmd };
    const { target, input } = args as { target: string; input: any };
    calls.push({ target, input });
    const op = target.split(".")[1]!;
    if (fail[op]) throw fail[op];
    switch (op) {
      case "DescribeUserPool":
        return { UserPool: structuredClone(pool) };
      case "ListIdentityProviders":
        return {
          Providers: Object.values(providers).map((p) => ({ ProviderName: p.ProviderName, ProviderType: p.ProviderType, CreationDate: p.CreationDate, LastModifiedDate: p.LastModifiedDate })),
        };
      case "DescribeIdentityProvider": {
        const p = structuredClone(providers[input.ProviderName]);
        if (!p) throw { code: "ResourceNotFoundException", message: "Identity provider not found" };
        return { IdentityProvider: p };
      }
      case "CreateIdentityProvider":
        providers[input.ProviderName] = { ...input, CreationDate: 1_700_000_500, LastModifiedDate: 1_700_000_500 };
        return { IdentityProvider: providers[input.ProviderName] };
      case "UpdateIdentityProvider":
        providers[input.ProviderName] = { ...providers[input.ProviderName], ...input };
        return { IdentityProvider: providers[input.ProviderName] };
      case "DeleteIdentityProvider":
        delete providers[input.ProviderName];
        return {};
      case "ListUserPoolClients":
        return { UserPoolClients: Object.values(clients).map((c) => ({ ClientId: c.ClientId, ClientName: c.ClientName, UserPoolId: POOL })) };
      case "DescribeUserPoolClient":
        return { UserPoolClient: structuredClone(clients[input.ClientId]) };
      case "DiscoverOpenIdProvider":
        return { ProviderDetails: discovered(input.Issuer) };
      case "GetSigningCertificate":
        return { Certificate: SIGNING_CERT };
      default:
        throw { code: "UnknownOperationException", message: target };
    }
  });
});

function renderTab() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <ConfirmProvider>
          <ProvidersTab poolId={POOL} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

const row = (name: string) => screen.getAllByTestId("provider-row").find((r) => r.dataset.name === name)!;

describe("sign-in providers tab", () => {
  it("lists the providers with the clients offering them, and the redirect URI", async () => {
    renderTab();
    await waitFor(() => expect(screen.getAllByTestId("provider-row")).toHaveLength(2));
    expect(row("Corp")).toHaveTextContent("OpenID Connect (OIDC)");
    expect(row("Google")).toHaveTextContent("Google");
    await waitFor(() => expect(screen.getByTestId("provider-clients-Corp")).toHaveTextContent("web, mobile"));
    expect(screen.getByTestId("provider-clients-Google")).toHaveTextContent("mobile");
    expect(await screen.findByTestId("provider-redirect-uri")).toHaveTextContent("http://127.0.0.1:9229/domains/my-app/oauth2/idpresponse");
  });

  it("shows every detail with the secret masked, the mapping and the identifiers", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("provider-details-Corp"));
    const details = await screen.findByTestId("provider-details");
    await waitFor(() => expect(within(details).getByTestId("provider-detail-client_secret")).toHaveTextContent("••••"));
    expect(details).not.toHaveTextContent("do-not-show-me");
    expect(within(details).getByTestId("provider-detail-attributes_url_add_attributes")).toHaveTextContent("false");
    expect(within(details).getByTestId("provider-detail-jwks_uri")).toHaveTextContent("https://idp.example.com/jwks");
    expect(within(details).getByTestId("provider-details-mapping")).toHaveTextContent(/username\s*sub/);
    expect(within(details).getByTestId("provider-details-mapping")).toHaveTextContent(/email\s*email/);
    expect(within(details).getByTestId("provider-details-identifiers")).toHaveTextContent("example.com");
  });

  it("adds an OIDC provider after checking the form", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("provider-add"));
    expect(screen.getByRole("option", { name: "SAML 2.0" })).toBeEnabled();
    const form = screen.getByTestId("provider-form");
    await user.type(screen.getByLabelText("Provider name"), "Okta");
    await user.clear(screen.getByLabelText("Authorized scopes"));
    await user.type(screen.getByLabelText("Authorized scopes"), "email profile");
    await user.type(screen.getByLabelText("Issuer URL"), "http://idp.example.com");
    await user.click(screen.getByTestId("provider-save"));
    expect(await within(form).findByText("Enter the client id")).toBeInTheDocument();
    expect(within(form).getByText(/Include openid/)).toBeInTheDocument();
    expect(within(form).getByText(/Must be https/)).toBeInTheDocument();
    expect(sent("CreateIdentityProvider")).toEqual([]);

    await user.type(screen.getByLabelText("Client ID"), "okta-client");
    await user.type(screen.getByLabelText("Client secret (optional)"), "s3cret");
    await user.type(screen.getByLabelText("Authorized scopes"), " openid");
    await user.clear(screen.getByLabelText("Issuer URL"));
    await user.type(screen.getByLabelText("Issuer URL"), "https://okta.example.com");
    await user.click(screen.getByTestId("mapping-add"));
    await user.selectOptions(screen.getByTestId("mapping-pool-1"), "custom:tier");
    await user.type(screen.getByTestId("mapping-provider-1"), "tier");
    await user.type(screen.getByLabelText("Identifiers (one a line)"), "example.com");
    await user.click(screen.getByTestId("provider-save"));
    await waitFor(() => expect(sent("CreateIdentityProvider")).toHaveLength(1));
    expect(sent("CreateIdentityProvider")[0]).toEqual({
      UserPoolId: POOL,
      ProviderName: "Okta",
      ProviderType: "OIDC",
      ProviderDetails: {
        client_id: "okta-client",
        client_secret: "s3cret",
        oidc_issuer: "https://okta.example.com",
        authorize_scopes: "email profile openid",
        attributes_request_method: "GET",
      },
      AttributeMapping: { email: "email", "custom:tier": "tier" },
      IdpIdentifiers: ["example.com"],
    });
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Provider Okta added");
    await waitFor(() => expect(screen.getAllByTestId("provider-row")).toHaveLength(3));
    expect(screen.queryByTestId("provider-form")).toBeNull();
  });

  it("adds Google under the name Google, and shows the server's refusal", async () => {
    const user = userEvent.setup();
    fail.CreateIdentityProvider = { code: "DuplicateProviderException", message: "A provider with the name Google already exists." };
    renderTab();
    await user.click(await screen.findByTestId("provider-add"));
    await user.selectOptions(screen.getByTestId("provider-type"), "Google");
    expect(screen.getByLabelText("Provider name")).toHaveValue("Google");
    expect(screen.getByLabelText("Provider name")).toHaveAttribute("readonly");
    await user.type(screen.getByLabelText("Client ID"), "g-id");
    await user.type(screen.getByLabelText("Client secret"), "g-secret");
    await user.click(screen.getByTestId("provider-save"));
    const error = await screen.findByTestId("provider-error");
    expect(error).toHaveTextContent("DuplicateProviderException");
    expect(error).toHaveTextContent("A provider with the name Google already exists.");
    expect(sent("CreateIdentityProvider")[0]).toMatchObject({
      ProviderName: "Google",
      ProviderType: "Google",
      ProviderDetails: { client_id: "g-id", client_secret: "g-secret", authorize_scopes: "profile email openid" },
    });
  });

  it("edits a provider without sending its secret when left empty", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("provider-edit-Corp"));
    const secret = await screen.findByLabelText("Client secret (optional)");
    expect(secret).toHaveValue("");
    expect(secret).toHaveAccessibleDescription(/Leave empty to keep the current secret/);
    expect(screen.getByLabelText("Client ID")).toHaveValue("corp-client");
    await user.clear(screen.getByLabelText("Client ID"));
    await user.type(screen.getByLabelText("Client ID"), "corp-client-2");
    await user.click(screen.getByTestId("provider-save"));
    await waitFor(() => expect(sent("UpdateIdentityProvider")).toHaveLength(1));
    const input = sent("UpdateIdentityProvider")[0];
    expect(input.ProviderDetails).not.toHaveProperty("client_secret");
    expect(input).toMatchObject({
      UserPoolId: POOL,
      ProviderName: "Corp",
      ProviderDetails: { client_id: "corp-client-2", oidc_issuer: "https://idp.example.com" },
      AttributeMapping: { email: "email" },
      IdpIdentifiers: ["example.com"],
    });
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Provider Corp saved");
  });

  it("deletes a provider after confirming", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("provider-delete-Google"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("Delete Google?");
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(sent("DeleteIdentityProvider")).toEqual([]);
    await user.click(screen.getByTestId("provider-delete-Google"));
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(screen.getAllByTestId("provider-row")).toHaveLength(1));
    expect(sent("DeleteIdentityProvider")).toEqual([{ UserPoolId: POOL, ProviderName: "Google" }]);
  });

  describe("SAML providers", () => {
    const pem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----`;

    it("adds one: the service provider details to give the IdP, the metadata from a file, the switches", async () => {
      const user = userEvent.setup();
      renderTab();
      await user.click(await screen.findByTestId("provider-add"));
      await user.selectOptions(screen.getByTestId("provider-type"), "SAML");
      const sp = screen.getByTestId("saml-sp-details");
      expect(within(sp).getByTestId("saml-sp-entity-id")).toHaveTextContent(`urn:amazon:cognito:sp:${POOL}`);
      expect(await within(sp).findByTestId("saml-sp-acs")).toHaveTextContent("http://127.0.0.1:9229/domains/my-app/saml2/idpresponse");
      expect(await within(sp).findByTestId("saml-sp-cert-pem")).toHaveTextContent(SIGNING_CERT.slice(0, 64));
      expect(screen.getByTestId("mapping-fixed")).toHaveTextContent("NameID");
      expect(within(sp).getByTestId("saml-sp-slo")).toHaveTextContent("http://127.0.0.1:9229/domains/my-app/saml2/logout");
      expect(screen.getByTestId("provider-saml-signout")).toBeEnabled();
      expect(screen.getByTestId("provider-saml-signout")).not.toBeChecked();

      const form = screen.getByTestId("provider-form");
      await user.click(screen.getByTestId("provider-save"));
      expect(await within(form).findByText("Enter a name")).toBeInTheDocument();
      expect(within(form).getByText(/Enter the metadata URL/)).toBeInTheDocument();
      await user.type(screen.getByLabelText("Provider name"), "Okta");
      await user.type(screen.getByLabelText("Metadata URL"), "http://idp.example.com/md");
      await user.click(screen.getByTestId("provider-save"));
      expect(await within(form).findByText(/Must be https/)).toBeInTheDocument();
      expect(sent("CreateIdentityProvider")).toEqual([]);

      await user.click(screen.getByLabelText("From a document (XML)"));
      expect(screen.queryByLabelText("Metadata URL")).toBeNull();
      await user.upload(screen.getByTestId("provider-saml-file-picker"), new File([METADATA], "okta.xml", { type: "text/xml" }));
      await waitFor(() => expect(screen.getByLabelText("Metadata XML")).toHaveValue(METADATA));
      expect(screen.getByTestId("provider-saml-file-picked")).toHaveTextContent("okta.xml");
      await user.click(screen.getByLabelText(/Encrypted assertions/));
      await user.selectOptions(screen.getByLabelText(/Sign authentication requests/), "rsa-sha256");
      await user.click(screen.getByTestId("mapping-add"));
      await user.selectOptions(screen.getByTestId("mapping-pool-0"), "email");
      await user.type(screen.getByTestId("mapping-provider-0"), "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
      await user.click(screen.getByTestId("provider-save"));
      await waitFor(() => expect(sent("CreateIdentityProvider")).toHaveLength(1));
      expect(sent("CreateIdentityProvider")[0]).toEqual({
        UserPoolId: POOL,
        ProviderName: "Okta",
        ProviderType: "SAML",
        ProviderDetails: { MetadataFile: METADATA, IDPInit: "false", EncryptedResponses: "true", IDPSignout: "false", RequestSigningAlgorithm: "rsa-sha256" },
        AttributeMapping: { email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
      });
      expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Provider Okta added");
    });

    it("shows the server's refusal of its metadata", async () => {
      const user = userEvent.setup();
      fail.CreateIdentityProvider = { code: "InvalidParameterException", message: "The SAML metadata cannot be used: it names no SingleSignOnService." };
      renderTab();
      await user.click(await screen.findByTestId("provider-add"));
      await user.selectOptions(screen.getByTestId("provider-type"), "SAML");
      await user.type(screen.getByLabelText("Provider name"), "Okta");
      await user.type(screen.getByLabelText("Metadata URL"), "https://idp.example.com/md");
      await user.click(screen.getByTestId("provider-save"));
      const error = await screen.findByTestId("provider-error");
      expect(error).toHaveTextContent("InvalidParameterException");
      expect(error).toHaveTextContent("it names no SingleSignOnService");
      expect(sent("CreateIdentityProvider")[0].ProviderDetails).toEqual({ MetadataURL: "https://idp.example.com/md", IDPInit: "false", EncryptedResponses: "false", IDPSignout: "false" });
    });

    it("shows the filled-in endpoints, the encryption certificate and the service provider details", async () => {
      providers.Okta = structuredClone(okta);
      const user = userEvent.setup();
      const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
      const blobs: Blob[] = [];
      URL.createObjectURL = vi.fn((b: Blob) => (blobs.push(b), "blob:cert"));
      URL.revokeObjectURL = vi.fn();
      renderTab();
      await user.click(await screen.findByTestId("provider-details-Okta"));
      const details = await screen.findByTestId("provider-details");
      await waitFor(() => expect(within(details).getByTestId("provider-detail-SSORedirectBindingURI")).toHaveTextContent("https://idp.example.com/sso/redirect"));
      expect(within(details).getByTestId("provider-detail-SLORedirectBindingURI")).toHaveTextContent("https://idp.example.com/slo/redirect");
      expect(within(details).getByTestId("provider-detail-MetadataFile")).toHaveTextContent(`XML document, ${METADATA.length} characters`);
      expect(within(details).queryByTestId("provider-detail-ActiveEncryptionCertificate")).toBeNull();
      expect(within(details).getByTestId("provider-details-mapping")).toHaveTextContent(/username\s*NameID/);

      expect(within(details).getByTestId("provider-encryption-cert-pem").textContent).toBe(`${pem(ENCRYPTION_CERT)}\n`);
      await user.click(within(details).getByTestId("provider-encryption-cert-download"));
      expect(click).toHaveBeenCalledTimes(1);
      expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("Okta-encryption.cer");
      expect(await readFileAsText(blobs[0]!)).toBe(`${pem(ENCRYPTION_CERT)}\n`);
      expect(within(details).getByRole("button", { name: "Copy the encryption certificate of Okta" })).toBeInTheDocument();

      const sp = within(details).getByTestId("saml-sp-details");
      expect(within(sp).getByTestId("saml-sp-entity-id")).toHaveTextContent(`urn:amazon:cognito:sp:${POOL}`);
      expect(await within(sp).findByTestId("saml-sp-acs")).toHaveTextContent("http://127.0.0.1:9229/domains/my-app/saml2/idpresponse");
      expect((await within(sp).findByTestId("saml-sp-cert-pem")).textContent).toBe(`${pem(SIGNING_CERT)}\n`);
      expect(sent("GetSigningCertificate")).toEqual([{ UserPoolId: POOL }]);
      await user.click(within(sp).getByTestId("saml-sp-cert-download"));
      expect((click.mock.contexts[1] as HTMLAnchorElement).download).toBe(`${POOL}-saml-signing.pem`);
      expect(within(sp).getByTestId("saml-sp-cert-copy")).toBeInTheDocument();
      click.mockRestore();
    });

    it("tells why the signing certificate is missing", async () => {
      providers.Okta = structuredClone(okta);
      fail.GetSigningCertificate = { code: "InternalErrorException", message: "The signing key could not be made" };
      const user = userEvent.setup();
      renderTab();
      await user.click(await screen.findByTestId("provider-details-Okta"));
      expect(await screen.findByTestId("saml-sp-cert-error")).toHaveTextContent("The signing key could not be made");
    });

    it("edits one without sending back what the server filled in, keeping its metadata document", async () => {
      providers.Okta = structuredClone(okta);
      const user = userEvent.setup();
      renderTab();
      await user.click(await screen.findByTestId("provider-edit-Okta"));
      expect(await screen.findByLabelText("Metadata XML")).toHaveValue(METADATA);
      expect(screen.getByLabelText("Provider name")).toHaveAttribute("readonly");
      expect(screen.getByLabelText(/Allow sign-in started at the identity provider/)).toBeChecked();
      expect(screen.getByLabelText(/Encrypted assertions/)).toHaveAccessibleDescription(/discards this provider's key pair/);
      await user.click(screen.getByLabelText(/Allow sign-in started at the identity provider/));
      await user.click(screen.getByTestId("provider-save"));
      await waitFor(() => expect(sent("UpdateIdentityProvider")).toHaveLength(1));
      expect(sent("UpdateIdentityProvider")[0]).toEqual({
        UserPoolId: POOL,
        ProviderName: "Okta",
        ProviderDetails: { MetadataFile: METADATA, IDPInit: "false", EncryptedResponses: "true", IDPSignout: "false", RequestSigningAlgorithm: "rsa-sha256" },
        AttributeMapping: { email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
        IdpIdentifiers: [],
      });
    });
  });

  describe("test discovery of an OIDC issuer", () => {
    async function openOidcForm(issuer: string) {
      const user = userEvent.setup();
      renderTab();
      await user.click(await screen.findByTestId("provider-add"));
      await user.type(screen.getByLabelText("Provider name"), "Okta");
      await user.type(screen.getByLabelText("Client ID"), "okta-client");
      await user.type(screen.getByLabelText("Issuer URL"), issuer);
      return user;
    }

    it("shows each endpoint found, labelled, without filling the endpoint fields", async () => {
      const user = await openOidcForm("https://okta.example.com");
      await user.click(screen.getByRole("button", { name: "Test discovery" }));
      const found = await screen.findByTestId("provider-discovered");
      expect(sent("DiscoverOpenIdProvider")).toEqual([{ Issuer: "https://okta.example.com" }]);
      expect(calls.find((c) => c.target === "PoolDesk.DiscoverOpenIdProvider")).toBeTruthy();
      expect(found).toHaveTextContent(/Issuer URL\s*https:\/\/okta.example.com/);
      expect(found).toHaveTextContent(/Authorization endpoint\s*https:\/\/okta.example.com\/oauth2\/authorize/);
      expect(found).toHaveTextContent(/Token endpoint\s*https:\/\/okta.example.com\/oauth2\/token/);
      expect(found).toHaveTextContent(/UserInfo endpoint\s*https:\/\/okta.example.com\/oauth2\/userinfo/);
      expect(found).toHaveTextContent(/JWKS URI\s*https:\/\/okta.example.com\/.well-known\/jwks.json/);
      expect(screen.getByText(/discovery is skipped/)).toBeInTheDocument();
      for (const label of ["Authorization endpoint (optional)", "Token endpoint (optional)", "UserInfo endpoint (optional)", "JWKS URI (optional)"]) {
        expect(screen.getByLabelText(label)).toHaveValue("");
      }

      // Saved as is: no endpoints sent, the server discovers them.
      await user.click(screen.getByTestId("provider-save"));
      await waitFor(() => expect(sent("CreateIdentityProvider")).toHaveLength(1));
      expect(Object.keys(sent("CreateIdentityProvider")[0].ProviderDetails)).not.toContain("authorize_url");
    });

    it("shows the server's error", async () => {
      fail.DiscoverOpenIdProvider = {
        code: "InvalidParameterException",
        message: "Could not read the OIDC discovery document https://down.example.com/.well-known/openid-configuration: connection refused",
      };
      const user = await openOidcForm("https://down.example.com");
      await user.click(screen.getByTestId("provider-discover"));
      const error = await screen.findByTestId("provider-discover-error");
      expect(error).toHaveTextContent("InvalidParameterException");
      expect(error).toHaveTextContent(/Could not read the OIDC discovery document .*connection refused/);
      expect(screen.queryByTestId("provider-discovered")).toBeNull();
      expect(screen.queryByTestId("provider-discover-use")).toBeNull();
      // Another issuer typed: the old answer goes.
      await user.type(screen.getByLabelText("Issuer URL"), "/x");
      expect(screen.queryByTestId("provider-discover-error")).toBeNull();
    });

    it("fills the endpoint fields with Use these endpoints, and sends them", async () => {
      const user = await openOidcForm("https://okta.example.com");
      await user.click(screen.getByTestId("provider-discover"));
      await user.click(await screen.findByRole("button", { name: "Use these endpoints" }));
      expect(screen.getByLabelText("Authorization endpoint (optional)")).toHaveValue("https://okta.example.com/oauth2/authorize");
      expect(screen.getByLabelText("Token endpoint (optional)")).toHaveValue("https://okta.example.com/oauth2/token");
      expect(screen.getByLabelText("UserInfo endpoint (optional)")).toHaveValue("https://okta.example.com/oauth2/userinfo");
      expect(screen.getByLabelText("JWKS URI (optional)")).toHaveValue("https://okta.example.com/.well-known/jwks.json");
      expect(screen.getByLabelText("Issuer URL")).toHaveValue("https://okta.example.com");

      await user.click(screen.getByTestId("provider-save"));
      await waitFor(() => expect(sent("CreateIdentityProvider")).toHaveLength(1));
      expect(sent("CreateIdentityProvider")[0].ProviderDetails).toMatchObject(discovered("https://okta.example.com"));
    });
  });
});
