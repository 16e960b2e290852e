// The user actions (enable, disable, reset password, sign out, delete, groups) over a list of
// usernames: the ticked rows of the table, or the one user open in the details panel. Each one
// confirms by name ("Disable alice@example.com?", "Disable 2 users?"), runs with bounded
// concurrency and reports every failure.
import { useState } from "react";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { runBulk, type BulkResult } from "../../lib/bulk";
import { describeTargets } from "./people";

export type UserAction = "enable" | "disable" | "resetPassword" | "signOut" | "delete" | "addToGroup" | "removeFromGroup";

export interface BulkOutcome {
  label: string;
  result: BulkResult;
}

interface Options {
  poolId: string;
  /** The name a person knows a user by (e-mail in e-mail pools), for messages. */
  nameOf: (username: string) => string;
  /** Users whose status or flags changed: re-read their rows. */
  onChanged: (usernames: string[]) => void;
  onDeleted: (usernames: string[]) => void;
}

export function useBulkActions({ poolId, nameOf, onChanged, onDeleted }: Options) {
  const api = useApi();
  const confirm = useConfirm();
  const toast = useToast();
  const [progress, setProgress] = useState<{ label: string; done: number; total: number } | null>(null);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);

  const plan = (action: UserAction, who: string, group?: string) => {
    const idp = api.idp;
    const call = (op: Parameters<typeof idp>[0], extra: object = {}) => (u: string) =>
      idp(op, { UserPoolId: poolId, Username: u, ...extra } as never);
    switch (action) {
      case "enable":
        return { label: "Enable", call: call("AdminEnableUser"), then: onChanged };
      case "disable":
        return {
          label: "Disable",
          ask: { title: "Disable", message: `Disable ${who}? Disabled users cannot sign in; their tokens stop working.` },
          call: call("AdminDisableUser"),
          then: onChanged,
        };
      case "resetPassword":
        return {
          label: "Reset password",
          ask: { title: "Reset password", message: `Reset the password of ${who}? They must set a new one with a code sent to them.` },
          call: call("AdminResetUserPassword"),
          then: onChanged,
        };
      case "signOut":
        return {
          label: "Sign out everywhere",
          ask: { title: "Sign out everywhere", message: `Sign ${who} out everywhere? Every refresh token is revoked.` },
          call: call("AdminUserGlobalSignOut"),
          then: () => {},
        };
      case "delete":
        return {
          label: "Delete",
          ask: { title: "Delete", message: `Delete ${who}? This cannot be undone.` },
          call: call("AdminDeleteUser"),
          then: onDeleted,
        };
      case "addToGroup":
        return { label: `Add to ${group}`, call: call("AdminAddUserToGroup", { GroupName: group }), then: () => {} };
      case "removeFromGroup":
        return {
          label: `Remove from ${group}`,
          ask: { title: "Remove from group", message: `Remove ${who} from ${group}?` },
          call: call("AdminRemoveUserFromGroup", { GroupName: group }),
          then: () => {},
        };
    }
  };

  /** Runs `action` on exactly these users (never on anything implied). */
  const run = async (action: UserAction, usernames: readonly string[], group?: string): Promise<void> => {
    if (usernames.length === 0 || progress) return;
    const list = usernames.slice();
    const names = list.map(nameOf);
    const who = describeTargets(names);
    const step = plan(action, who, group);
    if (step.ask && !(await confirm({ ...step.ask, confirmLabel: step.label, danger: true }))) return;
    setOutcome(null);
    setProgress({ label: step.label, done: 0, total: list.length });
    const result = await runBulk(list, step.call, {
      onProgress: (done, total) => setProgress({ label: step.label, done, total }),
    });
    setProgress(null);
    if (result.succeeded.length) step.then(result.succeeded);
    // Failures keep the name people know, not the internal username.
    const named = { ...result, failed: result.failed.map((f) => ({ ...f, item: nameOf(f.item) })) };
    if (result.failed.length > 0 || list.length > 1) setOutcome({ label: step.label, result: named });
    else toast.ok(`${step.label}: ${names[0]}`);
  };

  return { run, progress, outcome, dismiss: () => setOutcome(null), busy: progress !== null };
}
