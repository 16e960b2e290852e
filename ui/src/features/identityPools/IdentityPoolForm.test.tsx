// The identity pool's settings form: its social / OIDC / SAML providers and developer name,
// checked before UpdateIdentityPool is sent.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import type { IdentityPool } from "../../generated/cognito-identity";
import { IdentityPoolView } from "./IdentityPoolView";

const ID = "us-east-1:pool";
const OIDC = "arn:aws:iam::123456789012:oidc-provider/idp.example.com";
const SAML = "arn:aws:iam::123456789012:saml-provider/Corp";
const PARTNER = "arn:aws:iam::123456789012:saml-provider/Partner";

let pool: IdentityPool;
/** The SAML providers ListSAMLProviders answers with. */
let registered: string[];
let calls: { target: string; input: any }[];
const sent = (op: string) => calls.filter((c) => c.target.endsWith(`.${op}`)).map((c) => c.input);

beforeEach(() => {
  calls = [];
  registered = [SAML, PARTNER];
  pool = {
    IdentityPoolId: ID,
    IdentityPoolName: "ids",
    AllowUnauthenticatedIdentities: false,
    AllowClassicFlow: false,
    SupportedLoginProviders: { "accounts.google.com": "g-client", "idp.example.com": "oidc-client" },
    OpenIdConnectProviderARNs: [OIDC],
    SamlProviderARNs: [SAML],
    IdentityPoolTags: { team: "a" },
  };
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (cmd, args) => {
    if (cmd !== "call") throw { code: "UnknownCommand", message: cmd };
    const { target, input } = args as { target: string; input: any };
    calls.push({ target, input: structuredClone(input) });
    switch (target.split(".")[1]) {
      case "DescribeIdentityPool":
        return structuredClone(pool);
      case "UpdateIdentityPool":
        pool = structuredClone(input);
        return structuredClone(pool);
      case "ListUserPools":
        return { UserPools: [] };
      case "GetIdentityPoolRoles":
        return { IdentityPoolId: ID, Roles: {} };
      case "GetPrincipalTagAttributeMap":
        return { IdentityPoolId: ID, IdentityProviderName: input.IdentityProviderName, UseDefaults: false, PrincipalTags: {} };
      case "ListSAMLProviders":
        return { SAMLProviderList: registered.map((Arn) => ({ Arn, CreateDate: "2024-01-01T00:00:00Z" })) };
      default:
        throw { code: "UnknownOperationException", message: target };
    }
  });
});

function renderView() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ToastProvider>
        <ConfirmProvider>
          <IdentityPoolView identityPoolId={ID} navigate={() => {}} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("identity pool sign-in providers", () => {
  it("sends added and removed providers in UpdateIdentityPool, keeping the rest of the pool", async () => {
    const user = userEvent.setup();
    renderView();
    const google = await screen.findByTestId("identity-pool-login-provider-0");
    expect(google).toHaveValue("accounts.google.com");
    expect(screen.getByLabelText("Google client id")).toHaveValue("g-client");
    // An OIDC provider's host names the client ids, as the hint explains.
    expect(screen.getByTestId("identity-pool-login-appids-1")).toHaveAccessibleName("Client id(s), separated by commas");
    expect(screen.getByTestId("identity-pool-saml-note")).toHaveTextContent(/base64 SAMLResponse/);

    // Google out, Facebook in, SAML out.
    await user.click(screen.getByRole("button", { name: "Remove sign-in provider 1" }));
    await user.click(screen.getByTestId("identity-pool-login-add"));
    const row = screen.getByRole("group", { name: "Sign-in provider 2" });
    await user.type(within(row).getByLabelText("Provider"), "graph.facebook.com");
    await user.type(within(row).getByLabelText("Facebook app id"), "fb-app");
    await user.click(screen.getByRole("button", { name: "Remove SAML provider 1" }));
    // Another OIDC provider, with its client ids.
    await user.click(screen.getByTestId("identity-pool-oidc-add"));
    await user.type(screen.getByTestId("identity-pool-oidc-arn-1"), "arn:aws:iam::123456789012:oidc-provider/login.example.org/realm");
    expect(screen.getByTestId("identity-pool-oidc-arn-1")).toHaveAccessibleDescription(/Add login.example.org\/realm/);
    await user.click(screen.getByTestId("identity-pool-login-add"));
    await user.type(screen.getByTestId("identity-pool-login-provider-2"), "login.example.org/realm");
    await user.type(screen.getByTestId("identity-pool-login-appids-2"), "a, b");
    expect(screen.getByTestId("identity-pool-oidc-arn-1")).not.toHaveAccessibleDescription(/Add /);

    await user.click(screen.getByTestId("identity-pool-submit"));
    await waitFor(() => expect(sent("UpdateIdentityPool")).toHaveLength(1));
    const body = sent("UpdateIdentityPool")[0];
    expect(body).toEqual({
      IdentityPoolId: ID,
      IdentityPoolName: "ids",
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [],
      SupportedLoginProviders: { "idp.example.com": "oidc-client", "graph.facebook.com": "fb-app", "login.example.org/realm": "a,b" },
      OpenIdConnectProviderARNs: [OIDC, "arn:aws:iam::123456789012:oidc-provider/login.example.org/realm"],
      IdentityPoolTags: { team: "a" },
    });
    expect(body).not.toHaveProperty("SamlProviderARNs");
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Identity pool saved");
  });

  it("explains SAML sign-in, suggests the registered SAML providers and warns about one not registered", async () => {
    const user = userEvent.setup();
    renderView();
    const note = await screen.findByTestId("identity-pool-saml-note");
    expect(note).toHaveTextContent("Logins[<provider ARN>]");
    expect(note).toHaveTextContent(/enhanced flow only/);
    expect(note).toHaveTextContent("https://aws.amazon.com/SAML/Attributes/Role");
    expect(note).not.toHaveTextContent(/does not take SAML assertions/);

    const suggestions = screen.getByTestId("identity-pool-saml-suggestions");
    await waitFor(() => expect([...suggestions.querySelectorAll("option")].map((o) => o.value)).toEqual([SAML, PARTNER]));
    expect(sent("ListSAMLProviders")).toEqual([{}]);
    const first = screen.getByTestId("identity-pool-saml-arn-0");
    expect(first).toHaveAttribute("list", suggestions.id);
    expect(first).not.toHaveAccessibleDescription(/Not registered/);

    await user.click(screen.getByTestId("identity-pool-saml-add"));
    const second = screen.getByTestId("identity-pool-saml-arn-1");
    expect(second).toHaveAttribute("list", suggestions.id);
    // Half typed: no warning yet; a whole ARN nobody registered: a warning, not an error.
    await user.type(second, "arn:aws:iam::123456789012:saml-pro");
    expect(second).not.toHaveAccessibleDescription(/Not registered/);
    await user.clear(second);
    await user.type(second, "arn:aws:iam::123456789012:saml-provider/Elsewhere");
    expect(second).toHaveAccessibleDescription(/Not registered on this connection/);
    expect(second).toHaveAttribute("aria-invalid", "false");
    await user.clear(second);
    await user.type(second, PARTNER);
    expect(second).not.toHaveAccessibleDescription(/Not registered/);

    await user.click(screen.getByTestId("identity-pool-submit"));
    await waitFor(() => expect(sent("UpdateIdentityPool")).toHaveLength(1));
    expect(sent("UpdateIdentityPool")[0].SamlProviderARNs).toEqual([SAML, PARTNER]);
  });

  it("shows ARN and provider errors before sending anything", async () => {
    const user = userEvent.setup();
    renderView();
    await user.click(await screen.findByTestId("identity-pool-oidc-add"));
    await user.type(screen.getByTestId("identity-pool-oidc-arn-1"), "arn:aws:iam::1234:oidc-provider/https://idp.example.com");
    await user.click(screen.getByTestId("identity-pool-saml-add"));
    await user.type(screen.getByTestId("identity-pool-saml-arn-1"), "arn:aws:iam::123456789012:saml-provider/");
    await user.clear(screen.getByTestId("identity-pool-login-appids-0"));
    await user.click(screen.getByTestId("identity-pool-submit"));

    await waitFor(() => expect(screen.getByTestId("identity-pool-oidc-arn-1")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByTestId("identity-pool-oidc-arn-1")).toHaveAccessibleDescription(/An IAM OIDC provider ARN, like arn:aws:iam::123456789012:oidc-provider/);
    expect(screen.getByTestId("identity-pool-saml-arn-1")).toHaveAccessibleDescription(/An IAM SAML provider ARN/);
    expect(screen.getByTestId("identity-pool-login-appids-0")).toHaveAccessibleDescription("Enter the app id");
    expect(screen.getByTestId("identity-pool-oidc-arn-0")).toHaveAttribute("aria-invalid", "false");
    expect(sent("UpdateIdentityPool")).toEqual([]);
  });

  it("lets the developer provider name be set once, then shows it read-only", async () => {
    const user = userEvent.setup();
    renderView();
    const name = await screen.findByLabelText("Developer provider name");
    expect(name).not.toHaveAttribute("readonly");
    await user.type(name, "bad name");
    await user.click(screen.getByTestId("identity-pool-submit"));
    await waitFor(() => expect(name).toHaveAccessibleDescription(/Letters, digits and \. _ - only/));
    expect(sent("UpdateIdentityPool")).toEqual([]);

    await user.clear(name);
    await user.type(name, "login.shop");
    await user.click(screen.getByTestId("identity-pool-submit"));
    await waitFor(() => expect(sent("UpdateIdentityPool")).toHaveLength(1));
    expect(sent("UpdateIdentityPool")[0].DeveloperProviderName).toBe("login.shop");

    // The saved pool comes back with it: now read-only, with a note, and sent unchanged.
    await waitFor(() => expect(screen.getByLabelText("Developer provider name")).toHaveAttribute("readonly"));
    expect(screen.getByLabelText("Developer provider name")).toHaveValue("login.shop");
    expect(screen.getByLabelText("Developer provider name")).toHaveAccessibleDescription("Set once: Cognito does not let it change.");
    await user.click(screen.getByTestId("identity-pool-submit"));
    await waitFor(() => expect(sent("UpdateIdentityPool")).toHaveLength(2));
    expect(sent("UpdateIdentityPool")[1].DeveloperProviderName).toBe("login.shop");
  });
});
