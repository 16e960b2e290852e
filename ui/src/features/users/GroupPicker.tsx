import { useState } from "react";
import { Dialog } from "../../components/Dialog";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { usePoolGroups } from "../userPools/queries";

/** Picks one of the pool's groups to add the ticked users to, or remove them from. */
export function GroupPicker({
  poolId,
  action,
  who,
  onClose,
  onPick,
}: {
  poolId: string;
  action: "add" | "remove";
  /** "alice@example.com" or "3 users". */
  who: string;
  onClose: () => void;
  onPick: (group: string) => void;
}) {
  const groups = usePoolGroups(poolId);
  const names = groups.data?.pages.flatMap((p) => p.Groups ?? []).map((g) => g.GroupName!) ?? [];
  const [group, setGroup] = useState("");
  const value = group || names[0] || "";
  return (
    <Dialog title={action === "add" ? `Add ${who} to a group` : `Remove ${who} from a group`} onClose={onClose}>
      {groups.isPending ? (
        <Spinner label="Loading groups" />
      ) : names.length === 0 ? (
        <EmptyState title="This pool has no groups" />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (value) onPick(value);
          }}
        >
          <label className="field">
            <span>Group</span>
            <select value={value} onChange={(e) => setGroup(e.target.value)} data-testid="group-pick">
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          {groups.hasNextPage && (
            <button type="button" className="small" onClick={() => groups.fetchNextPage()}>
              More groups
            </button>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" data-testid="group-pick-submit">
              {action === "add" ? "Add" : "Remove"}
            </button>
          </div>
        </form>
      )}
      <ErrorBox error={groups.error} />
    </Dialog>
  );
}
