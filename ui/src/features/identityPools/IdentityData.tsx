// An identity's Cognito Sync data: its datasets (with their sync counts and storage) and each
// dataset's records, removed ones included, as a developer sees them; datasets can be deleted.
// Devices change this data at any time, so it is read afresh each time it is shown.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import type { Sync } from "../../api/client";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { formatBytes, formatEpoch } from "../../lib/format";
import { PushSettings, StreamsSettings, SyncUsageChart } from "./SyncDelivery";

const VALUE_PREVIEW = 120;

/** Every dataset of an identity (at most 20, plus those merged into it). */
export function IdentityDatasets({ identityPoolId, identityId }: { identityPoolId: string; identityId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const [open, setOpen] = useState<string | null>(null);
  const key = [api.connection, "ListDatasets", identityId];
  const q = useQuery({
    queryKey: key,
    refetchOnMount: "always",
    queryFn: async () => {
      const all: Sync.Dataset[] = [];
      let token: string | undefined;
      do {
        const page = await api.sync("ListDatasets", { IdentityPoolId: identityPoolId, IdentityId: identityId, MaxResults: 64, NextToken: token });
        all.push(...(page.Datasets ?? []));
        token = page.NextToken;
      } while (token);
      return all;
    },
  });

  const onDelete = async (name: string) => {
    if (
      !(await confirm({
        title: "Delete dataset",
        message: `Delete the dataset ${name} and its records? The identity's devices learn of it when they next sync and drop their copy. This cannot be undone.`,
        confirmLabel: "Delete dataset",
        danger: true,
      }))
    )
      return;
    try {
      await api.sync("DeleteDataset", { IdentityPoolId: identityPoolId, IdentityId: identityId, DatasetName: name });
      toast.ok(`Deleted the dataset ${name}`);
      if (open === name) setOpen(null);
      await qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };

  if (q.isPending) return <Spinner label="Loading datasets" />;
  if (!q.data) return <ErrorBox error={q.error} onRetry={() => q.refetch()} testId="datasets-error" />;
  if (q.data.length === 0)
    return (
      <EmptyState title="No datasets">
        <p>Apps save data for this identity with Cognito Sync's UpdateRecords.</p>
      </EmptyState>
    );
  return (
    <div className="datasets" data-testid="datasets">
      <table className="data-table compact">
        <caption className="sr-only">Datasets of {identityId}</caption>
        <thead>
          <tr>
            <th scope="col">Dataset</th>
            <th scope="col">Records</th>
            <th scope="col">Storage</th>
            <th scope="col">Last modified</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((d) => {
            const name = d.DatasetName ?? "";
            const expanded = open === name;
            return (
              <tr key={name} data-testid="dataset-row">
                <td className="mono">{name}</td>
                <td>{d.NumRecords ?? 0}</td>
                <td>{formatBytes(d.DataStorage)}</td>
                <td>
                  {formatEpoch(d.LastModifiedDate)}
                  {d.LastModifiedBy && <span className="muted mono"> by {d.LastModifiedBy}</span>}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="small"
                    aria-expanded={expanded}
                    aria-label={`Records of ${name}`}
                    data-testid="dataset-records-toggle"
                    onClick={() => setOpen(expanded ? null : name)}
                  >
                    {expanded ? "Hide" : "Records"}
                  </button>
                  <button type="button" className="small danger" aria-label={`Delete dataset ${name}`} data-testid="dataset-delete" onClick={() => void onDelete(name)}>
                    Delete…
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {open && <DatasetRecords identityPoolId={identityPoolId} identityId={identityId} datasetName={open} />}
    </div>
  );
}

/** Every record of a dataset, removed ones marked, with its sync count. */
export function DatasetRecords({ identityPoolId, identityId, datasetName }: { identityPoolId: string; identityId: string; datasetName: string }) {
  const api = useApi();
  const q = useQuery({
    queryKey: [api.connection, "ListRecords", identityId, datasetName],
    refetchOnMount: "always",
    queryFn: async () => {
      const records: Sync.SyncRecord[] = [];
      let token: string | undefined;
      let syncCount = 0;
      let merged: string[] = [];
      do {
        const page = await api.sync("ListRecords", {
          IdentityPoolId: identityPoolId,
          IdentityId: identityId,
          DatasetName: datasetName,
          NextToken: token,
        });
        records.push(...(page.Records ?? []));
        syncCount = page.DatasetSyncCount ?? 0;
        merged = page.MergedDatasetNames ?? [];
        token = page.NextToken;
      } while (token);
      return { records, syncCount, merged };
    },
  });
  if (q.isPending) return <Spinner label="Loading records" />;
  if (!q.data) return <ErrorBox error={q.error} onRetry={() => q.refetch()} />;
  const { records, syncCount, merged } = q.data;
  return (
    <section className="dataset-records" data-testid="dataset-records" aria-label={`Records of ${datasetName}`}>
      <p className="muted">
        <span className="mono">{datasetName}</span>: sync count <strong data-testid="dataset-sync-count">{syncCount}</strong>
        {merged.length > 0 && <> · merged from {merged.join(", ")}</>}
      </p>
      {records.length === 0 ? (
        <p className="muted">No records.</p>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col">Sync count</th>
              <th scope="col">Last modified</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.Key} data-testid="record-row">
                <td className="mono">{r.Key}</td>
                <td className="mono" title={r.Value && r.Value.length > VALUE_PREVIEW ? r.Value : undefined}>
                  {r.Value === undefined || r.Value === null ? (
                    <span className="muted">removed</span>
                  ) : r.Value.length > VALUE_PREVIEW ? (
                    `${r.Value.slice(0, VALUE_PREVIEW)}…`
                  ) : (
                    r.Value
                  )}
                </td>
                <td>{r.SyncCount}</td>
                <td>{formatEpoch(r.LastModifiedDate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** An identity pool's Cognito Sync figures, its sync trigger (Cognito Events), streams and push sync. */
export function SyncSettings({ identityPoolId }: { identityPoolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const usage = useQuery({
    queryKey: [api.connection, "DescribeIdentityPoolUsage", identityPoolId],
    refetchOnMount: "always",
    queryFn: () => api.sync("DescribeIdentityPoolUsage", { IdentityPoolId: identityPoolId }),
  });
  const eventsKey = [api.connection, "GetCognitoEvents", identityPoolId];
  const events = useQuery({ queryKey: eventsKey, queryFn: () => api.sync("GetCognitoEvents", { IdentityPoolId: identityPoolId }) });
  const current = events.data?.Events?.SyncTrigger ?? "";
  const [draft, setDraft] = useState<string | null>(null);
  const value = draft ?? current;

  const save = async (arn: string) => {
    try {
      await api.sync("SetCognitoEvents", { IdentityPoolId: identityPoolId, Events: { SyncTrigger: arn } });
      toast.ok(arn ? "Sync trigger saved" : "Sync trigger removed");
      setDraft(null);
      await qc.invalidateQueries({ queryKey: eventsKey });
    } catch (e) {
      toast.error(e, "Saving the sync trigger failed");
    }
  };

  const u = usage.data?.IdentityPoolUsage;
  return (
    <div className="sync-settings" data-testid="sync-settings">
      {usage.isPending ? (
        <Spinner label="Loading usage" />
      ) : !u ? (
        <ErrorBox error={usage.error} onRetry={() => usage.refetch()} />
      ) : (
        <dl className="kv" data-testid="sync-usage">
          <dt>Writes</dt>
          <dd data-testid="sync-usage-writes">{u.SyncSessionsCount ?? 0}</dd>
          <dt>Storage</dt>
          <dd data-testid="sync-usage-storage">{formatBytes(u.DataStorage)}</dd>
          <dt>Last change</dt>
          <dd>{u.LastModifiedDate ? formatEpoch(u.LastModifiedDate) : "Never"}</dd>
        </dl>
      )}
      <form
        className="sync-trigger"
        onSubmit={(e) => {
          e.preventDefault();
          void save(value.trim());
        }}
      >
        <label htmlFor="sync-trigger-arn">Sync trigger (a Lambda function ARN, called before an identity's changes are stored)</label>
        <div className="row">
          <input
            id="sync-trigger-arn"
            className="mono"
            data-testid="sync-trigger-arn"
            placeholder="arn:aws:lambda:us-east-1:123456789012:function:name"
            value={value}
            disabled={events.isPending}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" data-testid="sync-trigger-save" disabled={events.isPending || value.trim() === current}>
            Save
          </button>
          {current && (
            <button type="button" className="danger" data-testid="sync-trigger-remove" onClick={() => void save("")}>
              Remove
            </button>
          )}
        </div>
      </form>
      <StreamsSettings identityPoolId={identityPoolId} />
      <PushSettings identityPoolId={identityPoolId} />
      <SyncUsageChart identityPoolId={identityPoolId} />
    </div>
  );
}
