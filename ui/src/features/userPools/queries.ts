import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";

/** Every user pool, paged by NextToken (60 a page), for lists and pickers. */
export function useUserPools() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: [api.connection, "ListUserPools"],
    queryFn: ({ pageParam }) => api.idp("ListUserPools", { MaxResults: 60, NextToken: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.NextToken || undefined,
  });
}

export function useUserPool(poolId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "DescribeUserPool", poolId],
    queryFn: () => api.idp("DescribeUserPool", { UserPoolId: poolId! }),
    enabled: !!poolId,
    select: (r) => r.UserPool,
  });
}

export function usePoolClients(poolId: string | undefined) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: [api.connection, "ListUserPoolClients", poolId],
    queryFn: ({ pageParam }) =>
      api.idp("ListUserPoolClients", { UserPoolId: poolId!, MaxResults: 60, NextToken: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.NextToken || undefined,
    enabled: !!poolId,
  });
}

export function usePoolGroups(poolId: string | undefined) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: [api.connection, "ListGroups", poolId],
    queryFn: ({ pageParam }) => api.idp("ListGroups", { UserPoolId: poolId!, Limit: 60, NextToken: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.NextToken || undefined,
    enabled: !!poolId,
  });
}
