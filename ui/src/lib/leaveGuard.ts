// "You have unsaved changes": screens with edits register a guard while they are dirty, and the
// app's navigate asks every guard before it switches screens. The app has no router to hook
// into (routes.ts is a state switch), so this small registry is the one place to ask.
import { useEffect, useRef } from "react";

/** Resolves true when the screen may be left (nothing to lose, or the user agreed to discard). */
export type LeaveGuard = () => boolean | Promise<boolean>;

const guards = new Set<LeaveGuard>();
/** Set while a screen leaves on purpose (e.g. after deleting what it showed). */
let leavingOnPurpose = false;

export function registerLeaveGuard(guard: LeaveGuard): () => void {
  guards.add(guard);
  return () => {
    guards.delete(guard);
  };
}

/** Asks each registered guard in turn; false as soon as one says stay. */
export async function mayLeave(): Promise<boolean> {
  for (const guard of [...guards]) {
    if (!(await guard())) return false;
  }
  return true;
}

/** Wraps a navigate function so it asks the guards first. */
export function guardNavigate<A extends unknown[]>(navigate: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    const allowed = leavingOnPurpose ? Promise.resolve(true) : mayLeave();
    void allowed.then((ok) => {
      if (ok) navigate(...args);
    });
  };
}

/** Navigates without asking: for leaving a screen whose subject is gone (deleted). */
export function leaveWithoutAsking(navigate: () => void): void {
  leavingOnPurpose = true;
  try {
    navigate();
  } finally {
    leavingOnPurpose = false;
  }
}

/**
 * Registers `ask` while `dirty` is true. `ask` may change every render (it closes over state);
 * the latest one is used.
 */
export function useLeaveGuard(dirty: boolean, ask: () => Promise<boolean>): void {
  const latest = useRef(ask);
  latest.current = ask;
  useEffect(() => {
    if (!dirty) return;
    return registerLeaveGuard(() => latest.current());
  }, [dirty]);
}
