import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type RowSelectionState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { UserType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { Dialog } from "../../components/Dialog";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { runBulk, type BulkResult } from "../../lib/bulk";
import { attr, formatEpoch } from "../../lib/format";
import { useTableLoader } from "../../lib/useTableLoader";
import type { Navigate } from "../../routes";
import { FilterBuilder } from "./FilterBuilder";
import { listUsersPage } from "./listUsersPage";
import { UserDetails } from "./UserDetails";
import { CreateUserDialog } from "./CreateUserDialog";
import { ImportUsersButton } from "./ImportUsersDialog";
import { usePoolGroups } from "../userPools/queries";

const ROW_HEIGHT = 37;
const col = createColumnHelper<UserType>();

export function UsersTab({ poolId, navigate }: { poolId: string; navigate: Navigate }) {
  const api = useApi();
  const toast = useToast();
  const confirm = useConfirm();
  const [loader, state] = useTableLoader<UserType, string | undefined>(
    `${api.connection}/${poolId}`,
    listUsersPage(api, poolId),
    undefined,
  );
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [openUser, setOpenUser] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [bulk, setBulk] = useState<{ label: string; result: BulkResult } | null>(null);
  const [progress, setProgress] = useState<{ label: string; done: number; total: number } | null>(null);
  const [groupAction, setGroupAction] = useState<"add" | "remove" | null>(null);

  const columns = useMemo(
    () => [
      col.display({
        id: "select",
        header: ({ table }) => (
          <input
            type="checkbox"
            aria-label="Select all loaded users"
            checked={table.getIsAllRowsSelected()}
            ref={(el) => {
              if (el) el.indeterminate = table.getIsSomeRowsSelected();
            }}
            onChange={table.getToggleAllRowsSelectedHandler()}
          />
        ),
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={`Select ${row.original.Username}`}
            checked={row.getIsSelected()}
            onClick={(e) => e.stopPropagation()}
            onChange={row.getToggleSelectedHandler()}
          />
        ),
      }),
      col.accessor("Username", { header: "Username", cell: (c) => <span className="mono">{c.getValue()}</span> }),
      col.accessor((u) => attr(u.Attributes, "email") ?? "", { id: "email", header: "E-mail" }),
      col.accessor("UserStatus", { header: "Status", cell: (c) => <span className="badge">{c.getValue()}</span> }),
      col.accessor("Enabled", {
        header: "Enabled",
        cell: (c) => (
          <span className={c.getValue() === false ? "badge badge-off" : "badge badge-on"}>
            {c.getValue() === false ? "Disabled" : "Enabled"}
          </span>
        ),
      }),
      col.accessor("UserCreateDate", { header: "Created", cell: (c) => formatEpoch(c.getValue()) }),
    ],
    [],
  );

  const table = useReactTable({
    data: state.rows as UserType[],
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (u) => u.Username ?? "",
    state: { rowSelection: selection },
    onRowSelectionChange: setSelection,
    enableRowSelection: true,
  });
  const rows = table.getRowModel().rows;

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (lastIndex >= 0) void loader.ensureVisible(lastIndex);
  }, [lastIndex, loader, rows.length]);

  const selected = Object.keys(selection).filter((k) => selection[k]);
  const targets = selected.length > 0 ? selected : openUser ? [openUser] : [];
  const targetLabel =
    selected.length > 0 ? `${selected.length} selected` : openUser ? openUser : "no user";

  /** Re-reads the given users and patches their rows (status and flags change server-side). */
  const refreshRows = useCallback(
    async (usernames: string[]) => {
      if (usernames.length > 60) return void loader.reset();
      const fresh = new Map<string, UserType>();
      await Promise.all(
        usernames.map(async (u) => {
          try {
            const r = await api.idp("AdminGetUser", { UserPoolId: poolId, Username: u });
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
    [api, loader, poolId],
  );

  const run = async (label: string, action: (u: string) => Promise<unknown>, after: (ok: string[]) => void) => {
    const list = targets.slice();
    setProgress({ label, done: 0, total: list.length });
    const result = await runBulk(list, action, {
      onProgress: (done, total) => setProgress({ label, done, total }),
    });
    setProgress(null);
    after(result.succeeded);
    if (result.failed.length > 0 || list.length > 1) setBulk({ label, result });
    else toast.ok(`${label}: ${list[0]}`);
  };

  const act = {
    enable: () =>
      run("Enable", (u) => api.idp("AdminEnableUser", { UserPoolId: poolId, Username: u }), (ok) => void refreshRows(ok)),
    disable: async () => {
      if (
        !(await confirm({
          title: "Disable users",
          message: `Disable ${targetLabel}? Disabled users cannot sign in; their tokens stop working.`,
          confirmLabel: "Disable",
          danger: true,
        }))
      )
        return;
      await run("Disable", (u) => api.idp("AdminDisableUser", { UserPoolId: poolId, Username: u }), (ok) => void refreshRows(ok));
    },
    reset: async () => {
      if (
        !(await confirm({
          title: "Reset passwords",
          message: `Reset the password of ${targetLabel}? They must set a new one with a code sent to them.`,
          confirmLabel: "Reset password",
          danger: true,
        }))
      )
        return;
      await run("Reset password", (u) => api.idp("AdminResetUserPassword", { UserPoolId: poolId, Username: u }), (ok) => void refreshRows(ok));
    },
    signOut: async () => {
      if (
        !(await confirm({
          title: "Sign out everywhere",
          message: `Revoke every refresh token of ${targetLabel}?`,
          confirmLabel: "Sign out everywhere",
          danger: true,
        }))
      )
        return;
      await run("Sign out everywhere", (u) => api.idp("AdminUserGlobalSignOut", { UserPoolId: poolId, Username: u }), () => {});
    },
    remove: async () => {
      if (
        !(await confirm({
          title: "Delete users",
          message: `Delete ${targetLabel}? This cannot be undone.`,
          confirmLabel: "Delete",
          danger: true,
        }))
      )
        return;
      await run("Delete", (u) => api.idp("AdminDeleteUser", { UserPoolId: poolId, Username: u }), (ok) => {
        const gone = new Set(ok);
        loader.remove((r) => gone.has(r.Username ?? ""));
        setSelection((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !gone.has(k))));
        if (openUser && gone.has(openUser)) setOpenUser(null);
      });
    },
  };

  const busy = progress !== null;
  const none = targets.length === 0 || busy;

  return (
    <div className="users-tab">
      <div className="toolbar">
        <FilterBuilder
          busy={state.loading && state.pages === 0}
          onApply={(f) => {
            setSelection({});
            void loader.setQuery(f);
          }}
        />
      </div>
      <div className="toolbar" role="toolbar" aria-label="User actions">
        <button type="button" className="primary" data-testid="create-user" onClick={() => setCreating(true)}>
          Create user
        </button>
        <ImportUsersButton poolId={poolId} onImported={() => void loader.reset()} />
        <span className="toolbar-sep" aria-hidden="true" />
        <span className="muted">Acting on: {targetLabel}</span>
        <button type="button" data-testid="user-action-enable" disabled={none} onClick={act.enable}>
          Enable
        </button>
        <button type="button" data-testid="user-action-disable" disabled={none} onClick={act.disable}>
          Disable
        </button>
        <button type="button" data-testid="user-action-reset-password" disabled={none} onClick={act.reset}>
          Reset password
        </button>
        <button type="button" data-testid="user-action-sign-out" disabled={none} onClick={act.signOut}>
          Sign out everywhere
        </button>
        <button type="button" data-testid="user-action-add-group" disabled={none} onClick={() => setGroupAction("add")}>
          Add to group
        </button>
        <button type="button" data-testid="user-action-remove-group" disabled={none} onClick={() => setGroupAction("remove")}>
          Remove from group
        </button>
        <button type="button" className="danger" data-testid="user-action-delete" disabled={none} onClick={act.remove}>
          Delete
        </button>
        <button type="button" className="small" onClick={() => void loader.reset()} aria-label="Reload users">
          Reload
        </button>
        {progress && (
          <span className="progress" role="status">
            <Spinner label={progress.label} /> {progress.label} {progress.done}/{progress.total}
          </span>
        )}
      </div>

      {bulk && (
        <div className={bulk.result.failed.length ? "bulk-result has-failures" : "bulk-result"} role="status" data-testid="bulk-result">
          <strong>
            {bulk.label}: {bulk.result.succeeded.length} succeeded, {bulk.result.failed.length} failed
          </strong>
          {bulk.result.failed.length > 0 && (
            <ul>
              {bulk.result.failed.map((f) => (
                <li key={f.item}>
                  <span className="mono">{f.item}</span>: <strong>{f.code}</strong> {f.message}
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="small" onClick={() => setBulk(null)}>
            Dismiss
          </button>
        </div>
      )}

      <div className="users-body">
        <div className="users-table">
          <ErrorBox error={state.error} onRetry={() => void loader.retry()} testId="users-error" />
          <div className="table-scroll" ref={scrollRef} tabIndex={-1}>
            <table className="data-table" aria-label="Users" aria-rowcount={state.done ? rows.length + 1 : -1}>
              <thead>
                {table.getHeaderGroups().map((hg) => (
                  <tr key={hg.id}>
                    {hg.headers.map((h) => (
                      <th key={h.id} scope="col" className={`col-${h.column.id}`}>
                        {flexRender(h.column.columnDef.header, h.getContext())}
                      </th>
                    ))}
                  </tr>
                ))}
              </thead>
              <tbody>
                {items.length > 0 && items[0]!.start > 0 && (
                  <tr aria-hidden="true" style={{ height: items[0]!.start }} />
                )}
                {items.map((vi) => {
                  const row = rows[vi.index]!;
                  const u = row.original;
                  return (
                    <tr
                      key={row.id}
                      data-testid="user-row"
                      data-username={u.Username}
                      className={`clickable ${openUser === u.Username ? "current" : ""}`}
                      aria-selected={row.getIsSelected()}
                      aria-rowindex={vi.index + 2}
                      tabIndex={0}
                      style={{ height: ROW_HEIGHT }}
                      onClick={() => setOpenUser(u.Username ?? null)}
                      onKeyDown={(e) => {
                        if (e.target !== e.currentTarget) return;
                        if (e.key === "Enter") setOpenUser(u.Username ?? null);
                        if (e.key === " ") {
                          e.preventDefault();
                          row.toggleSelected();
                        }
                      }}
                    >
                      {row.getVisibleCells().map((c) => (
                        <td key={c.id} className={`col-${c.column.id}`}>
                          {flexRender(c.column.columnDef.cell, c.getContext())}
                        </td>
                      ))}
                    </tr>
                  );
                })}
                {items.length > 0 && (
                  <tr
                    aria-hidden="true"
                    style={{ height: virtualizer.getTotalSize() - items[items.length - 1]!.end }}
                  />
                )}
              </tbody>
            </table>
            {state.loading && (
              <div className="table-status">
                <Spinner label="Loading users" /> Loading…
              </div>
            )}
            {!state.loading && state.done && rows.length === 0 && !state.error && (
              <EmptyState title="No users">
                <p>{loader.getQuery() ? "No user matches this filter." : "Create a user to get started."}</p>
              </EmptyState>
            )}
          </div>
          <p className="muted small-text" aria-live="polite">
            {rows.length} loaded{state.done ? "" : ", more on scroll"}
          </p>
        </div>
        {openUser && (
          <UserDetails
            key={openUser}
            poolId={poolId}
            username={openUser}
            navigate={navigate}
            onClose={() => setOpenUser(null)}
            onChanged={() => void refreshRows([openUser])}
          />
        )}
      </div>

      {creating && (
        <CreateUserDialog
          poolId={poolId}
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            void loader.reset();
            setOpenUser(u);
          }}
        />
      )}
      {groupAction && (
        <GroupPicker
          poolId={poolId}
          action={groupAction}
          onClose={() => setGroupAction(null)}
          onPick={async (group) => {
            const action = groupAction;
            setGroupAction(null);
            if (
              action === "remove" &&
              !(await confirm({
                title: "Remove from group",
                message: `Remove ${targetLabel} from ${group}?`,
                confirmLabel: "Remove",
                danger: true,
              }))
            )
              return;
            await run(
              action === "add" ? `Add to ${group}` : `Remove from ${group}`,
              (u) =>
                action === "add"
                  ? api.idp("AdminAddUserToGroup", { UserPoolId: poolId, Username: u, GroupName: group })
                  : api.idp("AdminRemoveUserFromGroup", { UserPoolId: poolId, Username: u, GroupName: group }),
              () => {},
            );
          }}
        />
      )}
    </div>
  );
}

function GroupPicker({
  poolId,
  action,
  onClose,
  onPick,
}: {
  poolId: string;
  action: "add" | "remove";
  onClose: () => void;
  onPick: (group: string) => void;
}) {
  const groups = usePoolGroups(poolId);
  const names = groups.data?.pages.flatMap((p) => p.Groups ?? []).map((g) => g.GroupName!) ?? [];
  const [group, setGroup] = useState("");
  const value = group || names[0] || "";
  return (
    <Dialog title={action === "add" ? "Add to group" : "Remove from group"} onClose={onClose}>
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
