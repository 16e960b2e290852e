import { useMutation, useQueryClient } from "@tanstack/react-query";
import { connectionRemove, connectionTest, type ConnectionInfo } from "../../api/tauri";
import { ApiError } from "../../api/errors";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { ConnectionErrorBox } from "./ConnectionErrorBox";
import { checkSummary, type ConnectionPrefill } from "./connectionForm";
import { useConnections } from "./queries";

export interface ConnectionsViewProps {
  /** Opens "Add a server", optionally filled in (re-adding a connection). */
  onAdd: (prefill?: ConnectionPrefill) => void;
  /** After a connection is removed (the app falls back to This computer if it was active). */
  onRemoved: (name: string) => void;
}

export function ConnectionsView({ onAdd, onRemoved }: ConnectionsViewProps) {
  const connections = useConnections();
  const rows = connections.data ?? [];

  return (
    <section className="screen" aria-labelledby="connections-title">
      <header className="screen-header">
        <h1 id="connections-title">Connections</h1>
        <button type="button" className="primary" data-testid="connections-add" onClick={() => onAdd()}>
          Add a server
        </button>
      </header>
      <p className="muted">
        Remote PoolDesk servers this app manages. Secret access keys are kept in the system keychain, never shown again.
      </p>
      <ErrorBox error={connections.error} onRetry={() => connections.refetch()} />
      {connections.isPending ? (
        <Spinner label="Loading connections" />
      ) : rows.length === 0 ? (
        !connections.error && (
          <EmptyState title="No remote servers yet">
            <p>
              Run <code>pooldesk serve</code> on a server, then add it with its endpoint and access key.
            </p>
          </EmptyState>
        )
      ) : (
        <ul className="connection-list">
          {rows.map((c) => (
            <ConnectionCard key={c.name} connection={c} onAdd={onAdd} onRemoved={onRemoved} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ConnectionCard({
  connection: c,
  onAdd,
  onRemoved,
}: {
  connection: ConnectionInfo;
  onAdd: ConnectionsViewProps["onAdd"];
  onRemoved: ConnectionsViewProps["onRemoved"];
}) {
  const qc = useQueryClient();
  const confirm = useConfirm();
  const toast = useToast();
  const test = useMutation({ mutationFn: () => connectionTest(c.name) });
  const remove = useMutation({
    mutationFn: () => connectionRemove(c.name),
    onSuccess: (r) => {
      onRemoved(r.name);
      qc.removeQueries({ queryKey: [r.name] });
      void qc.invalidateQueries({ queryKey: ["connections"], exact: true });
      toast.ok(`Removed ${r.name}`);
    },
    onError: (e) => toast.error(e, `Removing ${c.name} failed`),
  });
  const secretMissing = test.error && ApiError.from(test.error).code === "SecretMissing";

  return (
    <li className="card" data-testid={`connection-card-${c.name}`}>
      <h2>{c.name}</h2>
      <dl className="kv">
        <dt>Endpoint</dt>
        <dd>
          <code>{c.endpoint}</code>
        </dd>
        <dt>Region</dt>
        <dd>
          <code>{c.region}</code>
        </dd>
        <dt>Access key id</dt>
        <dd>
          <code>{c.accessKeyId}</code>
        </dd>
      </dl>
      <div className="row-actions">
        <button type="button" data-testid={`connection-test-${c.name}`} disabled={test.isPending} onClick={() => test.mutate()}>
          {test.isPending ? <Spinner label="Testing" /> : null} Test
        </button>
        <button
          type="button"
          className="danger"
          data-testid={`connection-remove-${c.name}`}
          disabled={remove.isPending}
          onClick={async () => {
            const ok = await confirm({
              title: "Remove connection",
              message: `Remove ${c.name}? Its secret access key is deleted from the keychain.`,
              confirmLabel: "Remove",
              danger: true,
            });
            if (ok) remove.mutate();
          }}
        >
          Remove
        </button>
      </div>
      {(test.data || test.error) && (
        <div className="connection-test-result" data-testid={`connection-test-result-${c.name}`}>
          {test.data ? (
            <p className="ok-text" role="status">
              Connected: {checkSummary(test.data)}
            </p>
          ) : (
            <>
              <ConnectionErrorBox error={test.error} />
              {secretMissing && (
                <button
                  type="button"
                  data-testid={`connection-readd-${c.name}`}
                  onClick={() =>
                    onAdd({ name: c.name, endpoint: c.endpoint, region: c.region, accessKeyId: c.accessKeyId, replace: true })
                  }
                >
                  Re-add with its secret access key
                </button>
              )}
            </>
          )}
        </div>
      )}
    </li>
  );
}
