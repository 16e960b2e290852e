import { useCallback, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { DataTable } from "../../components/DataTable";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import type { IdentityDescription } from "../../generated/cognito-identity";
import { formatEpoch } from "../../lib/format";
import { useTableLoader } from "../../lib/useTableLoader";
import { IdentityDatasets } from "./IdentityData";
import "./identities.css";

const col = createColumnHelper<IdentityDescription>();

/** How a login provider reads to a person: a local user pool by its id, others as named. */
function loginLabel(provider: string): string {
  const m = /^cognito-idp\.[^/]+\/(.+)$/.exec(provider);
  return m ? `User pool ${m[1]}` : provider;
}

/** A collapsed card; the identities are listed (fresh) each time it is opened. */
export function IdentitiesSection({ identityPoolId }: { identityPoolId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="card" data-testid="identities-section" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary data-testid="identities-open">
        <h2>Identities</h2>
      </summary>
      {open && <IdentitiesTable identityPoolId={identityPoolId} />}
    </details>
  );
}

/**
 * The identities of an identity pool on the shared DataTable (ListIdentities, a page at a time as
 * the list is scrolled or "Load more" is pressed), each with its details (DescribeIdentity) on
 * demand, shown under the table.
 */
export function IdentitiesTable({ identityPoolId, pageSize = 50 }: { identityPoolId: string; pageSize?: number }) {
  const api = useApi();
  const toast = useToast();
  const confirm = useConfirm();
  const [open, setOpen] = useState<string | null>(null);
  const [loader, state] = useTableLoader<IdentityDescription, null>(
    `${api.connection}/${identityPoolId}/identities`,
    async (_q, token) => {
      const r = await api.identity("ListIdentities", { IdentityPoolId: identityPoolId, MaxResults: pageSize, NextToken: token });
      return { items: r.Identities ?? [], nextToken: r.NextToken };
    },
    null,
  );
  const rows = state.rows;

  const onDelete = async (identityId: string) => {
    if (
      !(await confirm({
        title: "Delete identity",
        message: `Delete the identity ${identityId}, its linked logins and its datasets? Its next sign-in makes a new identity. This cannot be undone.`,
        confirmLabel: "Delete identity",
        danger: true,
      }))
    )
      return;
    try {
      const r = await api.identity("DeleteIdentities", { IdentityIdsToDelete: [identityId] });
      if (r.UnprocessedIdentityIds?.length) throw new Error(`${identityId} was not deleted: ${r.UnprocessedIdentityIds[0]?.ErrorCode ?? "unknown error"}`);
      toast.ok(`Deleted the identity ${identityId}`);
      setOpen(null);
      await loader.reset();
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };
  const onNearEnd = useCallback((last: number) => void loader.ensureVisible(last), [loader]);

  const columns = useMemo(
    () => [
      col.accessor((i) => i.IdentityId ?? "", {
        id: "id",
        header: "Identity id",
        meta: { key: true },
        cell: (c) => <span className="mono">{c.getValue()}</span>,
      }),
      col.accessor((i) => (i.Logins?.length ? i.Logins.map(loginLabel).join(", ") : ""), {
        id: "logins",
        header: "Logins",
        cell: (c) => c.getValue() || <span className="muted">Guest</span>,
      }),
      col.accessor((i) => i.CreationDate ?? 0, {
        id: "created",
        header: "Created",
        meta: { width: "12rem" },
        cell: (c) => formatEpoch(c.row.original.CreationDate),
      }),
      col.display({
        id: "details",
        header: () => <span className="sr-only">Actions</span>,
        meta: { key: true, width: "6rem", label: "Details" },
        cell: (c) => {
          const id = c.row.original.IdentityId!;
          const expanded = open === id;
          return (
            <button
              type="button"
              className="small"
              aria-expanded={expanded}
              aria-controls={expanded ? "identity-details" : undefined}
              aria-label={`Details of identity ${id}`}
              data-testid="identity-details-toggle"
              onClick={(e) => {
                e.stopPropagation();
                setOpen(expanded ? null : id);
              }}
            >
              {expanded ? "Hide" : "Details"}
            </button>
          );
        },
      }),
    ],
    [open],
  );

  return (
    <div className="identities" data-testid="identities">
      <DataTable<IdentityDescription>
        label="Identities"
        noun={["identity", "identities"]}
        columnsKey="identities"
        rows={rows}
        columns={columns}
        getRowId={(i) => i.IdentityId ?? ""}
        complete={state.done}
        loading={state.loading}
        error={state.error}
        errorTestId="identities-error"
        onRetry={() => void loader.retry()}
        onNearEnd={onNearEnd}
        unordered
        openId={open}
        rowTestId="identity-row"
        actions={
          <button type="button" className="small" data-testid="identities-reload" onClick={() => void loader.reset()}>
            Reload
          </button>
        }
        empty={
          <EmptyState title="No identities yet">
            <p>An identity is made the first time an app calls GetId for this pool.</p>
          </EmptyState>
        }
      />
      {!state.done && !state.loading && !state.error && rows.length > 0 && (
        <button type="button" className="small" data-testid="identities-more" onClick={() => void loader.ensureVisible(rows.length - 1)}>
          Load more
        </button>
      )}
      {open && (
        <section className="identity-details-panel" id="identity-details" aria-label={`Identity ${open}`}>
          <IdentityDetails identityId={open} />
          <h3>Datasets</h3>
          <IdentityDatasets identityPoolId={identityPoolId} identityId={open} />
          <button type="button" className="danger" data-testid="identity-delete" onClick={() => void onDelete(open)}>
            Delete identity…
          </button>
        </section>
      )}
    </div>
  );
}

function IdentityDetails({ identityId }: { identityId: string }) {
  const api = useApi();
  const q = useQuery({
    queryKey: [api.connection, "DescribeIdentity", identityId],
    queryFn: () => api.identity("DescribeIdentity", { IdentityId: identityId }),
  });
  if (q.isPending) return <Spinner label="Loading identity" />;
  if (!q.data) return <ErrorBox error={q.error} onRetry={() => q.refetch()} />;
  const d = q.data;
  return (
    <dl className="kv" data-testid="identity-details">
      <dt>Identity id</dt>
      <dd className="mono">{d.IdentityId}</dd>
      <dt>Logins</dt>
      <dd>{d.Logins?.length ? d.Logins.join(", ") : "None (a guest identity)"}</dd>
      <dt>Created</dt>
      <dd>{formatEpoch(d.CreationDate)}</dd>
      <dt>Last modified</dt>
      <dd>{formatEpoch(d.LastModifiedDate)}</dd>
    </dl>
  );
}
