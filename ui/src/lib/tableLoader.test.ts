import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { bindApi } from "../api/client";
import { ApiError } from "../api/errors";
import { listUsersPage } from "../features/users/listUsersPage";
import { TableLoader } from "./tableLoader";
import type { UserType } from "../generated/cognito-idp";

const invokeMock = vi.mocked(invoke);

/** A fake server: `pages` pages of `size` users, tokens "t1", "t2", ...; filter prefixes usernames. */
function fakeServer(pages: number, size = 60) {
  const calls: { target: string; input: Record<string, unknown> }[] = [];
  const pending: (() => void)[] = [];
  let hold = false;
  invokeMock.mockImplementation(async (cmd, args) => {
    expect(cmd).toBe("call");
    const { connection, target, input } = args as { connection: string; target: string; input: Record<string, unknown> };
    expect(connection).toBe("local");
    calls.push({ target, input });
    if (hold) await new Promise<void>((r) => pending.push(r));
    const token = input.PaginationToken as string | undefined;
    const index = token ? Number(token.slice(1)) : 0;
    if (token === "tBAD") throw { code: "InvalidParameterException", message: "bad token" };
    const prefix = input.Filter ? String(input.Filter).replace(/^username \^= "(.*)"$/, "$1") : "u";
    const Users: UserType[] = Array.from({ length: size }, (_, i) => ({
      Username: `${prefix}${index * size + i}`,
      Enabled: true,
      UserStatus: "CONFIRMED",
    }));
    return { Users, ...(index + 1 < pages ? { PaginationToken: `t${index + 1}` } : {}) };
  });
  return {
    calls,
    hold: () => (hold = true),
    release: () => {
      hold = false;
      pending.splice(0).forEach((r) => r());
    },
  };
}

const api = bindApi("local");
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("TableLoader over ListUsers", () => {
  beforeEach(() => {
    invokeMock.mockReset();
  });

  it("loads only the first page, in the ListUsers wire shape", async () => {
    const server = fakeServer(1000); // "a million users": 1000 pages of 60 would be far too many to walk
    const loader = new TableLoader(listUsersPage(api, "us-east-1_abc"), undefined);
    await loader.ensureVisible(0);
    expect(server.calls).toEqual([
      { target: "AWSCognitoIdentityProviderService.ListUsers", input: { UserPoolId: "us-east-1_abc", Limit: 60 } },
    ]);
    expect(loader.getState().rows).toHaveLength(60);
    expect(loader.getState().done).toBe(false);
  });

  it("fetches the next page by PaginationToken only when the viewer nears the end", async () => {
    const server = fakeServer(1000);
    const loader = new TableLoader(listUsersPage(api, "p_1"), undefined, { threshold: 20 });
    await loader.ensureVisible(0);
    await loader.ensureVisible(30); // far from the end (60 - 20 = 40)
    expect(server.calls).toHaveLength(1);
    await loader.ensureVisible(45); // near the end
    expect(server.calls).toHaveLength(2);
    expect(server.calls[1]!.input.PaginationToken).toBe("t1");
    expect(loader.getState().rows).toHaveLength(120);
    expect(loader.getState().rows[60]!.Username).toBe("u60");
  });

  it("never fetches the same token twice, even when asked repeatedly while in flight", async () => {
    const server = fakeServer(5);
    const loader = new TableLoader(listUsersPage(api, "p_1"), undefined as string | undefined);
    await loader.ensureVisible(0);
    server.hold();
    const a = loader.ensureVisible(59);
    const b = loader.ensureVisible(59);
    const c = loader.ensureVisible(59);
    expect(loader.getState().loading).toBe(true);
    server.release();
    await Promise.all([a, b, c]);
    expect(server.calls.map((x) => x.input.PaginationToken)).toEqual([undefined, "t1"]);
    await loader.ensureVisible(59); // page t1 is loaded: nothing to do for index 59
    expect(server.calls).toHaveLength(2);
  });

  it("stops at the last page", async () => {
    const server = fakeServer(2);
    const loader = new TableLoader(listUsersPage(api, "p_1"), undefined as string | undefined);
    await loader.ensureVisible(0);
    await loader.ensureVisible(59);
    expect(loader.getState().done).toBe(true);
    await loader.ensureVisible(119);
    expect(server.calls).toHaveLength(2);
  });

  it("resets to the first page when the filter changes and ignores answers to the old filter", async () => {
    const server = fakeServer(10);
    const loader = new TableLoader(listUsersPage(api, "p_1"), undefined as string | undefined);
    await loader.ensureVisible(0);
    server.hold();
    const stale = loader.ensureVisible(59); // t1 of the unfiltered list, in flight
    const fresh = loader.setQuery('username ^= "bob"');
    server.release();
    await Promise.all([stale, fresh]);
    const last = server.calls[server.calls.length - 1]!;
    expect(last.input).toEqual({ UserPoolId: "p_1", Limit: 60, Filter: 'username ^= "bob"' });
    const rows = loader.getState().rows;
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.Username!.startsWith("bob"))).toBe(true);
    expect(loader.getState().pages).toBe(1);
  });

  it("keeps fetching while pages come back empty but the viewer is still at the end", async () => {
    let n = 0;
    const fetchPage = vi.fn(async (_q: undefined, token: string | undefined) => {
      n += 1;
      if (!token) return { items: [], nextToken: "a" };
      if (token === "a") return { items: [], nextToken: "b" };
      return { items: [{ id: 1 }], nextToken: null };
    });
    const loader = new TableLoader(fetchPage, undefined);
    await loader.ensureVisible(0);
    expect(n).toBe(3);
    expect(loader.getState().rows).toEqual([{ id: 1 }]);
    expect(loader.getState().done).toBe(true);
  });

  it("surfaces an error as code + message and retries the same token", async () => {
    fakeServer(3);
    let fail = true;
    const fetchPage = vi.fn(async (q: undefined, token: string | undefined) => {
      if (token === "t1" && fail) return listUsersPage(api, "p_1")(q, "tBAD");
      return listUsersPage(api, "p_1")(q, token);
    });
    const loader = new TableLoader(fetchPage, undefined);
    await loader.ensureVisible(0);
    await loader.ensureVisible(59);
    const err = loader.getState().error;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("InvalidParameterException");
    expect((err as ApiError).message).toBe("bad token");
    expect(loader.getState().rows).toHaveLength(60);
    // While in error, scrolling does not hammer the server.
    await loader.ensureVisible(59);
    expect(fetchPage).toHaveBeenCalledTimes(2);
    fail = false;
    await loader.retry();
    expect(fetchPage).toHaveBeenLastCalledWith(undefined, "t1");
    expect(loader.getState().error).toBeNull();
    expect(loader.getState().rows).toHaveLength(120);
  });

  it("patches and removes loaded rows without refetching", async () => {
    const server = fakeServer(3);
    const loader = new TableLoader(listUsersPage(api, "p_1"), undefined as string | undefined);
    await loader.ensureVisible(0);
    loader.update((r) => (r.Username === "u1" ? { ...r, Enabled: false } : r));
    loader.remove((r) => r.Username === "u0");
    const rows = loader.getState().rows;
    expect(rows[0]).toMatchObject({ Username: "u1", Enabled: false });
    expect(rows).toHaveLength(59);
    expect(server.calls).toHaveLength(1);
  });

  it("notifies subscribers", async () => {
    fakeServer(1);
    const loader = new TableLoader(listUsersPage(api, "p_1"), undefined as string | undefined);
    const listener = vi.fn();
    loader.subscribe(listener);
    await loader.ensureVisible(0);
    expect(listener).toHaveBeenCalled();
    await flush();
  });
});
