// SRP sign-in (USER_SRP_AUTH + PASSWORD_VERIFIER) with the real amazon-cognito-identity-js, the
// library browser and React Native apps use against Amazon Cognito.
//
// Input: one JSON object, as the first argument or in the env var POOLDESK_SRP_INPUT:
//   {"endpoint": "http://127.0.0.1:PORT", "poolId": "...", "clientId": "...",
//    "username": "...", "password": "..."}
// Output (stdout, one line of JSON), exit code 0 either way:
//   {"ok": true, "idToken": "...", "accessToken": "...", "refreshToken": "..."}
//   {"ok": false, "code": "NotAuthorizedException", "message": "..."}
// A challenge the script does not answer (MFA, new password...) is {"ok": false, "code":
// "Challenge:<NAME>"}. Bad input exits 2; no answer within 30 s is {"ok": false, "code": "Timeout"}.

import cognito from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

function readInput() {
  const raw = process.argv[2] ?? process.env.POOLDESK_SRP_INPUT;
  if (!raw) {
    process.stderr.write("usage: node srp_sign_in.mjs '{\"endpoint\",\"poolId\",\"clientId\",\"username\",\"password\"}'\n");
    process.exit(2);
  }
  let input;
  try {
    input = JSON.parse(raw);
  } catch (e) {
    process.stderr.write(`input is not JSON: ${e.message}\n`);
    process.exit(2);
  }
  for (const key of ["endpoint", "poolId", "clientId", "username", "password"]) {
    if (typeof input[key] !== "string" || input[key] === "") {
      process.stderr.write(`input lacks "${key}"\n`);
      process.exit(2);
    }
  }
  return input;
}

let finished = false;
function finish(result) {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}

const input = readInput();
// The library posts to `endpoint` as is; the server answers on "/".
const endpoint = input.endpoint.endsWith("/") ? input.endpoint : `${input.endpoint}/`;
const pool = new CognitoUserPool({ UserPoolId: input.poolId, ClientId: input.clientId, endpoint });
const user = new CognitoUser({ Username: input.username, Pool: pool });
const details = new AuthenticationDetails({ Username: input.username, Password: input.password });

const timer = setTimeout(() => finish({ ok: false, code: "Timeout", message: "no answer within 30 s" }), 30_000);
timer.unref();

const challenge = (name) => () => finish({ ok: false, code: `Challenge:${name}`, message: `unanswered ${name} challenge` });

user.authenticateUser(details, {
  onSuccess(session) {
    finish({
      ok: true,
      idToken: session.getIdToken().getJwtToken(),
      accessToken: session.getAccessToken().getJwtToken(),
      refreshToken: session.getRefreshToken().getToken(),
    });
  },
  onFailure(err) {
    finish({ ok: false, code: err?.code ?? err?.name ?? "Error", message: err?.message ?? String(err) });
  },
  newPasswordRequired: challenge("NEW_PASSWORD_REQUIRED"),
  mfaRequired: challenge("SMS_MFA"),
  totpRequired: challenge("SOFTWARE_TOKEN_MFA"),
  selectMFAType: challenge("SELECT_MFA_TYPE"),
  mfaSetup: challenge("MFA_SETUP"),
  customChallenge: challenge("CUSTOM_CHALLENGE"),
});
