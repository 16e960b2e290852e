import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { serveForgetKey, serveStart, serveStatus, serveStop, type ServeStatus } from "../../api/tauri";
import { CopyButton, ErrorBox, Spinner } from "../../components/bits";

export function snippets(s: ServeStatus) {
  return {
    boto3: `import boto3\n\nidp = boto3.client(\n    "cognito-idp",\n    endpoint_url="${s.endpoint}",\n    region_name="${s.region}",\n    aws_access_key_id="${s.accessKeyId}",\n    aws_secret_access_key="${s.secretAccessKey}",\n)\nprint(idp.list_user_pools(MaxResults=60))`,
    cli: `export AWS_ACCESS_KEY_ID=${s.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${s.secretAccessKey}\naws cognito-idp list-user-pools --max-results 60 \\\n  --endpoint-url ${s.endpoint} --region ${s.region}`,
    js: `import { CognitoUserPool } from "amazon-cognito-identity-js";\n\nconst pool = new CognitoUserPool({\n  UserPoolId: "<pool id>",\n  ClientId: "<app client id>",\n  endpoint: "${s.endpoint}",\n});`,
  };
}

/** Whether to keep the key across starts: a preference, not a secret, so localStorage holds it. */
const KEEP_KEY = "pooldesk.serve.keepKey";

export function ServePanel() {
  const qc = useQueryClient();
  const status = useQuery({ queryKey: ["serve_status"], queryFn: serveStatus });
  const [port, setPort] = useState("9229");
  const [keepKey, setKeepKey] = useState(() => localStorage.getItem(KEEP_KEY) === "true");
  const start = useMutation({
    mutationFn: () => serveStart(port.trim() === "" ? null : Number(port), keepKey),
    onSuccess: (s) => qc.setQueryData(["serve_status"], s),
  });
  const forget = useMutation({ mutationFn: serveForgetKey });
  const stop = useMutation({
    mutationFn: serveStop,
    onSuccess: () => qc.setQueryData(["serve_status"], null),
  });
  const s = status.data;
  const portInvalid = port.trim() !== "" && !(/^\d+$/.test(port.trim()) && Number(port) >= 1 && Number(port) <= 65535);

  return (
    <section className="screen" aria-labelledby="serve-title">
      <header className="screen-header">
        <h1 id="serve-title">Serve this computer's pools</h1>
      </header>
      <p className="muted">
        Starts Cognito's API on 127.0.0.1 so apps under development sign in against these pools. The access key is an
        admin key valid only while serving: a new one each start, or the same one every start if you keep it.
      </p>
      {status.isPending && <Spinner label="Checking server" />}
      <ErrorBox error={status.error ?? start.error ?? stop.error ?? forget.error} />
      {!s ? (
        <form
          className="row-inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (!portInvalid) start.mutate();
          }}
        >
          <label className="field inline">
            <span>Port</span>
            <input
              data-testid="serve-port"
              inputMode="numeric"
              value={port}
              onChange={(e) => setPort(e.target.value)}
              aria-invalid={portInvalid}
            />
          </label>
          <button type="submit" className="primary" data-testid="serve-start" disabled={start.isPending || portInvalid}>
            {start.isPending ? <Spinner label="Starting" /> : null} Start serving
          </button>
          {portInvalid && <span className="field-error">Port 1–65535</span>}
          <label className="checkbox">
            <input
              type="checkbox"
              data-testid="serve-keep-key"
              checked={keepKey}
              onChange={(e) => {
                setKeepKey(e.target.checked);
                localStorage.setItem(KEEP_KEY, String(e.target.checked));
              }}
            />
            Keep the same key across starts (kept in the OS keychain), so apps need no new settings
          </label>
          {keepKey && (
            <button
              type="button"
              data-testid="serve-forget-key"
              disabled={forget.isPending}
              onClick={() => forget.mutate()}
              title="The next start makes a new kept key; apps using the old one must be updated"
            >
              Replace the kept key
            </button>
          )}
          {forget.isSuccess && (
            <span className="muted" role="status" data-testid="serve-key-forgotten">
              {forget.data ? "The kept key is gone; the next start makes a new one." : "No key was kept."}
            </span>
          )}
        </form>
      ) : (
        <>
          <dl className="kv">
            <dt>Endpoint</dt>
            <dd>
              <code data-testid="serve-endpoint">{s.endpoint}</code> <CopyButton text={s.endpoint} label="endpoint" />
            </dd>
            <dt>Region</dt>
            <dd>
              <code>{s.region}</code>
            </dd>
            <dt>Access key id</dt>
            <dd>
              <code data-testid="serve-access-key">{s.accessKeyId}</code> <CopyButton text={s.accessKeyId} label="access key id" />
            </dd>
            <dt>Key</dt>
            <dd data-testid="serve-key-kind">
              {s.keyKept ? "Kept in the OS keychain: the same key every start" : "New for this start; gone when serving stops"}
            </dd>
            <dt>Secret access key</dt>
            <dd>
              <code data-testid="serve-secret-key">{s.secretAccessKey}</code>{" "}
              <CopyButton text={s.secretAccessKey} label="secret access key" />
            </dd>
          </dl>
          <button type="button" className="danger" data-testid="serve-stop" disabled={stop.isPending} onClick={() => stop.mutate()}>
            {stop.isPending ? <Spinner label="Stopping" /> : null} Stop serving
          </button>
          <h2>Point your client at it</h2>
          {Object.entries(snippets(s)).map(([k, text]) => (
            <div key={k} className="snippet">
              <div className="snippet-head">
                <strong>{k === "boto3" ? "boto3 (Python)" : k === "cli" ? "AWS CLI" : "amazon-cognito-identity-js"}</strong>
                <CopyButton text={text} label={`${k} snippet`} />
              </div>
              <pre>
                <code>{text}</code>
              </pre>
            </div>
          ))}
        </>
      )}
    </section>
  );
}
