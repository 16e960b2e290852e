import { describe, expect, it } from "vitest";
import { personName, signInAttributes, usernameIsInternal } from "./person";

const user = {
  Username: "c679f929-1b2c-4d5e-8f90-123456789abc",
  Attributes: [
    { Name: "email", Value: "alice@example.com" },
    { Name: "phone_number", Value: "+15555550100" },
  ],
};

describe("personName", () => {
  it("shows the e-mail in a pool that signs in by e-mail", () => {
    expect(personName(user, ["email"])).toBe("alice@example.com");
  });

  it("prefers the e-mail, then the phone number, when both sign in", () => {
    expect(personName(user, ["phone_number", "email"])).toBe("alice@example.com");
    expect(personName({ ...user, Attributes: user.Attributes.slice(1) }, ["phone_number", "email"])).toBe("+15555550100");
  });

  it("reads AdminGetUser's UserAttributes too", () => {
    expect(personName({ Username: user.Username, UserAttributes: user.Attributes }, ["phone_number"])).toBe("+15555550100");
  });

  it("shows the username where people chose one, or when the address is missing", () => {
    expect(personName(user, undefined)).toBe(user.Username);
    expect(personName({ Username: "bob" }, ["email"])).toBe("bob");
  });
});

describe("sign-in attributes", () => {
  it("lists what people search by, e-mail first", () => {
    expect(signInAttributes(["phone_number", "email"])).toEqual(["email", "phone_number"]);
    expect(usernameIsInternal([])).toBe(false);
    expect(usernameIsInternal(["email"])).toBe(true);
  });
});
