// Where a local user pool lives, as the identity pool sees it.

/** `us-east-1_AbC123` → `us-east-1` (Cognito pool ids are `<region>_<id>`). */
export function regionOfPoolId(poolId: string): string {
  const i = poolId.indexOf("_");
  return i > 0 ? poolId.slice(0, i) : "";
}

/** The provider name used in CognitoIdentityProviders, Logins and RoleMappings keys. */
export function providerNameForPool(poolId: string): string {
  return `cognito-idp.${regionOfPoolId(poolId)}.amazonaws.com/${poolId}`;
}

/** The pool id back from a provider name, or undefined for a provider that is not a user pool. */
export function poolIdOfProvider(providerName: string): string | undefined {
  const m = /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([\w-]+_[0-9a-zA-Z]+)$/.exec(providerName);
  return m?.[1];
}

export function issuerForPool(poolId: string): string {
  return `https://${providerNameForPool(poolId)}`;
}
