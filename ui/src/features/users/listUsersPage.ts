import type { UserType } from "../../generated/cognito-idp";
import type { Api } from "../../api/client";
import type { FetchPage } from "../../lib/tableLoader";

/** One ListUsers page (60, Cognito's maximum) for the users table loader. */
export function listUsersPage(api: Api, poolId: string): FetchPage<UserType, string | undefined> {
  return async (filter, token) => {
    const r = await api.idp("ListUsers", {
      UserPoolId: poolId,
      Limit: 60,
      ...(filter ? { Filter: filter } : {}),
      ...(token ? { PaginationToken: token } : {}),
    });
    return { items: r.Users ?? [], nextToken: r.PaginationToken };
  };
}
