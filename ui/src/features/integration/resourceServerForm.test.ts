import { describe, expect, it } from "vitest";
import { customScopes, formFromResourceServer, identifierError, resourceServerSchema, scopeNameError, serverNameError, toResourceServerInput } from "./resourceServerForm";

describe("resource server rules", () => {
  it("checks identifiers, names and scope names as the server does", () => {
    expect(identifierError("https://api.example.com")).toBeUndefined();
    expect(identifierError("my api")).toBeDefined();
    expect(identifierError('a"b')).toBeDefined();
    expect(identifierError("a\\b")).toBeDefined();
    expect(serverNameError("My API, v2 (beta)")).toBeDefined();
    expect(serverNameError("My API v2.1 @team-x")).toBeUndefined();
    expect(scopeNameError("read:all")).toBeUndefined();
    expect(scopeNameError("read/all")).toBeDefined();
    expect(scopeNameError("read all")).toBeDefined();
  });

  it("wants unique scope names with descriptions", () => {
    const r = resourceServerSchema.safeParse({
      Identifier: "api",
      Name: "API",
      Scopes: [
        { ScopeName: "read", ScopeDescription: "Read" },
        { ScopeName: "read", ScopeDescription: "" },
      ],
    });
    expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["Scopes.1.ScopeName", "Scope names must be unique"],
      ["Scopes.1.ScopeDescription", "Enter a description"],
    ]);
  });

  it("round-trips a server and trims what it sends", () => {
    const rs = { UserPoolId: "p", Identifier: "api", Name: "API", Scopes: [{ ScopeName: "read", ScopeDescription: "Read" }] };
    const v = formFromResourceServer(rs);
    expect(toResourceServerInput("p", { ...v, Name: " API " })).toEqual({ UserPoolId: "p", Identifier: "api", Name: "API", Scopes: rs.Scopes });
    expect(customScopes([rs, { Identifier: "b" }])).toEqual(["api/read"]);
  });
});
