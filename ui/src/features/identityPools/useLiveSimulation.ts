import { useCallback, useEffect, useRef, useState } from "react";
import { useApi } from "../../api/connection";
import type { SimulateRoleMappingRequest, SimulateRoleMappingResponse } from "../../api/pooldesk";

export interface LiveSimulation {
  result: SimulateRoleMappingResponse | null;
  error: unknown;
  running: boolean;
  /** Runs at once instead of waiting for the debounce. */
  runNow: () => void;
}

/**
 * Simulates `request` whenever it changes, after `delayMs` of quiet (typing a rule must not
 * fire a request per key). A change clears the old answer at once, and answers to an older
 * request are dropped, so what is shown always belongs to what is on screen.
 */
export function useLiveSimulation(request: SimulateRoleMappingRequest | null, delayMs = 400): LiveSimulation {
  const api = useApi();
  const [state, setState] = useState<Omit<LiveSimulation, "runNow">>({ result: null, error: null, running: false });
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(request);
  latest.current = request;
  const key = request ? JSON.stringify(request) : "";

  const run = useCallback(
    async (input: SimulateRoleMappingRequest) => {
      const mine = ++generation.current;
      setState({ result: null, error: null, running: true });
      try {
        const result = (await api.pooldesk("SimulateRoleMapping", input)) as SimulateRoleMappingResponse;
        if (mine === generation.current) setState({ result, error: null, running: false });
      } catch (error) {
        if (mine === generation.current) setState({ result: null, error, running: false });
      }
    },
    [api],
  );

  useEffect(() => {
    generation.current++;
    setState({ result: null, error: null, running: false });
    const input = latest.current;
    if (!input) return;
    timer.current = setTimeout(() => void run(input), delayMs);
    return () => clearTimeout(timer.current);
  }, [key, run, delayMs]);

  const runNow = useCallback(() => {
    clearTimeout(timer.current); // the pending debounced run would only repeat this one
    if (latest.current) void run(latest.current);
  }, [run]);

  return { ...state, runNow };
}
