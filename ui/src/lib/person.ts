// How the app names a user to a person. In a pool whose users sign in with an e-mail address or
// phone number (`UsernameAttributes`), Cognito's `Username` is an opaque id nobody recognises:
// the address is what identifies them. Elsewhere the username is the name people chose.

type Attributes = { Name?: string; Value?: string }[] | undefined;

/** A user as ListUsers (`Attributes`) or AdminGetUser (`UserAttributes`) returns it. */
export type UserLike = { Username?: string; Attributes?: Attributes; UserAttributes?: Attributes };

/** The pool's sign-in identifiers, in the order a person would recognise them. */
export function signInAttributes(usernameAttributes: readonly string[] | undefined): string[] {
  return ["email", "phone_number"].filter((a) => usernameAttributes?.includes(a));
}

/** The name to show for a user: the e-mail or phone number they sign in with, else the username. */
export function personName(user: UserLike, usernameAttributes: readonly string[] | undefined): string {
  const attributes = user.Attributes ?? user.UserAttributes;
  for (const name of signInAttributes(usernameAttributes)) {
    const value = attributes?.find((a) => a.Name === name)?.Value;
    if (value) return value;
  }
  return user.Username ?? "";
}

/** True when the username is an internal id and people search by `signInAttributes` instead. */
export function usernameIsInternal(usernameAttributes: readonly string[] | undefined): boolean {
  return signInAttributes(usernameAttributes).length > 0;
}
