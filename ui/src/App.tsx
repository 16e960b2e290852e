import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { ConnectionProvider, LOCAL_CONNECTION } from "./api/connection";
import { appInfo } from "./api/tauri";
import { ConfirmProvider } from "./components/Confirm";
import { ToastProvider } from "./components/Toast";
import { toUserPools, type View } from "./routes";
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
import { AppHeader } from "./frame/AppHeader";
import { Sidebar } from "./frame/Sidebar";
import { THIS_COMPUTER, type Connection } from "./frame/connections";
import { useSidebarCollapsed } from "./frame/useSidebarCollapsed";
import { guardNavigate } from "./lib/leaveGuard";

export function App() {
  const [connection, setConnection] = useState(LOCAL_CONNECTION);
  const [view, setView] = useState<View>(toUserPools());
  const [theme, setTheme] = useState<ThemeChoice>(loadTheme);
  const info = useQuery({ queryKey: ["app_info"], queryFn: appInfo, staleTime: Infinity });
  const remotes = useConnections();
  const [adding, setAdding] = useState<ConnectionPrefill | null>(null);
  const [sidebarCollapsed, toggleSidebar] = useSidebarCollapsed();
  const connections: Connection[] = [
    THIS_COMPUTER,
    ...(remotes.data ?? []).map((c) => ({ id: c.name, label: c.name, endpoint: c.endpoint })),
  ];
  const current = connections.find((c) => c.id === connection) ?? { id: connection, label: connection };

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
          <div className={sidebarCollapsed ? "app sidebar-collapsed" : "app"}>
            {!sidebarCollapsed && (
              <Sidebar
                connections={connections}
                connection={connection}
                view={view}
                onSelectConnection={selectConnection}
                onNavigate={navigate}
                onAddConnection={() => setAdding({})}
                connectionsError={remotes.error}
                theme={theme}
                onToggleTheme={toggleTheme}
                version={info.data}
              />
            )}
            <div className="workspace">
              <AppHeader
                connection={current}
                sidebarCollapsed={sidebarCollapsed}
                onToggleSidebar={toggleSidebar}
              />
              <main id="main" className="main" tabIndex={-1}>
                <Screen view={view} navigate={navigate} connections={connectionsScreen} key={connection} />
              </main>
            </div>
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
