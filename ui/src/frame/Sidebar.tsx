import { useId } from "react";
import { LOCAL_CONNECTION } from "../api/connection";
import type { AppInfo } from "../api/tauri";
import { ErrorBox } from "../components/bits";
import { toAudit, toConnections, toIdentityPools, toMessages, toServe, toUserPools, type View } from "../routes";
import type { ThemeChoice } from "../theme";
import { ConnectionMark } from "./AppHeader";
import { hostOf, isLocal, type Connection } from "./connections";

const SECTIONS: { kind: View["kind"]; label: string; testId: string; to: () => View; match: View["kind"][] }[] = [
  { kind: "userPools", label: "User pools", testId: "nav-user-pools", to: toUserPools, match: ["userPools", "userPool"] },
  {
    kind: "identityPools",
    label: "Identity pools",
    testId: "nav-identity-pools",
    to: toIdentityPools,
    match: ["identityPools", "identityPool"],
  },
  { kind: "messages", label: "Messages", testId: "nav-messages", to: () => toMessages(), match: ["messages"] },
  { kind: "audit", label: "Audit log", testId: "nav-audit", to: toAudit, match: ["audit"] },
  { kind: "serve", label: "Serve", testId: "nav-serve", to: toServe, match: ["serve"] },
];

/** Serving is of this computer's pools only. */
const sectionsFor = (connection: string) => SECTIONS.filter((s) => s.kind !== "serve" || connection === LOCAL_CONNECTION);

export function Sidebar({
  connections,
  connection,
  view,
  onSelectConnection,
  onNavigate,
  onAddConnection,
  connectionsError,
  theme,
  onToggleTheme,
  version,
}: {
  connections: Connection[];
  connection: string;
  view: View;
  onSelectConnection: (id: string) => void;
  onNavigate: (v: View) => void;
  onAddConnection: () => void;
  connectionsError: unknown;
  theme: ThemeChoice;
  onToggleTheme: () => void;
  version?: AppInfo;
}) {
  return (
    <nav id="sidebar" className="sidebar" aria-label="Connections and sections">
      <div className="brand">PoolDesk</div>
      {connections.map((c) => (
        <div key={c.id} className={isLocal(c) ? "connection connection-local" : "connection connection-remote"}>
          <ConnectionButton connection={c} active={c.id === connection} onSelect={() => onSelectConnection(c.id)} />
          {c.id === connection && (
            <ul className="nav-list">
              {sectionsFor(c.id).map((s) => {
                const active = s.match.includes(view.kind);
                return (
                  <li key={s.kind}>
                    <button
                      type="button"
                      className={active ? "nav-item active" : "nav-item"}
                      aria-current={active ? "page" : undefined}
                      data-testid={s.testId}
                      onClick={() => onNavigate(s.to())}
                    >
                      {s.label}
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      ))}
      <ErrorBox error={connectionsError} testId="connections-list-error" />
      <div className="sidebar-actions">
        <button type="button" className="small" data-testid="add-connection" onClick={onAddConnection}>
          Add a server
        </button>
        <button
          type="button"
          className={view.kind === "connections" ? "nav-item active" : "nav-item"}
          aria-current={view.kind === "connections" ? "page" : undefined}
          data-testid="nav-connections"
          onClick={() => onNavigate(toConnections())}
        >
          Connections
        </button>
      </div>
      <div className="sidebar-footer">
        <button type="button" className="small" onClick={onToggleTheme} aria-label={`Theme: ${theme}. Change theme`}>
          Theme: {theme}
        </button>
        {version && (
          <p className="muted small-text" title={version.databasePath}>
            v{version.version}
          </p>
        )}
      </div>
    </nav>
  );
}

/** The connection's name is its accessible name; where it is (this computer or a host) describes it. */
function ConnectionButton({ connection: c, active, onSelect }: { connection: Connection; active: boolean; onSelect: () => void }) {
  const whereId = useId();
  const local = isLocal(c);
  return (
    <button
      type="button"
      className={`connection-name ${active ? "active" : ""}`}
      aria-current={active ? "true" : undefined}
      aria-describedby={whereId}
      data-testid={`connection-${c.id}`}
      data-kind={local ? "local" : "remote"}
      title={c.endpoint}
      onClick={onSelect}
    >
      <ConnectionMark local={local} />
      <span className="connection-text">
        <span className="connection-label">{c.label}</span>
        <span className="connection-where" id={whereId} aria-hidden="true">
          {local ? "local pools" : `remote · ${hostOf(c.endpoint ?? "")}`}
        </span>
      </span>
    </button>
  );
}
