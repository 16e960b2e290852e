// The pool's way of naming its users to a person (see lib/person.ts), for every users screen.
import { useCallback, useMemo } from "react";
import { personName, signInAttributes, type UserLike } from "../../lib/person";
import type { FilterAttribute } from "../../lib/filter";
import { useUserPool } from "../userPools/queries";

export interface PoolPeople {
  /** The name to show for a user: e-mail or phone in pools that sign in with them. */
  nameOf: (user: UserLike) => string;
  /** The pool signs in by e-mail or phone; its usernames are internal ids. */
  internalUsernames: boolean;
  /** The column heading for that name: "E-mail", "Phone", "E-mail or phone" or "Username". */
  heading: string;
  /** What the users filter searches by default: what people know the users by. */
  filterAttribute: FilterAttribute;
  /** DescribeUserPool's estimate of the pool's users (not a count). */
  estimatedUsers: number | undefined;
}

export function usePoolPeople(poolId: string): PoolPeople {
  const pool = useUserPool(poolId);
  const usernameAttributes = pool.data?.UsernameAttributes;
  const key = (usernameAttributes ?? []).join(",");
  const nameOf = useCallback((user: UserLike) => personName(user, usernameAttributes), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const estimatedUsers = pool.data?.EstimatedNumberOfUsers;
  return useMemo(() => {
    const ids = signInAttributes(usernameAttributes);
    const heading =
      ids.length === 2 ? "E-mail or phone" : ids[0] === "email" ? "E-mail" : ids[0] === "phone_number" ? "Phone" : "Username";
    return {
      nameOf,
      internalUsernames: ids.length > 0,
      heading,
      filterAttribute: (ids[0] as FilterAttribute | undefined) ?? "username",
      estimatedUsers,
    };
  }, [key, nameOf, estimatedUsers]); // eslint-disable-line react-hooks/exhaustive-deps
}

/** "alice@example.com" for one user, "3 users" for more: what confirmations and toasts say. */
export function describeTargets(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `${names.length} users`;
}
