import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { ErrorBox, Spinner } from "../../components/bits";
import { claimsFromUser } from "../../lib/claims";
import { escapeFilterValue } from "../../lib/filter";
import { personName, signInAttributes } from "../../lib/person";
import { userStateWarning } from "./simulation";

export interface LoadedUser {
  claims: Record<string, unknown>;
  /** Set when the user is disabled or cannot sign in yet. */
  warning: string | null;
}

/**
 * Picks a user of the linked pool and builds the claims of their ID token. In pools where people
 * sign in with their e-mail, it is found and shown by e-mail (the username is an internal id).
 */
export function SimUserPicker({
  poolId,
  clientId,
  usernameAttributes,
  onLoaded,
}: {
  poolId: string;
  clientId: string | undefined;
  usernameAttributes: string[] | undefined;
  onLoaded: (user: LoadedUser | undefined) => void;
}) {
  const api = useApi();
  const [text, setText] = useState("");
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const byEmail = signInAttributes(usernameAttributes).includes("email");
  const searchAttribute = byEmail ? "email" : "username";

  const suggestions = useQuery({
    queryKey: [api.connection, "ListUsers", poolId, "sim-suggest", searchAttribute, text],
    queryFn: () =>
      api.idp("ListUsers", {
        UserPoolId: poolId,
        Limit: 10,
        ...(text ? { Filter: `${searchAttribute} ^= "${escapeFilterValue(text)}"` } : {}),
      }),
    staleTime: 10_000,
  });
  const users = suggestions.data?.Users ?? [];
  const emailOf = (u: (typeof users)[number]) => u.Attributes?.find((a) => a.Name === "email")?.Value;

  const load = async () => {
    // A picked suggestion shows the e-mail; Cognito's calls want the username behind it.
    const username = users.find((u) => personName(u, usernameAttributes) === text)?.Username ?? text;
    setLoading(true);
    setError(null);
    onLoaded(undefined);
    try {
      const [user, groups] = await Promise.all([
        api.idp("AdminGetUser", { UserPoolId: poolId, Username: username }),
        api.idp("AdminListGroupsForUser", { UserPoolId: poolId, Username: username, Limit: 60 }),
      ]);
      onLoaded({ claims: claimsFromUser(user, groups.Groups ?? [], { poolId, clientId }), warning: userStateWarning(user) });
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  return (
    <>
      <form
        className="row-inline"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label className="field inline grow">
          <span>{byEmail ? "User's e-mail" : "Username"}</span>
          <input
            data-testid="sim-user"
            list="sim-user-list"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setError(null);
              onLoaded(undefined);
            }}
            autoComplete="off"
          />
          <datalist id="sim-user-list" data-testid="sim-user-suggestions">
            {users.map((u) => (
              <option key={u.Username} value={personName(u, usernameAttributes)} label={byEmail ? undefined : emailOf(u)} />
            ))}
          </datalist>
        </label>
        <button type="submit" className="small" data-testid="sim-user-load" disabled={!text || loading}>
          {loading ? <Spinner label="Loading user" /> : null} Load claims
        </button>
      </form>
      <ErrorBox error={error} testId="sim-user-error" />
    </>
  );
}
