import { useState } from "react";
import type { AdminGetUserResponse } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { ErrorBox, Spinner } from "../../components/bits";
import { attr } from "../../lib/format";
import { useIdentityProviders } from "../providers/queries";
import { formatIdentityDate, parseIdentities, type LinkedIdentity } from "./identities";

/**
 * The external identities (sign-in providers) linked to a user: unlink one, or link a provider's
 * subject to this user so signing in there signs in as this user.
 */
export function LinkedIdentities({ poolId, user, onChanged }: { poolId: string; user: AdminGetUserResponse; onChanged: () => void }) {
  const api = useApi();
  const toast = useToast();
  const confirm = useConfirm();
  const providers = useIdentityProviders(poolId);
  const identities = parseIdentities(attr(user.UserAttributes, "identities"));
  const federated = user.UserStatus === "EXTERNAL_PROVIDER";
  const [provider, setProvider] = useState("");
  const [subject, setSubject] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const names = (providers.data ?? []).map((p) => p.ProviderName!);
  const chosen = provider || names[0] || "";

  const unlink = async (i: LinkedIdentity) => {
    const ok = await confirm({
      title: "Unlink identity",
      message: federated
        ? `Unlink ${i.providerName} subject ${i.userId}? This user signs in only through it, so they can no longer sign in.`
        : `Unlink ${i.providerName} subject ${i.userId} from ${user.Username}? Signing in through ${i.providerName} no longer signs in as this user.`,
      confirmLabel: "Unlink",
      danger: true,
    });
    if (!ok) return;
    setError(null);
    try {
      await api.idp("AdminDisableProviderForUser", {
        UserPoolId: poolId,
        User: { ProviderName: i.providerName, ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: i.userId },
      });
      toast.ok(`Unlinked ${i.providerName} from ${user.Username}`);
      onChanged();
    } catch (e) {
      setError(e);
    }
  };

  const link = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.idp("AdminLinkProviderForUser", {
        UserPoolId: poolId,
        DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: user.Username },
        SourceUser: { ProviderName: chosen, ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: subject.trim() },
      });
      toast.ok(`Linked ${chosen} subject ${subject.trim()} to ${user.Username}`);
      setSubject("");
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="details-section linked-identities" aria-labelledby="identities-title" data-testid="user-identities">
      <h3 id="identities-title">Linked identities</h3>
      {identities.length === 0 ? (
        <p className="muted">No external identity is linked to this user.</p>
      ) : (
        <ul className="identity-list" aria-label="Linked identities">
          {identities.map((i) => (
            <li key={`${i.providerName}/${i.userId}`} className="identity-item" data-testid="user-identity">
              <div className="identity-text">
                <strong title={i.issuer}>{i.providerName}</strong> <span className="mono identity-subject">{i.userId}</span>
                <div className="muted small-text">
                  {i.primary ? "Primary" : "Linked"} · {formatIdentityDate(i.dateCreated)}
                </div>
              </div>
              <button
                type="button"
                className="small danger"
                data-testid={`identity-unlink-${i.providerName}-${i.userId}`}
                aria-label={`Unlink ${i.providerName} subject ${i.userId}`}
                onClick={() => void unlink(i)}
              >
                Unlink
              </button>
            </li>
          ))}
        </ul>
      )}
      {federated ? (
        <p className="muted small-text">This user was created by a sign-in provider; link identities to a user of the pool's own directory instead.</p>
      ) : (
        <form
          className="row-inline"
          aria-label="Link an identity"
          onSubmit={(e) => {
            e.preventDefault();
            void link();
          }}
        >
          <label className="field inline">
            <span>Provider</span>
            <select value={chosen} onChange={(e) => setProvider(e.target.value)} disabled={names.length === 0} data-testid="identity-link-provider">
              {names.length === 0 && <option value="">{providers.isPending ? "Loading…" : "No sign-in provider"}</option>}
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label className="field inline grow">
            <span>Subject at the provider</span>
            <input value={subject} onChange={(e) => setSubject(e.target.value)} autoComplete="off" spellCheck={false} data-testid="identity-link-subject" />
          </label>
          <button type="submit" className="small" disabled={busy || !chosen || subject.trim() === ""} data-testid="identity-link">
            {busy ? <Spinner label="Linking" /> : null} Link identity
          </button>
        </form>
      )}
      <ErrorBox error={error ?? providers.error} testId="identity-error" />
    </section>
  );
}
