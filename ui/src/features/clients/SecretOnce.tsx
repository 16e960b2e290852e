import { CopyButton } from "../../components/bits";

/** The new client's id and secret, shown right after creation (the details show the secret again). */
export function SecretOnce({ clientId, secret }: { clientId: string; secret: string }) {
  return (
    <div className="secret-once" data-testid="client-secret-once">
      <p>
        <strong>App client created with a secret.</strong> Keep the secret out of code that ships to people's devices; you can
        show it again from the client's details.
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
