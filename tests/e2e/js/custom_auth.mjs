// CUSTOM_AUTH with the real amazon-cognito-identity-js, as apps drive it: `initiateAuth` (a
// custom flow without a password) or `authenticateUser` with the CUSTOM_AUTH flow type (the
// library's CUSTOM_WITH_SRP: SRP_A, PASSWORD_VERIFIER, then the custom challenges), answering
// each CUSTOM_CHALLENGE with `sendCustomChallengeAnswer`.
//
// Input: one JSON object, as the first argument:
//   {"endpoint", "poolId", "clientId", "username", "password"?: (with it, CUSTOM_WITH_SRP),
//    "answers": ["...", ...] (one per custom challenge, in order)}
// Output (stdout, one line of JSON), exit code 0 either way:
//   {"ok": true, "idToken", "accessToken", "refreshToken", "challenges": [publicChallengeParameters...]}
//   {"ok": false, "code", "message", "challenges": [...]}
// Bad input exits 2; no answer within 30 s is {"ok": false, "code": "Timeout"}.

import cognito from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

let input;
try {
  input = JSON.parse(process.argv[2] ?? "");
} catch (e) {
  process.stderr.write(`input is not JSON: ${e.message}\n`);
  process.exit(2);
}
for (const key of ["endpoint", "poolId", "clientId", "username"]) {
  if (typeof input[key] !== "string" || input[key] === "") {
    process.stderr.write(`input lacks "${key}"\n`);
    process.exit(2);
  }
}
const answers = Array.isArray(input.answers) ? [...input.answers] : [];
const challenges = [];

let finished = false;
function finish(result) {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify({ ...result, challenges }) + "\n");
  process.exit(0);
}
const timer = setTimeout(() => finish({ ok: false, code: "Timeout", message: "no answer within 30 s" }), 30_000);
timer.unref();

const endpoint = input.endpoint.endsWith("/") ? input.endpoint : `${input.endpoint}/`;
const pool = new CognitoUserPool({ UserPoolId: input.poolId, ClientId: input.clientId, endpoint });
const user = new CognitoUser({ Username: input.username, Pool: pool });
user.setAuthenticationFlowType("CUSTOM_AUTH");

const callbacks = {
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
  customChallenge(parameters) {
    challenges.push(parameters);
    if (answers.length === 0) {
      finish({ ok: false, code: "Challenge:CUSTOM_CHALLENGE", message: "no answer left for a custom challenge" });
      return;
    }
    user.sendCustomChallengeAnswer(answers.shift(), callbacks);
  },
};

const details = new AuthenticationDetails({ Username: input.username, Password: input.password });
if (typeof input.password === "string") {
  user.authenticateUser(details, callbacks);
} else {
  user.initiateAuth(details, callbacks);
}
