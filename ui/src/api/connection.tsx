import { createContext, useContext, useMemo, type ReactNode } from "react";
import { bindApi, type Api } from "./client";

/** "local" is This computer; remote servers will be further connection ids. */
export const LOCAL_CONNECTION = "local";

const ConnectionContext = createContext<Api>(bindApi(LOCAL_CONNECTION));

export function ConnectionProvider({ connection, children }: { connection: string; children: ReactNode }) {
  const api = useMemo(() => bindApi(connection), [connection]);
  return <ConnectionContext.Provider value={api}>{children}</ConnectionContext.Provider>;
}

export function useApi(): Api {
  return useContext(ConnectionContext);
}
