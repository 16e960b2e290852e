import { Fragment, useState, type UIEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import type { IdentityDescription } from "../../generated/cognito-identity";
import { formatEpoch } from "../../lib/format";
import { useTableLoader } from "../../lib/useTableLoader";
import "./identities.css";

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
 * The identities of an identity pool (ListIdentities, a page at a time as the list is scrolled
 * or "Load more" is pressed), each with its details (DescribeIdentity) on demand.
 */
export function IdentitiesTable({ identityPoolId, pageSize = 50 }: { identityPoolId: string; pageSize?: number }) {
  const api = useApi();
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
  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - 40) void loader.ensureVisible(rows.length - 1);
  };

  return (
    <div className="identities" data-testid="identities">
      <div className="toolbar">
        <span className="muted" data-testid="identities-count">
          {rows.length} {rows.length === 1 ? "identity" : "identities"} loaded{state.done ? "" : ", more below"}
        </span>
        <button type="button" className="small" data-testid="identities-reload" onClick={() => void loader.reset()}>
          Reload
        </button>
      </div>
      <ErrorBox error={state.error} onRetry={() => void loader.retry()} testId="identities-error" />
      {state.done && rows.length === 0 && !state.error ? (
        <EmptyState title="No identities yet">
          <p>An identity is made the first time an app calls GetId for this pool.</p>
        </EmptyState>
      ) : (
        <div className="identities-scroll" onScroll={onScroll}>
          <table className="data-table" aria-label="Identities">
            <thead>
              <tr>
                <th scope="col">Identity id</th>
                <th scope="col">Logins</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((identity) => {
                const id = identity.IdentityId!;
                const expanded = open === id;
                return (
                  <Fragment key={id}>
                    <tr data-testid="identity-row">
                      <td className="mono">{id}</td>
                      <td>{identity.Logins?.length ? identity.Logins.map(loginLabel).join(", ") : <span className="muted">Guest</span>}</td>
                      <td>{formatEpoch(identity.CreationDate)}</td>
                      <td className="row-actions">
                        <button
                          type="button"
                          className="small"
                          aria-expanded={expanded}
                          aria-label={`Details of identity ${id}`}
                          data-testid="identity-details-toggle"
                          onClick={() => setOpen(expanded ? null : id)}
                        >
                          {expanded ? "Hide" : "Details"}
                        </button>
                      </td>
                    </tr>
                    {expanded && (
                      <tr>
                        <td colSpan={4}>
                          <IdentityDetails identityId={id} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {state.loading && <Spinner label="Loading identities" />}
      {!state.done && !state.loading && !state.error && rows.length > 0 && (
        <button type="button" className="small" data-testid="identities-more" onClick={() => void loader.ensureVisible(rows.length - 1)}>
          Load more
        </button>
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
