import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { bindApi } from "./client";
import { ApiError } from "./errors";
import { serveStart } from "./tauri";
import { runBulk } from "../lib/bulk";

const invokeMock = vi.mocked(invoke);

describe("the one typed call path", () => {
  beforeEach(() => {
    invokeMock.mockReset();
  });

  it("sends connection, full target and the wire input", async () => {
    invokeMock.mockResolvedValue({ IdentityPools: [] });
    const api = bindApi("local");
    await api.identity("ListIdentityPools", { MaxResults: 60 });
    await api.pooldesk("ListMessages", { UserPoolId: "p" });
    await api.pooldesk("ListAuditEvents", { Actor: "cli", NextToken: "41" });
    await api.iam("ListSAMLProviders", {});
    expect(invokeMock.mock.calls).toEqual([
      ["call", { connection: "local", target: "AWSCognitoIdentityService.ListIdentityPools", input: { MaxResults: 60 } }],
      ["call", { connection: "local", target: "PoolDesk.ListMessages", input: { UserPoolId: "p" } }],
      ["call", { connection: "local", target: "PoolDesk.ListAuditEvents", input: { Actor: "cli", NextToken: "41" } }],
      ["call", { connection: "local", target: "AWSIdentityManagementV20100508.ListSAMLProviders", input: {} }],
    ]);
  });

  it("rejects with Cognito's code and message", async () => {
    invokeMock.mockRejectedValue({ code: "UsernameExistsException", message: "User account already exists" });
    const err = await bindApi("local")
      .idp("AdminCreateUser", { UserPoolId: "p", Username: "a" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "UsernameExistsException", message: "User account already exists" });
  });

  it("passes the port and whether to keep the key to serve_start", async () => {
    invokeMock.mockResolvedValue({ endpoint: "http://127.0.0.1:9229", region: "us-east-1", accessKeyId: "A", secretAccessKey: "S", keyKept: false });
    await serveStart(9229);
    expect(invokeMock).toHaveBeenCalledWith("serve_start", { port: 9229, keepKey: false });
    await serveStart(null, true);
    expect(invokeMock).toHaveBeenCalledWith("serve_start", { port: null, keepKey: true });
  });
});

describe("runBulk", () => {
  it("reports each failure with its code, in selection order", async () => {
    const r = await runBulk(["a", "b", "c", "d"], async (u) => {
      if (u === "b" || u === "d") throw { code: "UserNotFoundException", message: `${u} missing` };
    });
    expect(r.succeeded).toEqual(["a", "c"]);
    expect(r.failed).toEqual([
      { item: "b", code: "UserNotFoundException", message: "b missing" },
      { item: "d", code: "UserNotFoundException", message: "d missing" },
    ]);
  });
});
