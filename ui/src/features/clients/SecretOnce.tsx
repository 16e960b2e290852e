import { CopyButton } from "../../components/bits";

/** The client secret, shown once right after creation: the UI never displays it again. */
export function SecretOnce({ clientId, secret }: { clientId: string; secret: string }) {
  return (
    <div className="secret-once" data-testid="client-secret-once">
      <p>
        <strong>Copy the client secret now.</strong> PoolDesk will not show it again.
      </p>
      <dl className="kv">
        <dt>Client id</dt>
        <dd>
          <code>{clientId}</code> <CopyButton text={clientId} label="client id" />
        </dd>
        <dt>Client secret</dt>
        <dd>
          <code data-testid="client-secret">{secret}</code> <CopyButton text={secret} label="client secret" testId="copy-client-secret" />
        </dd>
      </dl>
    </div>
  );
}
