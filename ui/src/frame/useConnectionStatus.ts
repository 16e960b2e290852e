import { useQuery } from "@tanstack/react-query";
import { connectionTest } from "../api/tauri";
import { describeError } from "../api/errors";
import { isLocal, type Connection } from "./connections";

export type ConnectionState = "ok" | "checking" | "error";

export interface ConnectionStatus {
  state: ConnectionState;
  text: string;
  /** Why, when the server could not be reached. */
  detail?: string;
}

/** Remote servers are asked now and then whether they answer; This computer always does. */
const RECHECK_MS = 60_000;

export function useConnectionStatus(c: Connection): ConnectionStatus {
  const remote = !isLocal(c);
  const check = useQuery({
    queryKey: ["connection-status", c.id],
    queryFn: () => connectionTest(c.id),
    enabled: remote,
    staleTime: RECHECK_MS,
    refetchInterval: RECHECK_MS,
    retry: false,
  });
  if (!remote) return { state: "ok", text: "Local database" };
  if (check.isPending) return { state: "checking", text: "Checking…" };
  if (check.error) {
    const { code, message } = describeError(check.error);
    return { state: "error", text: "Not connected", detail: `${code}: ${message}` };
  }
  return { state: "ok", text: "Connected" };
}
