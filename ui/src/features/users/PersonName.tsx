// A username shown as the person it belongs to, for screens that only carry usernames (the
// audit log, messages). Rendered per visible row only (the tables are virtualised), so it asks
// for the few users on screen, each once: DescribeUserPool and AdminGetUser are cached.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { personName, usernameIsInternal } from "../../lib/person";
import { useUserPool } from "../userPools/queries";

const FIVE_MINUTES = 5 * 60_000;

export function usePersonName(poolId: string | undefined, username: string | undefined): string | undefined {
  const api = useApi();
  const pool = useUserPool(poolId);
  const internal = usernameIsInternal(pool.data?.UsernameAttributes);
  const user = useQuery({
    queryKey: [api.connection, "AdminGetUser", poolId, username],
    queryFn: () => api.idp("AdminGetUser", { UserPoolId: poolId!, Username: username! }),
    enabled: !!poolId && !!username && internal,
    staleTime: FIVE_MINUTES,
    retry: false,
  });
  if (!username) return undefined;
  return user.data ? personName(user.data, pool.data?.UsernameAttributes) : username;
}

/** The person's e-mail or phone in pools that sign in with them, else the username (also
 * while loading, or when the user is gone). The username stays in the tooltip. */
export function PersonName({ poolId, username }: { poolId: string | undefined; username: string }) {
  const name = usePersonName(poolId, username) ?? username;
  return (
    <span title={name === username ? undefined : `Username ${username}`} data-testid="person-name">
      {name}
    </span>
  );
}
