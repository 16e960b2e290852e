// The audit log's filters and the ListAuditEvents request they make.
import type { ListAuditEventsRequest } from "../../api/pooldesk";

export type AuditEventsQuery = ListAuditEventsRequest;

export interface AuditFilters {
  actor: string;
  operation: string;
  outcome: "" | "OK" | "Failed";
  poolId: string;
  /** `<input type="datetime-local">` values, in local time; "" for open-ended. */
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = { actor: "", operation: "", outcome: "", poolId: "", from: "", to: "" };

/** A local date-time input's value as epoch milliseconds, or undefined when empty or invalid. */
export function localTimeToMillis(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** The request for one page: only the filters that are set. */
export function auditRequest(f: AuditFilters, nextToken?: string): AuditEventsQuery {
  const start = localTimeToMillis(f.from);
  const end = localTimeToMillis(f.to);
  const operation = f.operation.trim();
  return {
    ...(f.actor.trim() ? { Actor: f.actor.trim() } : {}),
    ...(operation ? { Operation: operation.slice(operation.lastIndexOf(".") + 1) } : {}),
    ...(f.outcome ? { Outcome: f.outcome } : {}),
    ...(f.poolId ? { PoolId: f.poolId } : {}),
    ...(start !== undefined ? { StartTime: start } : {}),
    ...(end !== undefined ? { EndTime: end } : {}),
    MaxResults: 100,
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

export function hasFilters(f: AuditFilters): boolean {
  return Object.values(f).some((v) => v.trim() !== "");
}

/** `UserPoolId=us-east-1_abc, Username=alice` → its parts, in order. */
export function resourceParts(resource: string): { key: string; value: string }[] {
  return resource
    .split(", ")
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0 ? { key: "", value: part } : { key: part.slice(0, eq), value: part.slice(eq + 1) };
    });
}
