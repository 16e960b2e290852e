import { describe, expect, it } from "vitest";
import { describeMfa, methodsKept, mfaFromCognito, toSetMfaConfigRequest } from "./mfa";

describe("MFA choice ↔ SetUserPoolMfaConfig", () => {
  it("reads the pool's methods, TOTP when none is configured", () => {
    expect(mfaFromCognito({ MfaConfiguration: "ON", SmsMfaConfiguration: {}, SoftwareTokenMfaConfiguration: { Enabled: false } }, "OFF")).toEqual({
      mode: "ON",
      totp: false,
      sms: true,
      email: false,
    });
    expect(mfaFromCognito(undefined, undefined)).toEqual({ mode: "OFF", totp: true, sms: false, email: false });
  });

  it("keeps the pool's SMS settings when SMS stays on", () => {
    const current = { SmsMfaConfiguration: { SmsAuthenticationMessage: "Code {####}" } };
    expect(toSetMfaConfigRequest("p", { mode: "ON", totp: true, sms: true, email: false }, current)).toEqual({
      UserPoolId: "p",
      MfaConfiguration: "ON",
      SoftwareTokenMfaConfiguration: { Enabled: true },
      SmsMfaConfiguration: { SmsAuthenticationMessage: "Code {####}" },
    });
  });

  it("names what the server kept on and describes the choice", () => {
    const asked = { mode: "OPTIONAL" as const, totp: true, sms: false, email: false };
    expect(methodsKept(asked, { ...asked, sms: true, email: true })).toEqual(["SMS", "e-mail"]);
    expect(methodsKept(asked, asked)).toEqual([]);
    expect(describeMfa({ mode: "ON", totp: true, sms: false, email: true })).toBe("Required: authenticator app, e-mail");
    expect(describeMfa({ mode: "OFF", totp: true, sms: true, email: false })).toBe("Off");
  });
});
