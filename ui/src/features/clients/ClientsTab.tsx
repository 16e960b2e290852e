import { useCallback, useMemo, useState } from "react";
import { createColumnHelper } from "@tanstack/react-table";
import { useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { Dialog } from "../../components/Dialog";
import { DataTable } from "../../components/DataTable";
import { EmptyState, ErrorBox } from "../../components/bits";
import type { ExplicitAuthFlowsType, UserPoolClientDescription } from "../../generated/cognito-idp";
import { AUTH_FLOWS } from "../userPools/createPoolForm";
import { usePoolClients } from "../userPools/queries";
import { ClientDetails } from "./ClientDetails";
import { SecretOnce } from "./SecretOnce";
import "./clients.css";

const col = createColumnHelper<UserPoolClientDescription>();

/** A pool's app clients on the shared DataTable; more pages load as the list is scrolled. */
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
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = clients;
  const onNearEnd = useCallback(
    (last: number) => {
      if (hasNextPage && !isFetchingNextPage && last >= list.length - 20) void fetchNextPage();
    },
    [hasNextPage, isFetchingNextPage, fetchNextPage, list.length],
  );

  const remove = useCallback(
    async (c: UserPoolClientDescription) => {
      if (!(await confirm({ title: "Delete app client", message: `Delete ${c.ClientName}? Apps using it can no longer sign in.`, confirmLabel: "Delete", danger: true }))) return;
      try {
        await api.idp("DeleteUserPoolClient", { UserPoolId: poolId, ClientId: c.ClientId! });
        await qc.invalidateQueries({ queryKey: [api.connection, "ListUserPoolClients", poolId] });
      } catch (e) {
        toast.error(e, "Delete failed");
      }
    },
    [api, confirm, poolId, qc, toast],
  );

  const columns = useMemo(
    () => [
      col.accessor((c) => c.ClientName ?? "", { id: "name", header: "Name", meta: { key: true } }),
      col.accessor((c) => c.ClientId ?? "", { id: "id", header: "Client id", cell: (c) => <span className="mono">{c.getValue()}</span> }),
      col.display({
        id: "actions",
        header: () => <span className="sr-only">Actions</span>,
        meta: { key: true, width: "10rem", label: "Actions" },
        cell: (c) => {
          const client = c.row.original;
          return (
            <span className="row-actions">
              <button
                type="button"
                className="small"
                data-testid="client-details-open"
                aria-label={`Details of ${client.ClientName}`}
                onClick={(e) => {
                  e.stopPropagation();
                  setOpen(client.ClientId!);
                }}
              >
                Details
              </button>
              <button
                type="button"
                className="small danger"
                aria-label={`Delete app client ${client.ClientName}`}
                onClick={(e) => {
                  e.stopPropagation();
                  void remove(client);
                }}
              >
                Delete
              </button>
            </span>
          );
        },
      }),
    ],
    [remove],
  );

  return (
    <div className="clients-tab">
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
      <DataTable<UserPoolClientDescription>
        label="App clients"
        noun={["app client", "app clients"]}
        columnsKey="clients"
        rows={list}
        columns={columns}
        getRowId={(c) => c.ClientId ?? ""}
        complete={!clients.isPending && !clients.hasNextPage}
        loading={clients.isPending || clients.isFetchingNextPage}
        error={clients.error}
        onRetry={() => void clients.refetch()}
        onNearEnd={onNearEnd}
        unordered
        openId={open}
        onOpen={(c) => setOpen(c.ClientId!)}
        rowTestId="client-row"
        empty={
          <EmptyState title="No app clients">
            <p>Apps sign users in through an app client.</p>
          </EmptyState>
        }
      />
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
