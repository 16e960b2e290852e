import { useQueries, useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import type { ProviderDescription, UserPoolClientDescription } from "../../generated/cognito-idp";

/** A pool's sign-in providers, every page (60 a page). */
export function useIdentityProviders(poolId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "ListIdentityProviders", poolId],
    queryFn: async () => {
      const all: ProviderDescription[] = [];
      let token: string | undefined;
      do {
        const page = await api.idp("ListIdentityProviders", { UserPoolId: poolId!, MaxResults: 60, NextToken: token });
        all.push(...(page.Providers ?? []));
        token = page.NextToken || undefined;
      } while (token);
      return all;
    },
    enabled: !!poolId,
  });
}

export function useIdentityProvider(poolId: string, name: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "DescribeIdentityProvider", poolId, name],
    queryFn: () => api.idp("DescribeIdentityProvider", { UserPoolId: poolId, ProviderName: name! }),
    enabled: !!name,
    select: (r) => r.IdentityProvider,
  });
}

/**
 * The pool's SAML signing certificate (base64 DER): what identity providers check signed
 * AuthnRequests with. The server makes it on first use and keeps it.
 */
export function useSigningCertificate(poolId: string) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "GetSigningCertificate", poolId],
    queryFn: () => api.idp("GetSigningCertificate", { UserPoolId: poolId }),
    select: (r) => r.Certificate,
    staleTime: Infinity,
  });
}

/** Every app client of the pool (all pages). */
function useAllClients(poolId: string) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "ListUserPoolClients", poolId, "all"],
    queryFn: async () => {
      const all: UserPoolClientDescription[] = [];
      let token: string | undefined;
      do {
        const page = await api.idp("ListUserPoolClients", { UserPoolId: poolId, MaxResults: 60, NextToken: token });
        all.push(...(page.UserPoolClients ?? []));
        token = page.NextToken || undefined;
      } while (token);
      return all;
    },
  });
}

/**
 * Which app clients offer each provider (their SupportedIdentityProviders): provider name → client
 * names. The clients' descriptions share the cache of the clients' own dialogs.
 */
export function useClientsByProvider(poolId: string): { byProvider: Map<string, string[]>; pending: boolean; error: unknown } {
  const api = useApi();
  const clients = useAllClients(poolId);
  const described = useQueries({
    queries: (clients.data ?? []).map((c) => ({
      queryKey: [api.connection, "DescribeUserPoolClient", poolId, c.ClientId],
      queryFn: () => api.idp("DescribeUserPoolClient", { UserPoolId: poolId, ClientId: c.ClientId! }),
    })),
  });
  const byProvider = new Map<string, string[]>();
  described.forEach((q, i) => {
    const c = q.data?.UserPoolClient;
    const name = c?.ClientName ?? clients.data?.[i]?.ClientName ?? clients.data?.[i]?.ClientId ?? "";
    for (const p of c?.SupportedIdentityProviders ?? []) byProvider.set(p, [...(byProvider.get(p) ?? []), name]);
  });
  return {
    byProvider,
    pending: clients.isPending || described.some((q) => q.isPending),
    error: clients.error ?? described.find((q) => q.error)?.error ?? null,
  };
}
