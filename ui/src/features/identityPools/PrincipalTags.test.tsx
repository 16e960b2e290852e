// Principal tags on the identity pool screen: every sign-in provider of the pool has its own map,
// keyed as the server matches it (a SAML provider by its ARN).
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
const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_A";
const SAML = "arn:aws:iam::000000000000:saml-provider/Corp";

let calls: { target: string; input: any }[];
const sent = (op: string) => calls.filter((c) => c.target.endsWith(`.${op}`)).map((c) => c.input);

beforeEach(() => {
  calls = [];
  const pool: IdentityPool = {
    IdentityPoolId: ID,
    IdentityPoolName: "ids",
    AllowUnauthenticatedIdentities: false,
    CognitoIdentityProviders: [{ ProviderName: USER_POOL, ClientId: "c" }],
    SupportedLoginProviders: { "accounts.google.com": "g-client" },
    OpenIdConnectProviderARNs: ["arn:aws:iam::123456789012:oidc-provider/idp.example.com/realm"],
    SamlProviderARNs: [SAML],
  };
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (_cmd, args) => {
    const { target, input } = args as { target: string; input: any };
    calls.push({ target, input: structuredClone(input) });
    switch (target.split(".")[1]) {
      case "DescribeIdentityPool":
        return structuredClone(pool);
      case "ListUserPools":
        return { UserPools: [] };
      case "ListUserPoolClients":
        return { UserPoolClients: [] };
      case "DescribeUserPool":
        return { UserPool: { Id: "us-east-1_A", SchemaAttributes: [] } };
      case "GetIdentityPoolRoles":
        return { IdentityPoolId: ID, Roles: {} };
      case "ListSAMLProviders":
        return { SAMLProviderList: [{ Arn: SAML, CreateDate: "2024-01-01T00:00:00Z" }] };
      case "GetPrincipalTagAttributeMap":
        return { IdentityPoolId: ID, IdentityProviderName: input.IdentityProviderName, UseDefaults: false, PrincipalTags: {} };
      case "SetPrincipalTagAttributeMap":
        return input;
      default:
        throw { code: "UnknownOperationException", message: target };
    }
  });
});

describe("principal tags", () => {
  it("offers every provider of the pool and saves the SAML provider's map under its ARN", async () => {
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <ToastProvider>
          <ConfirmProvider>
            <IdentityPoolView identityPoolId={ID} navigate={() => {}} />
          </ConfirmProvider>
        </ToastProvider>
      </QueryClientProvider>,
    );
    const select = await screen.findByTestId("principal-tags-provider");
    expect([...select.querySelectorAll("option")].map((o) => [o.getAttribute("value"), o.textContent])).toEqual([
      [USER_POOL, "User pool: us-east-1_A"],
      ["accounts.google.com", "Google"],
      ["idp.example.com/realm", "OIDC: idp.example.com/realm"],
      [SAML, "SAML: Corp"],
    ]);

    await user.selectOptions(select, SAML);
    await waitFor(() => expect(sent("GetPrincipalTagAttributeMap").map((i) => i.IdentityProviderName)).toContain(SAML));
    const form = screen.getByRole("form", { name: "Principal tags" });
    await user.click(within(form).getByRole("button", { name: "Add tag" }));
    await user.type(within(form).getByLabelText("Tag key"), "department");
    await user.type(within(form).getByLabelText("Claim"), "https://aws.amazon.com/SAML/Attributes/PrincipalTag:department");
    await user.click(within(form).getByRole("button", { name: "Save principal tags" }));
    await waitFor(() => expect(sent("SetPrincipalTagAttributeMap")).toHaveLength(1));
    expect(sent("SetPrincipalTagAttributeMap")[0]).toEqual({
      IdentityPoolId: ID,
      IdentityProviderName: SAML,
      UseDefaults: false,
      PrincipalTags: { department: "https://aws.amazon.com/SAML/Attributes/PrincipalTag:department" },
    });
  });
});
