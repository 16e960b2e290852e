// Every e-mail and SMS the server sent, newest first, updated on its own every few seconds
// while the window is visible, searchable by e-mail, phone or username, each with Copy.
import { useCallback, useMemo, useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useApi } from "../../api/connection";
import type { ListMessagesRequest, Message } from "../../api/pooldesk";
import { DataTable } from "../../components/DataTable";
import { CopyButton, EmptyState, Spinner } from "../../components/bits";
import { formatEpoch } from "../../lib/format";
import { PersonName } from "../users/PersonName";
import { useUserPools } from "../userPools/queries";
import "./messages.css";

/** How often the list asks for new messages while visible. */
export const MESSAGES_POLL_MS = 3000;

const col = createColumnHelper<Message>();

/** What a person copies from a message: the code when it carries one, else the body. */
export function copyableText(m: Message): string {
  return m.Code ?? m.Body;
}

export function MessagesView({ initialPoolId, initialUsername }: { initialPoolId?: string; initialUsername?: string }) {
  const api = useApi();
  const pools = useUserPools();
  const [poolId, setPoolId] = useState(initialPoolId ?? "");
  // Opened from a user's details: that user's messages, by exact username.
  const [username, setUsername] = useState(initialUsername ?? "");
  const [searchInput, setSearchInput] = useState("");
  const [search, setSearch] = useState("");
  const [openId, setOpenId] = useState<string | null>(null);
  const messages = useInfiniteQuery({
    queryKey: [api.connection, "PoolDesk.ListMessages", poolId, username, search],
    queryFn: ({ pageParam }) => {
      const input: ListMessagesRequest = {
        ...(poolId ? { UserPoolId: poolId } : {}),
        ...(username ? { Username: username } : {}),
        ...(search ? { Search: search } : {}),
        MaxResults: 50,
        NextToken: pageParam,
      };
      return api.pooldesk("ListMessages", input);
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.NextToken ?? undefined,
    // react-query pauses the interval while the window is hidden.
    refetchInterval: MESSAGES_POLL_MS,
  });
  const list = useMemo(() => messages.data?.pages.flatMap((p) => p.Messages) ?? [], [messages.data]);
  const poolList = pools.data?.pages.flatMap((p) => p.UserPools ?? []) ?? [];
  const poolName = useMemo(() => new Map(poolList.map((p) => [p.Id, p.Name])), [poolList]);
  const open = list.find((m) => m.MessageId === openId);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = messages;
  const onNearEnd = useCallback(
    (last: number) => {
      if (hasNextPage && !isFetchingNextPage && last >= list.length - 20) void fetchNextPage();
    },
    [hasNextPage, isFetchingNextPage, fetchNextPage, list.length],
  );

  const columns = useMemo(
    () => [
      col.accessor("CreatedDate", { id: "sent", header: "Sent", meta: { key: true, width: "11rem" }, cell: (c) => formatEpoch(c.getValue()) }),
      col.accessor("Destination", {
        id: "to",
        header: "To",
        meta: { key: true },
        cell: (c) => (
          <span className="mono" title={c.getValue()}>
            <span className="badge">{c.row.original.DeliveryMedium}</span> {c.getValue()}
          </span>
        ),
      }),
      col.accessor("Code", {
        header: "Code",
        meta: { key: true, width: "7rem" },
        cell: (c) =>
          c.getValue() ? (
            <span className="message-code mono" data-testid="message-code" aria-label={`Code ${c.getValue()!.split("").join(" ")}`}>
              {c.getValue()}
            </span>
          ) : (
            <span className="muted">—</span>
          ),
      }),
      col.accessor((m) => m.Subject || m.Body, { id: "message", header: "Message", cell: (c) => <span title={c.getValue()}>{c.getValue()}</span> }),
      col.accessor("Username", {
        id: "user",
        header: "User",
        meta: { width: "12rem" },
        cell: (c) => <PersonName poolId={c.row.original.UserPoolId} username={c.getValue()} />,
      }),
      col.accessor((m) => poolName.get(m.UserPoolId) ?? m.UserPoolId, { id: "pool", header: "Pool", meta: { width: "8rem", hiddenByDefault: !!initialPoolId } }),
      col.display({
        id: "copy",
        header: () => <span className="sr-only">Copy</span>,
        meta: { key: true, width: "5rem", label: "Copy" },
        cell: (c) => (
          <span onClick={(e) => e.stopPropagation()}>
            <CopyButton text={copyableText(c.row.original)} label={c.row.original.Code ? "code" : "message"} testId="message-copy" />
          </span>
        ),
      }),
    ],
    [poolName, initialPoolId],
  );

  return (
    <section className="screen screen-fill" aria-labelledby="messages-title">
      <header className="screen-header">
        <h1 id="messages-title">Messages</h1>
        <span className="muted small-text" aria-live="off">
          {messages.isFetching ? <Spinner label="Refreshing" /> : null} Updates every {MESSAGES_POLL_MS / 1000} s
        </span>
      </header>
      <p className="muted">Every e-mail and SMS PoolDesk sent (codes, invitations), newest first.</p>
      <form
        className="toolbar"
        role="search"
        aria-label="Filter messages"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(searchInput.trim());
        }}
      >
        <label className="field inline">
          <span>User pool</span>
          <select value={poolId} onChange={(e) => setPoolId(e.target.value)} data-testid="messages-pool">
            <option value="">All pools</option>
            {poolList.map((p) => (
              <option key={p.Id} value={p.Id}>
                {p.Name}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline grow">
          <span>E-mail, phone or username contains</span>
          <input value={searchInput} onChange={(e) => setSearchInput(e.target.value)} data-testid="messages-search" type="search" />
        </label>
        <button type="submit" data-testid="messages-filter">
          Filter
        </button>
        {username && (
          <span className="chip" data-testid="messages-user">
            For <PersonName poolId={poolId || undefined} username={username} />
            <button type="button" className="icon-button" aria-label="Show every user's messages" onClick={() => setUsername("")}>
              ×
            </button>
          </span>
        )}
      </form>
      <div className="messages-body">
        <DataTable<Message>
          label="Messages"
          noun={["message", "messages"]}
          columnsKey="messages"
          rows={list}
          columns={columns}
          getRowId={messageId}
          complete={!messages.hasNextPage && !messages.isPending}
          loading={messages.isPending || messages.isFetchingNextPage}
          error={messages.error}
          onRetry={() => void messages.refetch()}
          onNearEnd={onNearEnd}
          onOpen={(m) => setOpenId(m.MessageId)}
          openId={openId}
          narrow={!!open}
          scrollKey={`${poolId}/${username}/${search}`}
          rowTestId="message-row"
          empty={
            <EmptyState title="No messages">
              <p>
                {search || username ? "No message matches this filter." : "Sign-ups, invitations and password resets will show their messages here."}
              </p>
            </EmptyState>
          }
        />
        {open && <MessageDetails message={open} poolName={poolName.get(open.UserPoolId)} onClose={() => setOpenId(null)} />}
      </div>
    </section>
  );
}

function MessageDetails({ message: m, poolName, onClose }: { message: Message; poolName?: string; onClose: () => void }) {
  return (
    <aside className="message-details" aria-label="Message" data-testid="message-details" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <header className="details-header">
        <h2 className="mono">{m.Destination}</h2>
        <button type="button" className="icon-button" aria-label="Close message" onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="kv">
        <dt>Sent</dt>
        <dd>{formatEpoch(m.CreatedDate)}</dd>
        <dt>User</dt>
        <dd>
          <PersonName poolId={m.UserPoolId} username={m.Username} />
        </dd>
        <dt>Pool</dt>
        <dd>{poolName ?? m.UserPoolId}</dd>
        <dt>Delivery</dt>
        <dd>{m.Delivery}</dd>
      </dl>
      {m.Code && (
        <div className="message-code-row">
          <div className="code-big" aria-label={`Code ${m.Code.split("").join(" ")}`}>
            {m.Code}
          </div>
          <CopyButton text={m.Code} label="code" />
        </div>
      )}
      {m.Subject && <strong>{m.Subject}</strong>}
      <pre className="message-body">{m.Body}</pre>
      <CopyButton text={m.Body} label="message body" />
    </aside>
  );
}

const messageId = (m: Message) => m.MessageId;
