// One group's members (ListUsersInGroup on the DataTable), with a user search to add people
// (by e-mail in e-mail pools, else by username) and a Remove on each member.
import { useCallback, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import type { UserType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { DataTable } from "../../components/DataTable";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { buildFilter, type FilterAttribute } from "../../lib/filter";
import { useTableLoader } from "../../lib/useTableLoader";
import type { FetchPage } from "../../lib/tableLoader";
import { usePoolPeople, type PoolPeople } from "../users/people";

const col = createColumnHelper<UserType>();

export function GroupMembers({ poolId, group, onClose }: { poolId: string; group: string; onClose: () => void }) {
  const api = useApi();
  const confirm = useConfirm();
  const toast = useToast();
  const people = usePoolPeople(poolId);
  const fetchPage: FetchPage<UserType, null> = (_q, token) =>
    api
      .idp("ListUsersInGroup", { UserPoolId: poolId, GroupName: group, Limit: 60, ...(token ? { NextToken: token } : {}) })
      .then((r) => ({ items: r.Users ?? [], nextToken: r.NextToken }));
  const [loader, state] = useTableLoader<UserType, null>(`${api.connection}/${poolId}/group/${group}`, fetchPage, null);
  const onNearEnd = useCallback((last: number) => void loader.ensureVisible(last), [loader]);

  const remove = useCallback(
    async (u: UserType) => {
      const name = people.nameOf(u);
      if (!(await confirm({ title: "Remove from group", message: `Remove ${name} from ${group}?`, confirmLabel: "Remove", danger: true }))) return;
      try {
        await api.idp("AdminRemoveUserFromGroup", { UserPoolId: poolId, Username: u.Username!, GroupName: group });
        loader.remove((r) => r.Username === u.Username);
        toast.ok(`Removed ${name} from ${group}`);
      } catch (e) {
        toast.error(e, "Remove failed");
      }
    },
    [api, confirm, group, loader, people, poolId, toast],
  );

  const columns = useMemo(
    () => [
      col.accessor((u) => people.nameOf(u), { id: "name", header: people.heading, meta: { key: true } }),
      col.accessor("UserStatus", { header: "Status", meta: { key: true, width: "7rem" }, cell: (c) => <span className="badge" title={c.getValue()}>{c.getValue()}</span> }),
      col.display({
        id: "remove",
        header: () => <span className="sr-only">Remove</span>,
        meta: { key: true, width: "5.5rem", label: "Remove" },
        cell: (c) => (
          <button
            type="button"
            className="small"
            data-testid="member-remove"
            aria-label={`Remove ${people.nameOf(c.row.original)} from ${group}`}
            onClick={(e) => {
              e.stopPropagation();
              void remove(c.row.original);
            }}
          >
            Remove
          </button>
        ),
      }),
    ],
    [people, group, remove],
  );

  return (
    <aside className="group-members" aria-labelledby="group-members-title" data-testid="group-members" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <header className="details-header">
        <h2 id="group-members-title">Members of {group}</h2>
        <button type="button" className="icon-button" aria-label="Close members" onClick={onClose}>
          ×
        </button>
      </header>
      <AddMember
        key={people.filterAttribute}
        poolId={poolId}
        group={group}
        people={people}
        onAdded={(name) => {
          toast.ok(`Added ${name} to ${group}`);
          void loader.reset();
        }}
      />
      <DataTable<UserType>
        label={`Members of ${group}`}
        noun={["member", "members"]}
        columnsKey="group-members"
        rows={state.rows}
        columns={columns}
        getRowId={(u) => u.Username ?? ""}
        complete={state.done}
        loading={state.loading}
        error={state.error}
        onRetry={() => void loader.retry()}
        onNearEnd={onNearEnd}
        rowTestId="member-row"
        rowAttributes={(u) => ({ "data-username": u.Username, "data-person": people.nameOf(u) })}
        empty={<EmptyState title="No members yet"><p>Find a user above to add them.</p></EmptyState>}
      />
    </aside>
  );
}

/** Finds users by the start of their e-mail (or username) and adds one to the group. */
function AddMember({ poolId, group, people, onAdded }: { poolId: string; group: string; people: PoolPeople; onAdded: (name: string) => void }) {
  const api = useApi();
  const [attribute, setAttribute] = useState<FilterAttribute>(people.filterAttribute);
  const [input, setInput] = useState("");
  const [query, setQuery] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [adding, setAdding] = useState<string | null>(null);
  const found = useQuery({
    queryKey: [api.connection, "ListUsers", poolId, attribute, query],
    queryFn: () => api.idp("ListUsers", { UserPoolId: poolId, Limit: 10, Filter: buildFilter({ attribute, operator: "^=", value: query }) }),
    enabled: query !== "",
  });
  const add = async (u: UserType) => {
    setError(null);
    setAdding(u.Username ?? null);
    try {
      await api.idp("AdminAddUserToGroup", { UserPoolId: poolId, Username: u.Username!, GroupName: group });
      onAdded(people.nameOf(u));
    } catch (e) {
      setError(e);
    } finally {
      setAdding(null);
    }
  };
  const results = found.data?.Users ?? [];
  return (
    <section className="add-member" aria-label={`Add a user to ${group}`}>
      <form
        className="row-inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(input.trim());
        }}
      >
        <label className="field inline">
          <span>Find by</span>
          <select value={attribute} onChange={(e) => setAttribute(e.target.value as FilterAttribute)} data-testid="member-search-by">
            <option value="email">E-mail</option>
            <option value="phone_number">Phone</option>
            <option value="username">Username</option>
          </select>
        </label>
        <label className="field inline grow">
          <span>Starts with</span>
          <input value={input} onChange={(e) => setInput(e.target.value)} data-testid="member-search" type="search" />
        </label>
        <button type="submit" data-testid="member-search-submit">
          Find
        </button>
      </form>
      {found.isFetching && <Spinner label="Finding users" />}
      <ErrorBox error={found.error ?? error} />
      {query && found.data && results.length === 0 && <p className="muted">No user’s {attribute} starts with “{query}”.</p>}
      {results.length > 0 && (
        <ul className="member-candidates">
          {results.map((u) => (
            <li key={u.Username} data-testid="member-candidate">
              <span className="member-candidate-name">{people.nameOf(u)}</span>
              <button type="button" className="small" data-testid="member-add" disabled={adding !== null} onClick={() => void add(u)}>
                Add
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
