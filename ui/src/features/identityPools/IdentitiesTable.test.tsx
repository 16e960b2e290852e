import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { IdentitiesTable } from "./IdentitiesTable";

const POOL = "us-east-1:pool";
const identities = Array.from({ length: 5 }, (_, i) => ({
  IdentityId: `us-east-1:id-${i}`,
  Logins: i === 0 ? ["cognito-idp.us-east-1.amazonaws.com/us-east-1_A"] : [],
  CreationDate: 1_700_000_000 + i,
  LastModifiedDate: 1_700_000_100 + i,
}));
let calls: { target: string; input: any }[];

beforeEach(() => {
  calls = [];
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (_cmd, args) => {
    const { target, input } = args as { target: string; input: any };
    calls.push({ target, input });
    if (target.endsWith("ListIdentities")) {
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const page = identities.slice(start, start + input.MaxResults);
      const next = start + input.MaxResults < identities.length ? String(start + input.MaxResults) : undefined;
      return { IdentityPoolId: POOL, Identities: page, ...(next ? { NextToken: next } : {}) };
    }
    if (target.endsWith("DescribeIdentity")) return identities.find((x) => x.IdentityId === input.IdentityId);
    throw { code: "UnknownOperationException", message: target };
  });
});

function renderTable() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <IdentitiesTable identityPoolId={POOL} pageSize={2} />
    </QueryClientProvider>,
  );
}

describe("IdentitiesTable", () => {
  it("lists identities a page at a time with ListIdentities' NextToken", async () => {
    const user = userEvent.setup();
    renderTable();
    await waitFor(() => expect(screen.getAllByTestId("identity-row").length).toBeGreaterThanOrEqual(2));
    while (screen.queryByTestId("identities-more")) await user.click(screen.getByTestId("identities-more"));
    await waitFor(() => expect(screen.getAllByTestId("identity-row")).toHaveLength(5));
    const lists = calls.filter((c) => c.target.endsWith("ListIdentities")).map((c) => c.input);
    expect(lists).toEqual([
      { IdentityPoolId: POOL, MaxResults: 2 },
      { IdentityPoolId: POOL, MaxResults: 2, NextToken: "2" },
      { IdentityPoolId: POOL, MaxResults: 2, NextToken: "4" },
    ]);
    expect(within(screen.getByTestId("identities")).getByTestId("table-count")).toHaveTextContent("5 identities");
    expect(screen.getAllByTestId("identity-row")[0]).toHaveTextContent("User pool us-east-1_A");
    expect(screen.getAllByTestId("identity-row")[1]).toHaveTextContent("Guest");
  });

  it("shows an identity's details from DescribeIdentity", async () => {
    const user = userEvent.setup();
    renderTable();
    const first = (await screen.findAllByTestId("identity-row"))[0]!;
    await user.click(within(first).getByTestId("identity-details-toggle"));
    const details = await screen.findByTestId("identity-details");
    expect(details).toHaveTextContent("cognito-idp.us-east-1.amazonaws.com/us-east-1_A");
    expect(details).toHaveTextContent("Last modified");
    expect(calls.find((c) => c.target.endsWith("DescribeIdentity"))!.input).toEqual({ IdentityId: "us-east-1:id-0" });
  });
});
