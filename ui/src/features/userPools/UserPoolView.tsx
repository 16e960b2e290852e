import { useRef, type KeyboardEvent } from "react";
import { toMessages, toUserPool, toUserPools, type Navigate, type PoolTab } from "../../routes";
import { ErrorBox } from "../../components/bits";
import { useUserPool } from "./queries";
import { UsersTab } from "../users/UsersTab";
import { GroupsTab } from "../groups/GroupsTab";
import { ClientsTab } from "../clients/ClientsTab";
import { IntegrationTab } from "../integration/IntegrationTab";
import { ProvidersTab } from "../providers/ProvidersTab";
import { TriggersTab } from "../triggers/TriggersTab";
import { PoolSettings } from "./PoolSettings";

const TABS: { id: PoolTab; label: string }[] = [
  { id: "users", label: "Users" },
  { id: "groups", label: "Groups" },
  { id: "clients", label: "App clients" },
  { id: "integration", label: "App integration" },
  { id: "providers", label: "Sign-in providers" },
  { id: "triggers", label: "Triggers" },
  { id: "settings", label: "Settings" },
];

export function UserPoolView({ poolId, tab, navigate }: { poolId: string; tab: PoolTab; navigate: Navigate }) {
  const pool = useUserPool(poolId);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  const onTabKey = (e: KeyboardEvent, i: number) => {
    const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const j = (i + d + TABS.length) % TABS.length;
    navigate(toUserPool(poolId, TABS[j]!.id));
    tabRefs.current[j]?.focus();
  };

  return (
    <section className="screen screen-fill" aria-labelledby="pool-title">
      <header className="screen-header">
        <div>
          <button type="button" className="link-button breadcrumb" onClick={() => navigate(toUserPools())}>
            User pools
          </button>
          <h1 id="pool-title" data-testid="pool-title">{pool.data?.Name ?? poolId}</h1>
          <p className="muted mono">{poolId}</p>
        </div>
        <button type="button" onClick={() => navigate(toMessages(poolId))}>
          Messages of this pool
        </button>
      </header>
      <ErrorBox error={pool.error} onRetry={() => pool.refetch()} />
      <div role="tablist" aria-label="User pool sections" className="tabs">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            data-testid={`tab-${t.id}`}
            onClick={() => navigate(toUserPool(poolId, t.id))}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === "users" && <UsersTab poolId={poolId} navigate={navigate} />}
        {tab === "groups" && <GroupsTab poolId={poolId} />}
        {tab === "clients" && <ClientsTab poolId={poolId} />}
        {tab === "integration" && <IntegrationTab poolId={poolId} />}
        {tab === "providers" && <ProvidersTab poolId={poolId} />}
        {tab === "triggers" && <TriggersTab poolId={poolId} />}
        {tab === "settings" && <PoolSettings poolId={poolId} navigate={navigate} />}
      </div>
    </section>
  );
}
