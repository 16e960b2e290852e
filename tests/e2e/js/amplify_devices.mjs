// Remembered devices with Amplify JS v6, unchanged, in Node (its in-memory storage stands in for
// a browser's localStorage): signIn with SRP confirms the device the pool hands out, the next
// signIn proves it with device SRP instead of an MFA code, fetchDevices lists it and
// forgetDevice forgets it.
//
// Input: one JSON object in the env var POOLDESK_DEVICE_INPUT:
//   {"endpoint", "poolId", "clientId", "username", "password", "totpCode"}
// totpCode answers the authenticator challenge of the first sign-in (the device is new then).
// Output (stdout, one line of JSON), exit code 0 either way:
//   {"ok": true, "first": [next steps], "second": [next steps], "deviceKey", "listed": [ids],
//    "afterForget": [next steps]}
//   {"ok": false, "step", "name", "message"}

import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, fetchDevices, forgetDevice, signIn, signOut } from "aws-amplify/auth";

const input = JSON.parse(process.env.POOLDESK_DEVICE_INPUT ?? "null");
if (!input) {
  process.stderr.write("POOLDESK_DEVICE_INPUT is not set\n");
  process.exit(2);
}

function finish(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
setTimeout(() => finish({ ok: false, step: "timeout", name: "Timeout", message: "no answer within 60 s" }), 60_000).unref();

// Amplify names the device from the browser's navigator.userAgent; Node 21+ has a navigator,
// Node 20 none (Amplify then skips ConfirmDevice without a word). Give it the one a browser has.
globalThis.navigator ??= { userAgent: `Node.js/${process.versions.node}` };

Amplify.configure({
  Auth: { Cognito: { userPoolId: input.poolId, userPoolClientId: input.clientId, userPoolEndpoint: input.endpoint } },
});

// Signs in; answers an authenticator challenge with `code` if given. The steps Amplify took.
async function signInOnce(code) {
  const steps = [];
  let result = await signIn({ username: input.username, password: input.password });
  while (!result.isSignedIn) {
    steps.push(result.nextStep.signInStep);
    if (result.nextStep.signInStep !== "CONFIRM_SIGN_IN_WITH_TOTP_CODE" || !code) return { steps, signedIn: false };
    result = await confirmSignIn({ challengeResponse: code });
    code = undefined;
  }
  return { steps, signedIn: true };
}

let step = "first sign-in";
try {
  const first = await signInOnce(input.totpCode);
  if (!first.signedIn) finish({ ok: false, step, name: "NotSignedIn", message: first.steps.join(",") });
  await signOut();

  step = "second sign-in";
  const second = await signInOnce(undefined);
  if (!second.signedIn) finish({ ok: false, step, name: "NotSignedIn", message: `the remembered device did not stand in: ${second.steps}` });
  const session = await fetchAuthSession();
  const deviceKey = session.tokens?.accessToken?.payload?.device_key;

  step = "fetchDevices";
  const listed = (await fetchDevices()).map((d) => d.id);
  step = "forgetDevice";
  await forgetDevice();
  await signOut();

  step = "sign-in after forgetDevice";
  const third = await signInOnce(undefined);
  finish({ ok: true, first: first.steps, second: second.steps, deviceKey, listed, afterForget: third.steps });
} catch (err) {
  finish({ ok: false, step, name: err?.name ?? "Error", message: err?.message ?? String(err) });
}
