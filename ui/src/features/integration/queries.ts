import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { LOCAL_CONNECTION } from "../../api/connection";
import { connectionsList, serveStatus } from "../../api/tauri";
import type { ResourceServerType } from "../../generated/cognito-idp";

/** A pool's resource servers, every page (a pool has few; the scope pickers need them all). */
export function useResourceServers(poolId: string) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "ListResourceServers", poolId],
    queryFn: async () => {
      const all: ResourceServerType[] = [];
      let token: string | undefined;
      do {
        const page = await api.idp("ListResourceServers", { UserPoolId: poolId, MaxResults: 50, NextToken: token });
        all.push(...(page.ResourceServers ?? []));
        token = page.NextToken || undefined;
      } while (token);
      return all;
    },
  });
}

export function useDomainDescription(domain: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "DescribeUserPoolDomain", domain],
    queryFn: () => api.idp("DescribeUserPoolDomain", { Domain: domain! }),
    enabled: !!domain,
    select: (r) => r.DomainDescription ?? {},
  });
}

/**
 * The endpoint the connection's pools answer on: a remote server's saved endpoint, or This
 * computer's while it serves (undefined while it does not).
 */
export function useConnectionEndpoint(): { endpoint?: string; local: boolean } {
  const api = useApi();
  const local = api.connection === LOCAL_CONNECTION;
  const serve = useQuery({ queryKey: ["serve_status"], queryFn: serveStatus, enabled: local });
  const remotes = useQuery({ queryKey: ["connections"], queryFn: connectionsList, enabled: !local });
  const endpoint = local ? serve.data?.endpoint : remotes.data?.find((c) => c.name === api.connection)?.endpoint;
  return { endpoint, local };
}
