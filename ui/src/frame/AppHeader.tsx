import { isLocal, type Connection } from "./connections";
import { useConnectionStatus } from "./useConnectionStatus";

/** Says which connection the screen belongs to and whether it answers; holds the sidebar toggle. */
export function AppHeader({
  connection,
  sidebarCollapsed,
  onToggleSidebar,
}: {
  connection: Connection;
  sidebarCollapsed: boolean;
  onToggleSidebar: () => void;
}) {
  const status = useConnectionStatus(connection);
  const local = isLocal(connection);
  return (
    <header className="app-header" data-testid="app-header">
      <button
        type="button"
        className="icon-button sidebar-toggle"
        data-testid="sidebar-toggle"
        aria-controls="sidebar"
        aria-expanded={!sidebarCollapsed}
        aria-label={sidebarCollapsed ? "Show sidebar" : "Hide sidebar"}
        title={sidebarCollapsed ? "Show sidebar" : "Hide sidebar"}
        onClick={onToggleSidebar}
      >
        ☰
      </button>
      <div className={`where ${local ? "where-local" : "where-remote"}`} aria-label="Connection">
        <ConnectionMark local={local} />
        <strong data-testid="header-connection">{connection.label}</strong>
        <span className="muted small-text where-endpoint" title={connection.endpoint}>
          {local ? "pools on this computer" : connection.endpoint}
        </span>
      </div>
      <span
        className={`status status-${status.state}`}
        data-testid="header-connection-status"
        data-state={status.state}
        role="status"
        title={status.detail}
      >
        <span className="status-dot" aria-hidden="true" />
        {status.text}
      </span>
    </header>
  );
}

/** A computer for This computer, a globe for remote servers: they must not look alike. */
export function ConnectionMark({ local }: { local: boolean }) {
  return (
    <span className={`connection-mark ${local ? "mark-local" : "mark-remote"}`} aria-hidden="true">
      {local ? "⌂" : "⇄"}
    </span>
  );
}

