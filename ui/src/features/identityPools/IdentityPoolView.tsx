import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { ErrorBox, Spinner } from "../../components/bits";
import { leaveWithoutAsking } from "../../lib/leaveGuard";
import { toIdentityPools, type Navigate } from "../../routes";
import { useUserPools } from "../userPools/queries";
import { IdentityPoolForm } from "./IdentityPoolForm";
import { formFromPool, toUpdateIdentityPoolInput } from "./identityPoolForm";
import { IdentitiesSection } from "./IdentitiesTable";
import { SyncSettings } from "./IdentityData";
import { PrincipalTags } from "./PrincipalTags";
import { poolProviders } from "./providers";
import { RolesEditor } from "./RolesEditor";

export function IdentityPoolView({ identityPoolId, navigate }: { identityPoolId: string; navigate: Navigate }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const key = [api.connection, "DescribeIdentityPool", identityPoolId];
  const pool = useQuery({ queryKey: key, queryFn: () => api.identity("DescribeIdentityPool", { IdentityPoolId: identityPoolId }) });
  const userPools = useUserPools();

  if (pool.isPending || userPools.isPending) return <Spinner label="Loading identity pool" />;
  if (!pool.data) return <ErrorBox error={pool.error} onRetry={() => pool.refetch()} />;
  const p = pool.data;
  const localIds = new Set((userPools.data?.pages.flatMap((x) => x.UserPools ?? []) ?? []).map((x) => x.Id!));
  const providers = poolProviders(p);

  const onDelete = async () => {
    if (
      !(await confirm({
        title: "Delete identity pool",
        message: `Delete ${p.IdentityPoolName} and all its identities? This cannot be undone.`,
        confirmLabel: "Delete identity pool",
        danger: true,
        typeToConfirm: p.IdentityPoolName,
      }))
    )
      return;
    try {
      await api.identity("DeleteIdentityPool", { IdentityPoolId: identityPoolId });
      await qc.invalidateQueries({ queryKey: [api.connection, "ListIdentityPools"] });
      // Its unsaved roles went with it: nothing left to ask about.
      leaveWithoutAsking(() => navigate(toIdentityPools()));
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };

  return (
    <section className="screen" aria-labelledby="ip-title">
      <header className="screen-header">
        <div>
          <button type="button" className="link-button breadcrumb" onClick={() => navigate(toIdentityPools())}>
            Identity pools
          </button>
          <h1 id="ip-title">{p.IdentityPoolName}</h1>
          <p className="muted mono">{p.IdentityPoolId}</p>
        </div>
        <button type="button" className="danger" data-testid="identity-pool-delete" onClick={onDelete}>
          Delete…
        </button>
      </header>

      <details className="card" open={providers.length === 0}>
        <summary>
          <h2>Settings and sign-in providers</h2>
        </summary>
        <IdentityPoolForm
          key={JSON.stringify(p)}
          initial={formFromPool(p, localIds)}
          submitLabel="Save settings"
          onSubmit={async (v) => {
            const updated = await api.identity("UpdateIdentityPool", toUpdateIdentityPoolInput(p, v));
            qc.setQueryData(key, updated);
            toast.ok("Identity pool saved");
          }}
        />
      </details>

      <section className="card" aria-labelledby="roles-title">
        <h2 id="roles-title">Roles</h2>
        <RolesEditor pool={p} />
      </section>

      <section className="card" aria-labelledby="tags-title">
        <h2 id="tags-title">Principal tags</h2>
        <PrincipalTags identityPoolId={identityPoolId} providers={providers} />
      </section>

      <section className="card" aria-labelledby="sync-title">
        <h2 id="sync-title">Cognito Sync</h2>
        <SyncSettings identityPoolId={identityPoolId} />
      </section>

      <IdentitiesSection identityPoolId={identityPoolId} />
    </section>
  );
}
