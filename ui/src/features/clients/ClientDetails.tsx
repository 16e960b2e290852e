import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { ErrorBox, Spinner } from "../../components/bits";
import type { UserPoolClientType } from "../../generated/cognito-idp";
import { validityText } from "./clientForm";
import { ClientSecret } from "./ClientSecret";
import { ClientTerms } from "./ClientTerms";
import { EditClientDialog } from "./EditClientDialog";
import { SecretRotation } from "./SecretRotation";
import "./clients.css";

/** One app client's settings, its secret on demand and its rotation, its terms documents, and the way into editing it. */
export function ClientDetails({ poolId, clientId, onClose }: { poolId: string; clientId: string; onClose: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const key = [api.connection, "DescribeUserPoolClient", poolId, clientId];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api.idp("DescribeUserPoolClient", { UserPoolId: poolId, ClientId: clientId }),
    select: (r) => r.UserPoolClient,
  });
  const c = q.data;

  if (editing && c) {
    return (
      <EditClientDialog
        client={c}
        onClose={() => setEditing(false)}
        onSaved={(updated) => {
          qc.setQueryData(key, { UserPoolClient: updated });
          void qc.invalidateQueries({ queryKey: [api.connection, "ListUserPoolClients", poolId] });
          setEditing(false);
          toast.ok("App client saved");
        }}
      />
    );
  }
  return (
    <Dialog title="App client" onClose={onClose} testId="client-details">
      {q.isPending && <Spinner />}
      <ErrorBox error={q.error} />
      {c && <ClientSettings client={c} />}
      {c?.ClientSecret && <SecretRotation poolId={poolId} clientId={clientId} onChanged={() => void qc.invalidateQueries({ queryKey: key })} />}
      {c && <ClientTerms poolId={poolId} clientId={clientId} />}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
        <button type="button" className="primary" data-testid="client-edit" disabled={!c} onClick={() => setEditing(true)}>
          Edit…
        </button>
      </div>
    </Dialog>
  );
}

function ClientSettings({ client: c }: { client: UserPoolClientType }) {
  const u = c.TokenValidityUnits ?? {};
  return (
    <dl className="kv">
      <dt>Name</dt>
      <dd data-testid="client-detail-name">{c.ClientName}</dd>
      <dt>Client id</dt>
      <dd className="mono">{c.ClientId}</dd>
      <dt>Client secret</dt>
      <dd>
        <ClientSecret secret={c.ClientSecret} />
      </dd>
      <dt>Auth flows</dt>
      <dd>{(c.ExplicitAuthFlows ?? []).join(", ") || "—"}</dd>
      <dt>Access token valid for</dt>
      <dd data-testid="client-detail-access-validity">{validityText(c.AccessTokenValidity, u.AccessToken, "60 minutes (default)")}</dd>
      <dt>ID token valid for</dt>
      <dd data-testid="client-detail-id-validity">{validityText(c.IdTokenValidity, u.IdToken, "60 minutes (default)")}</dd>
      <dt>Refresh token valid for</dt>
      <dd data-testid="client-detail-refresh-validity">{validityText(c.RefreshTokenValidity, u.RefreshToken ?? "days", "30 days (default)")}</dd>
      <dt>Read attributes</dt>
      <dd>{(c.ReadAttributes ?? []).join(", ") || "All"}</dd>
      <dt>Write attributes</dt>
      <dd>{(c.WriteAttributes ?? []).join(", ") || "All writable"}</dd>
      <dt>Unknown users at sign-in</dt>
      <dd>{c.PreventUserExistenceErrors === "ENABLED" ? "Not revealed" : "Revealed (UserNotFoundException)"}</dd>
      <dt>Refresh token rotation</dt>
      <dd>{c.RefreshTokenRotation?.Feature === "ENABLED" ? `On (grace ${c.RefreshTokenRotation.RetryGracePeriodSeconds ?? 0} s)` : "Off"}</dd>
    </dl>
  );
}
