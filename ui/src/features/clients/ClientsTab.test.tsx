import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { ClientsTab } from "./ClientsTab";

const client = {
  UserPoolId: "us-east-1_A",
  ClientId: "c1",
  ClientName: "web",
  ClientSecret: "very-secret-value",
  CreationDate: 1,
  LastModifiedDate: 2,
  AccessTokenValidity: 60,
  IdTokenValidity: 60,
  RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
  ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ADMIN_NO_SRP_AUTH"],
  ReadAttributes: ["email", "name"],
  WriteAttributes: ["name"],
  CallbackURLs: ["https://app.example.com/cb"],
  LogoutURLs: ["https://app.example.com/bye"],
  AllowedOAuthFlows: ["code"],
  AllowedOAuthScopes: ["openid", "email"],
  AllowedOAuthFlowsUserPoolClient: true,
  SupportedIdentityProviders: ["COGNITO"],
  PreventUserExistenceErrors: "ENABLED",
  EnableTokenRevocation: true,
  AuthSessionValidity: 3,
};

let calls: { target: string; input: any }[];
let stored: any;
let secrets: { ClientSecretId: string; ClientSecretCreateDate: number; value: string }[];
let terms: Record<string, any>;

beforeEach(() => {
  calls = [];
  stored = structuredClone(client);
  secrets = [{ ClientSecretId: "c1--1000", ClientSecretCreateDate: 1, value: client.ClientSecret }];
  terms = {};
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (_cmd, args) => {
    const { target, input } = args as { target: string; input: any };
    calls.push({ target, input });
    switch (target.split(".")[1]) {
      case "ListUserPoolClients":
        return { UserPoolClients: [{ ClientId: "c1", ClientName: stored.ClientName }] };
      case "DescribeUserPoolClient":
        return { UserPoolClient: structuredClone(stored) };
      case "UpdateUserPoolClient": {
        const { UserPoolId, ClientId, ...rest } = input;
        stored = { UserPoolId, ClientId, ClientSecret: stored.ClientSecret, CreationDate: 1, LastModifiedDate: 3, ...rest };
        return { UserPoolClient: structuredClone(stored) };
      }
      case "ListUserPoolClientSecrets":
        return { ClientSecrets: secrets.map(({ value: _v, ...s }) => s) };
      case "AddUserPoolClientSecret": {
        const added = { ClientSecretId: "c1--2000", ClientSecretCreateDate: 2, value: "the-new-secret-value-000000" };
        secrets.push(added);
        const { value, ...s } = added;
        return { ClientSecretDescriptor: { ...s, ClientSecretValue: value } };
      }
      case "DescribeTermsByClient": {
        const t = terms[input.TermsName];
        if (!t) throw { code: "ResourceNotFoundException", message: "no terms" };
        return { Terms: t };
      }
      case "CreateTerms": {
        const { UserPoolId: _p, ...rest } = input;
        terms[input.TermsName] = { ...rest, TermsId: `id-${input.TermsName}` };
        return { Terms: terms[input.TermsName] };
      }
      case "DeleteUserPoolClientSecret":
        secrets = secrets.filter((s) => s.ClientSecretId !== input.ClientSecretId);
        stored = { ...stored, ClientSecret: secrets[0]!.value };
        return {};
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
          <ClientsTab poolId="us-east-1_A" />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("app clients", () => {
  it("shows the secret on demand, and lets it be copied", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("client-details-open"));
    const value = await screen.findByTestId("client-secret-value");
    expect(value).not.toHaveTextContent("very-secret-value");
    await user.click(screen.getByTestId("client-secret-toggle"));
    expect(value).toHaveTextContent("very-secret-value");
    expect(screen.getByTestId("client-secret-copy")).toBeInTheDocument();
    expect(screen.queryByText(/never|not show it again/i)).not.toBeInTheDocument();
  });

  it("rotates the secret: adds a second, shown once, then deletes the old one", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("client-details-open"));
    await waitFor(() => expect(screen.getAllByTestId("client-secret-row")).toHaveLength(1));
    expect(screen.getByTestId("client-secret-delete")).toBeDisabled();

    await user.click(screen.getByTestId("client-secret-add"));
    expect(await screen.findByTestId("client-secret-added-value")).toHaveTextContent("the-new-secret-value-000000");
    await waitFor(() => expect(screen.getAllByTestId("client-secret-row")).toHaveLength(2));
    expect(screen.getByTestId("client-secret-add")).toBeDisabled();

    await user.click(screen.getAllByTestId("client-secret-delete")[0]!);
    await user.click(await screen.findByRole("button", { name: "Delete secret" }));
    await waitFor(() => expect(screen.getAllByTestId("client-secret-row")).toHaveLength(1));
    expect(calls.find((c) => c.target.endsWith("DeleteUserPoolClientSecret"))!.input).toEqual({
      UserPoolId: "us-east-1_A",
      ClientId: "c1",
      ClientSecretId: "c1--1000",
    });
    expect(screen.queryByTestId("client-secret-added")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("client-secret-toggle"));
    await waitFor(() => expect(screen.getByTestId("client-secret-value")).toHaveTextContent("the-new-secret-value-000000"));
  });

  it("sets the terms of use, refusing a line that is not a language and a link", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("client-details-open"));
    await user.click(await screen.findByTestId("terms-terms-of-use-edit"));
    const text = screen.getByTestId("terms-terms-of-use-text");
    await user.clear(text);
    await user.type(text, "default https://example.com/terms{Enter}klingon https://example.com/k");
    await user.click(screen.getByTestId("terms-terms-of-use-save"));
    expect(await screen.findByTestId("terms-terms-of-use-problem")).toHaveTextContent('Line 2: "klingon"');
    expect(calls.some((c) => c.target.endsWith("CreateTerms"))).toBe(false);

    await user.clear(text);
    await user.type(text, "default https://example.com/terms{Enter}spanish https://example.com/es");
    await user.click(screen.getByTestId("terms-terms-of-use-save"));
    await waitFor(() => expect(screen.getAllByTestId("terms-terms-of-use-link")).toHaveLength(2));
    expect(calls.find((c) => c.target.endsWith("CreateTerms"))!.input).toEqual({
      UserPoolId: "us-east-1_A",
      ClientId: "c1",
      TermsName: "terms-of-use",
      TermsSource: "LINK",
      Enforcement: "NONE",
      Links: { "cognito:default": "https://example.com/terms", "cognito:spanish": "https://example.com/es" },
    });
    expect(screen.getByTestId("terms-privacy-policy")).toHaveTextContent("Not set.");
  });

  it("edits token validity and keeps every setting it did not touch", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("client-details-open"));
    await user.click(await screen.findByTestId("client-edit"));
    const access = await screen.findByTestId("client-access-validity");
    await user.clear(access);
    await user.type(access, "2");
    await user.selectOptions(screen.getByTestId("client-access-unit"), "hours");
    await user.click(screen.getByTestId("client-flow-ALLOW_USER_PASSWORD_AUTH"));
    await user.click(screen.getByTestId("client-edit-submit"));

    await waitFor(() => expect(calls.some((c) => c.target.endsWith("UpdateUserPoolClient"))).toBe(true));
    const sent = calls.find((c) => c.target.endsWith("UpdateUserPoolClient"))!.input;
    const { ClientSecret: _s, CreationDate: _c, LastModifiedDate: _m, ...unchanged } = client;
    expect(sent).toEqual({
      ...unchanged,
      AccessTokenValidity: 2,
      TokenValidityUnits: { AccessToken: "hours", IdToken: "minutes", RefreshToken: "days" },
      // The legacy flow the form does not offer is kept; the checked ones in the form's order.
      ExplicitAuthFlows: ["ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    // Back on the details, read back from the server's answer.
    expect(await screen.findByTestId("client-detail-access-validity")).toHaveTextContent("2 hours");
  });

  it("refuses a validity outside Cognito's limits before sending", async () => {
    const user = userEvent.setup();
    renderTab();
    await user.click(await screen.findByTestId("client-details-open"));
    await user.click(await screen.findByTestId("client-edit"));
    const access = await screen.findByTestId("client-access-validity");
    await user.clear(access);
    await user.type(access, "2");
    await user.selectOptions(screen.getByTestId("client-access-unit"), "days");
    await user.click(screen.getByTestId("client-edit-submit"));
    expect(await screen.findByText("Must be between 5 minutes and 1 day")).toBeInTheDocument();
    expect(calls.some((c) => c.target.endsWith("UpdateUserPoolClient"))).toBe(false);
  });
});
