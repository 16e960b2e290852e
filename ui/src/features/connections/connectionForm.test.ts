import { describe, expect, it } from "vitest";
import { addedMessage, checkSummary, connectionDefaults, connectionSchema, toNewConnection, type ConnectionValues } from "./connectionForm";

const valid: ConnectionValues = {
  ...connectionDefaults,
  name: "prod-1",
  endpoint: "https://cognito.example.com",
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

const errorsOf = (over: Partial<ConnectionValues>) => {
  const r = connectionSchema.safeParse({ ...valid, ...over });
  return r.success ? {} : r.error.flatten().fieldErrors;
};

describe("add a server form", () => {
  it("accepts a well-formed connection and maps it to NewConnection", () => {
    expect(errorsOf({})).toEqual({});
    expect(errorsOf({ endpoint: "http://10.0.0.5:9229/" })).toEqual({});
    const v = connectionSchema.parse({ ...valid, name: " prod-1 " });
    expect(toNewConnection(v)).toEqual({
      name: "prod-1",
      endpoint: "https://cognito.example.com",
      region: "us-east-1",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: valid.secretAccessKey,
    });
    expect(toNewConnection({ ...v, replace: true }).replace).toBe(true);
  });

  it("refuses the reserved name local, in any case", () => {
    expect(errorsOf({ name: "local" }).name).toEqual(['"local" is this computer; choose another name']);
    expect(errorsOf({ name: "LOCAL" }).name).toBeDefined();
  });

  it("refuses bad names", () => {
    for (const name of ["", "-x", ".x", "a b", "a/b", "x".repeat(65)]) expect(errorsOf({ name }).name, name).toBeDefined();
    expect(errorsOf({ name: "a.b_c-9" })).toEqual({});
  });

  it("refuses an endpoint that is not an http(s) URL", () => {
    for (const endpoint of ["", "cognito.example.com", "ftp://host", "https://", "https://host/path"]) {
      expect(errorsOf({ endpoint }).endpoint, endpoint).toBeDefined();
    }
  });

  it("refuses a short or non-alphanumeric key id and an empty secret", () => {
    expect(errorsOf({ accessKeyId: "AKIA123" }).accessKeyId).toBeDefined();
    expect(errorsOf({ accessKeyId: "AKIA-IOSFODNN7EXAMPLE" }).accessKeyId).toBeDefined();
    expect(errorsOf({ accessKeyId: "A".repeat(129) }).accessKeyId).toBeDefined();
    expect(errorsOf({ secretAccessKey: "" }).secretAccessKey).toBeDefined();
    expect(errorsOf({ region: "US East" }).region).toBeDefined();
  });

  it("summarises a check", () => {
    const c = { connection: { name: "prod", endpoint: "", region: "", accessKeyId: "" }, userPools: 1, clockOffsetSecs: -2 };
    expect(checkSummary(c)).toBe("1 user pool, clock offset -2s");
    expect(checkSummary({ ...c, userPools: 3, clockOffsetSecs: null })).toBe("3 user pools, clock offset unknown");
    expect(addedMessage({ ...c, userPools: 0 })).toBe("Connected to prod: 0 user pools");
  });
});
