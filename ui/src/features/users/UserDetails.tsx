import { useEffect, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { AdminGetUserResponse, SchemaAttributeType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { formatEpoch } from "../../lib/format";
import { personName } from "../../lib/person";
import { toMessages, type Navigate } from "../../routes";
import { usePoolGroups, useUserPool } from "../userPools/queries";
import { lockReason, newAttributeNames, shownElsewhere } from "./userAttributes";
import { LockIcon } from "./LockIcon";
import { LinkedIdentities } from "./LinkedIdentities";
import { Devices } from "./Devices";
import "./userForms.css";

export function UserDetails({
  poolId,
  username,
  onClose,
  onChanged,
  navigate,
}: {
  poolId: string;
  username: string;
  onClose: () => void;
  onChanged: () => void;
  navigate: Navigate;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const key = [api.connection, "AdminGetUser", poolId, username];
  const user = useQuery({ queryKey: key, queryFn: () => api.idp("AdminGetUser", { UserPoolId: poolId, Username: username }) });
  const pool = useUserPool(poolId);
  const changed = () => {
    void qc.invalidateQueries({ queryKey: key });
    onChanged();
  };
  // Until the user loads, the username is all there is to show.
  const name = user.data ? personName(user.data, pool.data?.UsernameAttributes) : username;
  const schema = pool.data?.SchemaAttributes ?? [];

  return (
    <aside className="details" aria-labelledby="user-details-title" data-testid="user-details" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <header className="details-header">
        <div className="details-person">
          <h2 id="user-details-title" className={name === username ? "mono" : undefined} data-testid="user-details-name">
            {name}
          </h2>
          {name !== username && (
            <span className="details-username muted mono" data-testid="user-details-username" title="Username">
              {username}
            </span>
          )}
        </div>
        <button type="button" className="icon-button" aria-label="Close user details" onClick={onClose}>
          ×
        </button>
      </header>
      {user.isPending && <Spinner label="Loading user" />}
      <ErrorBox error={user.error} onRetry={() => user.refetch()} />
      {user.data && (
        <>
          <dl className="kv">
            <dt>Status</dt>
            <dd className="status-line">
              <span data-testid="user-status">{user.data.UserStatus}</span>
              {user.data.UserStatus === "UNCONFIRMED" && <ConfirmUser poolId={poolId} username={username} name={name} onChanged={changed} />}
            </dd>
            <dt>Enabled</dt>
            <dd>{user.data.Enabled === false ? "Disabled" : "Enabled"}</dd>
            <dt>Created</dt>
            <dd>{formatEpoch(user.data.UserCreateDate)}</dd>
            <dt>Modified</dt>
            <dd>{formatEpoch(user.data.UserLastModifiedDate)}</dd>
          </dl>
          <button type="button" className="link-button" onClick={() => navigate(toMessages(poolId, username))}>
            Messages sent to this user
          </button>
          <Attributes poolId={poolId} user={user.data} schema={schema} onChanged={changed} />
          <LinkedIdentities poolId={poolId} user={user.data} onChanged={changed} />
          <Groups poolId={poolId} username={username} />
          <Mfa poolId={poolId} user={user.data} onChanged={changed} />
          <SetPassword poolId={poolId} username={username} onChanged={changed} />
          <Devices poolId={poolId} username={username} />
          <AuthEvents poolId={poolId} username={username} />
        </>
      )}
    </aside>
  );
}

/** AdminConfirmSignUp for a user who signed up and never confirmed, after asking. */
function ConfirmUser({ poolId, username, name, onChanged }: { poolId: string; username: string; name: string; onChanged: () => void }) {
  const api = useApi();
  const toast = useToast();
  const confirm = useConfirm();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    const ok = await confirm({
      title: "Confirm user",
      message: `Confirm ${name} without a confirmation code? They can sign in right away.`,
      confirmLabel: "Confirm user",
    });
    if (!ok) return;
    setBusy(true);
    try {
      await api.idp("AdminConfirmSignUp", { UserPoolId: poolId, Username: username });
      toast.ok(`Confirmed ${name}`);
      onChanged();
    } catch (e) {
      toast.error(e, "Confirm user");
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="small" data-testid="user-confirm" disabled={busy} onClick={() => void run()}>
      Confirm user
    </button>
  );
}

function Attributes({
  poolId,
  user,
  schema,
  onChanged,
}: {
  poolId: string;
  user: AdminGetUserResponse;
  schema: SchemaAttributeType[];
  onChanged: () => void;
}) {
  const api = useApi();
  const toast = useToast();
  const confirm = useConfirm();
  const original = Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name!, a.Value ?? ""]));
  const [values, setValues] = useState<Record<string, string>>(original);
  const [newName, setNewName] = useState("");
  const [newValue, setNewValue] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setValues(original), [user]); // eslint-disable-line react-hooks/exhaustive-deps

  const dirty = Object.entries(values).filter(([k, v]) => original[k] !== v);
  const suggestions = newAttributeNames(schema, Object.keys(original));
  // `identities` is listed by Linked identities, below.
  const listed = Object.keys(values).filter((name) => !shownElsewhere(name, values[name] ?? ""));

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const attrs = dirty.map(([Name, Value]) => ({ Name, Value }));
      if (newName) attrs.push({ Name: newName, Value: newValue });
      await api.idp("AdminUpdateUserAttributes", { UserPoolId: poolId, Username: user.Username, UserAttributes: attrs });
      setNewName("");
      setNewValue("");
      toast.ok("Attributes saved");
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (name: string) => {
    if (!(await confirm({ title: "Delete attribute", message: `Delete ${name} from ${user.Username}?`, confirmLabel: "Delete", danger: true }))) return;
    try {
      await api.idp("AdminDeleteUserAttributes", { UserPoolId: poolId, Username: user.Username, UserAttributeNames: [name] });
      onChanged();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="details-section" aria-labelledby="attrs-title">
      <h3 id="attrs-title">Attributes</h3>
      <form
        className="attr-list"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {listed.map((name) => {
          const locked = lockReason(name, schema);
          if (locked) return <LockedAttribute key={name} name={name} value={values[name] ?? ""} reason={locked} />;
          return (
            <div key={name} className="attr-row" data-testid="user-attribute" data-name={name}>
              <label className="field inline grow">
                <span className="mono">{name}</span>
                <AttributeValueInput
                  type={schema.find((a) => a.Name === name)?.AttributeDataType}
                  value={values[name] ?? ""}
                  onChange={(value) => setValues((v) => ({ ...v, [name]: value }))}
                />
              </label>
              <button type="button" className="small" aria-label={`Delete attribute ${name}`} onClick={() => void remove(name)}>
                Delete
              </button>
            </div>
          );
        })}
        <div className="attr-row">
          <label className="field inline">
            <span>New attribute</span>
            <input
              value={newName}
              onChange={(e) => setNewName(e.target.value)}
              placeholder={suggestions.find((n) => n.startsWith("custom:")) ?? "custom:tier"}
              list="new-attribute-names"
              data-testid="user-new-attribute"
              autoComplete="off"
            />
            <datalist id="new-attribute-names" data-testid="user-new-attribute-names">
              {suggestions.map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          </label>
          <label className="field inline grow">
            <span>Value</span>
            <input value={newValue} onChange={(e) => setNewValue(e.target.value)} data-testid="user-new-attribute-value" />
          </label>
        </div>
        <ErrorBox error={error} />
        <button type="submit" className="primary small" disabled={busy || (dirty.length === 0 && !newName)} data-testid="user-save-attributes">
          Save attributes
        </button>
      </form>
    </section>
  );
}

/** A value as its schema type takes it: booleans are picked, not typed. */
function AttributeValueInput({ type, value, onChange }: { type: string | undefined; value: string; onChange: (v: string) => void }) {
  if (type === "Boolean") {
    return (
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {value !== "true" && value !== "false" && <option value={value}>{value || "(not set)"}</option>}
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  return <input value={value} inputMode={type === "Number" ? "decimal" : undefined} onChange={(e) => onChange(e.target.value)} />;
}

/** An attribute the admin cannot change, with why. */
function LockedAttribute({ name, value, reason }: { name: string; value: string; reason: string }) {
  return (
    <div className="attr-locked" data-testid="user-attribute" data-name={name} data-locked="true">
      <span className="mono muted attr-name">{name}</span>
      <span className="attr-value" data-testid="user-attribute-value">
        {value}
      </span>
      <span className="attr-lock-reason">
        <LockIcon /> {reason}
      </span>
    </div>
  );
}

function Groups({ poolId, username }: { poolId: string; username: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const confirm = useConfirm();
  const key = [api.connection, "AdminListGroupsForUser", poolId, username];
  const groups = useQuery({
    queryKey: key,
    queryFn: () => api.idp("AdminListGroupsForUser", { UserPoolId: poolId, Username: username, Limit: 60 }),
  });
  const all = usePoolGroups(poolId);
  const [error, setError] = useState<unknown>(null);
  const [pick, setPick] = useState("");
  const mine = new Set((groups.data?.Groups ?? []).map((g) => g.GroupName));
  const candidates = (all.data?.pages.flatMap((p) => p.Groups ?? []) ?? []).filter((g) => !mine.has(g.GroupName));

  const change = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="details-section" aria-labelledby="groups-title">
      <h3 id="groups-title">Groups</h3>
      {groups.isPending && <Spinner label="Loading groups" />}
      {groups.data && (groups.data.Groups ?? []).length === 0 && <p className="muted">In no group.</p>}
      <ul className="chip-list">
        {(groups.data?.Groups ?? []).map((g) => (
          <li key={g.GroupName} className="chip">
            {g.GroupName}
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove from group ${g.GroupName}`}
              onClick={async () => {
                if (!(await confirm({ title: "Remove from group", message: `Remove ${username} from ${g.GroupName}?`, confirmLabel: "Remove", danger: true }))) return;
                await change(() => api.idp("AdminRemoveUserFromGroup", { UserPoolId: poolId, Username: username, GroupName: g.GroupName! }));
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {candidates.length > 0 && (
        <form
          className="row-inline"
          onSubmit={(e) => {
            e.preventDefault();
            const g = pick || candidates[0]!.GroupName!;
            void change(() => api.idp("AdminAddUserToGroup", { UserPoolId: poolId, Username: username, GroupName: g }));
          }}
        >
          <label className="field inline">
            <span>Add to group</span>
            <select value={pick || candidates[0]!.GroupName} onChange={(e) => setPick(e.target.value)}>
              {candidates.map((g) => (
                <option key={g.GroupName}>{g.GroupName}</option>
              ))}
            </select>
          </label>
          <button type="submit" className="small">
            Add
          </button>
        </form>
      )}
      <ErrorBox error={error ?? groups.error} />
    </section>
  );
}

const MFA_KINDS = [
  { setting: "SOFTWARE_TOKEN_MFA", label: "Authenticator app", field: "SoftwareTokenMfaSettings" },
  { setting: "SMS_MFA", label: "SMS", field: "SMSMfaSettings" },
  { setting: "EMAIL_OTP", label: "E-mail", field: "EmailMfaSettings" },
] as const;

function Mfa({ poolId, user, onChanged }: { poolId: string; user: AdminGetUserResponse; onChanged: () => void }) {
  const api = useApi();
  const [error, setError] = useState<unknown>(null);
  const enabled = new Set(user.UserMFASettingList ?? []);
  const preferred = user.PreferredMfaSetting;

  const set = async (setting: string, on: boolean, prefer: boolean) => {
    setError(null);
    const kind = MFA_KINDS.find((k) => k.setting === setting)!;
    try {
      await api.idp("AdminSetUserMFAPreference", {
        UserPoolId: poolId,
        Username: user.Username,
        [kind.field]: { Enabled: on, PreferredMfa: prefer },
      });
      onChanged();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="details-section" aria-labelledby="mfa-title">
      <h3 id="mfa-title">MFA</h3>
      <table className="data-table compact">
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col">Enabled</th>
            <th scope="col">Preferred</th>
          </tr>
        </thead>
        <tbody>
          {MFA_KINDS.map((k) => (
            <tr key={k.setting}>
              <td>{k.label}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${k.label} MFA enabled`}
                  checked={enabled.has(k.setting)}
                  onChange={(e) => void set(k.setting, e.target.checked, e.target.checked && preferred === k.setting)}
                />
              </td>
              <td>
                <input
                  type="radio"
                  name="preferred-mfa"
                  aria-label={`Prefer ${k.label}`}
                  checked={preferred === k.setting}
                  disabled={!enabled.has(k.setting)}
                  onChange={() => void set(k.setting, true, true)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorBox error={error} />
    </section>
  );
}

function SetPassword({ poolId, username, onChanged }: { poolId: string; username: string; onChanged: () => void }) {
  const api = useApi();
  const toast = useToast();
  const [password, setPassword] = useState("");
  const [permanent, setPermanent] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="details-section" aria-labelledby="pw-title">
      <h3 id="pw-title">Set password</h3>
      <form
        className="row-inline"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await api.idp("AdminSetUserPassword", { UserPoolId: poolId, Username: username, Password: password, Permanent: permanent });
            setPassword("");
            toast.ok("Password set");
            onChanged();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label className="field inline grow">
          <span>New password</span>
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="user-set-password" />
        </label>
        <label className="check">
          <input type="checkbox" checked={permanent} onChange={(e) => setPermanent(e.target.checked)} /> Permanent
        </label>
        <button type="submit" className="small" disabled={busy || password === ""}>
          Set
        </button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}

function AuthEvents({ poolId, username }: { poolId: string; username: string }) {
  const api = useApi();
  const events = useQuery({
    queryKey: [api.connection, "AdminListUserAuthEvents", poolId, username],
    queryFn: () => api.idp("AdminListUserAuthEvents", { UserPoolId: poolId, Username: username, MaxResults: 10 }),
  });
  const list = events.data?.AuthEvents ?? [];
  return (
    <section className="details-section" aria-labelledby="events-title">
      <h3 id="events-title">Recent sign-in events</h3>
      {events.isPending && <Spinner label="Loading events" />}
      <ErrorBox error={events.error} />
      {events.data && list.length === 0 && <EmptyState title="No sign-in events" />}
      {list.length > 0 && (
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {list.map((ev) => (
              <tr key={ev.EventId}>
                <td>{formatEpoch(ev.CreationDate)}</td>
                <td>{ev.EventType}</td>
                <td>{ev.EventResponse}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
