import { describe, expect, it } from "vitest";
import {
  certificateArnError,
  customDomainError,
  domainBaseUrl,
  domainSchema,
  newDomainForm,
  prefixDomainError,
  toCreateDomainInput,
} from "./domainForm";

describe("domain rules", () => {
  it("takes a prefix of one lowercase label", () => {
    expect(prefixDomainError("my-app-1")).toBeUndefined();
    expect(prefixDomainError("a")).toBeUndefined();
    expect(prefixDomainError("My_App")).toMatch(/lowercase letters, digits and hyphens/i);
    expect(prefixDomainError("-app")).toBeDefined();
    expect(prefixDomainError("app-")).toBeDefined();
    expect(prefixDomainError("my.app")).toBeDefined();
    expect(prefixDomainError("a".repeat(64))).toBe("At most 63 characters");
    expect(prefixDomainError("")).toBe("Enter a domain prefix");
  });

  it("refuses the reserved words as the server does", () => {
    expect(prefixDomainError("my-cognito-app")).toBe("Domain cannot contain reserved word: cognito");
    expect(prefixDomainError("awsome")).toBe("Domain cannot contain reserved word: aws");
    expect(prefixDomainError("amazon-login")).toBe("Domain cannot contain reserved word: amazon");
  });

  it("takes a custom domain as a host name with dots", () => {
    expect(customDomainError("auth.example.com")).toBeUndefined();
    expect(customDomainError("example")).toMatch(/at least one dot/);
    expect(customDomainError("auth..example.com")).toBeDefined();
    expect(customDomainError("auth.exa_mple.com")).toBeDefined();
  });

  it("wants an ACM certificate ARN", () => {
    expect(certificateArnError("arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234")).toBeUndefined();
    expect(certificateArnError("arn:aws:acm:us-east-1:12345:certificate/abcd")).toBeDefined();
    expect(certificateArnError("arn:aws:iam::123456789012:role/x")).toBeDefined();
    expect(certificateArnError("")).toMatch(/needs its certificate/);
  });

  it("checks only the fields of the chosen kind", () => {
    const prefix = { ...newDomainForm("prefix"), prefix: "my-app", customDomain: "not valid" };
    expect(domainSchema.safeParse(prefix).success).toBe(true);
    const custom = { ...newDomainForm("custom"), prefix: "BAD", customDomain: "auth.example.com", certificateArn: "nope" };
    const r = domainSchema.safeParse(custom);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(["certificateArn"]);
  });

  it("builds CreateUserPoolDomain's input", () => {
    expect(toCreateDomainInput("p1", { ...newDomainForm("prefix"), prefix: " my-app ", managedLoginVersion: "1" })).toEqual({
      Domain: "my-app",
      UserPoolId: "p1",
      ManagedLoginVersion: 1,
    });
    expect(
      toCreateDomainInput("p1", { ...newDomainForm("custom"), customDomain: "auth.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" }),
    ).toEqual({
      Domain: "auth.example.com",
      UserPoolId: "p1",
      ManagedLoginVersion: 2,
      CustomDomainConfig: { CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" },
    });
  });

  it("says where a domain's pages are served", () => {
    expect(domainBaseUrl("http://127.0.0.1:9229/", "my-app")).toBe("http://127.0.0.1:9229/domains/my-app");
    expect(domainBaseUrl(undefined, "my-app")).toBeUndefined();
  });
});
