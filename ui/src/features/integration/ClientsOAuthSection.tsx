import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { ApiError } from "../../api/errors";
import { openLoginPage } from "../../api/tauri";
import { useToast } from "../../components/Toast";
import { copyText, EmptyState, ErrorBox, Spinner } from "../../components/bits";
import type { UserPoolClientDescription, UserPoolClientType } from "../../generated/cognito-idp";
import { usePoolClients, useUserPool } from "../userPools/queries";
import { EditOAuthDialog } from "./EditOAuthDialog";
import { hasLoginPages } from "./oauthForm";
import { useResourceServers } from "./queries";
import { customScopes } from "./resourceServerForm";

/** The words for the errors of opening the login pages that need more than the server's message. */
export function loginPageError(e: unknown): ApiError {
  const err = ApiError.from(e);
  if (err.code === "ServeNotRunning") return new ApiError(err.code, "Start serving this computer's pools (Serve) to open the login pages.");
  return err;
}

/** Every app client's OAuth settings at a glance, with the ways into editing them and the login pages. */
export function ClientsOAuthSection({ poolId }: { poolId: string }) {
  const clients = usePoolClients(poolId);
  const list = clients.data?.pages.flatMap((p) => p.UserPoolClients ?? []) ?? [];
  return (
    <section className="card integration-section" aria-labelledby="clients-oauth-title" data-testid="clients-oauth-section">
      <header className="integration-section-header">
        <h2 id="clients-oauth-title">App clients' OAuth settings</h2>
      </header>
      {clients.isPending && <Spinner label="Loading app clients" />}
      <ErrorBox error={clients.error} onRetry={() => clients.refetch()} />
      {!clients.isPending && list.length === 0 && !clients.error && (
        <EmptyState title="No app clients">
          <p>Create an app client (App clients tab) to sign users in through OAuth.</p>
        </EmptyState>
      )}
      <ul className="integration-clients">
        {list.map((c) => (
          <ClientOAuthItem key={c.ClientId} poolId={poolId} item={c} />
        ))}
      </ul>
      {clients.hasNextPage && (
        <button type="button" className="small" disabled={clients.isFetchingNextPage} onClick={() => void clients.fetchNextPage()}>
          More app clients
        </button>
      )}
    </section>
  );
}

function ClientOAuthItem({ poolId, item }: { poolId: string; item: UserPoolClientDescription }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const pool = useUserPool(poolId);
  const servers = useResourceServers(poolId);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState<"open" | "copy" | null>(null);
  const clientId = item.ClientId!;
  // The same key as the client's details dialog: one cache for both.
  const key = [api.connection, "DescribeUserPoolClient", poolId, clientId];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api.idp("DescribeUserPoolClient", { UserPoolId: poolId, ClientId: clientId }),
    select: (r) => r.UserPoolClient,
  });
  const c = q.data;
  const name = c?.ClientName ?? item.ClientName ?? clientId;
  const hasDomain = !!(pool.data?.Domain || pool.data?.CustomDomain);
  const why = !hasDomain ? "The pool needs a domain first." : c && !hasLoginPages(c) ? "Turn on OAuth with the code or implicit flow first." : undefined;

  const open = async () => {
    setBusy("open");
    try {
      const url = await openLoginPage(api.connection, poolId, clientId);
      toast.ok(`Opened ${url}`);
    } catch (e) {
      toast.error(loginPageError(e), "Login page not opened");
    } finally {
      setBusy(null);
    }
  };
  const copy = async () => {
    setBusy("copy");
    try {
      const { Url } = await api.pooldesk("GetLoginUrl", { UserPoolId: poolId, ClientId: clientId });
      if (await copyText(Url)) toast.ok(`Login URL copied: ${Url}`);
      else toast.ok(`Login URL: ${Url}`);
    } catch (e) {
      toast.error(e, "No login URL");
    } finally {
      setBusy(null);
    }
  };

  return (
    <li className="integration-item" data-testid={`client-oauth-${clientId}`} aria-label={`App client ${name}`}>
      <div className="integration-item-head">
        <strong>{name}</strong> <span className="muted mono small-text">{clientId}</span>
      </div>
      {q.isPending && <Spinner label={`Loading ${name}`} />}
      <ErrorBox error={q.error} onRetry={() => q.refetch()} />
      {c && <OAuthSummary client={c} />}
      <div className="row-actions">
        <button type="button" className="small" data-testid={`client-oauth-edit-${clientId}`} aria-label={`Edit OAuth settings of ${name}`} disabled={!c} onClick={() => setEditing(true)}>
          Edit OAuth settings
        </button>
        <button
          type="button"
          className="small"
          data-testid={`client-open-login-${clientId}`}
          aria-label={`Open the login page of ${name}`}
          disabled={!!why || busy !== null}
          title={why}
          onClick={() => void open()}
        >
          {busy === "open" ? <Spinner label="Opening" /> : null} Open login page
        </button>
        <button
          type="button"
          className="small"
          data-testid={`client-copy-login-${clientId}`}
          aria-label={`Copy the login URL of ${name}`}
          disabled={!!why || busy !== null}
          title={why}
          onClick={() => void copy()}
        >
          Copy login URL
        </button>
        {why && c && <span className="muted small-text">{why}</span>}
      </div>
      {editing && c && (
        <EditOAuthDialog
          client={c}
          customScopes={customScopes(servers.data ?? [])}
          onClose={() => setEditing(false)}
          onSaved={(updated) => {
            qc.setQueryData(key, { UserPoolClient: updated });
            setEditing(false);
            toast.ok(`OAuth settings of ${updated.ClientName ?? name} saved`);
          }}
        />
      )}
    </li>
  );
}

function OAuthSummary({ client: c }: { client: UserPoolClientType }) {
  const id = c.ClientId;
  if (!c.AllowedOAuthFlowsUserPoolClient) {
    return (
      <p className="muted" data-testid={`client-oauth-summary-${id}`}>
        OAuth off{c.CallbackURLs?.length ? ` (callback URLs kept: ${c.CallbackURLs.join(", ")})` : ""}
      </p>
    );
  }
  return (
    <dl className="kv" data-testid={`client-oauth-summary-${id}`}>
      <dt>Flows</dt>
      <dd>{(c.AllowedOAuthFlows ?? []).join(", ") || "—"}</dd>
      <dt>Scopes</dt>
      <dd>{(c.AllowedOAuthScopes ?? []).join(", ") || "—"}</dd>
      <dt>Callback URLs</dt>
      <dd className="mono small-text">{(c.CallbackURLs ?? []).join(", ") || "—"}</dd>
      {c.DefaultRedirectURI && (
        <>
          <dt>Default redirect</dt>
          <dd className="mono small-text">{c.DefaultRedirectURI}</dd>
        </>
      )}
      {(c.LogoutURLs ?? []).length > 0 && (
        <>
          <dt>Sign-out URLs</dt>
          <dd className="mono small-text">{c.LogoutURLs!.join(", ")}</dd>
        </>
      )}
      <dt>Identity providers</dt>
      <dd>{(c.SupportedIdentityProviders ?? []).join(", ") || "—"}</dd>
    </dl>
  );
}
