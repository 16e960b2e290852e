import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { formatBytes } from "../../lib/format";
import { DatasetRecords, IdentityDatasets, SyncSettings } from "./IdentityData";

const POOL = "us-east-1:pool";
const ID = "us-east-1:id-0";
let calls: { target: string; input: any }[];
let datasets: any[];
let events: Record<string, string>;
let configuration: any;
let bulk: any;

beforeEach(() => {
  calls = [];
  datasets = [
    { IdentityId: ID, DatasetName: "game", NumRecords: 2, DataStorage: 2048, LastModifiedDate: 1_700_000_000, LastModifiedBy: ID },
    { IdentityId: ID, DatasetName: "settings", NumRecords: 1, DataStorage: 9, LastModifiedDate: 1_700_000_100, LastModifiedBy: ID },
  ];
  events = {};
  configuration = {};
  bulk = { BulkPublishStatus: "NOT_STARTED" };
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
      case "CognitoSync.GetIdentityPoolConfiguration":
        return { IdentityPoolId: POOL, ...configuration };
      case "CognitoSync.SetIdentityPoolConfiguration":
        if (input.CognitoStreams) configuration.CognitoStreams = input.CognitoStreams.StreamName ? input.CognitoStreams : undefined;
        if (input.PushSync) configuration.PushSync = input.PushSync.RoleArn ? input.PushSync : undefined;
        return { IdentityPoolId: POOL, ...configuration };
      case "CognitoSync.GetBulkPublishDetails":
        return { IdentityPoolId: POOL, ...bulk };
      case "CognitoSync.BulkPublish":
        bulk = { BulkPublishStatus: "SUCCEEDED", BulkPublishStartTime: 1_700_000_000, BulkPublishCompleteTime: 1_700_000_001 };
        return { IdentityPoolId: POOL };
      case "CognitoSync.ListIdentityPoolUsage":
        if (!input.NextToken)
          return { IdentityPoolUsages: [{ IdentityPoolId: "us-east-1:other", SyncSessionsCount: 24, DataStorage: 10 }], NextToken: "more" };
        return {
          IdentityPoolUsages: [
            { IdentityPoolId: POOL, SyncSessionsCount: 12, DataStorage: 2048 },
            { IdentityPoolId: "us-east-1:idle", SyncSessionsCount: 0, DataStorage: 0 },
          ],
        };
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

describe("Cognito Streams, push sync and usage", () => {
  it("saves a stream, bulk publishes once streaming is on, and removes it", async () => {
    const user = userEvent.setup();
    renderWith(<SyncSettings identityPoolId={POOL} />);
    const name = await screen.findByTestId("streams-name");
    expect(screen.getByTestId("bulk-publish")).toBeDisabled();
    expect(await screen.findByTestId("bulk-publish-status")).toHaveTextContent("No bulk publish yet.");
    await user.type(name, "changes");
    await user.type(screen.getByTestId("streams-role"), "arn:aws:iam::123456789012:role/streams");
    await user.click(screen.getByTestId("streams-save"));
    await waitFor(() =>
      expect(configuration.CognitoStreams).toEqual({ StreamName: "changes", RoleArn: "arn:aws:iam::123456789012:role/streams", StreamingStatus: "ENABLED" }),
    );
    await waitFor(() => expect(screen.getByTestId("bulk-publish")).toBeEnabled());
    await user.click(screen.getByTestId("bulk-publish"));
    await waitFor(() => expect(screen.getByTestId("bulk-publish-status")).toHaveTextContent("Bulk published"));

    await user.click(screen.getByTestId("streams-enabled"));
    await user.click(screen.getByTestId("streams-save"));
    await waitFor(() => expect(configuration.CognitoStreams.StreamingStatus).toBe("DISABLED"));
    await user.click(screen.getByTestId("streams-remove"));
    await waitFor(() => expect(configuration.CognitoStreams).toBeUndefined());
  });

  it("saves push sync's platform applications one per line", async () => {
    const user = userEvent.setup();
    renderWith(<SyncSettings identityPoolId={POOL} />);
    const arns = await screen.findByTestId("push-arns");
    expect(screen.getByTestId("push-save")).toBeDisabled();
    await user.type(arns, "arn:aws:sns:us-east-1:1:app/GCM/a{enter}arn:aws:sns:us-east-1:1:app/APNS/b");
    await user.type(screen.getByTestId("push-role"), "arn:aws:iam::1:role/push");
    await user.click(screen.getByTestId("push-save"));
    await waitFor(() =>
      expect(configuration.PushSync).toEqual({
        ApplicationArns: ["arn:aws:sns:us-east-1:1:app/GCM/a", "arn:aws:sns:us-east-1:1:app/APNS/b"],
        RoleArn: "arn:aws:iam::1:role/push",
      }),
    );
    await user.click(await screen.findByTestId("push-remove"));
    await waitFor(() => expect(configuration.PushSync).toBeUndefined());
  });

  it("charts writes and storage of the pools that have any, this one marked, across pages", async () => {
    renderWith(<SyncSettings identityPoolId={POOL} />);
    const chart = await screen.findByTestId("sync-usage-chart");
    await waitFor(() => expect(within(chart).getAllByTestId("usage-bar")).toHaveLength(4));
    const writes = within(chart).getAllByRole("meter", { name: /^Writes/ });
    expect(writes.map((m) => [m.getAttribute("aria-label"), m.getAttribute("aria-valuenow")])).toEqual([
      ["Writes of us-east-1:other", "24"],
      [`Writes of ${POOL}`, "12"],
    ]);
    expect(writes[1]!.style.width).toBe("50%");
    expect(writes[1]!.closest("li")).toHaveClass("current");
    expect(within(chart).getAllByRole("meter", { name: /^Storage/ })[1]!.closest("li")).toHaveTextContent("2.0 KiB");
    expect(chart).not.toHaveTextContent("us-east-1:idle");
  });
});
