import { LOCAL_CONNECTION } from "../api/connection";

export interface Connection {
  id: string;
  label: string;
  /** The remote server's endpoint; none for This computer. */
  endpoint?: string;
}

/** "local" is the pools in this computer's data directory; remote servers follow it. */
export const THIS_COMPUTER: Connection = { id: LOCAL_CONNECTION, label: "This computer" };

export const isLocal = (c: Connection) => c.id === LOCAL_CONNECTION;

/** "cognito.example.com" from "https://cognito.example.com/" (the endpoint itself if it is not a URL). */
export function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
