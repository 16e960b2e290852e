import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { DatasetRecords, IdentityDatasets, SyncSettings, formatBytes } from "./IdentityData";

const POOL = "us-east-1:pool";
const ID = "us-east-1:id-0";
let calls: { target: string; input: any }[];
let datasets: any[];
let events: Record<string, string>;

beforeEach(() => {
  calls = [];
  datasets = [
    { IdentityId: ID, DatasetName: "game", NumRecords: 2, DataStorage: 2048, LastModifiedDate: 1_700_000_000, LastModifiedBy: ID },
    { IdentityId: ID, DatasetName: "settings", NumRecords: 1, DataStorage: 9, LastModifiedDate: 1_700_000_100, LastModifiedBy: ID },
  ];
  events = {};
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (_cmd, args) => {
    const { target, input } = args as { target: string; input: any };
    calls.push({ target, input });
    switch (target) {
      case "CognitoSync.ListDatasets":
        return { Datasets: datasets, Count: datasets.length };
      case "CognitoSync.DeleteDataset":
        datasets = datasets.filter((d) => d.DatasetName !== input.DatasetName);
        return { Dataset: {} };
      case "CognitoSync.ListRecords":
        if (!input.NextToken)
          return {
            Records: [{ Key: "level", Value: "7", SyncCount: 3, LastModifiedDate: 1_700_000_000 }],
            NextToken: "page-2",
            DatasetSyncCount: 4,
            MergedDatasetNames: ["game.us-east-1:old"],
          };
        return { Records: [{ Key: "score", SyncCount: 4, LastModifiedDate: 1_700_000_000 }], DatasetSyncCount: 4, MergedDatasetNames: ["game.us-east-1:old"] };
      case "CognitoSync.DescribeIdentityPoolUsage":
        return { IdentityPoolUsage: { IdentityPoolId: POOL, SyncSessionsCount: 12, DataStorage: 3 * 1024 * 1024, LastModifiedDate: 1_700_000_000 } };
      case "CognitoSync.GetCognitoEvents":
        return { Events: { ...events } };
      case "CognitoSync.SetCognitoEvents":
        for (const [k, v] of Object.entries(input.Events as Record<string, string>)) {
          if (v) events[k] = v;
          else delete events[k];
        }
        return {};
    }
    throw { code: "UnknownOperationException", message: target };
  });
});

function renderWith(node: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <ConfirmProvider>{node}</ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("formatBytes", () => {
  it("counts bytes, then KiB and MiB", () => {
    expect(formatBytes(undefined)).toBe("0 bytes");
    expect(formatBytes(1023)).toBe("1,023 bytes");
    expect(formatBytes(2048)).toBe("2.0 KiB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.00 MiB");
  });
});

describe("IdentityDatasets", () => {
  it("lists an identity's datasets through CognitoSync.ListDatasets, with their records and storage", async () => {
    renderWith(<IdentityDatasets identityPoolId={POOL} identityId={ID} />);
    const rows = await screen.findAllByTestId("dataset-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("game");
    expect(rows[0]).toHaveTextContent("2.0 KiB");
    expect(calls[0]).toEqual({ target: "CognitoSync.ListDatasets", input: { IdentityPoolId: POOL, IdentityId: ID, MaxResults: 64 } });
  });

  it("deletes a dataset only once the person confirms", async () => {
    const user = userEvent.setup();
    renderWith(<IdentityDatasets identityPoolId={POOL} identityId={ID} />);
    const game = (await screen.findAllByTestId("dataset-row"))[0]!;
    await user.click(within(game).getByTestId("dataset-delete"));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(calls.some((c) => c.target === "CognitoSync.DeleteDataset")).toBe(false);

    await user.click(within(game).getByTestId("dataset-delete"));
    await user.click(await screen.findByRole("button", { name: "Delete dataset" }));
    await waitFor(() => expect(screen.getAllByTestId("dataset-row")).toHaveLength(1));
    expect(calls.find((c) => c.target === "CognitoSync.DeleteDataset")!.input).toEqual({ IdentityPoolId: POOL, IdentityId: ID, DatasetName: "game" });
  });
});

describe("DatasetRecords", () => {
  it("follows NextToken and marks removed records", async () => {
    renderWith(<DatasetRecords identityPoolId={POOL} identityId={ID} datasetName="game" />);
    const rows = await screen.findAllByTestId("record-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("level");
    expect(rows[1]).toHaveTextContent("removed");
    expect(screen.getByTestId("dataset-sync-count")).toHaveTextContent("4");
    expect(screen.getByTestId("dataset-records")).toHaveTextContent("merged from game.us-east-1:old");
    expect(calls.filter((c) => c.target === "CognitoSync.ListRecords").map((c) => c.input.NextToken)).toEqual([undefined, "page-2"]);
  });
});

describe("SyncSettings", () => {
  it("shows the pool's usage and sets and removes its sync trigger", async () => {
    const user = userEvent.setup();
    renderWith(<SyncSettings identityPoolId={POOL} />);
    expect(await screen.findByTestId("sync-usage-writes")).toHaveTextContent("12");
    expect(screen.getByTestId("sync-usage-storage")).toHaveTextContent("3.00 MiB");

    const arn = "arn:aws:lambda:us-east-1:123456789012:function:check";
    await waitFor(() => expect(screen.getByTestId("sync-trigger-arn")).toBeEnabled());
    await user.type(screen.getByTestId("sync-trigger-arn"), arn);
    await user.click(screen.getByTestId("sync-trigger-save"));
    await waitFor(() => expect(events).toEqual({ SyncTrigger: arn }));
    await user.click(await screen.findByTestId("sync-trigger-remove"));
    await waitFor(() => expect(events).toEqual({}));
    expect(calls.filter((c) => c.target === "CognitoSync.SetCognitoEvents").map((c) => c.input.Events)).toEqual([{ SyncTrigger: arn }, { SyncTrigger: "" }]);
  });
});
