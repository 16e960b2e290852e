// The users screen against the in-memory backend: an e-mail pool's users named by e-mail, and
// bulk actions that act on the ticked rows only.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { App } from "../../App";
import { fakeBackend } from "../../test/fakeBackend";

let backend: ReturnType<typeof fakeBackend>;

beforeEach(() => {
  localStorage.clear();
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

const idp = (op: string, input: object) =>
  backend.invoke("call", { connection: "local", target: `AWSCognitoIdentityProviderService.${op}`, input }) as Promise<any>;

async function openPool(name: string, poolInput: object = {}) {
  const { UserPool } = await idp("CreateUserPool", { PoolName: name, ...poolInput });
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <App />
    </QueryClientProvider>,
  );
  await user.click(screen.getByTestId("nav-user-pools"));
  await user.click(await screen.findByTestId("pool-row"));
  await screen.findByTestId("create-user");
  return { user, poolId: UserPool.Id as string };
}

const rowOf = (person: string) => screen.getAllByTestId("user-row").find((r) => r.getAttribute("data-person") === person)!;
const confirmText = () => screen.getByTestId("confirm-dialog").textContent;

describe("an e-mail pool's users", () => {
  it("are named by e-mail in the table, the toast, the details, the confirmations and the filter", async () => {
    const { user, poolId } = await openPool("mail", { UsernameAttributes: ["email"] });
    await idp("AdminCreateUser", { UserPoolId: poolId, Username: "bob@example.com" });
    expect(screen.getByTestId("filter-attribute")).toHaveValue("email");

    await user.click(screen.getByTestId("create-user"));
    await user.type(await screen.findByTestId("user-email"), "alice@example.com");
    await user.click(screen.getByTestId("user-submit"));
    expect(await screen.findByText("Created alice@example.com")).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(2));
    const alice = rowOf("alice@example.com");
    expect(alice.getAttribute("data-username")).toMatch(/-aaaa-/);
    expect(within(alice).getAllByRole("cell")[1]).toHaveTextContent(/^alice@example\.com$/);
    expect(screen.getByTestId("th-name")).toHaveTextContent("E-mail");
    // The newly created user is open, titled by e-mail.
    expect(await screen.findByTestId("user-details-name")).toHaveTextContent("alice@example.com");

    await user.click(within(rowOf("bob@example.com")).getByTestId("row-select"));
    expect(screen.getByTestId("acting-on")).toHaveTextContent("Acting on: bob@example.com");
    await user.click(screen.getByTestId("bulk-action-disable"));
    expect(confirmText()).toContain("Disable bob@example.com?");
    await user.click(screen.getByTestId("confirm-cancel"));
    await user.click(within(rowOf("alice@example.com")).getByTestId("row-select"));
    await user.click(screen.getByTestId("bulk-action-disable"));
    expect(confirmText()).toContain("Disable 2 users?");
  });
});

describe("bulk actions", () => {
  it("are off with no row ticked, even with a user open, and then act on the ticked rows only", async () => {
    const { user, poolId } = await openPool("plain");
    for (const name of ["alice", "bob", "carol"]) await idp("AdminCreateUser", { UserPoolId: poolId, Username: name });
    await user.click(screen.getByRole("button", { name: "Reload users" }));
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(3));

    await user.click(within(rowOf("alice")).getAllByRole("cell")[1]!);
    await screen.findByTestId("user-details-name");
    for (const id of ["bulk-action-enable", "bulk-action-disable", "bulk-action-delete", "bulk-more"]) {
      expect(screen.getByTestId(id)).toBeDisabled();
    }
    expect(screen.getByTestId("acting-on")).toHaveTextContent("no user ticked");

    await user.click(within(rowOf("bob")).getByTestId("row-select"));
    await user.click(within(rowOf("carol")).getByTestId("row-select"));
    await user.click(screen.getByTestId("bulk-action-delete"));
    expect(confirmText()).toContain("Delete 2 users?");
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(1));
    expect(backend.users.get(poolId)!.map((u) => u.Username)).toEqual(["alice"]);
    const deletes = backend.log.filter((l) => l.target.endsWith(".AdminDeleteUser")).map((l) => l.input.Username);
    expect(deletes.sort()).toEqual(["bob", "carol"]);
    // The open user is untouched and still open; its own Delete acts on it alone.
    expect(screen.getByTestId("user-details-name")).toHaveTextContent("alice");
    await user.click(screen.getByTestId("user-action-delete"));
    expect(confirmText()).toContain("Delete alice?");
  });

  it("put the less common actions in a menu, acting on the ticked rows", async () => {
    const { user, poolId } = await openPool("plain");
    await idp("CreateGroup", { UserPoolId: poolId, GroupName: "admins" });
    for (const name of ["alice", "bob"]) await idp("AdminCreateUser", { UserPoolId: poolId, Username: name });
    await user.click(screen.getByRole("button", { name: "Reload users" }));
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(2));
    await user.click(within(rowOf("bob")).getByTestId("row-select"));
    await user.click(screen.getByTestId("bulk-more"));
    await user.click(screen.getByTestId("bulk-action-add-group"));
    await user.click(await screen.findByTestId("group-pick-submit"));
    await waitFor(() => expect(backend.members.get(`${poolId}/admins`)).toEqual(new Set(["bob"])));
  });
});
