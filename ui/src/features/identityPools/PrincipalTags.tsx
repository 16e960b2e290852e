import { useEffect, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useToast } from "../../components/Toast";
import { ErrorBox, Spinner } from "../../components/bits";
import { providerLabel } from "./providers";

/** Principal tags of one provider: tag key → claim (GetPrincipalTagAttributeMap / Set...). */
export function PrincipalTags({ identityPoolId, providers }: { identityPoolId: string; providers: string[] }) {
  const [provider, setProvider] = useState(providers[0] ?? "");
  const current = providers.includes(provider) ? provider : (providers[0] ?? "");
  if (!current) return <p className="muted">Add a sign-in provider to map its claims to principal tags.</p>;
  return (
    <div>
      {providers.length > 1 && (
        <label className="field">
          <span>Provider</span>
          <select value={current} data-testid="principal-tags-provider" onChange={(e) => setProvider(e.target.value)}>
            {providers.map((p) => (
              <option key={p} value={p} title={p}>
                {providerLabel(p)}
              </option>
            ))}
          </select>
        </label>
      )}
      <TagMap key={current} identityPoolId={identityPoolId} provider={current} />
    </div>
  );
}

function TagMap({ identityPoolId, provider }: { identityPoolId: string; provider: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const key = [api.connection, "GetPrincipalTagAttributeMap", identityPoolId, provider];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api.identity("GetPrincipalTagAttributeMap", { IdentityPoolId: identityPoolId, IdentityProviderName: provider }),
  });
  const [useDefaults, setUseDefaults] = useState(false);
  const [rows, setRows] = useState<{ tag: string; claim: string }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!q.data) return;
    setUseDefaults(q.data.UseDefaults ?? false);
    setRows(Object.entries(q.data.PrincipalTags ?? {}).map(([tag, claim]) => ({ tag, claim })));
  }, [q.data]);

  if (q.isPending) return <Spinner label="Loading principal tags" />;

  return (
    <form
      className="form"
      aria-label="Principal tags"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const PrincipalTags = Object.fromEntries(rows.filter((r) => r.tag).map((r) => [r.tag, r.claim]));
          await api.identity("SetPrincipalTagAttributeMap", {
            IdentityPoolId: identityPoolId,
            IdentityProviderName: provider,
            UseDefaults: useDefaults,
            PrincipalTags,
          });
          toast.ok("Principal tags saved");
          await qc.invalidateQueries({ queryKey: key });
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <ErrorBox error={q.error} />
      <label className="check">
        <input type="checkbox" checked={useDefaults} onChange={(e) => setUseDefaults(e.target.checked)} /> Use default mappings
        (username → sub, client → aud)
      </label>
      {rows.map((r, i) => (
        <div key={i} className="row-inline" role="group" aria-label={`Principal tag ${i + 1}`}>
          <label className="field inline">
            <span>Tag key</span>
            <input value={r.tag} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, tag: e.target.value } : x)))} />
          </label>
          <label className="field inline">
            <span>Claim</span>
            <input value={r.claim} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, claim: e.target.value } : x)))} />
          </label>
          <button type="button" className="small" aria-label={`Remove principal tag ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => setRows([...rows, { tag: "", claim: "" }])}>
        Add tag
      </button>
      <ErrorBox error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save principal tags
        </button>
      </div>
    </form>
  );
}
