import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { CopyButton, ErrorBox, Spinner } from "../../components/bits";
import type { ClientSecretDescriptorType } from "../../generated/cognito-idp";
import { formatEpoch } from "../../lib/format";
import { useAction } from "../../lib/useAction";

/** Cognito keeps at most two secrets per client: the one in use and the one replacing it. */
const MAX_SECRETS = 2;

/**
 * A confidential client's secrets, rotated without downtime: add a second secret, give it to
 * the apps, then delete the old one. A generated secret is shown once, here, when it is added.
 */
export function SecretRotation({ poolId, clientId, onChanged }: { poolId: string; clientId: string; onChanged: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const [added, setAdded] = useState<string | null>(null);
  const action = useAction();
  const { busy, error } = action;
  const key = [api.connection, "ListUserPoolClientSecrets", poolId, clientId];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api.idp("ListUserPoolClientSecrets", { UserPoolId: poolId, ClientId: clientId }),
    select: (r) => r.ClientSecrets ?? [],
  });
  const secrets = q.data ?? [];

  const run = (work: () => Promise<void>) =>
    action.run(async () => {
      await work();
      await qc.invalidateQueries({ queryKey: key });
      onChanged();
    });

  const add = () =>
    run(async () => {
      const r = await api.idp("AddUserPoolClientSecret", { UserPoolId: poolId, ClientId: clientId });
      setAdded(r.ClientSecretDescriptor?.ClientSecretValue ?? null);
      toast.ok("Second secret added: both are accepted until you delete one");
    });

  const remove = async (s: ClientSecretDescriptorType) => {
    const ok = await confirm({
      title: "Delete client secret",
      message: `Delete the secret created ${formatEpoch(s.ClientSecretCreateDate)}? Apps still using it can no longer sign in through this client.`,
      confirmLabel: "Delete secret",
      danger: true,
    });
    if (!ok) return;
    await run(async () => {
      await api.idp("DeleteUserPoolClientSecret", { UserPoolId: poolId, ClientId: clientId, ClientSecretId: s.ClientSecretId! });
      setAdded(null);
      toast.ok("Client secret deleted");
    });
  };

  return (
    <section className="details-section" aria-labelledby="secret-rotation-title" data-testid="client-secrets">
      <h3 id="secret-rotation-title">Secret rotation</h3>
      {q.isPending && <Spinner />}
      <ErrorBox error={q.error ?? error} />
      <ul className="secret-list" aria-label="Client secrets">
        {secrets.map((s, i) => (
          <li key={s.ClientSecretId} data-testid="client-secret-row">
            <span className="mono">{s.ClientSecretId}</span>
            <span className="muted">
              created {formatEpoch(s.ClientSecretCreateDate)}
              {secrets.length > 1 && (i === 0 ? " · shown above" : " · newer")}
            </span>
            <button
              type="button"
              className="small danger"
              data-testid="client-secret-delete"
              disabled={busy || secrets.length < 2}
              title={secrets.length < 2 ? "A client keeps at least one secret" : undefined}
              onClick={() => void remove(s)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      {added && (
        <p className="secret-once" data-testid="client-secret-added">
          New secret, shown only now: <code data-testid="client-secret-added-value">{added}</code>{" "}
          <CopyButton text={added} label="new client secret" testId="client-secret-added-copy" />
        </p>
      )}
      <button type="button" data-testid="client-secret-add" disabled={busy || q.isPending || secrets.length >= MAX_SECRETS} onClick={() => void add()}>
        Add a secret
      </button>
      {secrets.length >= MAX_SECRETS && <p className="muted">Two secrets at most: delete the old one once every app has the new one.</p>}
    </section>
  );
}
