// The only module that talks to Tauri. Everything else goes through `call` and the app
// commands below, so tests mock `@tauri-apps/api/core`; a remote connection needs no change to
// the screens (the Rust side decides where `connection` points).
import { invoke } from "@tauri-apps/api/core";
import { ApiError } from "./errors";
// Generated from the Rust command types by ts-rs (`cargo test -p pooldesk-desktop`).
import type { AppInfo } from "../generated/AppInfo";
import type { ServeInfo } from "../generated/ServeInfo";
import type { ConnectionInfo } from "../generated/ConnectionInfo";
import type { NewConnection } from "../generated/NewConnection";
import type { ConnectionCheck } from "../generated/ConnectionCheck";
import type { RemovedConnection } from "../generated/RemovedConnection";

export type { AppInfo, ServeInfo, ConnectionInfo, NewConnection, ConnectionCheck, RemovedConnection };
/** What `serve_status` answers while serving. */
export type ServeStatus = ServeInfo;

/** One Cognito (or PoolDesk) JSON 1.1 call on a connection; input/output in the AWS wire shape. */
export async function call<O = unknown>(connection: string, target: string, input: unknown): Promise<O> {
  try {
    return await invoke<O>("call", { connection, target, input });
  } catch (e) {
    throw ApiError.from(e);
  }
}

async function command<O>(name: string, args?: Record<string, unknown>): Promise<O> {
  try {
    return await invoke<O>(name, args);
  } catch (e) {
    throw ApiError.from(e);
  }
}

export const appInfo = () => command<AppInfo>("app_info");
export const serveStatus = () => command<ServeStatus | null>("serve_status");
/** `keepKey`: sign with the key kept in the OS keychain (made on first use), the same every start. */
export const serveStart = (port: number | null, keepKey = false) => command<ServeStatus>("serve_start", { port, keepKey });
export const serveStop = () => command<null>("serve_stop");
/** Forgets the kept key (`false` if there was none); the next start that keeps one makes a new one. */
export const serveForgetKey = () => command<boolean>("serve_forget_key");

/**
 * Opens an app client's login pages in the system browser and answers the URL it opened.
 * Rejects with `ServeNotRunning` on This computer while its pools are not served, or with the
 * Cognito error of GetLoginUrl (no domain, no code/implicit flow).
 */
export const openLoginPage = (connection: string, userPoolId: string, clientId: string) =>
  command<string>("open_login_page", { connection, userPoolId, clientId });

/** The remote servers ("This computer", `local`, is always there and not listed). */
export const connectionsList = () => command<ConnectionInfo[]>("connections_list");
/** Tests the server with the key first; saves nothing (and no secret) if the test fails. */
export const connectionAdd = (input: NewConnection) => command<ConnectionCheck>("connection_add", { input });
export const connectionTest = (name: string) => command<ConnectionCheck>("connection_test", { name });
export const connectionRemove = (name: string) => command<RemovedConnection>("connection_remove", { name });
