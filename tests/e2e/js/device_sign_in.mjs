// Remembered devices with the real amazon-cognito-identity-js, unchanged: the library confirms
// the device the first sign-in gets (ConfirmDevice with its own SRP verifier), signs in with it
// the next time (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER), lists it, and forgets it.
//
// Input: one JSON object in the env var POOLDESK_DEVICE_INPUT:
//   {"endpoint", "poolId", "clientId", "username", "password", "totpCode"?}
// totpCode answers an authenticator challenge in the first sign-in (the device is new then).
// Output (stdout, one line of JSON), exit code 0 either way:
//   {"ok": true, "first": {deviceKey, userConfirmationNecessary, challenges},
//    "second": {accessToken, challenges}, "listed": [device keys], "fetched": key,
//    "third": {code}}   (third: the sign-in after forgetDevice, which names no device)
//   {"ok": false, "step", "code", "message"}
// Bad input exits 2; no answer within 60 s is {"ok": false, "code": "Timeout"}.

import cognito from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

const raw = process.env.POOLDESK_DEVICE_INPUT;
if (!raw) {
  process.stderr.write("POOLDESK_DEVICE_INPUT is not set\n");
  process.exit(2);
}
const input = JSON.parse(raw);

function finish(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
const timer = setTimeout(() => finish({ ok: false, code: "Timeout", message: "no answer within 60 s" }), 60_000);
timer.unref();

const endpoint = input.endpoint.endsWith("/") ? input.endpoint : `${input.endpoint}/`;
// One pool object: its (in-memory) storage keeps the device key and secret between sign-ins,
// as a browser's localStorage would.
const pool = new CognitoUserPool({ UserPoolId: input.poolId, ClientId: input.clientId, endpoint });

// Signs in with a fresh CognitoUser; resolves {session, confirmation, challenges, user}, or
// {challenge} for an authenticator code it has no answer to.
function signIn(totpCode) {
  return new Promise((resolve, reject) => {
    const user = new CognitoUser({ Username: input.username, Pool: pool });
    const challenges = [];
    const callbacks = {
      onSuccess(session, userConfirmationNecessary) {
        resolve({ session, confirmation: userConfirmationNecessary ?? false, challenges, user });
      },
      onFailure: reject,
      totpRequired() {
        challenges.push("SOFTWARE_TOKEN_MFA");
        if (!totpCode) return resolve({ challenge: "SOFTWARE_TOKEN_MFA", challenges });
        user.sendMFACode(totpCode, callbacks, "SOFTWARE_TOKEN_MFA");
      },
      mfaRequired: () => reject(Object.assign(new Error("unexpected SMS_MFA"), { code: "Challenge:SMS_MFA" })),
      newPasswordRequired: () => reject(Object.assign(new Error("unexpected NEW_PASSWORD_REQUIRED"), { code: "Challenge:NEW_PASSWORD_REQUIRED" })),
    };
    user.authenticateUser(new AuthenticationDetails({ Username: input.username, Password: input.password }), callbacks);
  });
}

const call = (step, f) =>
  new Promise((resolve, reject) => f((err, data) => (err ? reject(Object.assign(err, { step })) : resolve(data))));

async function main() {
  let step = "first sign-in";
  try {
    const first = await signIn(input.totpCode);
    if (!first.session) throw Object.assign(new Error("no session"), { code: `Challenge:${first.challenge}` });
    const deviceKey = first.user.deviceKey;

    step = "second sign-in";
    const second = await signIn(undefined);
    if (!second.session) {
      return finish({ ok: false, step, code: `Challenge:${second.challenge}`, message: "the remembered device did not stand in" });
    }

    step = "listDevices";
    const listed = await call(step, (cb) => second.user.listDevices(60, null, { onSuccess: (d) => cb(null, d), onFailure: cb }));
    step = "getDevice";
    const fetched = await call(step, (cb) => second.user.getDevice({ onSuccess: (d) => cb(null, d), onFailure: cb }));
    step = "forgetDevice";
    await call(step, (cb) => second.user.forgetDevice({ onSuccess: (d) => cb(null, d), onFailure: cb }));

    step = "third sign-in";
    const third = await signIn(undefined);
    finish({
      ok: true,
      first: { deviceKey, userConfirmationNecessary: first.confirmation, challenges: first.challenges },
      second: { accessToken: second.session.getAccessToken().getJwtToken(), challenges: second.challenges },
      listed: (listed.Devices ?? []).map((d) => d.DeviceKey),
      fetched: fetched.Device?.DeviceKey,
      third: { code: third.session ? "tokens" : `Challenge:${third.challenge}` },
    });
  } catch (err) {
    finish({ ok: false, step: err?.step ?? step, code: err?.code ?? err?.name ?? "Error", message: err?.message ?? String(err) });
  }
}

main();
