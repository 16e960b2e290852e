import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { ConnectionProvider, LOCAL_CONNECTION } from "./api/connection";
import { appInfo } from "./api/tauri";
import { ConfirmProvider } from "./components/Confirm";
import { ToastProvider } from "./components/Toast";
import { toIdentityPools, toMessages, toServe, toUserPools, type View } from "./routes";
import { applyTheme, loadTheme, nextTheme, type ThemeChoice } from "./theme";
import { UserPoolList } from "./features/userPools/UserPoolList";
import { UserPoolView } from "./features/userPools/UserPoolView";
import { IdentityPoolList } from "./features/identityPools/IdentityPoolList";
import { IdentityPoolView } from "./features/identityPools/IdentityPoolView";
import { MessagesView } from "./features/messages/MessagesView";
import { ServePanel } from "./features/serve/ServePanel";

interface Connection {
  id: string;
  label: string;
}

/** Remote servers will be added here; "local" is the pools in this computer's data directory. */
const CONNECTIONS: Connection[] = [{ id: LOCAL_CONNECTION, label: "This computer" }];

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
  { kind: "serve", label: "Serve", testId: "nav-serve", to: toServe, match: ["serve"] },
];

export function App() {
  const [connection, setConnection] = useState(LOCAL_CONNECTION);
  const [view, setView] = useState<View>(toUserPools());
  const [theme, setTheme] = useState<ThemeChoice>(loadTheme);
  const info = useQuery({ queryKey: ["app_info"], queryFn: appInfo, staleTime: Infinity });

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
              {CONNECTIONS.map((c) => (
                <div key={c.id} className="connection">
                  <button
                    type="button"
                    className={`connection-name ${c.id === connection ? "active" : ""}`}
                    aria-current={c.id === connection ? "true" : undefined}
                    onClick={() => {
                      setConnection(c.id);
                      setView(toUserPools());
                    }}
                  >
                    {c.label}
                  </button>
                  {c.id === connection && (
                    <ul className="nav-list">
                      {SECTIONS.map((s) => {
                        const active = s.match.includes(view.kind);
                        return (
                          <li key={s.kind}>
                            <button
                              type="button"
                              className={active ? "nav-item active" : "nav-item"}
                              aria-current={active ? "page" : undefined}
                              data-testid={s.testId}
                              onClick={() => setView(s.to())}
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
              <Screen view={view} navigate={setView} key={connection} />
            </main>
          </div>
        </ConnectionProvider>
      </ConfirmProvider>
    </ToastProvider>
  );
}

function Screen({ view, navigate }: { view: View; navigate: (v: View) => void }) {
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
    case "serve":
      return <ServePanel />;
  }
}
