// Which columns a table shows, remembered per table (e.g. "users") across restarts.
import { useCallback, useState } from "react";
import type { ColumnDef, VisibilityState } from "@tanstack/react-table";
import { columnId } from "./sortRows";

const STORAGE_PREFIX = "pooldesk.columns.";

function defaults<T>(columns: ColumnDef<T, any>[]): VisibilityState {
  return Object.fromEntries(columns.filter((c) => c.meta?.hiddenByDefault).map((c) => [columnId(c), false]));
}

function read(key: string): VisibilityState {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_PREFIX + key) ?? "{}");
    return saved && typeof saved === "object" ? (saved as VisibilityState) : {};
  } catch {
    return {};
  }
}

export function useColumnChoice<T>(key: string, columns: ColumnDef<T, any>[]) {
  const [visibility, setVisibility] = useState<VisibilityState>(() => ({ ...defaults(columns), ...read(key) }));
  const change = useCallback(
    (next: VisibilityState | ((old: VisibilityState) => VisibilityState)) => {
      setVisibility((old) => {
        const value = typeof next === "function" ? next(old) : next;
        try {
          localStorage.setItem(STORAGE_PREFIX + key, JSON.stringify(value));
        } catch {
          /* storage full or off: the choice lasts for this session */
        }
        return value;
      });
    },
    [key],
  );
  return [visibility, change] as const;
}
