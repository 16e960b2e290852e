import { useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { formatEpoch } from "../../lib/format";
import { useUserPools } from "../userPools/queries";

export function MessagesView({ initialPoolId, initialUsername }: { initialPoolId?: string; initialUsername?: string }) {
  const api = useApi();
  const pools = useUserPools();
  const [poolId, setPoolId] = useState(initialPoolId ?? "");
  const [usernameInput, setUsernameInput] = useState(initialUsername ?? "");
  const [username, setUsername] = useState(initialUsername ?? "");
  const messages = useInfiniteQuery({
    queryKey: [api.connection, "PoolDesk.ListMessages", poolId, username],
    queryFn: ({ pageParam }) =>
      api.pooldesk("ListMessages", {
        ...(poolId ? { UserPoolId: poolId } : {}),
        ...(username ? { Username: username } : {}),
        MaxResults: 50,
        NextToken: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.NextToken ?? undefined,
  });
  const list = messages.data?.pages.flatMap((p) => p.Messages) ?? [];
  const poolList = pools.data?.pages.flatMap((p) => p.UserPools ?? []) ?? [];
  const poolName = new Map(poolList.map((p) => [p.Id, p.Name]));

  return (
    <section className="screen" aria-labelledby="messages-title">
      <header className="screen-header">
        <h1 id="messages-title">Messages</h1>
        <button type="button" onClick={() => messages.refetch()} disabled={messages.isFetching}>
          {messages.isFetching ? <Spinner label="Refreshing" /> : null} Refresh
        </button>
      </header>
      <p className="muted">Every e-mail and SMS PoolDesk sent (codes, invitations), newest first.</p>
      <form
        className="toolbar"
        role="search"
        aria-label="Filter messages"
        onSubmit={(e) => {
          e.preventDefault();
          setUsername(usernameInput.trim());
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
        <label className="field inline">
          <span>Username</span>
          <input value={usernameInput} onChange={(e) => setUsernameInput(e.target.value)} data-testid="messages-username" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={messages.error} onRetry={() => messages.refetch()} />
      {messages.isPending ? (
        <Spinner label="Loading messages" />
      ) : list.length === 0 ? (
        <EmptyState title="No messages">
          <p>Sign-ups, invitations and password resets will show their messages here.</p>
        </EmptyState>
      ) : (
        <ol className="messages" aria-label="Messages">
          {list.map((m) => (
            <li key={m.MessageId} className="message" data-testid="message-row">
              <div className="message-head">
                <span className="badge">{m.DeliveryMedium}</span>
                <span className="mono">{m.Destination}</span>
                <span className="muted">
                  {m.Username} · {poolName.get(m.UserPoolId) ?? m.UserPoolId}
                </span>
                <time className="muted">{formatEpoch(m.CreatedDate)}</time>
                <span className="muted small-text">{m.Delivery}</span>
              </div>
              {m.Code && (
                <div className="code-big" aria-label={`Code ${m.Code.split("").join(" ")}`} data-testid="message-code">
                  {m.Code}
                </div>
              )}
              {m.Subject && <strong>{m.Subject}</strong>}
              <pre className="message-body">{m.Body}</pre>
            </li>
          ))}
        </ol>
      )}
      {messages.hasNextPage && (
        <button type="button" onClick={() => messages.fetchNextPage()} disabled={messages.isFetchingNextPage}>
          {messages.isFetchingNextPage ? "Loading…" : "Older messages"}
        </button>
      )}
    </section>
  );
}
