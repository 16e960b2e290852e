import { describe, expect, it } from "vitest";
import { headerCsv, headerFit, parseCsvLine, requiredColumns } from "./importUsers";

const EXPECTED = ["name", "given_name", "email", "email_verified", "custom:tier", "cognito:mfa_enabled", "cognito:username"];

describe("CSV import", () => {
  it("reads quoted fields", () => {
    expect(parseCsvLine('a,"b, c","say ""hi""",')).toEqual(["a", "b, c", 'say "hi"', ""]);
  });

  it("writes the header as a template line", () => {
    expect(headerCsv(["email", "cognito:username"])).toBe("email,cognito:username\n");
  });

  it("accepts a header with the pool's columns in any order and counts the lines", () => {
    const fit = headerFit("cognito:username,email,given_name\r\nalice,a@x.io,A\r\nbob,b@x.io,B\r\n\r\n", EXPECTED, ["given_name"]);
    expect(fit).toEqual({ ok: true, unknown: [], noUsername: false, missingRequired: [], rows: 2 });
  });

  it("says what does not fit: unknown columns, no username column, missing required attributes", () => {
    const fit = headerFit("\uFEFFemail,custom:shoe_size\nx@y.z,44\n", EXPECTED, ["given_name"]);
    expect(fit).toEqual({ ok: false, unknown: ["custom:shoe_size"], noUsername: true, missingRequired: ["given_name"], rows: 1 });
  });

  it("needs no column for the e-mail that is the username: cognito:username gives it", () => {
    const SchemaAttributes = [
      { Name: "sub", Required: true },
      { Name: "email", Required: true },
      { Name: "given_name", Required: true },
    ];
    expect(requiredColumns({ SchemaAttributes, UsernameAttributes: ["email"] })).toEqual(["given_name"]);
    expect(requiredColumns({ SchemaAttributes })).toEqual(["email", "given_name"]);
  });
});
