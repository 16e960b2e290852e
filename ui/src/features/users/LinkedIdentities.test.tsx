// The linked identities of a user, in the details panel, against the in-memory backend.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { fakeBackend } from "../../test/fakeBackend";
import { UserDetails } from "./UserDetails";

type Json = Record<string, any>;
let backend: ReturnType<typeof fakeBackend>;
let extra: Record<string, (input: Json) => unknown>;
const POOL = "us-east-1_P1";

const IDENTITIES = [
  { userId: "corp-sub-1", providerName: "Corp", providerType: "OIDC", issuer: "https://idp.example.com", primary: "true", dateCreated: "1700000000000" },
  { userId: "g-42", providerName: "Google", providerType: "Google", issuer: null, primary: "false", dateCreated: "1700000100000" },
];

beforeEach(() => {
  backend = fakeBackend();
  backend.pools.set(POOL, { Id: POOL, Name: "staff", SchemaAttributes: [{ Name: "sub" }, { Name: "email" }] });
  backend.users.set(POOL, [
    {
      Username: "ann",
      UserStatus: "CONFIRMED",
      Enabled: true,
      UserCreateDate: 1_700_000_000,
      Attributes: [
        { Name: "sub", Value: "s-1" },
        { Name: "identities", Value: JSON.stringify(IDENTITIES) },
      ],
    },
  ]);
  extra = {
    ListIdentityProviders: () => ({ Providers: [{ ProviderName: "Corp", ProviderType: "OIDC" }, { ProviderName: "Google", ProviderType: "Google" }] }),
    AdminDisableProviderForUser: () => ({}),
    AdminLinkProviderForUser: () => ({}),
  };
  vi.mocked(invoke).mockImplementation(async (cmd, args) => {
    const a = args as Json;
    const op = cmd === "call" ? String(a.target).split(".")[1]! : "";
    if (extra[op]) {
      backend.log.push({ connection: a.connection, target: a.target, input: a.input });
      return structuredClone(extra[op]!(a.input)) as never;
    }
    return backend.invoke(cmd, a) as never;
  });
});

function renderDetails() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <ConfirmProvider>
          <UserDetails poolId={POOL} username="ann" onClose={() => {}} onChanged={() => {}} navigate={() => {}} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

const sent = (op: string) => backend.log.filter((l) => l.target.endsWith(`.${op}`)).map((l) => l.input);

describe("linked identities", () => {
  it("lists the user's identities and unlinks one after confirming", async () => {
    const user = userEvent.setup();
    renderDetails();
    const section = await screen.findByTestId("user-identities");
    const rows = within(section).getAllByTestId("user-identity");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Corp");
    expect(rows[0]).toHaveTextContent("corp-sub-1");
    expect(rows[0]).toHaveTextContent("Primary");
    expect(rows[1]).toHaveTextContent("g-42");
    expect(rows[1]).toHaveTextContent("Linked");
    // Listed here, not again as raw JSON among the attributes.
    const attributes = screen.getAllByTestId("user-attribute").map((r) => r.dataset.name);
    expect(attributes).toContain("sub");
    expect(attributes).not.toContain("identities");

    await user.click(within(section).getByTestId("identity-unlink-Google-g-42"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("Unlink Google subject g-42");
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(sent("AdminDisableProviderForUser")).toEqual([]);
    await user.click(within(section).getByTestId("identity-unlink-Google-g-42"));
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() =>
      expect(sent("AdminDisableProviderForUser")).toEqual([
        { UserPoolId: POOL, User: { ProviderName: "Google", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "g-42" } },
      ]),
    );
  });

  it("links a provider's subject to the user, and shows the server's refusal", async () => {
    const user = userEvent.setup();
    renderDetails();
    await screen.findByTestId("user-identities");
    await screen.findByRole("option", { name: "Google" });
    await user.selectOptions(screen.getByLabelText("Provider"), "Google");
    await user.type(screen.getByLabelText("Subject at the provider"), "g-77");
    await user.click(screen.getByTestId("identity-link"));
    await waitFor(() =>
      expect(sent("AdminLinkProviderForUser")).toEqual([
        {
          UserPoolId: POOL,
          DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: "ann" },
          SourceUser: { ProviderName: "Google", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "g-77" },
        },
      ]),
    );
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Linked Google subject g-77 to ann");
    expect(screen.getByLabelText("Subject at the provider")).toHaveValue("");

    extra.AdminLinkProviderForUser = () => {
      throw { code: "AliasExistsException", message: "The identity is already linked to another user." };
    };
    await user.type(screen.getByLabelText("Subject at the provider"), "corp-sub-9");
    await user.click(screen.getByTestId("identity-link"));
    const error = await screen.findByTestId("identity-error");
    expect(error).toHaveTextContent("AliasExistsException");
    expect(error).toHaveTextContent("The identity is already linked to another user.");
  });
});
