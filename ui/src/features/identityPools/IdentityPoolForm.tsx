import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import { useUserPools } from "../userPools/queries";
import { validateIdentityPoolForm, type IdentityPoolFormValues, type ProviderRow } from "./identityPoolForm";

export function IdentityPoolForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: IdentityPoolFormValues;
  submitLabel: string;
  onSubmit: (v: IdentityPoolFormValues) => Promise<void>;
  onCancel?: () => void;
}) {
  const [v, setV] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const errors = validateIdentityPoolForm(v);
  const pools = useUserPools();
  const poolList = pools.data?.pages.flatMap((p) => p.UserPools ?? []) ?? [];

  const setRow = (i: number, patch: Partial<ProviderRow>) =>
    setV((x) => ({ ...x, providers: x.providers.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));

  return (
    <form
      className="form"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setTried(true);
        if (Object.keys(errors).length) return;
        setBusy(true);
        setError(null);
        try {
          await onSubmit(v);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label className="field">
        <span>Identity pool name</span>
        <input
          data-testid="identity-pool-name"
          data-autofocus
          value={v.name}
          aria-invalid={tried && !!errors.name}
          onChange={(e) => setV({ ...v, name: e.target.value })}
        />
        {tried && <FieldError message={errors.name} />}
      </label>
      <label className="check">
        <input
          type="checkbox"
          data-testid="identity-pool-allow-unauth"
          checked={v.allowUnauthenticated}
          onChange={(e) => setV({ ...v, allowUnauthenticated: e.target.checked })}
        />{" "}
        Allow guest (unauthenticated) identities
      </label>
      <label className="check">
        <input type="checkbox" checked={v.allowClassicFlow} onChange={(e) => setV({ ...v, allowClassicFlow: e.target.checked })} /> Allow
        the classic (basic) flow
      </label>
      <fieldset>
        <legend>User pools that can sign in</legend>
        {pools.isPending && <Spinner label="Loading user pools" />}
        {v.providers.map((row, i) => (
          <ProviderRowEditor
            key={i}
            index={i}
            row={row}
            pools={poolList.map((p) => ({ id: p.Id!, name: p.Name ?? p.Id! }))}
            onChange={(patch) => setRow(i, patch)}
            onRemove={() => setV((x) => ({ ...x, providers: x.providers.filter((_, j) => j !== i) }))}
          />
        ))}
        <button
          type="button"
          className="small"
          onClick={() => setV((x) => ({ ...x, providers: [...x.providers, { poolId: "", clientId: "", serverSideTokenCheck: false }] }))}
        >
          Link another user pool
        </button>
        {tried && <FieldError message={errors.providers} />}
      </fieldset>
      <ErrorBox error={error} testId="identity-pool-error" />
      <div className="dialog-actions">
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" data-testid="identity-pool-submit" disabled={busy}>
          {busy ? <Spinner label="Saving" /> : null} {submitLabel}
        </button>
      </div>
    </form>
  );
}

function ProviderRowEditor({
  index,
  row,
  pools,
  onChange,
  onRemove,
}: {
  index: number;
  row: ProviderRow;
  pools: { id: string; name: string }[];
  onChange: (patch: Partial<ProviderRow>) => void;
  onRemove: () => void;
}) {
  const api = useApi();
  const clients = useQuery({
    queryKey: [api.connection, "ListUserPoolClients", row.poolId, "picker"],
    queryFn: () => api.idp("ListUserPoolClients", { UserPoolId: row.poolId, MaxResults: 60 }),
    enabled: !!row.poolId,
  });
  const clientList = clients.data?.UserPoolClients ?? [];
  // Pick the pool's first app client unless one is chosen.
  const firstClient = clientList[0]?.ClientId;
  useEffect(() => {
    if (row.poolId && !row.clientId && firstClient) onChange({ clientId: firstClient });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [row.poolId, firstClient]);
  const n = index + 1;
  return (
    <div className="row-inline provider-row" role="group" aria-label={`Linked user pool ${n}`}>
      {row.providerName ? (
        <span className="mono">{row.providerName}</span>
      ) : (
        <label className="field inline">
          <span>User pool</span>
          <select
            data-testid="identity-pool-provider-pool"
            aria-label={`User pool ${n}`}
            value={row.poolId}
            onChange={(e) => onChange({ poolId: e.target.value, clientId: "" })}
          >
            <option value="">— none —</option>
            {pools.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.id})
              </option>
            ))}
          </select>
        </label>
      )}
      {row.poolId && (
        <label className="field inline">
          <span>App client</span>
          <select
            data-testid="identity-pool-provider-client"
            aria-label={`App client of user pool ${n}`}
            value={row.clientId}
            onChange={(e) => onChange({ clientId: e.target.value })}
          >
            <option value="">— none —</option>
            {clientList.map((c) => (
              <option key={c.ClientId} value={c.ClientId}>
                {c.ClientName} ({c.ClientId})
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="check">
        <input type="checkbox" checked={row.serverSideTokenCheck} onChange={(e) => onChange({ serverSideTokenCheck: e.target.checked })} /> Server-side
        token check
      </label>
      <button type="button" className="small" aria-label={`Unlink user pool ${n}`} onClick={onRemove}>
        Unlink
      </button>
    </div>
  );
}
