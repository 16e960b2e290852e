// Exporting users: CSV quoting, columns in the header's order, every page once, and a cancel.
import { describe, expect, it } from "vitest";
import type { Api } from "../../api/client";
import type { ExportedUser } from "../../api/pooldesk";
import { csvField, csvLine, exportUsers } from "./exportUsers";

const user = (name: string, attributes: Record<string, string> = {}): ExportedUser => ({
  Username: name,
  Sub: `sub-${name}`,
  UserStatus: "CONFIRMED",
  Enabled: true,
  UserCreateDate: 1_700_000_000,
  UserLastModifiedDate: 1_700_000_000,
  Attributes: attributes,
  MfaEnabled: false,
  Groups: [],
});

const HEADER = ["email", "custom:tier", "cognito:mfa_enabled", "cognito:username"];

function fakeApi(pages: ExportedUser[][]) {
  const asked: (string | undefined)[] = [];
  const api = {
    pooldesk: async (_op: string, input: { NextToken?: string }) => {
      asked.push(input.NextToken);
      const i = input.NextToken ? Number(input.NextToken) : 0;
      return { CsvHeader: HEADER, Users: pages[i]!, NextToken: i + 1 < pages.length ? String(i + 1) : undefined };
    },
  } as unknown as Api;
  return { api, asked };
}

describe("exporting users", () => {
  it("quotes CSV fields that need it", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", twice')).toBe('"say ""hi"", twice"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
  });

  it("writes a user under the header's columns", () => {
    expect(csvLine(HEADER, user("ann", { email: "ann@example.com", "custom:tier": "gold" }))).toBe("ann@example.com,gold,false,ann\n");
  });

  it("reads every page once and reports progress", async () => {
    const { api, asked } = fakeApi([[user("a"), user("b")], [user("c")]]);
    const seen: number[] = [];
    const { text, count } = await exportUsers(api, "us-east-1_P", "csv", (n) => seen.push(n));
    expect(asked).toEqual([undefined, "1"]);
    expect(count).toBe(3);
    expect(seen).toEqual([2, 3]);
    expect(text.split("\n")).toEqual(["email,custom:tier,cognito:mfa_enabled,cognito:username", ",,false,a", ",,false,b", ",,false,c", ""]);
    const json = await exportUsers(api, "us-east-1_P", "json", () => {});
    expect(JSON.parse(json.text).map((u: ExportedUser) => u.Username)).toEqual(["a", "b", "c"]);
  });

  it("stops when cancelled", async () => {
    const { api } = fakeApi([[user("a")], [user("b")]]);
    const abort = new AbortController();
    const run = exportUsers(api, "us-east-1_P", "csv", () => abort.abort(), abort.signal);
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
  });
});
