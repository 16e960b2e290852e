// An identity pool's Cognito Streams (a Kinesis stream every change is copied to, and bulk
// publishing what is there already), its push sync (the SNS platform applications devices
// register with), and how its Cognito Sync usage compares with the other identity pools'.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import type { Sync } from "../../api/client";
import { useToast } from "../../components/Toast";
import { ErrorBox, Spinner } from "../../components/bits";
import { formatBytes, formatEpoch } from "../../lib/format";

const ROLE_PLACEHOLDER = "arn:aws:iam::123456789012:role/cognito-sync";

function useConfiguration(identityPoolId: string) {
  const api = useApi();
  const key = [api.connection, "GetIdentityPoolConfiguration", identityPoolId];
  const query = useQuery({
    queryKey: key,
    queryFn: () => api.sync("GetIdentityPoolConfiguration", { IdentityPoolId: identityPoolId }),
  });
  return { query, key };
}

/** Cognito Streams: the stream, the role, on or off; and a bulk publish with its progress. */
export function StreamsSettings({ identityPoolId }: { identityPoolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const { query, key } = useConfiguration(identityPoolId);
  const current = query.data?.CognitoStreams;
  const [draft, setDraft] = useState<Sync.CognitoStreams | null>(null);
  const form = draft ?? current ?? { StreamName: "", RoleArn: "", StreamingStatus: "ENABLED" };
  const bulkKey = [api.connection, "GetBulkPublishDetails", identityPoolId];
  const bulk = useQuery({
    queryKey: bulkKey,
    queryFn: () => api.sync("GetBulkPublishDetails", { IdentityPoolId: identityPoolId }),
    // A bulk publish goes on in the background: follow it while it does.
    refetchInterval: (q) => (q.state.data?.BulkPublishStatus === "IN_PROGRESS" ? 1000 : false),
  });

  const save = async (streams: Sync.CognitoStreams) => {
    try {
      await api.sync("SetIdentityPoolConfiguration", { IdentityPoolId: identityPoolId, CognitoStreams: streams });
      toast.ok(streams.StreamName ? "Cognito Streams saved" : "Cognito Streams removed");
      setDraft(null);
      await qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      toast.error(e, "Saving Cognito Streams failed");
    }
  };
  const publish = async () => {
    try {
      await api.sync("BulkPublish", { IdentityPoolId: identityPoolId });
      toast.ok("Bulk publish started");
    } catch (e) {
      toast.error(e, "The bulk publish could not start");
    }
    await qc.invalidateQueries({ queryKey: bulkKey });
  };

  if (query.isPending) return <Spinner label="Loading Cognito Streams" />;
  if (query.isError) return <ErrorBox error={query.error} onRetry={() => query.refetch()} />;
  const changed = JSON.stringify(form) !== JSON.stringify(current ?? { StreamName: "", RoleArn: "", StreamingStatus: "ENABLED" });
  const b = bulk.data;
  return (
    <form
      className="sync-streams"
      data-testid="sync-streams"
      onSubmit={(e) => {
        e.preventDefault();
        void save({ ...form, StreamName: form.StreamName?.trim(), RoleArn: form.RoleArn?.trim() });
      }}
    >
      <h4>Cognito Streams</h4>
      <p className="muted">Every change of this pool's datasets is copied to a Kinesis stream, in order per dataset, and kept until Kinesis takes it.</p>
      <label htmlFor="streams-name">Kinesis stream name</label>
      <input
        id="streams-name"
        data-testid="streams-name"
        value={form.StreamName ?? ""}
        onChange={(e) => setDraft({ ...form, StreamName: e.target.value })}
      />
      <label htmlFor="streams-role">Publish role</label>
      <input
        id="streams-role"
        className="mono"
        data-testid="streams-role"
        placeholder={ROLE_PLACEHOLDER}
        value={form.RoleArn ?? ""}
        onChange={(e) => setDraft({ ...form, RoleArn: e.target.value })}
      />
      <label className="check">
        <input
          type="checkbox"
          data-testid="streams-enabled"
          checked={form.StreamingStatus !== "DISABLED"}
          onChange={(e) => setDraft({ ...form, StreamingStatus: e.target.checked ? "ENABLED" : "DISABLED" })}
        />
        Streaming enabled
      </label>
      <div className="row">
        <button type="submit" data-testid="streams-save" disabled={!changed}>
          Save
        </button>
        {current && (
          <button type="button" className="danger" data-testid="streams-remove" onClick={() => void save({ StreamName: "", RoleArn: "", StreamingStatus: "DISABLED" })}>
            Remove
          </button>
        )}
        <button
          type="button"
          data-testid="bulk-publish"
          disabled={current?.StreamingStatus !== "ENABLED" || b?.BulkPublishStatus === "IN_PROGRESS"}
          title="Send every dataset there is to the stream (once a day)"
          onClick={() => void publish()}
        >
          Bulk publish
        </button>
      </div>
      {b && (
        <p className="muted" data-testid="bulk-publish-status">
          {b.BulkPublishStatus === "NOT_STARTED"
            ? "No bulk publish yet."
            : b.BulkPublishStatus === "SUCCEEDED"
              ? `Bulk published ${b.BulkPublishCompleteTime ? formatEpoch(b.BulkPublishCompleteTime) : ""}.`
              : `Bulk publish ${b.BulkPublishStatus === "IN_PROGRESS" ? "in progress" : "failed"} since ${b.BulkPublishStartTime ? formatEpoch(b.BulkPublishStartTime) : ""}${b.FailureMessage ? `: ${b.FailureMessage}` : ""}`}
        </p>
      )}
    </form>
  );
}

/** Push sync: the SNS platform applications (one per platform) and the role. */
export function PushSettings({ identityPoolId }: { identityPoolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const { query, key } = useConfiguration(identityPoolId);
  const current = query.data?.PushSync;
  const currentText = { arns: (current?.ApplicationArns ?? []).join("\n"), role: current?.RoleArn ?? "" };
  const [draft, setDraft] = useState<{ arns: string; role: string } | null>(null);
  const form = draft ?? currentText;

  const save = async (push: Sync.PushSync) => {
    try {
      await api.sync("SetIdentityPoolConfiguration", { IdentityPoolId: identityPoolId, PushSync: push });
      toast.ok(push.RoleArn ? "Push sync saved" : "Push sync removed");
      setDraft(null);
      await qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      toast.error(e, "Saving push sync failed");
    }
  };

  if (query.isPending) return <Spinner label="Loading push sync" />;
  if (query.isError) return <ErrorBox error={query.error} onRetry={() => query.refetch()} />;
  return (
    <form
      className="sync-push"
      data-testid="sync-push"
      onSubmit={(e) => {
        e.preventDefault();
        const arns = form.arns.split(/\s+/).filter(Boolean);
        void save({ ApplicationArns: arns, RoleArn: form.role.trim() });
      }}
    >
      <h4>Push sync</h4>
      <p className="muted">Devices subscribed to a dataset get a silent notification through SNS when another device changes it.</p>
      <label htmlFor="push-arns">SNS platform applications (one ARN per line: APNS, APNS_SANDBOX, GCM or ADM)</label>
      <textarea
        id="push-arns"
        className="mono"
        rows={2}
        data-testid="push-arns"
        placeholder="arn:aws:sns:us-east-1:123456789012:app/GCM/my-app"
        value={form.arns}
        onChange={(e) => setDraft({ ...form, arns: e.target.value })}
      />
      <label htmlFor="push-role">Service role</label>
      <input
        id="push-role"
        className="mono"
        data-testid="push-role"
        placeholder={ROLE_PLACEHOLDER}
        value={form.role}
        onChange={(e) => setDraft({ ...form, role: e.target.value })}
      />
      <div className="row">
        <button type="submit" data-testid="push-save" disabled={form.arns === currentText.arns && form.role === currentText.role}>
          Save
        </button>
        {current && (
          <button type="button" className="danger" data-testid="push-remove" onClick={() => void save({ ApplicationArns: [], RoleArn: "" })}>
            Remove
          </button>
        )}
      </div>
    </form>
  );
}

/** Writes and storage of every identity pool, as bars, this one marked. */
export function SyncUsageChart({ identityPoolId }: { identityPoolId: string }) {
  const api = useApi();
  const usage = useQuery({
    queryKey: [api.connection, "ListIdentityPoolUsage"],
    refetchOnMount: "always",
    queryFn: async () => {
      const all: Sync.IdentityPoolUsage[] = [];
      let NextToken: string | undefined;
      do {
        const page = await api.sync("ListIdentityPoolUsage", { MaxResults: 60, NextToken });
        all.push(...(page.IdentityPoolUsages ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      return all;
    },
  });
  if (usage.isPending) return <Spinner label="Loading usage" />;
  if (usage.isError) return <ErrorBox error={usage.error} onRetry={() => usage.refetch()} />;
  const pools = usage.data.filter((u) => (u.SyncSessionsCount ?? 0) > 0 || u.IdentityPoolId === identityPoolId);
  const series: { label: string; value: (u: Sync.IdentityPoolUsage) => number; format: (n: number) => string }[] = [
    { label: "Writes", value: (u) => u.SyncSessionsCount ?? 0, format: (n) => n.toLocaleString("en-US") },
    { label: "Storage", value: (u) => u.DataStorage ?? 0, format: formatBytes },
  ];
  return (
    <figure className="usage-chart" data-testid="sync-usage-chart">
      <figcaption>Cognito Sync usage by identity pool</figcaption>
      {series.map((s) => {
        const most = Math.max(1, ...pools.map(s.value));
        return (
          <div key={s.label} className="usage-series">
            <h5>{s.label}</h5>
            <ul>
              {pools.map((u) => (
                <li key={u.IdentityPoolId} className={u.IdentityPoolId === identityPoolId ? "current" : undefined} data-testid="usage-bar">
                  <span className="mono usage-label" title={u.IdentityPoolId}>
                    {u.IdentityPoolId}
                  </span>
                  <span
                    className="usage-bar"
                    role="meter"
                    aria-label={`${s.label} of ${u.IdentityPoolId}`}
                    aria-valuemin={0}
                    aria-valuemax={most}
                    aria-valuenow={s.value(u)}
                    style={{ width: `${(100 * s.value(u)) / most}%` }}
                  />
                  <span className="usage-value">{s.format(s.value(u))}</span>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </figure>
  );
}
