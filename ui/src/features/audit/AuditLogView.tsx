// The audit log: every administrative call, newest first, filtered by actor, operation,
// outcome, pool and time; users named as people know them; one event's details on a click.
import { useCallback, useMemo, useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useApi } from "../../api/connection";
import type { AuditEvent } from "../../api/pooldesk";
import { DataTable } from "../../components/DataTable";
import { EmptyState, Spinner } from "../../components/bits";
import { formatEpochMillis } from "../../lib/format";
import { PersonName } from "../users/PersonName";
import { AuditFilterForm } from "./AuditFilterForm";
import { auditRequest, hasFilters, NO_FILTERS, resourceParts, type AuditFilters } from "./auditFilters";
import "./audit.css";

/** "AWSCognitoIdentityProviderService.AdminDeleteUser" → "AdminDeleteUser". */
export function shortOperation(target: string): string {
  return target.slice(target.lastIndexOf(".") + 1);
}

function isoTime(ms: number): string | undefined {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const col = createColumnHelper<AuditEvent>();

function OutcomeBadge({ outcome }: { outcome: string }) {
  const ok = outcome === "OK";
  return (
    <span className={ok ? "badge badge-on" : "badge badge-off"} title={ok ? undefined : `Failed: ${outcome}`} data-testid="audit-outcome">
      {outcome}
    </span>
  );
}

/** The resource with its user shown by e-mail (in pools that sign in by e-mail): "User=alice@…". */
function Resource({ resource }: { resource: string }) {
  // The user first: with the column cut short, the person is what should stay readable.
  const parts = resourceParts(resource).sort((a, b) => Number(b.key === "Username") - Number(a.key === "Username"));
  const poolId = parts.find((p) => p.key === "UserPoolId")?.value;
  return (
    <span title={resource}>
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 && ", "}
          {p.key === "Username" && poolId ? <ResourceUser poolId={poolId} username={p.value} /> : p.key ? `${p.key}=${p.value}` : p.value}
        </span>
      ))}
    </span>
  );
}

function ResourceUser({ poolId, username }: { poolId: string; username: string }) {
  return (
    <>
      {"Username="}
      <PersonName poolId={poolId} username={username} />
    </>
  );
}

const COLUMNS = [
  col.accessor("Time", {
    header: "Time",
    meta: { key: true, width: "21%" },
    cell: (c) => <time dateTime={isoTime(c.getValue())}>{formatEpochMillis(c.getValue())}</time>,
  }),
  col.accessor((e) => shortOperation(e.Operation), {
    id: "operation",
    header: "Operation",
    meta: { key: true, width: "21%" },
    cell: (c) => (
      <span title={c.row.original.Operation} data-testid="audit-operation">
        {c.getValue()}
      </span>
    ),
  }),
  col.accessor("Outcome", { header: "Outcome", meta: { key: true, width: "16%" }, cell: (c) => <OutcomeBadge outcome={c.getValue()} /> }),
  col.accessor("Actor", { header: "Actor", meta: { key: true, width: "11%" }, cell: (c) => <span className="mono">{c.getValue()}</span> }),
  col.accessor("Source", { header: "Source", meta: { width: "10%", hiddenByDefault: true }, cell: (c) => <span className="mono">{c.getValue()}</span> }),
  col.accessor("Resource", { header: "Resource", cell: (c) => <Resource resource={c.getValue()} /> }),
];

export function AuditLogView() {
  const api = useApi();
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [openId, setOpenId] = useState<number | null>(null);
  const events = useInfiniteQuery({
    queryKey: [api.connection, "PoolDesk.ListAuditEvents", filters],
    queryFn: ({ pageParam }) => api.pooldesk("ListAuditEvents", auditRequest(filters, pageParam)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.NextToken ?? undefined,
  });
  const list = useMemo(() => events.data?.pages.flatMap((p) => p.Events) ?? [], [events.data]);
  const operations = useMemo(() => [...new Set(list.map((e) => shortOperation(e.Operation)))].sort(), [list]);
  const open = list.find((e) => e.Id === openId);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = events;
  const onNearEnd = useCallback(
    (last: number) => {
      if (hasNextPage && !isFetchingNextPage && last >= list.length - 20) void fetchNextPage();
    },
    [hasNextPage, isFetchingNextPage, fetchNextPage, list.length],
  );
  const actor = filters.actor.trim();

  return (
    <section className="screen screen-fill" aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">Audit log</h1>
        <button type="button" onClick={() => events.refetch()} disabled={events.isFetching}>
          {events.isFetching ? <Spinner label="Refreshing" /> : null} Refresh
        </button>
      </header>
      <p className="muted">Every administrative call this server answered (who, from where, on what, and how it ended), newest first.</p>
      <AuditFilterForm operations={operations} onApply={(f) => setFilters({ ...f })} />
      <div className="audit-body">
        <DataTable<AuditEvent>
          label="Audit log"
          noun={["event", "events"]}
          columnsKey="audit"
          rows={list}
          columns={COLUMNS}
          getRowId={eventId}
          complete={!events.hasNextPage && !events.isPending}
          loading={events.isPending || events.isFetchingNextPage}
          error={events.error}
          onRetry={() => void events.refetch()}
          onNearEnd={onNearEnd}
          onOpen={(e) => setOpenId(e.Id)}
          openId={openId === null ? null : String(openId)}
          narrow={!!open}
          scrollKey={filters}
          rowTestId="audit-row"
          empty={
            hasFilters(filters) ? (
              <EmptyState title={actor && Object.values({ ...filters, actor: "" }).every((v) => !v) ? `No actions by ${actor}` : "No event matches these filters"}>
                <p>Clear the filters to see every event.</p>
              </EmptyState>
            ) : (
              <EmptyState title="No admin actions recorded yet">
                <p>Creating, changing and deleting pools, users, clients and identity pools will show here.</p>
              </EmptyState>
            )
          }
        />
        {open && <AuditEventDetails event={open} onClose={() => setOpenId(null)} />}
      </div>
    </section>
  );
}

function AuditEventDetails({ event: e, onClose }: { event: AuditEvent; onClose: () => void }) {
  const parts = resourceParts(e.Resource);
  const poolId = parts.find((p) => p.key === "UserPoolId")?.value;
  const username = parts.find((p) => p.key === "Username")?.value;
  return (
    <aside className="audit-details" aria-labelledby="audit-details-title" data-testid="audit-details" onKeyDown={(k) => k.key === "Escape" && onClose()}>
      <header className="details-header">
        <h2 id="audit-details-title">{shortOperation(e.Operation)}</h2>
        <button type="button" className="icon-button" aria-label="Close event" onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="kv">
        <dt>Outcome</dt>
        <dd>
          <OutcomeBadge outcome={e.Outcome} />
        </dd>
        <dt>Time</dt>
        <dd>
          <time dateTime={isoTime(e.Time)}>{formatEpochMillis(e.Time)}</time>
          <div className="muted small-text mono">{isoTime(e.Time)}</div>
        </dd>
        <dt>Actor</dt>
        <dd className="mono">{e.Actor}</dd>
        <dt>Source</dt>
        <dd className="mono">{e.Source}</dd>
        <dt>Operation</dt>
        <dd className="mono">{e.Operation}</dd>
        {username && poolId && (
          <>
            <dt>User</dt>
            <dd>
              <PersonName poolId={poolId} username={username} />
            </dd>
          </>
        )}
        <dt>Resource</dt>
        <dd className="mono">{e.Resource}</dd>
        <dt>Event id</dt>
        <dd className="mono">{e.Id}</dd>
      </dl>
    </aside>
  );
}

const eventId = (e: AuditEvent) => String(e.Id);
