import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { formatEpoch } from "../../lib/format";
import { toUserPool, type Navigate } from "../../routes";
import { CreateUserPoolForm, type CreatedPool } from "./CreateUserPoolForm";
import { SecretOnce } from "../clients/SecretOnce";
import { useUserPools } from "./queries";

export function UserPoolList({ navigate }: { navigate: Navigate }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const pools = useUserPools();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedPool | null>(null);
  const rows = pools.data?.pages.flatMap((p) => p.UserPools ?? []) ?? [];

  return (
    <section className="screen" aria-labelledby="user-pools-title">
      <header className="screen-header">
        <h1 id="user-pools-title">User pools</h1>
        <button type="button" className="primary" data-testid="create-pool" onClick={() => setCreating(true)}>
          Create user pool
        </button>
      </header>
      <ErrorBox error={pools.error} onRetry={() => pools.refetch()} />
      {pools.isPending ? (
        <Spinner label="Loading user pools" />
      ) : rows.length === 0 && pools.error ? null : rows.length === 0 ? (
        <EmptyState title="No user pools yet">
          <p>Create one to add users, app clients and groups.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Pool id</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr
                  key={p.Id}
                  data-testid="pool-row"
                  className="clickable"
                  onClick={() => navigate(toUserPool(p.Id!))}
                >
                  <td>
                    <button type="button" className="link-button" onClick={(e) => { e.stopPropagation(); navigate(toUserPool(p.Id!)); }}>
                      {p.Name}
                    </button>
                  </td>
                  <td className="mono">{p.Id}</td>
                  <td>{formatEpoch(p.CreationDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pools.hasNextPage && (
        <button type="button" onClick={() => pools.fetchNextPage()} disabled={pools.isFetchingNextPage}>
          {pools.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
      {creating && (
        <Dialog title="Create user pool" onClose={() => setCreating(false)} wide>
          <CreateUserPoolForm
            onCancel={() => setCreating(false)}
            onCreated={(c) => {
              setCreating(false);
              void qc.invalidateQueries({ queryKey: [api.connection, "ListUserPools"] });
              toast.ok(`Created user pool ${c.poolName}`);
              // A secret shown once or a failed follow-up step is read first; then the pool opens.
              if (c.clientSecret || c.warnings.length > 0) setCreated(c);
              else navigate(toUserPool(c.poolId));
            }}
          />
        </Dialog>
      )}
      {created && (
        <Dialog title={`Created ${created.poolName}`} onClose={() => navigate(toUserPool(created.poolId))}>
          {created.warnings.map((w, i) => (
            <ErrorBox key={i} error={w} />
          ))}
          {created.clientId && created.clientSecret && (
            <SecretOnce clientId={created.clientId} secret={created.clientSecret} />
          )}
          <div className="dialog-actions">
            <button type="button" className="primary" data-testid="created-open-pool" onClick={() => navigate(toUserPool(created.poolId))}>
              Open {created.poolName}
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
