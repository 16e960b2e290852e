// The Users tab: filter, bulk actions on the ticked rows, the table, and the open user's
// details beside it (the table narrows to its key columns rather than squeezing them away).
import { useCallback, useMemo, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { UserType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import type { RowSelectionState } from "../../components/DataTable";
import { Menu, MenuItem } from "../../components/Menu";
import { Spinner } from "../../components/bits";
import { useTableLoader } from "../../lib/useTableLoader";
import type { Navigate } from "../../routes";
import { FilterBuilder } from "./FilterBuilder";
import { listUsersPage } from "./listUsersPage";
import { CreateUserDialog } from "./CreateUserDialog";
import { ExportUsersButton } from "./ExportUsersDialog";
import { ImportUsersButton } from "./ImportUsersDialog";
import { GroupPicker } from "./GroupPicker";
import { UserDrawer } from "./UserDrawer";
import { UsersTable } from "./UsersTable";
import { BulkOutcomeBox } from "./BulkOutcomeBox";
import { describeTargets, usePoolPeople } from "./people";
import { useBulkActions, type UserAction } from "./useBulkActions";
import "./users.css";

export function UsersTab({ poolId, navigate }: { poolId: string; navigate: Navigate }) {
  const api = useApi();
  const qc = useQueryClient();
  const people = usePoolPeople(poolId);
  const [loader, state] = useTableLoader<UserType, string | undefined>(
    `${api.connection}/${poolId}`,
    (filter, token) => {
      // Each first page (opening, Reload, a filter, after an import) refreshes the pool's
      // estimate of its users too, so the total is not one from before the change.
      if (token === undefined) void qc.invalidateQueries({ queryKey: [api.connection, "DescribeUserPool", poolId] });
      return listUsersPage(api, poolId)(filter, token);
    },
    undefined,
  );
  const [filter, setFilter] = useState<string | undefined>(undefined);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [openUser, setOpenUser] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [groupAction, setGroupAction] = useState<"add" | "remove" | null>(null);

  const ticked = useMemo(() => Object.keys(selection).filter((k) => selection[k]), [selection]);
  const userKey = (u: string) => [api.connection, "AdminGetUser", poolId, u];
  // Built only when a name is asked for and the rows changed: not on every page of 20,000.
  const index = useRef<{ rows: readonly UserType[]; byUsername: Map<string, UserType> } | null>(null);
  const loadedRow = (username: string) => {
    if (index.current?.rows !== state.rows) index.current = { rows: state.rows, byUsername: new Map(state.rows.map((u) => [u.Username ?? "", u])) };
    return index.current.byUsername.get(username);
  };
  const nameOf = (username: string) => {
    const details = qc.getQueryData<{ UserAttributes?: { Name?: string; Value?: string }[] }>(userKey(username));
    if (details) return people.nameOf({ Username: username, ...details });
    const row = loadedRow(username);
    return row ? people.nameOf(row) : username;
  };

  /** Re-reads the given users and patches their rows (status and flags change server-side). */
  const refreshRows = useCallback(
    async (usernames: string[]) => {
      if (usernames.length > 60) return void loader.reset();
      const fresh = new Map<string, UserType>();
      await Promise.all(
        usernames.map(async (u) => {
          try {
            const r = await api.idp("AdminGetUser", { UserPoolId: poolId, Username: u });
            qc.setQueryData([api.connection, "AdminGetUser", poolId, u], r);
            fresh.set(u, {
              Username: r.Username,
              Attributes: r.UserAttributes,
              Enabled: r.Enabled,
              UserStatus: r.UserStatus,
              UserCreateDate: r.UserCreateDate,
              UserLastModifiedDate: r.UserLastModifiedDate,
            });
          } catch {
            /* gone or unreadable: leave the row as is */
          }
        }),
      );
      loader.update((row) => fresh.get(row.Username ?? "") ?? row);
    },
    [api, loader, poolId, qc],
  );

  const bulk = useBulkActions({
    poolId,
    nameOf,
    onChanged: (ok) => void refreshRows(ok),
    onDeleted: (ok) => {
      const gone = new Set(ok);
      loader.remove((r) => gone.has(r.Username ?? ""));
      setSelection((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !gone.has(k))));
      if (openUser && gone.has(openUser)) setOpenUser(null);
    },
  });
  const none = ticked.length === 0 || bulk.busy;
  const onTicked = (action: UserAction) => () => void bulk.run(action, ticked);
  const tickedLabel = ticked.length ? describeTargets(ticked.map(nameOf)) : "no user ticked";

  return (
    <div className="users-tab">
      <div className="toolbar">
        <FilterBuilder
          key={people.filterAttribute}
          initialAttribute={people.filterAttribute}
          busy={state.loading && state.pages === 0}
          onApply={(f) => {
            setSelection({});
            setFilter(f);
            void loader.setQuery(f);
          }}
        />
      </div>
      <div className="users-toolbar" role="toolbar" aria-label="Actions on the ticked users">
        <button type="button" className="primary" data-testid="create-user" onClick={() => setCreating(true)}>
          Create user
        </button>
        <ImportUsersButton poolId={poolId} onImported={() => void loader.reset()} />
        <ExportUsersButton poolId={poolId} />
        <span className="toolbar-sep" aria-hidden="true" />
        <span className="users-acting muted" data-testid="acting-on" title={tickedLabel}>
          Acting on: {tickedLabel}
        </span>
        <button type="button" data-testid="bulk-action-enable" disabled={none} onClick={onTicked("enable")}>
          Enable
        </button>
        <button type="button" data-testid="bulk-action-disable" disabled={none} onClick={onTicked("disable")}>
          Disable
        </button>
        <Menu label="More" testId="bulk-more" disabled={none}>
          <MenuItem testId="bulk-action-reset-password" onSelect={() => void bulk.run("resetPassword", ticked)}>
            Reset password
          </MenuItem>
          <MenuItem testId="bulk-action-sign-out" onSelect={() => void bulk.run("signOut", ticked)}>
            Sign out everywhere
          </MenuItem>
          <MenuItem testId="bulk-action-add-group" onSelect={() => setGroupAction("add")}>
            Add to group…
          </MenuItem>
          <MenuItem testId="bulk-action-remove-group" onSelect={() => setGroupAction("remove")}>
            Remove from group…
          </MenuItem>
        </Menu>
        <button type="button" className="danger" data-testid="bulk-action-delete" disabled={none} onClick={onTicked("delete")}>
          Delete
        </button>
        <button type="button" className="small" onClick={() => void loader.reset()} aria-label="Reload users">
          Reload
        </button>
        {bulk.progress && (
          <span className="progress" role="status">
            <Spinner label={bulk.progress.label} /> {bulk.progress.label} {bulk.progress.done}/{bulk.progress.total}
          </span>
        )}
      </div>

      {bulk.outcome && <BulkOutcomeBox outcome={bulk.outcome} onDismiss={bulk.dismiss} />}

      <div className="users-body">
        <div className="users-list">
          <UsersTable
            loader={loader}
            state={state}
            people={people}
            selection={selection}
            onSelectionChange={setSelection}
            openUser={openUser}
            onOpen={setOpenUser}
            narrow={openUser !== null}
            filter={filter}
          />
        </div>
        {openUser && (
          <UserDrawer
            poolId={poolId}
            username={openUser}
            name={nameOf(openUser)}
            busy={bulk.busy}
            navigate={navigate}
            onAction={(action) => void bulk.run(action, [openUser])}
            onClose={() => setOpenUser(null)}
            onChanged={() => void refreshRows([openUser])}
          />
        )}
      </div>

      {creating && (
        <CreateUserDialog
          poolId={poolId}
          onClose={() => setCreating(false)}
          onCreated={(username) => {
            // The dialog says "Created alice@example.com" itself, by the name people know.
            setCreating(false);
            void loader.reset();
            setOpenUser(username);
          }}
        />
      )}
      {groupAction && (
        <GroupPicker
          poolId={poolId}
          action={groupAction}
          who={describeTargets(ticked.map(nameOf))}
          onClose={() => setGroupAction(null)}
          onPick={(group) => {
            setGroupAction(null);
            void bulk.run(groupAction === "add" ? "addToGroup" : "removeFromGroup", ticked, group);
          }}
        />
      )}
    </div>
  );
}
