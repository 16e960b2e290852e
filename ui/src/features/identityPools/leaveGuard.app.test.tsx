// The unsaved-changes guard as wired into the app's navigation: sidebar and breadcrumb.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { App } from "../../App";
import { fakeBackend } from "../../test/fakeBackend";

let backend: ReturnType<typeof fakeBackend>;
const call = (target: string, input: Record<string, unknown>) => backend.invoke("call", { connection: "local", target, input }) as Promise<any>;

beforeEach(async () => {
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
  const pool = await call("AWSCognitoIdentityProviderService.CreateUserPool", { PoolName: "users" });
  await call("AWSCognitoIdentityService.CreateIdentityPool", {
    IdentityPoolName: "ids",
    AllowUnauthenticatedIdentities: false,
    CognitoIdentityProviders: [{ ProviderName: `cognito-idp.us-east-1.amazonaws.com/${pool.UserPool.Id}` }],
  });
});

async function openIdentityPoolAndEdit() {
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <App />
    </QueryClientProvider>,
  );
  await user.click(screen.getByTestId("nav-identity-pools"));
  await user.click(await screen.findByTestId("identity-pool-row"));
  await user.type(await screen.findByTestId("role-authenticated"), "arn:aws:iam::123456789012:role/auth");
  expect(screen.getByTestId("mapping-unsaved")).toBeInTheDocument();
  return user;
}

describe("leaving an identity pool with unsaved roles", () => {
  it("asks from the sidebar; Cancel stays with the edits, Discard leaves", async () => {
    const user = await openIdentityPoolAndEdit();
    await user.click(screen.getByTestId("nav-user-pools"));
    await user.click(await screen.findByTestId("confirm-cancel"));
    expect(screen.getByTestId("role-authenticated")).toHaveValue("arn:aws:iam::123456789012:role/auth");

    await user.click(screen.getByTestId("nav-user-pools"));
    await user.click(await screen.findByTestId("confirm-ok"));
    expect(await screen.findByTestId("pool-row")).toBeInTheDocument();
    expect(screen.queryByTestId("role-authenticated")).not.toBeInTheDocument();
  });

  it("asks from the breadcrumb too", async () => {
    const user = await openIdentityPoolAndEdit();
    const breadcrumb = within(screen.getByRole("main")).getByRole("button", { name: "Identity pools" });
    await user.click(breadcrumb);
    await user.click(await screen.findByTestId("confirm-ok"));
    expect(await screen.findByTestId("identity-pool-row")).toBeInTheDocument();
  });
});
