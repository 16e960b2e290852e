import { describe, expect, it } from "vitest";
import { pemCertificate } from "./certificates";

describe("pemCertificate", () => {
  it("armours base64 DER in lines of 64, ignoring whitespace given", () => {
    const b64 = "A".repeat(64) + "B".repeat(64) + "C".repeat(10);
    expect(pemCertificate(`${b64.slice(0, 70)}\n ${b64.slice(70)}`)).toBe(
      `-----BEGIN CERTIFICATE-----\n${"A".repeat(64)}\n${"B".repeat(64)}\n${"C".repeat(10)}\n-----END CERTIFICATE-----\n`,
    );
  });
});
