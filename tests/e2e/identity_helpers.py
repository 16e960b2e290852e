"""Shared helpers and fixtures for the identity-pool tests (test_identity_pools.py,
test_credentials.py, test_role_mapping.py).

Identity pools (cognito-identity) and STS are served on the same endpoint as the user pools:
- `ci` / `anon_ci`: boto3 cognito-identity clients, SigV4-signed with the root key / unsigned
  (GetId, GetCredentialsForIdentity, GetOpenIdToken, UnlinkIdentity are public operations).
- `sts_client()`: a boto3 STS client signed with temporary credentials, the root key, or nothing
  (AssumeRoleWithWebIdentity).
- `federation`: a user pool with an app client wired into a fresh identity pool.
- `simulate()`: the `PoolDesk.SimulateRoleMapping` extension operation.

Test modules import the fixtures they use from here (pytest finds fixtures in a module's
globals), e.g. `from identity_helpers import ci, anon_ci, federation`.
"""

from __future__ import annotations

import re
import uuid
from types import SimpleNamespace
from typing import Any

import boto3
import botocore
import pytest

from conftest import (
    REGION,
    ROOT_ACCESS_KEY_ID,
    ROOT_SECRET_ACCESS_KEY,
    _config,
    pooldesk_call,
    sign_in,
)

ACCOUNT_ID = "000000000000"
IDENTITY_ID_RE = re.compile(r"^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Where SDKs (Amplify, the AWS SDKs' CognitoIdentityCredentials) say a user-pool login comes from.
USER_POOL_PROVIDER_PREFIX = f"cognito-idp.{REGION}.amazonaws.com/"
# The Logins key of a token issued by GetOpenIdToken(ForDeveloperIdentity).
COGNITO_IDENTITY_PROVIDER = "cognito-identity.amazonaws.com"
# The RoleSessionName Cognito uses for the enhanced flow's credentials.
ENHANCED_FLOW_SESSION = "CognitoIdentityCredentials"
UNKNOWN_IDENTITY_POOL_ID = "us-east-1:00000000-0000-4000-8000-000000000000"


def role(name: str) -> str:
    """An IAM role ARN in PoolDesk's account."""
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"


AUTH_ROLE = role("PoolDeskAuthenticated")
GUEST_ROLE = role("PoolDeskGuest")


def role_name(role_arn: str) -> str:
    """The role's name: what follows `role/`, last path segment (`role/a/b/Name` -> `Name`)."""
    return role_arn.split(":role/", 1)[1].rsplit("/", 1)[-1]


def assumed_role_arn(role_arn: str, session_name: str = ENHANCED_FLOW_SESSION) -> str:
    return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role_name(role_arn)}/{session_name}"


def identity_pool_arn(identity_pool_id: str) -> str:
    return f"arn:aws:cognito-identity:{REGION}:{ACCOUNT_ID}:identitypool/{identity_pool_id}"


def user_pool_provider(user_pool_id: str) -> str:
    """The provider name SDKs build for a user pool: cognito-idp.us-east-1.amazonaws.com/<id>."""
    return USER_POOL_PROVIDER_PREFIX + user_pool_id


def issuer_provider(server, user_pool_id: str) -> str:
    """The same provider spelled as the server's issuer without its scheme: 127.0.0.1:PORT/<id>."""
    return f"{server.listen_addr}/{user_pool_id}"


def tamper(value: str, index: int | None = None) -> str:
    """`value` with one character (the middle one unless told) replaced by another of the same
    alphabet (letters stay letters), so the result is still well-formed but different."""
    i = len(value) // 2 if index is None else index
    old = value[i]
    new = "A" if old != "A" else "B"
    return value[:i] + new + value[i + 1 :]


def tamper_jwt_signature(token: str) -> str:
    """A JWT with one character changed in the middle of its signature."""
    header, payload, signature = token.split(".")
    return ".".join([header, payload, tamper(signature)])


def aws_error_type(body: dict) -> str:
    """A JSON 1.1 error body's `__type`, without any `namespace#` prefix."""
    return str(body.get("__type", "")).split("#")[-1]


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------


def ci_client(endpoint: str, *, signed: bool = True):
    """A boto3 cognito-identity client for `endpoint`, root-signed or unsigned."""
    session = boto3.session.Session()
    if signed:
        return session.client(
            "cognito-identity",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=ROOT_ACCESS_KEY_ID,
            aws_secret_access_key=ROOT_SECRET_ACCESS_KEY,
            config=_config(),
        )
    return session.client(
        "cognito-identity", region_name=REGION, endpoint_url=endpoint, config=_config(signature_version=botocore.UNSIGNED)
    )


def sts_client(endpoint: str, creds: dict | None = None, *, root: bool = False):
    """A boto3 STS client for `endpoint`.

    `creds` is GetCredentialsForIdentity's Credentials (SecretKey) or STS's (SecretAccessKey);
    `root=True` signs with the root key; neither gives an unsigned client.
    """
    session = boto3.session.Session()
    if creds is not None:
        return session.client(
            "sts",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds.get("SecretKey") or creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            config=_config(),
        )
    if root:
        return session.client(
            "sts",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=ROOT_ACCESS_KEY_ID,
            aws_secret_access_key=ROOT_SECRET_ACCESS_KEY,
            config=_config(),
        )
    return session.client("sts", region_name=REGION, endpoint_url=endpoint, config=_config(signature_version=botocore.UNSIGNED))


def caller_identity(server, creds: dict) -> dict:
    """STS GetCallerIdentity signed with the given temporary credentials."""
    return sts_client(server.endpoint, creds).get_caller_identity()


@pytest.fixture(scope="session")
def ci(server):
    """boto3 cognito-identity client, SigV4-signed with the root key."""
    return ci_client(server.endpoint)


@pytest.fixture(scope="session")
def anon_ci(server):
    """boto3 cognito-identity client that signs nothing (what apps use for GetId & co.)."""
    return ci_client(server.endpoint, signed=False)


# ---------------------------------------------------------------------------------------------
# Factories
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def make_identity_pool(ci, names):
    """make_identity_pool(**CreateIdentityPool params) -> the CreateIdentityPool response.

    Defaults: a unique IdentityPoolName and AllowUnauthenticatedIdentities False; pass a key with
    None to leave it out.
    """

    def _make(**params: Any) -> dict:
        request: dict[str, Any] = {"IdentityPoolName": names("idpool"), "AllowUnauthenticatedIdentities": False}
        request.update(params)
        resp = ci.create_identity_pool(**{k: v for k, v in request.items() if v is not None})
        resp.pop("ResponseMetadata", None)
        return resp

    return _make


@pytest.fixture
def federation(ci, make_pool, make_client, make_identity_pool):
    """federation(...) -> a user pool + app client listed in a new identity pool.

    Keyword arguments: `server_side_token_check` (False), `allow_guests` (False),
    `allow_classic_flow` (False), `roles` ({"authenticated": AUTH_ROLE} plus
    "unauthenticated": GUEST_ROLE when guests are allowed; None sets no roles), `mapping` (a
    RoleMapping for the user pool's provider, keyed by its provider name; None for none),
    `schema` (the user pool's Schema), `pool_tags` (its UserPoolTags) and `developer_provider_name`.

    The result has pool_id, client_id, provider (SDK spelling), identity_pool_id, auth_role,
    guest_role and identity_pool (the CreateIdentityPool response).
    """

    def _make(
        *,
        server_side_token_check: bool = False,
        allow_guests: bool = False,
        allow_classic_flow: bool = False,
        roles: dict[str, str] | None | str = "default",
        mapping: dict | None = None,
        schema: list[dict] | None = None,
        pool_tags: dict[str, str] | None = None,
        developer_provider_name: str | None = None,
    ) -> SimpleNamespace:
        pool = make_pool(Schema=schema, UserPoolTags=pool_tags)
        client = make_client(pool["Id"])
        provider = user_pool_provider(pool["Id"])
        identity_pool = make_identity_pool(
            AllowUnauthenticatedIdentities=allow_guests,
            AllowClassicFlow=allow_classic_flow,
            CognitoIdentityProviders=[
                {"ProviderName": provider, "ClientId": client["ClientId"], "ServerSideTokenCheck": server_side_token_check}
            ],
            DeveloperProviderName=developer_provider_name,
        )
        if roles == "default":
            roles = {"authenticated": AUTH_ROLE}
            if allow_guests:
                roles["unauthenticated"] = GUEST_ROLE
        fed = SimpleNamespace(
            pool=pool,
            pool_id=pool["Id"],
            client=client,
            client_id=client["ClientId"],
            provider=provider,
            identity_pool=identity_pool,
            identity_pool_id=identity_pool["IdentityPoolId"],
            auth_role=AUTH_ROLE,
            guest_role=GUEST_ROLE,
        )
        if roles is not None:
            set_roles(ci, fed.identity_pool_id, roles, None if mapping is None else {provider: mapping})
        return fed

    return _make


def set_roles(ci, identity_pool_id: str, roles: dict[str, str], role_mappings: dict[str, dict] | None = None) -> None:
    params: dict[str, Any] = {"IdentityPoolId": identity_pool_id, "Roles": roles}
    if role_mappings is not None:
        params["RoleMappings"] = role_mappings
    ci.set_identity_pool_roles(**params)


def rules_mapping(rules: list[tuple[str, str, str, str]], ambiguous: str = "Deny") -> dict:
    """A `Rules` RoleMapping from (claim, match type, value, role ARN) tuples."""
    return {
        "Type": "Rules",
        "AmbiguousRoleResolution": ambiguous,
        "RulesConfiguration": {
            "Rules": [{"Claim": c, "MatchType": m, "Value": v, "RoleARN": r} for c, m, v, r in rules]
        },
    }


def token_mapping(ambiguous: str = "AuthenticatedRole") -> dict:
    return {"Type": "Token", "AmbiguousRoleResolution": ambiguous}


# ---------------------------------------------------------------------------------------------
# Flows
# ---------------------------------------------------------------------------------------------


def id_token_of(anon_idp, fed: SimpleNamespace, user) -> str:
    """USER_PASSWORD_AUTH through the federation's app client; the ID token."""
    return sign_in(anon_idp, fed.client_id, user.username, user.password)["IdToken"]


def get_id(anon_ci, identity_pool_id: str, logins: dict[str, str] | None = None) -> str:
    params: dict[str, Any] = {"IdentityPoolId": identity_pool_id}
    if logins:
        params["Logins"] = logins
    return anon_ci.get_id(**params)["IdentityId"]


def credentials_for(
    anon_ci, identity_pool_id: str, logins: dict[str, str] | None = None, custom_role_arn: str | None = None
) -> tuple[str, dict]:
    """The enhanced flow: GetId then GetCredentialsForIdentity; (IdentityId, Credentials)."""
    identity_id = get_id(anon_ci, identity_pool_id, logins)
    params: dict[str, Any] = {"IdentityId": identity_id}
    if logins:
        params["Logins"] = logins
    if custom_role_arn:
        params["CustomRoleArn"] = custom_role_arn
    resp = anon_ci.get_credentials_for_identity(**params)
    assert resp["IdentityId"] == identity_id
    return identity_id, resp["Credentials"]


def simulate(server, payload: dict) -> tuple[int, dict]:
    """`PoolDesk.SimulateRoleMapping`, signed like any admin call."""
    return pooldesk_call(server, "SimulateRoleMapping", payload)


def simulate_ok(server, payload: dict) -> dict:
    status, body = simulate(server, payload)
    assert status == 200, f"PoolDesk.SimulateRoleMapping failed: {status} {body}"
    return body


def unique_developer_provider() -> str:
    """A DeveloperProviderName (letters, digits, '.', '_', '-') no other test uses."""
    return f"login.pooldesk-{uuid.uuid4().hex[:12]}.example"


def sync_client_for(endpoint: str, creds: dict | None = None, **config: Any):
    """A boto3 cognito-sync client for `endpoint`, signed with an identity's temporary credentials
    (GetCredentialsForIdentity's Credentials) or, without `creds`, with the root key (a
    developer's credentials)."""
    session = boto3.session.Session()
    if creds is None:
        keys = {"aws_access_key_id": ROOT_ACCESS_KEY_ID, "aws_secret_access_key": ROOT_SECRET_ACCESS_KEY}
    else:
        keys = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretKey"],
            "aws_session_token": creds["SessionToken"],
        }
    return session.client("cognito-sync", region_name=REGION, endpoint_url=endpoint, config=_config(**config), **keys)


def js_credentials(creds: dict) -> dict:
    """GetCredentialsForIdentity's Credentials as the AWS SDK for JavaScript takes them."""
    return {"accessKeyId": creds["AccessKeyId"], "secretAccessKey": creds["SecretKey"], "sessionToken": creds["SessionToken"]}
