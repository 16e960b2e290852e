// Typed wrappers over the single `call` path, one per service, bound to a connection.
import * as Idp from "../generated/cognito-idp";
import * as Identity from "../generated/cognito-identity";
import * as Sync from "../generated/cognito-sync";
import { IAM_TARGET_PREFIX, type IamOperations } from "./iam";
import type { PoolDeskOperations } from "./pooldesk";
import { call } from "./tauri";

export type { Idp, Identity, Sync };

/** How PoolDesk names Cognito Sync's operations on its JSON door (the service is REST-JSON). */
export const SYNC_TARGET_PREFIX = "CognitoSync";

export type IdpOp = keyof Idp.Operations;
export type IdentityOp = keyof Identity.Operations;
export type PoolDeskOp = keyof PoolDeskOperations;
export type IamOp = keyof IamOperations;
export type SyncOp = keyof Sync.Operations;

export function idp<K extends IdpOp>(
  connection: string,
  op: K,
  input: Idp.Operations[K]["input"],
): Promise<Idp.Operations[K]["output"]> {
  return call(connection, `${Idp.TARGET_PREFIX}.${op}`, input);
}

export function identity<K extends IdentityOp>(
  connection: string,
  op: K,
  input: Identity.Operations[K]["input"],
): Promise<Identity.Operations[K]["output"]> {
  return call(connection, `${Identity.TARGET_PREFIX}.${op}`, input);
}

export function pooldesk<K extends PoolDeskOp>(
  connection: string,
  op: K,
  input: PoolDeskOperations[K]["input"],
): Promise<PoolDeskOperations[K]["output"]> {
  return call(connection, `PoolDesk.${op}`, input);
}

export function iam<K extends IamOp>(
  connection: string,
  op: K,
  input: IamOperations[K]["input"],
): Promise<IamOperations[K]["output"]> {
  return call(connection, `${IAM_TARGET_PREFIX}.${op}`, input);
}

export function sync<K extends SyncOp>(
  connection: string,
  op: K,
  input: Sync.Operations[K]["input"],
): Promise<Sync.Operations[K]["output"]> {
  return call(connection, `${SYNC_TARGET_PREFIX}.${op}`, input);
}

/** The API bound to one connection: what components use (via `useApi`). */
export interface Api {
  connection: string;
  idp: <K extends IdpOp>(op: K, input: Idp.Operations[K]["input"]) => Promise<Idp.Operations[K]["output"]>;
  identity: <K extends IdentityOp>(
    op: K,
    input: Identity.Operations[K]["input"],
  ) => Promise<Identity.Operations[K]["output"]>;
  pooldesk: <K extends PoolDeskOp>(
    op: K,
    input: PoolDeskOperations[K]["input"],
  ) => Promise<PoolDeskOperations[K]["output"]>;
  iam: <K extends IamOp>(op: K, input: IamOperations[K]["input"]) => Promise<IamOperations[K]["output"]>;
  sync: <K extends SyncOp>(op: K, input: Sync.Operations[K]["input"]) => Promise<Sync.Operations[K]["output"]>;
}

export function bindApi(connection: string): Api {
  return {
    connection,
    idp: (op, input) => idp(connection, op, input),
    identity: (op, input) => identity(connection, op, input),
    pooldesk: (op, input) => pooldesk(connection, op, input),
    iam: (op, input) => iam(connection, op, input),
    sync: (op, input) => sync(connection, op, input),
  };
}
