import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConnectionProvider } from "../../api/connection";
import type { AuditEvent, ListAuditEventsResponse } from "../../api/pooldesk";
import { App } from "../../App";
import { fakeBackend } from "../../test/fakeBackend";
import { AuditLogView, shortOperation } from "./AuditLogView";

const invokeMock = vi.mocked(invoke);
const IDP = "AWSCognitoIdentityProviderService";
const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

const event = (Id: number, over: Partial<AuditEvent> = {}): AuditEvent => ({
  Id,
  Time: T0 + Id * 60_000,
  Actor: "desktop",
  Source: "local",
  Operation: `${IDP}.AdminCreateUser`,
  Resource: `UserPoolId=us-east-1_abc, Username=user${Id}`,
  Outcome: "OK",
  ...over,
});

let calls: { connection: string; target: string; input: any }[] = [];
/** The audit log's own requests (the screen also lists pools for its pool filter). */
const audits = () => calls.filter((c) => c.target === "PoolDesk.ListAuditEvents");
/** Answers ListAuditEvents; a thrown value becomes the call's rejection. */
let answer: (input: any) => ListAuditEventsResponse;

beforeEach(() => {
  calls = [];
  answer = () => ({ Events: [] });
  invokeMock.mockReset();
  invokeMock.mockImplementation(async (_cmd, args) => {
    const { connection, target, input } = args as { connection: string; target: string; input: any };
    calls.push({ connection, target, input });
    if (target === "AWSCognitoIdentityProviderService.ListUserPools") return { UserPools: [{ Id: "us-east-1_abc", Name: "shop" }] };
    if (target !== "PoolDesk.ListAuditEvents") throw { code: "UnknownOperationException", message: target };
    return structuredClone(answer(input));
  });
});

function renderView(connection = "local") {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ConnectionProvider connection={connection}>
        <AuditLogView />
      </ConnectionProvider>
    </QueryClientProvider>,
  );
}

const rows = () => screen.getAllByTestId("audit-row");

describe("AuditLogView", () => {
  it("lists events newest first with short operation names, the full target as a title, and local times", async () => {
    answer = () => ({
      Events: [
        event(3, { Operation: `${IDP}.AdminDeleteUser`, Actor: "AKIAIOSFODNN7EXAMPLE", Source: "203.0.113.7" }),
        event(2, { Operation: "AWSCognitoIdentityService.CreateIdentityPool", Actor: "cli", Resource: "IdentityPoolName=ids" }),
        event(1),
      ],
    });
    renderView();
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(audits()).toEqual([{ connection: "local", target: "PoolDesk.ListAuditEvents", input: { MaxResults: 100 } }]);

    const ops = screen.getAllByTestId("audit-operation");
    expect(ops.map((o) => o.textContent)).toEqual(["AdminDeleteUser", "CreateIdentityPool", "AdminCreateUser"]);
    expect(ops[0]).toHaveAttribute("title", `${IDP}.AdminDeleteUser`);
    expect(ops[1]).toHaveAttribute("title", "AWSCognitoIdentityService.CreateIdentityPool");

    const first = rows()[0]!;
    expect(first).toHaveTextContent("AKIAIOSFODNN7EXAMPLE");
    expect(first).toHaveTextContent("Username=user3, UserPoolId=us-east-1_abc");
    const time = within(first).getByText(new Date(T0 + 3 * 60_000).toLocaleString());
    expect(time.tagName).toBe("TIME");
    expect(time).toHaveAttribute("dateTime", new Date(T0 + 3 * 60_000).toISOString());
    expect(rows()[1]).toHaveTextContent("cli");
    expect(screen.queryByTestId("audit-older")).toBeNull();
    expect(screen.queryByTestId("error")).toBeNull();
  });

  it("marks an outcome other than OK", async () => {
    answer = () => ({
      Events: [event(2, { Outcome: "UsernameExistsException" }), event(1)],
    });
    renderView();
    await waitFor(() => expect(rows()).toHaveLength(2));
    const [failed, ok] = screen.getAllByTestId("audit-outcome");
    expect(failed).toHaveTextContent("UsernameExistsException");
    expect(failed).toHaveClass("badge-off");
    expect(failed).toHaveAttribute("title", "Failed: UsernameExistsException");
    expect(ok).toHaveTextContent("OK");
    expect(ok).not.toHaveClass("badge-off");
  });

  it("filters by actor when the filter is submitted, not while typing", async () => {
    const user = userEvent.setup();
    answer = (input) =>
      input.Actor === "cli"
        ? { Events: [event(5, { Actor: "cli" })] }
        : { Events: [event(6), event(5, { Actor: "cli" })] };
    renderView();
    await waitFor(() => expect(rows()).toHaveLength(2));

    await user.type(screen.getByTestId("audit-actor"), " cli ");
    expect(audits()).toHaveLength(1);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(audits().map((c) => c.input)).toEqual([{ MaxResults: 100 }, { Actor: "cli", MaxResults: 100 }]);
    expect(rows()[0]).toHaveTextContent("cli");

    // Clearing the filter and pressing the button lists everyone's again.
    await user.clear(screen.getByTestId("audit-actor"));
    await user.click(screen.getByRole("button", { name: "Filter" }));
    await waitFor(() => expect(rows()).toHaveLength(2));
  });

  it("loads older events with the NextToken when the end of the list comes on screen, and appends them", async () => {
    answer = (input) =>
      input.NextToken === "8"
        ? { Events: [event(7), event(6)] }
        : { Events: [event(10), event(9), event(8)], NextToken: "8" };
    renderView();
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(audits().map((c) => c.input)).toEqual([{ MaxResults: 100 }, { MaxResults: 100, NextToken: "8" }]);
    expect(rows().map((r) => within(r).getByText(/Username=/).parentElement!.textContent)).toEqual(
      [10, 9, 8, 7, 6].map((n) => `Username=user${n}, UserPoolId=us-east-1_abc`),
    );
    // An absent NextToken ends the list.
    expect(screen.getByTestId("table-count")).toHaveTextContent("5 events");
  });

  it("keeps the filters when loading older events", async () => {
    const user = userEvent.setup();
    answer = (input) => (input.NextToken ? { Events: [event(1)] } : { Events: [event(2)], NextToken: "1" });
    renderView();
    await waitFor(() => expect(rows()).toHaveLength(2));
    await user.type(screen.getByTestId("audit-actor"), "AKIAIOSFODNN7EXAMPLE{Enter}");
    await waitFor(() => expect(audits()).toHaveLength(4));
    expect(audits()[3]!.input).toEqual({ Actor: "AKIAIOSFODNN7EXAMPLE", MaxResults: 100, NextToken: "1" });
  });

  it("shows the empty state when nothing was recorded", async () => {
    renderView();
    expect(await screen.findByText("No admin actions recorded yet")).toBeInTheDocument();
    expect(screen.queryByTestId("audit-row")).toBeNull();
    expect(screen.queryByTestId("audit-older")).toBeNull();
  });

  it("says whose actions are missing when a filter finds none", async () => {
    const user = userEvent.setup();
    renderView();
    await screen.findByText("No admin actions recorded yet");
    await user.type(screen.getByTestId("audit-actor"), "cli{Enter}");
    expect(await screen.findByText("No actions by cli")).toBeInTheDocument();
    expect(screen.queryByText("No admin actions recorded yet")).toBeNull();
  });

  it("shows the server's error, without the empty state, and retries", async () => {
    const user = userEvent.setup();
    answer = () => {
      throw { code: "AccessDeniedException", message: "Not allowed to read the audit log" };
    };
    renderView();
    const error = await screen.findByTestId("error");
    expect(error).toHaveTextContent("AccessDeniedException");
    expect(error).toHaveTextContent("Not allowed to read the audit log");
    expect(screen.queryByText("No admin actions recorded yet")).toBeNull();

    answer = () => ({ Events: [event(1)] });
    await user.click(within(error).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.queryByTestId("error")).toBeNull();
  });

  it("refreshes on demand", async () => {
    const user = userEvent.setup();
    let n = 1;
    answer = () => ({ Events: Array.from({ length: n }, (_, i) => event(n - i)) });
    renderView();
    await waitFor(() => expect(rows()).toHaveLength(1));
    n = 2;
    await user.click(screen.getByRole("button", { name: /Refresh/ }));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(audits()).toHaveLength(2);
  });

  it("asks the connection it is rendered for", async () => {
    renderView("prod");
    await screen.findByText("No admin actions recorded yet");
    expect(new Set(calls.map((c) => c.connection))).toEqual(new Set(["prod"]));
    expect(audits()).toHaveLength(1);
  });

  it("cuts an operation at its last dot", () => {
    expect(shortOperation(`${IDP}.AdminDeleteUser`)).toBe("AdminDeleteUser");
    expect(shortOperation("PoolDesk.ListAuditEvents")).toBe("ListAuditEvents");
    expect(shortOperation("NoDot")).toBe("NoDot");
  });
});

describe("the Audit log section", () => {
  it("is in the sidebar for this computer and for a remote server, and lists that connection's log", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    backend.connections.push({ name: "prod", endpoint: "https://cognito.example.com", region: "eu-west-1", accessKeyId: "AKIAIOSFODNN7EXAMPLE" });
    invokeMock.mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}>
        <App />
      </QueryClientProvider>,
    );
    const audits = () => backend.log.filter((l) => l.target === "PoolDesk.ListAuditEvents").map((l) => l.connection);

    await user.click(screen.getByTestId("nav-audit"));
    expect(screen.getByTestId("nav-audit")).toHaveTextContent("Audit log");
    expect(screen.getByTestId("nav-audit")).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("heading", { name: "Audit log" })).toBeInTheDocument();
    expect(await screen.findByText("No admin actions recorded yet")).toBeInTheDocument();
    expect(audits()).toEqual(["local"]);

    await user.click(await screen.findByTestId("connection-prod"));
    await user.click(screen.getByTestId("nav-audit"));
    expect(await screen.findByText("No admin actions recorded yet")).toBeInTheDocument();
    expect(audits()).toEqual(["local", "prod"]);
  });
});

describe("the audit log's filters", () => {
  it("ask for operation, outcome, pool and time together, as the server's fields", async () => {
    const user = userEvent.setup();
    renderView();
    await screen.findByText("No admin actions recorded yet");
    await user.type(screen.getByTestId("audit-operation-filter"), "AWSCognitoIdentityProviderService.AdminDeleteUser");
    await user.selectOptions(screen.getByTestId("audit-outcome-filter"), "Failed");
    await screen.findByRole("option", { name: "shop" });
    await user.selectOptions(screen.getByTestId("audit-pool-filter"), "us-east-1_abc");
    await user.type(screen.getByTestId("audit-from"), "2025-03-14T09:00");
    await user.type(screen.getByTestId("audit-to"), "2025-03-14T10:00");
    expect(audits()).toHaveLength(1);
    await user.click(screen.getByTestId("audit-filter-apply"));
    await waitFor(() => expect(audits()).toHaveLength(2));
    expect(audits()[1]!.input).toEqual({
      Operation: "AdminDeleteUser",
      Outcome: "Failed",
      PoolId: "us-east-1_abc",
      StartTime: new Date("2025-03-14T09:00").getTime(),
      EndTime: new Date("2025-03-14T10:00").getTime(),
      MaxResults: 100,
    });
    expect(await screen.findByText("No event matches these filters")).toBeInTheDocument();
  });

  it("opens one event's details", async () => {
    const user = userEvent.setup();
    answer = () => ({ Events: [event(1, { Outcome: "UserNotFoundException", Source: "203.0.113.7" })] });
    renderView();
    await user.click(await screen.findByTestId("audit-row"));
    const details = screen.getByTestId("audit-details");
    expect(details).toHaveTextContent("AdminCreateUser");
    expect(details).toHaveTextContent("UserNotFoundException");
    expect(details).toHaveTextContent("203.0.113.7");
    expect(details).toHaveTextContent(`${IDP}.AdminCreateUser`);
    expect(details).toHaveTextContent("UserPoolId=us-east-1_abc, Username=user1");
  });
});

describe("the audit log in an e-mail pool", () => {
  it("names the user an event was about by e-mail, not by the internal username", async () => {
    const backend = fakeBackend();
    invokeMock.mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
    const idp = (op: string, input: object) =>
      backend.invoke("call", { connection: "local", target: `${IDP}.${op}`, input }) as Promise<any>;
    const { UserPool } = await idp("CreateUserPool", { PoolName: "mail", UsernameAttributes: ["email"] });
    const { User } = await idp("AdminCreateUser", { UserPoolId: UserPool.Id, Username: "alice@example.com" });
    backend.auditEvents.push(event(1, { Operation: `${IDP}.AdminDisableUser`, Resource: `UserPoolId=${UserPool.Id}, Username=${User.Username}` }));
    renderView();
    const row = await screen.findByTestId("audit-row");
    await waitFor(() => expect(within(row).getByTestId("person-name")).toHaveTextContent(/^alice@example\.com$/));
    expect(row).not.toHaveTextContent(User.Username);
    expect(within(row).getByTestId("person-name")).toHaveAttribute("title", `Username ${User.Username}`);
  });
});
