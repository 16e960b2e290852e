import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { ConnectionProvider, LOCAL_CONNECTION } from "./api/connection";
import { appInfo } from "./api/tauri";
import { ConfirmProvider } from "./components/Confirm";
import { ToastProvider } from "./components/Toast";
import { toAudit, toConnections, toIdentityPools, toMessages, toServe, toUserPools, type View } from "./routes";
import { applyTheme, loadTheme, nextTheme, type ThemeChoice } from "./theme";
import { UserPoolList } from "./features/userPools/UserPoolList";
import { UserPoolView } from "./features/userPools/UserPoolView";
import { IdentityPoolList } from "./features/identityPools/IdentityPoolList";
import { IdentityPoolView } from "./features/identityPools/IdentityPoolView";
import { MessagesView } from "./features/messages/MessagesView";
import { AuditLogView } from "./features/audit/AuditLogView";
import { ServePanel } from "./features/serve/ServePanel";
import { AddConnectionDialog } from "./features/connections/AddConnectionDialog";
import { ConnectionsView, type ConnectionsViewProps } from "./features/connections/ConnectionsView";
import type { ConnectionPrefill } from "./features/connections/connectionForm";
import { useConnections } from "./features/connections/queries";
import { ErrorBox } from "./components/bits";
import { guardNavigate } from "./lib/leaveGuard";

interface Connection {
  id: string;
  label: string;
  /** The remote server's endpoint, shown as a tooltip. */
  endpoint?: string;
}

/** "local" is the pools in this computer's data directory; remote servers follow it. */
const THIS_COMPUTER: Connection = { id: LOCAL_CONNECTION, label: "This computer" };

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

export function App() {
  const [connection, setConnection] = useState(LOCAL_CONNECTION);
  const [view, setView] = useState<View>(toUserPools());
  const [theme, setTheme] = useState<ThemeChoice>(loadTheme);
  const info = useQuery({ queryKey: ["app_info"], queryFn: appInfo, staleTime: Infinity });
  const remotes = useConnections();
  const [adding, setAdding] = useState<ConnectionPrefill | null>(null);
  const connections: Connection[] = [
    THIS_COMPUTER,
    ...(remotes.data ?? []).map((c) => ({ id: c.name, label: c.name, endpoint: c.endpoint })),
  ];

  /** Screens with unsaved edits are asked before the view changes. */
  const navigate = useMemo(() => guardNavigate(setView), []);
  /** Every connection opens on its user pools; caches stay apart (query keys start with it). */
  const selectConnection = guardNavigate((id: string) => {
    setConnection(id);
    setView(toUserPools());
  });
  const connectionsScreen: ConnectionsViewProps = {
    onAdd: (prefill) => setAdding(prefill ?? {}),
    onRemoved: (name) => {
      if (name === connection) selectConnection(LOCAL_CONNECTION);
    },
  };

  const toggleTheme = () => {
    const t = nextTheme(theme);
    applyTheme(t);
    setTheme(t);
  };

  return (
    <ToastProvider>
      <ConfirmProvider>
        <ConnectionProvider connection={connection}>
          <a className="skip-link" href="#main">
            Skip to content
          </a>
          <div className="app">
            <nav className="sidebar" aria-label="Connections and sections">
              <div className="brand">PoolDesk</div>
              {connections.map((c) => (
                <div key={c.id} className="connection">
                  <button
                    type="button"
                    className={`connection-name ${c.id === connection ? "active" : ""}`}
                    aria-current={c.id === connection ? "true" : undefined}
                    data-testid={`connection-${c.id}`}
                    title={c.endpoint}
                    onClick={() => selectConnection(c.id)}
                  >
                    {c.label}
                  </button>
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
                              onClick={() => navigate(s.to())}
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
              <ErrorBox error={remotes.error} testId="connections-list-error" />
              <div className="sidebar-actions">
                <button type="button" className="small" data-testid="add-connection" onClick={() => setAdding({})}>
                  Add a server
                </button>
                <button
                  type="button"
                  className={view.kind === "connections" ? "nav-item active" : "nav-item"}
                  aria-current={view.kind === "connections" ? "page" : undefined}
                  data-testid="nav-connections"
                  onClick={() => navigate(toConnections())}
                >
                  Connections
                </button>
              </div>
              <div className="sidebar-footer">
                <button type="button" className="small" onClick={toggleTheme} aria-label={`Theme: ${theme}. Change theme`}>
                  Theme: {theme}
                </button>
                {info.data && (
                  <p className="muted small-text" title={info.data.databasePath}>
                    v{info.data.version}
                  </p>
                )}
              </div>
            </nav>
            <main id="main" className="main" tabIndex={-1}>
              <Screen view={view} navigate={navigate} connections={connectionsScreen} key={connection} />
            </main>
          </div>
          {adding && (
            <AddConnectionDialog
              prefill={adding}
              onClose={() => setAdding(null)}
              onAdded={(c) => {
                setAdding(null);
                selectConnection(c.connection.name);
              }}
            />
          )}
        </ConnectionProvider>
      </ConfirmProvider>
    </ToastProvider>
  );
}

function Screen({
  view,
  navigate,
  connections,
}: {
  view: View;
  navigate: (v: View) => void;
  connections: ConnectionsViewProps;
}) {
  switch (view.kind) {
    case "userPools":
      return <UserPoolList navigate={navigate} />;
    case "userPool":
      return <UserPoolView poolId={view.poolId} tab={view.tab} navigate={navigate} />;
    case "identityPools":
      return <IdentityPoolList navigate={navigate} />;
    case "identityPool":
      return <IdentityPoolView identityPoolId={view.identityPoolId} navigate={navigate} />;
    case "messages":
      return <MessagesView initialPoolId={view.poolId} initialUsername={view.username} />;
    case "audit":
      return <AuditLogView />;
    case "serve":
      return <ServePanel />;
    case "connections":
      return <ConnectionsView {...connections} />;
  }
}
