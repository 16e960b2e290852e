// A tiny browser app signing in with Amplify JS v6 and PoolDesk's managed login pages, the way
// a single-page app does: signInWithRedirect, then getCurrentUser and fetchAuthSession after the
// redirect back; signOut redirects to the pool's /logout.
//
// amplify_redirect.mjs bundles it with esbuild at test time and serves it with an inline
// configuration (window.POOLDESK_APP = {userPoolId, userPoolClientId, userPoolEndpoint, domain}).
// The page states what Amplify saw as JSON in <pre id="result" data-state="...">:
//   data-state "signed-in": {signedIn: true, username, userId, hasIdToken, hasAccessToken,
//                            idToken: {iss, aud, sub, token_use}, accessToken: {scope, client_id, ...}}
//   data-state "signed-out": {signedIn: false, error: name of what getCurrentUser threw}
//   data-state "failed": {signedIn: false, error, message}   (a sign-in or sign-out that failed)
// Hub's auth events are listed in <pre id="events">.

import { Amplify } from "aws-amplify";
import { fetchAuthSession, getCurrentUser, signInWithRedirect, signOut } from "aws-amplify/auth";
import { Hub } from "aws-amplify/utils";

const config = window.POOLDESK_APP;
const origin = window.location.origin;

const events = [];
Hub.listen("auth", ({ payload }) => {
  events.push({ event: payload.event, message: payload.data?.message ?? payload.data?.error?.message });
  document.getElementById("events").textContent = JSON.stringify(events);
  if (payload.event === "signInWithRedirect_failure") {
    const error = payload.data?.error;
    show("failed", { signedIn: false, error: error?.name ?? "Error", message: error?.message ?? String(error) });
  }
});

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      // The cognito-idp API (signOut's RevokeToken): PoolDesk instead of cognito-idp.REGION.amazonaws.com.
      userPoolEndpoint: config.userPoolEndpoint,
      loginWith: {
        oauth: {
          // host[:port][/path] without the scheme: Amplify builds https://${domain}/oauth2/authorize,
          // /oauth2/token and /logout by appending to it.
          domain: config.domain,
          scopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
          redirectSignIn: [`${origin}/`],
          redirectSignOut: [`${origin}/`],
          responseType: "code",
        },
      },
    },
  },
});

function show(state, value) {
  const pre = document.getElementById("result");
  pre.textContent = JSON.stringify(value);
  pre.dataset.state = state;
}

function failed(error) {
  show("failed", { signedIn: false, error: error?.name ?? "Error", message: error?.message ?? String(error) });
}

document.getElementById("sign-in").addEventListener("click", () => {
  signInWithRedirect().catch(failed);
});
document.getElementById("sign-out").addEventListener("click", () => {
  signOut().catch(failed);
});

// After the redirect back (?code=&state=), Amplify's OAuth listener redeems the code; the calls
// below wait for it. On a plain visit they tell whether a session is stored.
async function whoAmI() {
  let user;
  try {
    user = await getCurrentUser();
  } catch (error) {
    if (document.getElementById("result").dataset.state !== "failed") show("signed-out", { signedIn: false, error: error?.name ?? String(error) });
    return;
  }
  const session = await fetchAuthSession();
  const id = session.tokens?.idToken?.payload;
  const access = session.tokens?.accessToken?.payload;
  show("signed-in", {
    signedIn: true,
    username: user.username,
    userId: user.userId,
    signInDetails: user.signInDetails ?? null,
    hasIdToken: typeof session.tokens?.idToken?.toString() === "string" && id !== undefined,
    hasAccessToken: typeof session.tokens?.accessToken?.toString() === "string" && access !== undefined,
    idToken: id && { iss: id.iss, aud: id.aud, sub: id.sub, token_use: id.token_use, "cognito:username": id["cognito:username"], email: id.email },
    accessToken: access && { iss: access.iss, scope: access.scope, client_id: access.client_id, sub: access.sub, token_use: access.token_use, username: access.username },
    location: window.location.href,
  });
}

whoAmI().catch(failed);
