import { useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { formatEpochMillis } from "../../lib/format";

/** "AWSCognitoIdentityProviderService.AdminDeleteUser" → "AdminDeleteUser". */
export function shortOperation(target: string): string {
  return target.slice(target.lastIndexOf(".") + 1);
}

function isoTime(ms: number): string | undefined {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function AuditLogView() {
  const api = useApi();
  const [actorInput, setActorInput] = useState("");
  const [actor, setActor] = useState("");
  const events = useInfiniteQuery({
    queryKey: [api.connection, "PoolDesk.ListAuditEvents", actor],
    queryFn: ({ pageParam }) =>
      api.pooldesk("ListAuditEvents", {
        ...(actor ? { Actor: actor } : {}),
        MaxResults: 100,
        NextToken: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.NextToken,
  });
  const list = events.data?.pages.flatMap((p) => p.Events) ?? [];

  return (
    <section className="screen" aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">Audit log</h1>
        <button type="button" onClick={() => events.refetch()} disabled={events.isFetching}>
          {events.isFetching ? <Spinner label="Refreshing" /> : null} Refresh
        </button>
      </header>
      <p className="muted">Every administrative call this server answered (who, from where, on what, and how it ended), newest first.</p>
      <form
        className="toolbar"
        role="search"
        aria-label="Filter audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setActor(actorInput.trim());
        }}
      >
        <label className="field inline">
          <span>Actor</span>
          <input
            value={actorInput}
            onChange={(e) => setActorInput(e.target.value)}
            placeholder="Access key id, desktop or cli"
            data-testid="audit-actor"
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={events.error} onRetry={() => events.refetch()} />
      {events.isPending ? (
        <Spinner label="Loading the audit log" />
      ) : list.length === 0 && events.error ? null : list.length === 0 ? (
        actor ? (
          <EmptyState title={`No actions by ${actor}`}>
            <p>Clear the actor filter to see everyone's.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No admin actions recorded yet">
            <p>Creating, changing and deleting pools, users, clients and identity pools will show here.</p>
          </EmptyState>
        )
      ) : (
        <div className="table-wrap">
          <table className="data-table" aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Source</th>
                <th scope="col">Operation</th>
                <th scope="col">Resource</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => {
                const ok = e.Outcome === "OK";
                return (
                  <tr key={e.Id} data-testid="audit-row">
                    <td>
                      <time dateTime={isoTime(e.Time)}>{formatEpochMillis(e.Time)}</time>
                    </td>
                    <td className="mono">{e.Actor}</td>
                    <td className="mono">{e.Source}</td>
                    <td title={e.Operation} data-testid="audit-operation">
                      {shortOperation(e.Operation)}
                    </td>
                    <td className="mono" title={e.Resource}>
                      {e.Resource}
                    </td>
                    <td>
                      <span
                        className={ok ? "badge badge-on" : "badge badge-off"}
                        title={ok ? undefined : `Failed: ${e.Outcome}`}
                        data-testid="audit-outcome"
                      >
                        {e.Outcome}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {events.hasNextPage && (
        <button
          type="button"
          data-testid="audit-older"
          onClick={() => events.fetchNextPage()}
          disabled={events.isFetchingNextPage}
        >
          {events.isFetchingNextPage ? "Loading…" : "Load older"}
        </button>
      )}
    </section>
  );
}
