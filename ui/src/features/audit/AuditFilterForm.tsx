import { useState } from "react";
import { useUserPools } from "../userPools/queries";
import { useIdentityPools } from "../identityPools/IdentityPoolList";
import { NO_FILTERS, type AuditFilters } from "./auditFilters";

/** Actor, operation, outcome, pool and time: applied together when submitted, not per key. */
export function AuditFilterForm({
  operations,
  onApply,
}: {
  /** Operation names to suggest (those seen in the log). */
  operations: readonly string[];
  onApply: (f: AuditFilters) => void;
}) {
  const [f, setF] = useState<AuditFilters>(NO_FILTERS);
  const userPools = useUserPools().data?.pages.flatMap((p) => p.UserPools ?? []) ?? [];
  const identityPools = useIdentityPools().data?.pages.flatMap((p) => p.IdentityPools ?? []) ?? [];
  const set = (k: keyof AuditFilters) => (e: { target: { value: string } }) => setF((old) => ({ ...old, [k]: e.target.value }));
  return (
    <form
      className="audit-filters"
      role="search"
      aria-label="Filter audit log"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(f);
      }}
    >
      <label className="field inline">
        <span>Actor</span>
        <input value={f.actor} onChange={set("actor")} placeholder="Access key id, desktop or cli" data-testid="audit-actor" />
      </label>
      <label className="field inline">
        <span>Operation</span>
        <input value={f.operation} onChange={set("operation")} list="audit-operations" placeholder="AdminDeleteUser" data-testid="audit-operation-filter" />
        <datalist id="audit-operations">
          {operations.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
      </label>
      <label className="field inline">
        <span>Outcome</span>
        <select value={f.outcome} onChange={set("outcome")} data-testid="audit-outcome-filter">
          <option value="">Any</option>
          <option value="OK">OK</option>
          <option value="Failed">Failed</option>
        </select>
      </label>
      <label className="field inline">
        <span>Pool</span>
        <select value={f.poolId} onChange={set("poolId")} data-testid="audit-pool-filter">
          <option value="">Any pool</option>
          {userPools.length > 0 && (
            <optgroup label="User pools">
              {userPools.map((p) => (
                <option key={p.Id} value={p.Id}>
                  {p.Name}
                </option>
              ))}
            </optgroup>
          )}
          {identityPools.length > 0 && (
            <optgroup label="Identity pools">
              {identityPools.map((p) => (
                <option key={p.IdentityPoolId} value={p.IdentityPoolId}>
                  {p.IdentityPoolName}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      <label className="field inline">
        <span>From</span>
        <input type="datetime-local" value={f.from} onChange={set("from")} data-testid="audit-from" />
      </label>
      <label className="field inline">
        <span>Before</span>
        <input type="datetime-local" value={f.to} onChange={set("to")} data-testid="audit-to" />
      </label>
      <button type="submit" data-testid="audit-filter-apply">
        Filter
      </button>
      <button
        type="button"
        className="small"
        onClick={() => {
          setF(NO_FILTERS);
          onApply(NO_FILTERS);
        }}
      >
        Clear
      </button>
    </form>
  );
}
