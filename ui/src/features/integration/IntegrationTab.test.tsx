import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { IntegrationTab } from "./IntegrationTab";

const POOL = "us-east-1_A";

/** A client with a secret and the code flow: every setting the OAuth dialog must keep. */
const web = {
  UserPoolId: POOL,
  ClientId: "c1",
  ClientName: "web",
  ClientSecret: "very-secret-value",
  CreationDate: 1,
  LastModifiedDate: 2,
  AccessTokenValidity: 60,
  IdTokenValidity: 60,
  RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
  ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  ReadAttributes: ["email", "name"],
  WriteAttributes: ["name"],
  CallbackURLs: ["https://app.example.com/cb"],
  LogoutURLs: ["https://app.example.com/bye"],
  DefaultRedirectURI: "https://app.example.com/cb",
  AllowedOAuthFlows: ["code"],
  AllowedOAuthScopes: ["openid", "email"],
  AllowedOAuthFlowsUserPoolClient: true,
  SupportedIdentityProviders: ["COGNITO"],
  PreventUserExistenceErrors: "ENABLED",
  EnableTokenRevocation: true,
  AuthSessionValidity: 3,
  RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 10 },
};
/** A public client (no secret) without OAuth. */
const mobile = { UserPoolId: POOL, ClientId: "c2", ClientName: "mobile", ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH"] };

const api = { UserPoolId: POOL, Identifier: "https://api.example.com", Name: "Orders API", Scopes: [{ ScopeName: "read", ScopeDescription: "Read orders" }] };

let calls: { cmd: string; target?: string; input?: any; args?: any }[];
let pool: any;
let clients: Record<string, any>;
let servers: any[];
let serving: boolean;
let openLogin: () => Promise<unknown>;

const sent = (op: string) => calls.filter((c) => c.target?.endsWith(`.${op}`)).map((c) => c.input);

beforeEach(() => {
  calls = [];
  pool = { Id: POOL, Name: "shop", Domain: "my-app", CustomDomain: "auth.example.com" };
  clients = { c1: structuredClone(web), c2: structuredClone(mobile) };
  servers = [structuredClone(api)];
  serving = true;
  openLogin = async () => "http://127.0.0.1:9229/domains/my-app/oauth2/authorize?client_id=c1";
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (cmd, args) => {
    if (cmd !== "call") {
      calls.push({ cmd, args });
      if (cmd === "serve_status") return serving ? { endpoint: "http://127.0.0.1:9229", region: "us-east-1", accessKeyId: "AK", secretAccessKey: "SK" } : null;
      if (cmd === "open_login_page") return openLogin();
      throw { code: "UnknownCommand", message: cmd };
    }
    const { target, input } = args as { target: string; input: any };
    calls.push({ cmd, target, input });
    switch (target.split(".")[1]) {
      case "DescribeUserPool":
        return { UserPool: structuredClone(pool) };
      case "DescribeUserPoolDomain": {
        const d = input.Domain;
        if (d !== pool.Domain && d !== pool.CustomDomain) return { DomainDescription: {} };
        return {
          DomainDescription: {
            UserPoolId: POOL,
            Domain: d,
            Status: "ACTIVE",
            Version: "1",
            ManagedLoginVersion: d === pool.Domain ? 2 : 1,
            ...(d === pool.CustomDomain ? { CustomDomainConfig: { CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" } } : {}),
          },
        };
      }
      case "CreateUserPoolDomain":
        if (input.Domain.includes(".")) pool.CustomDomain = input.Domain;
        else pool.Domain = input.Domain;
        return { ManagedLoginVersion: input.ManagedLoginVersion ?? 1 };
      case "UpdateUserPoolDomain":
        return { ManagedLoginVersion: input.ManagedLoginVersion };
      case "DeleteUserPoolDomain":
        if (input.Domain === pool.CustomDomain) delete pool.CustomDomain;
        if (input.Domain === pool.Domain) delete pool.Domain;
        return {};
      case "ListResourceServers":
        return { ResourceServers: structuredClone(servers) };
      case "CreateResourceServer":
      case "UpdateResourceServer":
        servers = [...servers.filter((s) => s.Identifier !== input.Identifier), input];
        return { ResourceServer: input };
      case "ListUserPoolClients":
        return { UserPoolClients: Object.values(clients).map((c) => ({ ClientId: c.ClientId, ClientName: c.ClientName, UserPoolId: POOL })) };
      case "DescribeUserPoolClient":
        return { UserPoolClient: structuredClone(clients[input.ClientId]) };
      case "UpdateUserPoolClient": {
        const old = clients[input.ClientId];
        clients[input.ClientId] = { ...input, ClientSecret: old.ClientSecret, CreationDate: 1, LastModifiedDate: 3 };
        return { UserPoolClient: structuredClone(clients[input.ClientId]) };
      }
      case "ListIdentityProviders":
        return { Providers: [{ ProviderName: "Corp", ProviderType: "OIDC" }, { ProviderName: "Google", ProviderType: "Google" }] };
      case "GetUICustomization":
        return { UICustomization: { UserPoolId: POOL, ClientId: input.ClientId ?? "ALL" } };
      case "DescribeManagedLoginBrandingByClient":
        throw { code: "ResourceNotFoundException", message: "Managed login branding not found" };
      case "GetLoginUrl":
        return { Url: "http://127.0.0.1:9229/domains/my-app/oauth2/authorize?client_id=c1" };
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
          <IntegrationTab poolId={POOL} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("app integration tab", () => {
  it("shows the domains, the resource servers and the clients' OAuth settings", async () => {
    renderTab();
    expect(await screen.findByTestId("domain-prefix-name")).toHaveTextContent("my-app");
    expect(await screen.findByTestId("domain-prefix-url")).toHaveTextContent("http://127.0.0.1:9229/domains/my-app");
    await waitFor(() => expect(screen.getByTestId("domain-prefix-version")).toHaveTextContent("Managed login (2)"));
    expect(screen.getByTestId("domain-prefix-status")).toHaveTextContent("ACTIVE");
    expect(screen.getByTestId("domain-custom-name")).toHaveTextContent("auth.example.com");
    await waitFor(() => expect(screen.getByTestId("domain-custom-certificate")).toHaveTextContent("arn:aws:acm:us-east-1:123456789012:certificate/abc"));
    expect(screen.getByTestId("domain-custom-version")).toHaveTextContent("Classic hosted UI (1)");
    // Both domains exist: nothing more to create.
    expect(screen.queryByTestId("domain-create")).toBeNull();

    const row = await screen.findByTestId("resource-server-row");
    expect(row).toHaveTextContent("https://api.example.com");
    expect(row).toHaveTextContent("Orders API");
    expect(row).toHaveTextContent("read");

    const summary = await screen.findByTestId("client-oauth-summary-c1");
    expect(summary).toHaveTextContent("code");
    expect(summary).toHaveTextContent("openid, email");
    expect(summary).toHaveTextContent("https://app.example.com/cb");
    expect(await screen.findByTestId("client-oauth-summary-c2")).toHaveTextContent("OAuth off");
  });

  it("says where the pages will be once this computer serves", async () => {
    serving = false;
    renderTab();
    expect(await screen.findByTestId("domain-prefix-url")).toHaveTextContent("Start serving this computer's pools");
  });

  it("creates a prefix domain, refusing reserved words and bad characters before sending", async () => {
    pool = { Id: POOL, Name: "shop" };
    const user = userEvent.setup();
    renderTab();
    expect(await screen.findByTestId("domain-none")).toBeInTheDocument();
    await user.click(screen.getByTestId("domain-create"));
    const prefix = await screen.findByTestId("domain-prefix");
    await user.type(prefix, "my-cognito-app");
    await user.click(screen.getByTestId("domain-submit"));
    expect(await screen.findByText("Domain cannot contain reserved word: cognito")).toBeInTheDocument();
    await user.clear(prefix);
    await user.type(prefix, "My_App");
    await user.click(screen.getByTestId("domain-submit"));
    expect(await screen.findByText(/Lowercase letters, digits and hyphens only/)).toBeInTheDocument();
    expect(sent("CreateUserPoolDomain")).toEqual([]);

    await user.clear(prefix);
    await user.type(prefix, "shop-login");
    expect(screen.getByText("Pages served at http://127.0.0.1:9229/domains/shop-login")).toBeInTheDocument();
    await user.selectOptions(screen.getByTestId("domain-version"), "1");
    await user.click(screen.getByTestId("domain-submit"));
    await waitFor(() => expect(sent("CreateUserPoolDomain")).toEqual([{ Domain: "shop-login", UserPoolId: POOL, ManagedLoginVersion: 1 }]));
    expect(await screen.findByTestId("domain-prefix-name")).toHaveTextContent("shop-login");
    await waitFor(() => expect(screen.queryByTestId("domain-dialog")).toBeNull());
  });

  it("creates a custom domain with its certificate", async () => {
    pool = { Id: POOL, Name: "shop", Domain: "my-app" };
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("domain-create"));
    // Only the custom kind is left, so the form starts on it.
    await user.type(await screen.findByTestId("domain-custom"), "auth.example.com");
    await user.type(screen.getByTestId("domain-certificate"), "arn:aws:acm:us-east-1:1234:certificate/x");
    await user.click(screen.getByTestId("domain-submit"));
    expect(await screen.findByText(/An ACM certificate ARN/)).toBeInTheDocument();
    expect(sent("CreateUserPoolDomain")).toEqual([]);
    await user.clear(screen.getByTestId("domain-certificate"));
    await user.type(screen.getByTestId("domain-certificate"), "arn:aws:acm:us-east-1:123456789012:certificate/x");
    await user.click(screen.getByTestId("domain-submit"));
    await waitFor(() =>
      expect(sent("CreateUserPoolDomain")).toEqual([
        { Domain: "auth.example.com", UserPoolId: POOL, ManagedLoginVersion: 2, CustomDomainConfig: { CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" } },
      ]),
    );
  });

  it("shows the server's refusal in the domain form", async () => {
    pool = { Id: POOL, Name: "shop" };
    const inner = vi.mocked(invoke).getMockImplementation()!;
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      if ((args as any)?.target?.endsWith(".CreateUserPoolDomain")) throw { code: "InvalidParameterException", message: "Domain already associated with another user pool." };
      return inner(cmd, args);
    });
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("domain-create"));
    await user.type(await screen.findByTestId("domain-prefix"), "taken");
    await user.click(screen.getByTestId("domain-submit"));
    expect(await screen.findByTestId("domain-error")).toHaveTextContent("Domain already associated with another user pool.");
  });

  it("changes a custom domain's certificate and login pages", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("domain-edit-custom"));
    expect(await screen.findByTestId("domain-custom")).toHaveAttribute("readonly");
    const arn = screen.getByTestId("domain-certificate");
    expect(arn).toHaveValue("arn:aws:acm:us-east-1:123456789012:certificate/abc");
    await user.clear(arn);
    await user.type(arn, "arn:aws:acm:eu-west-1:123456789012:certificate/new");
    await user.selectOptions(screen.getByTestId("domain-version"), "2");
    await user.click(screen.getByTestId("domain-submit"));
    await waitFor(() =>
      expect(sent("UpdateUserPoolDomain")).toEqual([
        { Domain: "auth.example.com", UserPoolId: POOL, ManagedLoginVersion: 2, CustomDomainConfig: { CertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/new" } },
      ]),
    );
  });

  it("deletes a domain after confirming", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("domain-delete-custom"));
    await user.click(await screen.findByTestId("confirm-cancel"));
    expect(sent("DeleteUserPoolDomain")).toEqual([]);
    await user.click(screen.getByTestId("domain-delete-custom"));
    await user.click(await screen.findByTestId("confirm-ok"));
    await waitFor(() => expect(sent("DeleteUserPoolDomain")).toEqual([{ Domain: "auth.example.com", UserPoolId: POOL }]));
    await waitFor(() => expect(screen.queryByTestId("domain-custom-name")).toBeNull());
    // The custom kind can be created again.
    expect(screen.getByTestId("domain-create")).toBeInTheDocument();
  });

  it("creates a resource server with its scopes", async () => {
    servers = [];
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("resource-server-create"));
    await user.type(await screen.findByTestId("resource-server-identifier"), "https://pay.example.com");
    await user.type(screen.getByTestId("resource-server-name"), "Payments");
    await user.click(screen.getByTestId("scope-add"));
    await user.type(screen.getByTestId("scope-name-0"), "charge/all");
    await user.type(screen.getByTestId("scope-description-0"), "Charge cards");
    await user.click(screen.getByTestId("resource-server-submit"));
    expect(await screen.findByText(/without spaces, ", \\ or \//)).toBeInTheDocument();
    expect(sent("CreateResourceServer")).toEqual([]);

    await user.clear(screen.getByTestId("scope-name-0"));
    await user.type(screen.getByTestId("scope-name-0"), "charge");
    await user.click(screen.getByTestId("scope-add"));
    await user.type(screen.getByTestId("scope-name-1"), "refund");
    await user.type(screen.getByTestId("scope-description-1"), "Refund payments");
    await user.click(screen.getByTestId("resource-server-submit"));
    await waitFor(() =>
      expect(sent("CreateResourceServer")).toEqual([
        {
          UserPoolId: POOL,
          Identifier: "https://pay.example.com",
          Name: "Payments",
          Scopes: [
            { ScopeName: "charge", ScopeDescription: "Charge cards" },
            { ScopeName: "refund", ScopeDescription: "Refund payments" },
          ],
        },
      ]),
    );
    expect(await screen.findByText("Payments")).toBeInTheDocument();
  });

  it("edits a resource server: a new name and its scopes replaced", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("resource-server-edit-https://api.example.com"));
    expect(await screen.findByTestId("resource-server-identifier")).toHaveAttribute("readonly");
    const name = screen.getByTestId("resource-server-name");
    await user.clear(name);
    await user.type(name, "Orders");
    await user.click(screen.getByTestId("scope-add"));
    await user.type(screen.getByTestId("scope-name-1"), "read");
    await user.type(screen.getByTestId("scope-description-1"), "Again");
    await user.click(screen.getByTestId("resource-server-submit"));
    expect(await screen.findByText("Scope names must be unique")).toBeInTheDocument();
    await user.clear(screen.getByTestId("scope-name-1"));
    await user.type(screen.getByTestId("scope-name-1"), "write");
    await user.click(screen.getByTestId("scope-remove-0"));
    await user.click(screen.getByTestId("resource-server-submit"));
    await waitFor(() =>
      expect(sent("UpdateResourceServer")).toEqual([
        { UserPoolId: POOL, Identifier: "https://api.example.com", Name: "Orders", Scopes: [{ ScopeName: "write", ScopeDescription: "Again" }] },
      ]),
    );
  });
});

describe("OAuth settings dialog", () => {
  async function openDialog(clientId = "c1") {
    const user = userEvent.setup();
    renderTab();
    // The custom scopes come from the resource servers: wait for them before opening.
    await screen.findByTestId("resource-server-row");
    await user.click(await screen.findByTestId(`client-oauth-edit-${clientId}`));
    const dialog = await screen.findByTestId("oauth-dialog");
    return { user, dialog };
  }

  async function setCallbacks(user: ReturnType<typeof userEvent.setup>, text: string) {
    const box = screen.getByTestId("oauth-callbacks");
    await user.clear(box);
    await user.type(box, text);
  }

  it("refuses an http callback that is not on this computer", async () => {
    const { user } = await openDialog();
    await setCallbacks(user, "http://example.com/cb");
    await user.click(screen.getByTestId("oauth-submit"));
    expect(await screen.findByText(/http:\/\/example\.com\/cb: http is allowed only for localhost/)).toBeInTheDocument();
    expect(sent("UpdateUserPoolClient")).toEqual([]);
  });

  it("refuses a callback with a fragment", async () => {
    const { user } = await openDialog();
    await setCallbacks(user, "https://app.example.com/cb#done");
    await user.click(screen.getByTestId("oauth-submit"));
    expect(await screen.findByText(/No fragment/)).toBeInTheDocument();
    expect(sent("UpdateUserPoolClient")).toEqual([]);
  });

  it("refuses client_credentials together with code", async () => {
    const { user } = await openDialog();
    const cc = screen.getByTestId("oauth-flow-client_credentials");
    expect(cc).toBeEnabled();
    await user.click(cc);
    await user.click(screen.getByTestId("oauth-submit"));
    expect(await screen.findByTestId("oauth-flows-error")).toHaveTextContent(
      "client_credentials flow can not be selected along with code flow or implicit flow.",
    );
    expect(sent("UpdateUserPoolClient")).toEqual([]);
  });

  it("offers no client_credentials to a client without a secret, and says why", async () => {
    const { user, dialog } = await openDialog("c2");
    await user.click(within(dialog).getByTestId("oauth-enabled"));
    const cc = within(dialog).getByTestId("oauth-flow-client_credentials");
    expect(cc).toBeDisabled();
    expect(within(dialog).getByText(/Needs a client secret, and this client has none/)).toBeInTheDocument();
    await user.click(cc);
    expect(cc).not.toBeChecked();
  });

  it("refuses a default redirect that is not a callback URL", async () => {
    const { user } = await openDialog();
    await setCallbacks(user, "https://app.example.com/other");
    // The old default stays selected, marked as no longer a callback.
    expect(screen.getByTestId("oauth-default-redirect")).toHaveValue("https://app.example.com/cb");
    await user.click(screen.getByTestId("oauth-submit"));
    expect(await screen.findByText("The default redirect URI must be one of the callback URLs")).toBeInTheDocument();
    expect(sent("UpdateUserPoolClient")).toEqual([]);
  });

  it("saves the OAuth settings and keeps every other setting", async () => {
    const { user } = await openDialog();
    await user.click(screen.getByTestId("oauth-scope-https://api.example.com/read"));
    await user.click(screen.getByTestId("oauth-scope-email"));
    await user.click(screen.getByTestId("oauth-flow-implicit"));
    await setCallbacks(user, "https://app.example.com/cb{Enter}myapp://callback{Enter}http://localhost:3000/cb");
    await user.selectOptions(screen.getByTestId("oauth-default-redirect"), "myapp://callback");
    await user.click(screen.getByTestId("oauth-submit"));

    await waitFor(() => expect(sent("UpdateUserPoolClient")).toHaveLength(1));
    const { ClientSecret: _s, CreationDate: _c, LastModifiedDate: _m, ...unchanged } = web;
    expect(sent("UpdateUserPoolClient")[0]).toEqual({
      ...unchanged,
      AllowedOAuthFlows: ["code", "implicit"],
      AllowedOAuthScopes: ["openid", "https://api.example.com/read"],
      CallbackURLs: ["https://app.example.com/cb", "myapp://callback", "http://localhost:3000/cb"],
      DefaultRedirectURI: "myapp://callback",
    });
    await waitFor(() => expect(screen.queryByTestId("oauth-dialog")).toBeNull());
    expect(await screen.findByTestId("client-oauth-summary-c1")).toHaveTextContent("code, implicit");
  });

  it("offers the pool's sign-in providers beside COGNITO", async () => {
    const { user, dialog } = await openDialog();
    expect(within(dialog).getByTestId("oauth-provider-COGNITO")).toBeChecked();
    const corp = await within(dialog).findByTestId("oauth-provider-Corp");
    expect(corp).not.toBeChecked();
    expect(within(dialog).getByTestId("oauth-provider-Google")).toBeInTheDocument();
    await user.click(corp);
    await user.click(screen.getByTestId("oauth-submit"));
    await waitFor(() => expect(sent("UpdateUserPoolClient")).toHaveLength(1));
    expect(sent("UpdateUserPoolClient")[0].SupportedIdentityProviders).toEqual(["COGNITO", "Corp"]);
    expect(sent("ListIdentityProviders")[0]).toEqual({ UserPoolId: POOL, MaxResults: 60 });
  });

  it("shows the server's refusal in the dialog", async () => {
    const inner = vi.mocked(invoke).getMockImplementation()!;
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      if ((args as any)?.target?.endsWith(".UpdateUserPoolClient")) throw { code: "ScopeDoesNotExistException", message: "Invalid scope requested: https://api.example.com/read" };
      return inner(cmd, args);
    });
    const { user } = await openDialog();
    await user.click(screen.getByTestId("oauth-scope-https://api.example.com/read"));
    await user.click(screen.getByTestId("oauth-submit"));
    expect(await screen.findByTestId("oauth-error")).toHaveTextContent("Invalid scope requested: https://api.example.com/read");
  });
});

describe("login pages", () => {
  it("opens the login page through the app and shows the URL it opened", async () => {
    const user = userEvent.setup();
    renderTab();
    const open = await screen.findByTestId("client-open-login-c1");
    await waitFor(() => expect(open).toBeEnabled());
    await user.click(open);
    await waitFor(() => expect(calls.filter((c) => c.cmd === "open_login_page").map((c) => c.args)).toEqual([{ connection: "local", userPoolId: POOL, clientId: "c1" }]));
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Opened http://127.0.0.1:9229/domains/my-app/oauth2/authorize?client_id=c1");
  });

  it("says to start serving when this computer's pools are not served", async () => {
    openLogin = async () => {
      throw { code: "ServeNotRunning", message: "not serving" };
    };
    const user = userEvent.setup();
    renderTab();
    const open = await screen.findByTestId("client-open-login-c1");
    await waitFor(() => expect(open).toBeEnabled());
    await user.click(open);
    expect(await screen.findByTestId("toast-error")).toHaveTextContent("Start serving this computer's pools (Serve) to open the login pages.");
  });

  it("offers no login page to a client without the code or implicit flow", async () => {
    renderTab();
    expect(await screen.findByTestId("client-oauth-summary-c2")).toBeInTheDocument();
    expect(screen.getByTestId("client-open-login-c2")).toBeDisabled();
    expect(screen.getByText("Turn on OAuth with the code or implicit flow first.")).toBeInTheDocument();
  });

  it("copies the login URL from GetLoginUrl", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    renderTab();
    const copy = await screen.findByTestId("client-copy-login-c1");
    await waitFor(() => expect(copy).toBeEnabled());
    await user.click(copy);
    await waitFor(() => expect(sent("GetLoginUrl")).toEqual([{ UserPoolId: POOL, ClientId: "c1" }]));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith("http://127.0.0.1:9229/domains/my-app/oauth2/authorize?client_id=c1"));
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Login URL copied");
  });
});
