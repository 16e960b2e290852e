// The open user's details beside the table, with that user's own actions at the foot: these
// act on the open user only, the table's bulk actions on the ticked rows only.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import type { Navigate } from "../../routes";
import { UserDetails } from "./UserDetails";
import type { UserAction } from "./useBulkActions";

export function UserDrawer({
  poolId,
  username,
  name,
  busy,
  navigate,
  onAction,
  onClose,
  onChanged,
}: {
  poolId: string;
  username: string;
  /** What people know the user by (e-mail in e-mail pools). */
  name: string;
  busy: boolean;
  navigate: Navigate;
  onAction: (action: UserAction) => void;
  onClose: () => void;
  onChanged: () => void;
}) {
  const api = useApi();
  // The same query (and cache entry) as UserDetails: no second request.
  const user = useQuery({
    queryKey: [api.connection, "AdminGetUser", poolId, username],
    queryFn: () => api.idp("AdminGetUser", { UserPoolId: poolId, Username: username }),
  });
  const enabled = user.data ? user.data.Enabled !== false : undefined;
  return (
    <div className="users-drawer" data-testid="user-drawer">
      <UserDetails key={username} poolId={poolId} username={username} navigate={navigate} onClose={onClose} onChanged={onChanged} />
      <div className="drawer-actions" role="toolbar" aria-label={`Actions on ${name}`}>
        {enabled === false && (
          <button type="button" data-testid="user-action-enable" disabled={busy} onClick={() => onAction("enable")}>
            Enable
          </button>
        )}
        {enabled === true && (
          <button type="button" data-testid="user-action-disable" disabled={busy} onClick={() => onAction("disable")}>
            Disable
          </button>
        )}
        <button type="button" data-testid="user-action-reset-password" disabled={busy} onClick={() => onAction("resetPassword")}>
          Reset password
        </button>
        <button type="button" data-testid="user-action-sign-out" disabled={busy} onClick={() => onAction("signOut")}>
          Sign out everywhere
        </button>
        <button type="button" className="danger" data-testid="user-action-delete" disabled={busy} onClick={() => onAction("delete")}>
          Delete
        </button>
      </div>
    </div>
  );
}
