import { useState } from "react";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { toIdentityPool, type Navigate } from "../../routes";
import { IdentityPoolForm } from "./IdentityPoolForm";
import { newIdentityPoolForm, toCreateIdentityPoolInput } from "./identityPoolForm";
import { SamlProvidersPanel } from "./SamlProvidersPanel";

export function useIdentityPools() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: [api.connection, "ListIdentityPools"],
    queryFn: ({ pageParam }) => api.identity("ListIdentityPools", { MaxResults: 60, NextToken: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.NextToken || undefined,
  });
}

export function IdentityPoolList({ navigate }: { navigate: Navigate }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const pools = useIdentityPools();
  const [creating, setCreating] = useState(false);
  const rows = pools.data?.pages.flatMap((p) => p.IdentityPools ?? []) ?? [];

  return (
    <section className="screen" aria-labelledby="identity-pools-title">
      <header className="screen-header">
        <h1 id="identity-pools-title">Identity pools</h1>
        <button type="button" className="primary" data-testid="create-identity-pool" onClick={() => setCreating(true)}>
          Create identity pool
        </button>
      </header>
      <ErrorBox error={pools.error} onRetry={() => pools.refetch()} />
      {pools.isPending ? (
        <Spinner label="Loading identity pools" />
      ) : rows.length === 0 && pools.error ? null : rows.length === 0 ? (
        <EmptyState title="No identity pools yet">
          <p>An identity pool turns user-pool sign-ins (or guests) into AWS credentials for a role.</p>
        </EmptyState>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Identity pool id</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr
                key={p.IdentityPoolId}
                data-testid="identity-pool-row"
                className="clickable"
                onClick={() => navigate(toIdentityPool(p.IdentityPoolId!))}
              >
                <td>
                  <button
                    type="button"
                    className="link-button"
                    onClick={(e) => {
                      e.stopPropagation();
                      navigate(toIdentityPool(p.IdentityPoolId!));
                    }}
                  >
                    {p.IdentityPoolName}
                  </button>
                </td>
                <td className="mono">{p.IdentityPoolId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pools.hasNextPage && (
        <button type="button" onClick={() => pools.fetchNextPage()}>
          Load more
        </button>
      )}
      <SamlProvidersPanel />
      {creating && (
        <Dialog title="Create identity pool" onClose={() => setCreating(false)} wide>
          <IdentityPoolForm
            initial={newIdentityPoolForm()}
            submitLabel="Create identity pool"
            onCancel={() => setCreating(false)}
            onSubmit={async (v) => {
              const created = await api.identity("CreateIdentityPool", toCreateIdentityPoolInput(v));
              setCreating(false);
              toast.ok(`Created ${created.IdentityPoolName}`);
              await qc.invalidateQueries({ queryKey: [api.connection, "ListIdentityPools"] });
            }}
          />
        </Dialog>
      )}
    </section>
  );
}
