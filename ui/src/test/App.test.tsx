// The main user journeys through the whole app, against an in-memory backend, using the
// same data-testids as the WebDriver end-to-end test.
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { App } from "../App";
import { fakeBackend } from "./fakeBackend";

let backend: ReturnType<typeof fakeBackend>;

beforeAll(() => {
  // jsdom has no layout: give the virtualised table a viewport so rows render.
  vi.spyOn(HTMLElement.prototype, "getBoundingClientRect").mockReturnValue({
    x: 0, y: 0, top: 0, left: 0, bottom: 600, right: 800, width: 800, height: 600, toJSON: () => ({}),
  } as DOMRect);
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 800 });
});

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

function renderApp() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <App />
    </QueryClientProvider>,
  );
}

describe("PoolDesk journeys", () => {
  it("creates a pool, creates a user, disables it after confirming, filters users", async () => {
    const user = userEvent.setup();
    renderApp();
    expect(screen.getByRole("button", { name: "This computer" })).toBeInTheDocument();
    await user.click(screen.getByTestId("nav-user-pools"));
    expect(await screen.findByText("No user pools yet")).toBeInTheDocument();

    await user.click(screen.getByTestId("create-pool"));
    await user.type(screen.getByTestId("pool-name"), "demo");
    await user.click(screen.getByTestId("pool-submit"));
    // The new pool opens, with a confirmation.
    expect(await screen.findByRole("heading", { name: "demo" })).toBeInTheDocument();
    expect(screen.getByTestId("toast-ok")).toHaveTextContent("Created user pool demo");
    expect(backend.log.map((l) => l.target)).toEqual(
      expect.arrayContaining(["AWSCognitoIdentityProviderService.CreateUserPool", "AWSCognitoIdentityProviderService.CreateUserPoolClient"]),
    );
    expect(screen.getByTestId("tab-users")).toHaveAttribute("aria-selected", "true");

    await user.click(screen.getByTestId("create-user"));
    await user.type(screen.getByTestId("user-username"), "alice");
    await user.type(screen.getByTestId("user-email"), "alice@example.com");
    await user.click(screen.getByTestId("user-submit"));
    await waitFor(() => expect(screen.getByTestId("table-count")).toHaveTextContent(/^1 user$/));
    const userRow = await screen.findByTestId("user-row");
    expect(userRow).toHaveTextContent("alice");
    expect(userRow).toHaveTextContent("FORCE_CHANGE_PASSWORD");
    expect(userRow).toHaveTextContent("Enabled");

    // A duplicate shows Cognito's error in the form.
    await user.click(screen.getByTestId("create-user"));
    await user.type(screen.getByTestId("user-username"), "alice");
    await user.click(screen.getByTestId("user-submit"));
    expect(await screen.findByTestId("user-error")).toHaveTextContent("UsernameExistsException");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("user-username")).toBeNull();

    // The open user's own Disable, in the details panel (the toolbar's acts on ticked rows).
    await user.click(screen.getByTestId("user-row"));
    await user.click(await screen.findByTestId("user-action-disable"));
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(screen.getByTestId("user-row")).toHaveTextContent("Enabled");
    await user.click(screen.getByTestId("user-action-disable"));
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(screen.getByTestId("user-row")).toHaveTextContent("Disabled"));

    await user.selectOptions(screen.getByTestId("filter-attribute"), "username");
    await user.selectOptions(screen.getByTestId("filter-operator"), "^=");
    await user.type(screen.getByTestId("filter-value"), "zed");
    await user.click(screen.getByTestId("filter-apply"));
    await waitFor(() => expect(screen.queryByTestId("user-row")).toBeNull());
    const list = backend.log.filter((l) => l.target.endsWith(".ListUsers"));
    expect(list[list.length - 1]!.input).toEqual({ UserPoolId: expect.any(String), Limit: 60, Filter: 'username ^= "zed"' });
  });

  it("creates an identity pool linked to a user pool and saves a rule mapping", async () => {
    const user = userEvent.setup();
    const created = backend.invoke("call", {
      connection: "local",
      target: "AWSCognitoIdentityProviderService.CreateUserPool",
      input: { PoolName: "users" },
    }) as Promise<{ UserPool: { Id: string } }>;
    const poolId = (await created).UserPool.Id;
    renderApp();
    await user.click(screen.getByTestId("nav-identity-pools"));
    await user.click(await screen.findByTestId("create-identity-pool"));
    await user.type(screen.getByTestId("identity-pool-name"), "ids");
    await screen.findByRole("option", { name: new RegExp(poolId) });
    await user.selectOptions(screen.getByTestId("identity-pool-provider-pool"), poolId);
    await user.click(screen.getByTestId("identity-pool-submit"));
    const row = await screen.findByTestId("identity-pool-row");
    const ip = [...backend.identityPools.values()][0]!;
    expect(ip.CognitoIdentityProviders).toEqual([
      { ProviderName: `cognito-idp.us-east-1.amazonaws.com/${poolId}`, ServerSideTokenCheck: false },
    ]);

    await user.click(row);
    await user.type(await screen.findByTestId("role-authenticated"), "arn:aws:iam::123456789012:role/auth");
    await user.selectOptions(screen.getByTestId("mapping-type"), "Rules");
    await user.click(screen.getByTestId("add-rule"));
    const rule = screen.getByTestId("rule-row");
    await user.type(within(rule).getByTestId("rule-claim"), "email");
    await user.selectOptions(within(rule).getByTestId("rule-match"), "StartsWith");
    await user.type(within(rule).getByTestId("rule-value"), "a");
    await user.type(within(rule).getByTestId("rule-role"), "arn:aws:iam::123456789012:role/a");
    expect(screen.getByTestId("mapping-unsaved")).toBeInTheDocument();
    await user.click(screen.getByTestId("mapping-save"));
    await waitFor(() => expect(backend.roles.get(ip.IdentityPoolId)).toBeDefined());
    expect(backend.roles.get(ip.IdentityPoolId)).toEqual({
      Roles: { authenticated: "arn:aws:iam::123456789012:role/auth" },
      RoleMappings: {
        [`cognito-idp.us-east-1.amazonaws.com/${poolId}`]: {
          Type: "Rules",
          AmbiguousRoleResolution: "AuthenticatedRole",
          RulesConfiguration: { Rules: [{ Claim: "email", MatchType: "StartsWith", Value: "a", RoleARN: "arn:aws:iam::123456789012:role/a" }] },
        },
      },
    });
    await waitFor(() => expect(screen.queryByTestId("mapping-unsaved")).not.toBeInTheDocument());
  });
});
