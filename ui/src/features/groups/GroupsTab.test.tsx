import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConnectionProvider } from "../../api/connection";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { fakeBackend } from "../../test/fakeBackend";
import { GroupsTab } from "./GroupsTab";

let backend: ReturnType<typeof fakeBackend>;
const idp = (op: string, input: object) =>
  backend.invoke("call", { connection: "local", target: `AWSCognitoIdentityProviderService.${op}`, input }) as Promise<any>;

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

describe("a group's members", () => {
  it("are listed, found by e-mail and added, and removed", async () => {
    const user = userEvent.setup();
    const { UserPool } = await idp("CreateUserPool", { PoolName: "mail", UsernameAttributes: ["email"] });
    const poolId = UserPool.Id;
    await idp("CreateGroup", { UserPoolId: poolId, GroupName: "admins" });
    const { User: alice } = await idp("AdminCreateUser", { UserPoolId: poolId, Username: "alice@example.com" });
    await idp("AdminCreateUser", { UserPoolId: poolId, Username: "bob@example.com" });
    await idp("AdminAddUserToGroup", { UserPoolId: poolId, Username: alice.Username, GroupName: "admins" });
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <ConnectionProvider connection="local">
          <ToastProvider>
            <ConfirmProvider>
              <GroupsTab poolId={poolId} />
            </ConfirmProvider>
          </ToastProvider>
        </ConnectionProvider>
      </QueryClientProvider>,
    );
    await user.click(await screen.findByTestId("group-members-open"));
    const panel = await screen.findByTestId("group-members");
    await waitFor(() => expect(within(panel).getAllByTestId("member-row").map((r) => r.getAttribute("data-person"))).toEqual(["alice@example.com"]));

    // Found by the start of the e-mail (the pool's usernames are internal ids).
    expect(within(panel).getByTestId("member-search-by")).toHaveValue("email");
    await user.type(within(panel).getByTestId("member-search"), "bob{Enter}");
    const candidate = await within(panel).findByTestId("member-candidate");
    expect(candidate).toHaveTextContent("bob@example.com");
    await user.click(within(candidate).getByTestId("member-add"));
    await waitFor(() => expect(within(panel).getAllByTestId("member-row")).toHaveLength(2));
    expect(await screen.findByText("Added bob@example.com to admins")).toBeInTheDocument();

    const aliceRow = within(panel).getAllByTestId("member-row").find((r) => r.getAttribute("data-person") === "alice@example.com")!;
    await user.click(within(aliceRow).getByTestId("member-remove"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("Remove alice@example.com from admins?");
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(within(panel).getAllByTestId("member-row")).toHaveLength(1));
    expect([...backend.members.get(`${poolId}/admins`)!]).toHaveLength(1);
  });
});
