import { useCallback, useState } from "react";

/**
 * One action at a time behind a button: `busy` while `run`'s work is under way (to disable the
 * buttons), and what it threw in `error` (for an ErrorBox) until the next run.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
