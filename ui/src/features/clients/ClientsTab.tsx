import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { Dialog } from "../../components/Dialog";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import type { ExplicitAuthFlowsType } from "../../generated/cognito-idp";
import { AUTH_FLOWS } from "../userPools/createPoolForm";
import { usePoolClients } from "../userPools/queries";
import { ClientDetails } from "./ClientDetails";
import { SecretOnce } from "./SecretOnce";

export function ClientsTab({ poolId }: { poolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const confirm = useConfirm();
  const toast = useToast();
  const clients = usePoolClients(poolId);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ clientId: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const list = clients.data?.pages.flatMap((p) => p.UserPoolClients ?? []) ?? [];
  const refresh = () => qc.invalidateQueries({ queryKey: [api.connection, "ListUserPoolClients", poolId] });

  return (
    <div>
      <div className="toolbar">
        <button type="button" className="primary" data-testid="create-client" onClick={() => setCreating(true)}>
          Create app client
        </button>
      </div>
      {secret && (
        <div className="notice">
          <SecretOnce clientId={secret.clientId} secret={secret.secret} />
          <button type="button" className="small" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      )}
      <ErrorBox error={clients.error} onRetry={() => clients.refetch()} />
      {clients.isPending ? (
        <Spinner label="Loading app clients" />
      ) : list.length === 0 ? (
        <EmptyState title="No app clients">
          <p>Apps sign users in through an app client.</p>
        </EmptyState>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Client id</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.ClientId} data-testid="client-row">
                <td>{c.ClientName}</td>
                <td className="mono">{c.ClientId}</td>
                <td className="row-actions">
                  <button type="button" className="small" data-testid="client-details-open" aria-label={`Details of ${c.ClientName}`} onClick={() => setOpen(c.ClientId!)}>
                    Details
                  </button>
                  <button
                    type="button"
                    className="small danger"
                    aria-label={`Delete app client ${c.ClientName}`}
                    onClick={async () => {
                      if (!(await confirm({ title: "Delete app client", message: `Delete ${c.ClientName}? Apps using it can no longer sign in.`, confirmLabel: "Delete", danger: true }))) return;
                      try {
                        await api.idp("DeleteUserPoolClient", { UserPoolId: poolId, ClientId: c.ClientId! });
                        await refresh();
                      } catch (e) {
                        toast.error(e, "Delete failed");
                      }
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {clients.hasNextPage && <button type="button" onClick={() => clients.fetchNextPage()}>Load more</button>}
      {creating && (
        <CreateClientDialog
          poolId={poolId}
          onClose={() => setCreating(false)}
          onCreated={(clientId, s) => {
            setCreating(false);
            if (s) setSecret({ clientId, secret: s });
            void refresh();
          }}
        />
      )}
      {open && <ClientDetails poolId={poolId} clientId={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

function CreateClientDialog({ poolId, onClose, onCreated }: { poolId: string; onClose: () => void; onCreated: (id: string, secret?: string) => void }) {
  const api = useApi();
  const [name, setName] = useState("");
  const [generateSecret, setGenerateSecret] = useState(false);
  const [flows, setFlows] = useState<ExplicitAuthFlowsType[]>(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title="Create app client" onClose={onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const r = await api.idp("CreateUserPoolClient", { UserPoolId: poolId, ClientName: name, GenerateSecret: generateSecret, ExplicitAuthFlows: flows });
            onCreated(r.UserPoolClient!.ClientId!, r.UserPoolClient?.ClientSecret);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label className="field">
          <span>Name</span>
          <input data-testid="client-name" data-autofocus required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" data-testid="client-generate-secret" checked={generateSecret} onChange={(e) => setGenerateSecret(e.target.checked)} /> Generate a client secret
        </label>
        <div className="checks" role="group" aria-label="Authentication flows">
          {AUTH_FLOWS.map((f) => (
            <label key={f.value} className="check">
              <input
                type="checkbox"
                checked={flows.includes(f.value)}
                onChange={(e) => setFlows((xs) => (e.target.checked ? [...xs, f.value] : xs.filter((x) => x !== f.value)))}
              />{" "}
              {f.label}
            </label>
          ))}
        </div>
        <ErrorBox error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" data-testid="client-submit" disabled={busy || name === ""}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
