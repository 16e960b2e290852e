import { useEffect, useMemo, useSyncExternalStore } from "react";
import { TableLoader, type FetchPage, type LoaderOptions, type LoaderState } from "./tableLoader";

/**
 * One TableLoader per `key` (e.g. connection + pool), React-subscribed. `fetchPage` and the
 * initial query are read when the loader is made; a new key makes a new loader.
 */
export function useTableLoader<T, Q>(
  key: string,
  fetchPage: FetchPage<T, Q>,
  initialQuery: Q,
  options?: LoaderOptions,
): [TableLoader<T, Q>, LoaderState<T>] {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const loader = useMemo(() => new TableLoader(fetchPage, initialQuery, options), [key]);
  const state = useSyncExternalStore(loader.subscribe, loader.getState, loader.getState);
  useEffect(() => {
    // Idempotent: loads the first page unless it is loaded or in flight.
    void loader.ensureVisible(0);
  }, [loader]);
  return [loader, state];
}
