import { useCallback, useMemo } from "react";
import { createColumnHelper } from "@tanstack/react-table";
import type { UserType } from "../../generated/cognito-idp";
import { DataTable, type RowSelectionState } from "../../components/DataTable";
import { EmptyState } from "../../components/bits";
import { attr } from "../../lib/format";
import type { LoaderState, TableLoader } from "../../lib/tableLoader";
import type { PoolPeople } from "./people";

const col = createColumnHelper<UserType>();

// Made once: toLocale*String builds a formatter per call, slow over thousands of cells.
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "short" });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

/** "12/6/26" and ", 11:40:00 AM" apart, so a narrow table can show the date alone. */
function CreatedCell({ seconds }: { seconds: number | undefined }) {
  if (seconds === undefined) return <>—</>;
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return <>—</>;
  const date = dateFormat.format(d);
  const time = timeFormat.format(d);
  return (
    <time dateTime={d.toISOString()} title={`${date}, ${time}`}>
      {date}
      <span className="time-part">, {time}</span>
    </time>
  );
}

function userColumns(people: PoolPeople) {
  return [
    col.accessor((u) => people.nameOf(u), {
      id: "name",
      header: people.heading,
      meta: { key: true },
      cell: (c) => (
        <span className={people.internalUsernames ? "" : "mono"} title={c.getValue()}>
          {c.getValue()}
        </span>
      ),
    }),
    people.internalUsernames
      ? col.accessor("Username", {
          id: "username",
          header: "Username",
          meta: { label: "Username (internal id)" },
          cell: (c) => <span className="mono muted">{c.getValue()}</span>,
        })
      : col.accessor((u) => attr(u.Attributes, "email") ?? "", { id: "email", header: "E-mail" }),
    col.accessor("UserStatus", {
      header: "Status",
      meta: { key: true, width: "11rem", narrowWidth: "7.5rem" },
      cell: (c) => (
        <span className="badge" title={c.getValue()}>
          {c.getValue()}
        </span>
      ),
    }),
    col.accessor("Enabled", {
      header: "Enabled",
      meta: { key: true, width: "6rem", narrowWidth: "5.5rem", sortValue: (u) => u.Enabled !== false },
      cell: (c) => (
        <span className={c.getValue() === false ? "badge badge-off" : "badge badge-on"}>
          {c.getValue() === false ? "Disabled" : "Enabled"}
        </span>
      ),
    }),
    col.accessor("UserCreateDate", {
      id: "created",
      header: "Created",
      meta: { key: true, width: "12rem", narrowWidth: "6.5rem" },
      cell: (c) => <CreatedCell seconds={c.getValue()} />,
    }),
    col.accessor("UserLastModifiedDate", {
      id: "modified",
      header: "Modified",
      meta: { hiddenByDefault: true, width: "12rem" },
      cell: (c) => <CreatedCell seconds={c.getValue()} />,
    }),
  ];
}

export function UsersTable({
  loader,
  state,
  people,
  selection,
  onSelectionChange,
  openUser,
  onOpen,
  narrow,
  filter,
}: {
  loader: TableLoader<UserType, string | undefined>;
  state: LoaderState<UserType>;
  people: PoolPeople;
  selection: RowSelectionState;
  onSelectionChange: (s: RowSelectionState) => void;
  openUser: string | null;
  onOpen: (username: string) => void;
  narrow: boolean;
  filter: string | undefined;
}) {
  const columns = useMemo(() => userColumns(people), [people]);
  const onNearEnd = useCallback((last: number) => void loader.ensureVisible(last), [loader]);
  const openRow = useCallback((u: UserType) => onOpen(u.Username ?? ""), [onOpen]);
  return (
    <DataTable<UserType>
      label="Users"
      noun={["user", "users"]}
      columnsKey={people.internalUsernames ? "users-by-sign-in" : "users"}
      rows={state.rows}
      columns={columns}
      getRowId={rowId}
      rowLabel={people.nameOf}
      complete={state.done}
      loading={state.loading}
      error={state.error}
      onRetry={() => void loader.retry()}
      errorTestId="users-error"
      onNearEnd={onNearEnd}
      // The estimate counts the whole pool: only meaningful without a filter.
      total={filter === undefined && people.estimatedUsers !== undefined ? { count: people.estimatedUsers, estimate: true } : undefined}
      unordered
      selection={{ state: selection, onChange: onSelectionChange }}
      onOpen={openRow}
      openId={openUser}
      narrow={narrow}
      scrollKey={filter}
      rowTestId="user-row"
      rowAttributes={(u) => ({ "data-username": u.Username, "data-person": people.nameOf(u) })}
      empty={
        <EmptyState title="No users">
          <p>{filter ? "No user matches this filter." : "Create a user to get started."}</p>
        </EmptyState>
      }
    />
  );
}

const rowId = (u: UserType) => u.Username ?? "";
