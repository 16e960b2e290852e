"""Sign-in: InitiateAuth / AdminInitiateAuth, refresh, sign-out and revocation, challenges,
user states, sign-in by email and alias, case-insensitive usernames."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    attrs,
    claims,
    error_code,
    error_message,
    is_uuid,
    latest_code,
    refresh,
    sign_in,
)


def test_user_password_auth_returns_bearer_tokens(anon_idp, app, user):
    resp = anon_idp.initiate_auth(
        ClientId=app.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": user.password},
    )
    assert "ChallengeName" not in resp
    result = resp["AuthenticationResult"]
    assert result["IdToken"].count(".") == 2
    assert result["AccessToken"].count(".") == 2
    assert result["RefreshToken"]
    assert result["ExpiresIn"] == 3600
    assert result["TokenType"] == "Bearer"


def test_wrong_password_is_not_authorized(anon_idp, app, user):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException) as e:
        sign_in(anon_idp, app.client_id, user.username, "Wr0ng-Password!")
    assert error_message(e.value) == "Incorrect username or password."


def test_unknown_user_is_user_not_found_with_legacy_existence_errors(anon_idp, app, make_client):
    client = make_client(app.pool_id, PreventUserExistenceErrors="LEGACY")
    with pytest.raises(anon_idp.exceptions.UserNotFoundException):
        sign_in(anon_idp, client["ClientId"], "nobody", PASSWORD)


def test_unknown_user_is_not_authorized_when_existence_errors_are_prevented(anon_idp, app, make_client):
    client = make_client(app.pool_id, PreventUserExistenceErrors="ENABLED")
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException) as e:
        sign_in(anon_idp, client["ClientId"], "nobody", PASSWORD)
    assert error_message(e.value) == "Incorrect username or password."


def test_admin_user_password_auth_returns_tokens(idp, app, user):
    resp = idp.admin_initiate_auth(
        UserPoolId=app.pool_id, ClientId=app.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": user.password},
    )
    result = resp["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert claims(result["AccessToken"])["username"] == user.username


def test_admin_no_srp_auth_returns_tokens(idp, app, user):
    resp = idp.admin_initiate_auth(
        UserPoolId=app.pool_id, ClientId=app.client_id, AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": user.password},
    )
    assert claims(resp["AuthenticationResult"]["IdToken"])["cognito:username"] == user.username


def test_admin_initiate_auth_with_wrong_password_is_not_authorized(idp, app, user):
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.admin_initiate_auth(
            UserPoolId=app.pool_id, ClientId=app.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user.username, "PASSWORD": "Wr0ng-Password!"},
        )


def test_refresh_token_auth_gives_new_id_and_access_tokens_without_a_refresh_token(anon_idp, app, user):
    first = sign_in(anon_idp, app.client_id, user.username, user.password)
    resp = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )
    result = resp["AuthenticationResult"]
    assert "RefreshToken" not in result
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert result["AccessToken"] != first["AccessToken"]
    assert result["IdToken"] != first["IdToken"]
    new_id = claims(result["IdToken"])
    assert new_id["sub"] == user.sub
    assert new_id["jti"] != claims(first["IdToken"])["jti"]


def test_refreshed_access_token_works_for_get_user(anon_idp, app, user):
    first = sign_in(anon_idp, app.client_id, user.username, user.password)
    access = refresh(anon_idp, app.client_id, first["RefreshToken"])["AccessToken"]
    assert anon_idp.get_user(AccessToken=access)["Username"] == user.username


def test_garbage_refresh_token_is_not_authorized(anon_idp, app):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        refresh(anon_idp, app.client_id, "not-a-refresh-token")


def test_refresh_token_of_another_client_is_not_authorized(anon_idp, app, make_client, user):
    other = make_client(app.pool_id)
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        refresh(anon_idp, other["ClientId"], tokens["RefreshToken"])


# --- disabled users, sign-out, revocation -----------------------------------------------------


def test_disabled_user_cannot_sign_in(idp, anon_idp, app, user):
    idp.admin_disable_user(UserPoolId=app.pool_id, Username=user.username)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException) as e:
        sign_in(anon_idp, app.client_id, user.username, user.password)
    assert error_message(e.value) == "User is disabled."


def test_disabled_user_cannot_refresh(idp, anon_idp, app, user):
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    idp.admin_disable_user(UserPoolId=app.pool_id, Username=user.username)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        refresh(anon_idp, app.client_id, tokens["RefreshToken"])


def test_disabling_a_user_revokes_their_access_tokens(idp, anon_idp, app, user):
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    idp.admin_disable_user(UserPoolId=app.pool_id, Username=user.username)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_user(AccessToken=tokens["AccessToken"])


def test_re_enabled_user_can_sign_in_again(idp, anon_idp, app, user):
    idp.admin_disable_user(UserPoolId=app.pool_id, Username=user.username)
    idp.admin_enable_user(UserPoolId=app.pool_id, Username=user.username)
    assert sign_in(anon_idp, app.client_id, user.username, user.password)["AccessToken"]


def test_global_sign_out_revokes_access_and_refresh_tokens(anon_idp, app, user):
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    anon_idp.get_user(AccessToken=tokens["AccessToken"])
    anon_idp.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException) as e:
        anon_idp.get_user(AccessToken=tokens["AccessToken"])
    assert "revoked" in error_message(e.value).lower()
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        refresh(anon_idp, app.client_id, tokens["RefreshToken"])


def test_global_sign_out_revokes_every_session_of_the_user(anon_idp, app, user):
    a = sign_in(anon_idp, app.client_id, user.username, user.password)
    b = sign_in(anon_idp, app.client_id, user.username, user.password)
    anon_idp.global_sign_out(AccessToken=a["AccessToken"])
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_user(AccessToken=b["AccessToken"])
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        refresh(anon_idp, app.client_id, b["RefreshToken"])


def test_sign_in_after_global_sign_out_works(anon_idp, app, user):
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    anon_idp.global_sign_out(AccessToken=tokens["AccessToken"])
    fresh = sign_in(anon_idp, app.client_id, user.username, user.password)
    assert anon_idp.get_user(AccessToken=fresh["AccessToken"])["Username"] == user.username


def test_admin_user_global_sign_out_revokes_access_and_refresh_tokens(idp, anon_idp, app, user):
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    idp.admin_user_global_sign_out(UserPoolId=app.pool_id, Username=user.username)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        refresh(anon_idp, app.client_id, tokens["RefreshToken"])


def test_admin_user_global_sign_out_leaves_other_users_signed_in(idp, anon_idp, app, user, make_user):
    other = make_user(app.pool_id, "bob")
    other_tokens = sign_in(anon_idp, app.client_id, other.username, other.password)
    idp.admin_user_global_sign_out(UserPoolId=app.pool_id, Username=user.username)
    assert anon_idp.get_user(AccessToken=other_tokens["AccessToken"])["Username"] == "bob"
    assert refresh(anon_idp, app.client_id, other_tokens["RefreshToken"])["AccessToken"]


def test_revoke_token_stops_the_refresh_token_and_its_access_tokens(anon_idp, app, user):
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    anon_idp.revoke_token(Token=tokens["RefreshToken"], ClientId=app.client_id)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        refresh(anon_idp, app.client_id, tokens["RefreshToken"])
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_user(AccessToken=tokens["AccessToken"])


def test_revoke_token_leaves_other_sessions_alone(anon_idp, app, user):
    a = sign_in(anon_idp, app.client_id, user.username, user.password)
    b = sign_in(anon_idp, app.client_id, user.username, user.password)
    anon_idp.revoke_token(Token=a["RefreshToken"], ClientId=app.client_id)
    assert refresh(anon_idp, app.client_id, b["RefreshToken"])["AccessToken"]
    assert anon_idp.get_user(AccessToken=b["AccessToken"])["Username"] == user.username


# --- challenges and user states ---------------------------------------------------------------


@pytest.fixture
def invited(idp, app):
    idp.admin_create_user(
        UserPoolId=app.pool_id, Username="gina", TemporaryPassword="Temp0rary-Pass!", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "gina@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    return "gina"


def test_temporary_password_sign_in_is_new_password_required(anon_idp, app, invited):
    resp = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": invited, "PASSWORD": "Temp0rary-Pass!"},
    )
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert resp["Session"]
    assert "AuthenticationResult" not in resp
    assert resp["ChallengeParameters"]["USER_ID_FOR_SRP"] == invited


def test_new_password_challenge_response_returns_tokens_and_confirms(idp, anon_idp, app, invited):
    challenge = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": invited, "PASSWORD": "Temp0rary-Pass!"},
    )
    resp = anon_idp.respond_to_auth_challenge(
        ClientId=app.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": invited, "NEW_PASSWORD": PASSWORD},
    )
    result = resp["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert claims(result["IdToken"])["cognito:username"] == invited
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=invited)["UserStatus"] == "CONFIRMED"
    assert sign_in(anon_idp, app.client_id, invited, PASSWORD)["AccessToken"]


def test_new_password_challenge_with_a_bad_session_is_not_authorized(anon_idp, app, invited):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.respond_to_auth_challenge(
            ClientId=app.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session="x" * 64,
            ChallengeResponses={"USERNAME": invited, "NEW_PASSWORD": PASSWORD},
        )


def test_new_password_challenge_with_a_weak_password_is_invalid_password(anon_idp, app, invited):
    challenge = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": invited, "PASSWORD": "Temp0rary-Pass!"},
    )
    with pytest.raises(anon_idp.exceptions.InvalidPasswordException):
        anon_idp.respond_to_auth_challenge(
            ClientId=app.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": invited, "NEW_PASSWORD": "weak"},
        )
    # The refusal leaves the challenge open: the same Session takes a better password.
    done = anon_idp.respond_to_auth_challenge(
        ClientId=app.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": invited, "NEW_PASSWORD": PASSWORD},
    )
    assert done["AuthenticationResult"]["AccessToken"]


def test_admin_initiate_auth_with_temporary_password_is_new_password_required(idp, app, invited):
    resp = idp.admin_initiate_auth(
        UserPoolId=app.pool_id, ClientId=app.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": invited, "PASSWORD": "Temp0rary-Pass!"},
    )
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=app.pool_id, ClientId=app.client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=resp["Session"], ChallengeResponses={"USERNAME": invited, "NEW_PASSWORD": PASSWORD},
    )
    assert done["AuthenticationResult"]["AccessToken"]


def test_unconfirmed_user_sign_in_is_user_not_confirmed(anon_idp, app):
    anon_idp.sign_up(
        ClientId=app.client_id, Username="hank", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "hank@example.com"}],
    )
    with pytest.raises(anon_idp.exceptions.UserNotConfirmedException):
        sign_in(anon_idp, app.client_id, "hank", PASSWORD)


def test_admin_reset_user_password_sets_reset_required(idp, app, user):
    idp.admin_reset_user_password(UserPoolId=app.pool_id, Username=user.username)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["UserStatus"] == "RESET_REQUIRED"


def test_reset_required_user_sign_in_is_password_reset_required(idp, anon_idp, app, user):
    idp.admin_reset_user_password(UserPoolId=app.pool_id, Username=user.username)
    with pytest.raises(anon_idp.exceptions.PasswordResetRequiredException):
        sign_in(anon_idp, app.client_id, user.username, user.password)


def test_reset_required_user_completes_the_reset_with_the_emailed_code(server, idp, anon_idp, app, user):
    idp.admin_reset_user_password(UserPoolId=app.pool_id, Username=user.username)
    code = latest_code(server, app.pool_id, user.username)
    anon_idp.confirm_forgot_password(
        ClientId=app.client_id, Username=user.username, ConfirmationCode=code, Password=OTHER_PASSWORD
    )
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["UserStatus"] == "CONFIRMED"
    assert sign_in(anon_idp, app.client_id, user.username, OTHER_PASSWORD)["AccessToken"]


# --- sign-in identifiers ----------------------------------------------------------------------


@pytest.fixture
def email_pool(idp, make_pool, make_client):
    pool = make_pool(UsernameAttributes=["email"])
    client = make_client(pool["Id"])
    created = idp.admin_create_user(
        UserPoolId=pool["Id"], Username="ivy@example.com", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "ivy@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )["User"]
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="ivy@example.com", Password=PASSWORD, Permanent=True)
    return pool["Id"], client["ClientId"], created


def test_email_username_pool_generates_a_uuid_username(email_pool):
    _, _, created = email_pool
    assert is_uuid(created["Username"]), created["Username"]
    assert created["Username"] == attrs(created["Attributes"])["sub"]


def test_email_username_pool_admin_get_user_by_email(idp, email_pool):
    pool_id, _, created = email_pool
    got = idp.admin_get_user(UserPoolId=pool_id, Username="ivy@example.com")
    assert got["Username"] == created["Username"]
    assert attrs(got["UserAttributes"])["email"] == "ivy@example.com"


def test_email_username_pool_signs_in_by_email(anon_idp, email_pool):
    _, client_id, created = email_pool
    tokens = sign_in(anon_idp, client_id, "ivy@example.com", PASSWORD)
    id_claims = claims(tokens["IdToken"])
    assert id_claims["cognito:username"] == created["Username"]
    assert id_claims["email"] == "ivy@example.com"


def test_email_username_pool_rejects_a_second_user_with_the_same_email(idp, email_pool):
    pool_id, _, _ = email_pool
    with pytest.raises(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(
            UserPoolId=pool_id, Username="ivy@example.com", MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": "ivy@example.com"}],
        )


@pytest.fixture
def alias_pool(make_pool, make_client, make_user):
    pool = make_pool(AliasAttributes=["email"])
    client = make_client(pool["Id"])
    verified = make_user(pool["Id"], "jane", email="jane@example.com", email_verified=True)
    unverified = make_user(pool["Id"], "kurt", email="kurt@example.com", email_verified=False)
    return pool["Id"], client["ClientId"], verified, unverified


def test_alias_pool_signs_in_by_verified_email(anon_idp, alias_pool):
    _, client_id, verified, _ = alias_pool
    tokens = sign_in(anon_idp, client_id, "jane@example.com", PASSWORD)
    assert claims(tokens["IdToken"])["cognito:username"] == "jane"
    assert claims(tokens["AccessToken"])["username"] == "jane"


def test_alias_pool_still_signs_in_by_username(anon_idp, alias_pool):
    _, client_id, _, _ = alias_pool
    assert sign_in(anon_idp, client_id, "jane", PASSWORD)["AccessToken"]


def test_alias_pool_does_not_sign_in_by_unverified_email(anon_idp, alias_pool):
    _, client_id, _, _ = alias_pool
    with pytest.raises(ClientError) as e:
        sign_in(anon_idp, client_id, "kurt@example.com", PASSWORD)
    assert error_code(e.value) in ("UserNotFoundException", "NotAuthorizedException")


def test_case_insensitive_pool_signs_in_regardless_of_case(idp, anon_idp, make_pool, make_client, make_user):
    pool = make_pool(UsernameConfiguration={"CaseSensitive": False})
    client = make_client(pool["Id"])
    make_user(pool["Id"], "Alice")
    for spelling in ("alice", "ALICE", "Alice"):
        tokens = sign_in(anon_idp, client["ClientId"], spelling, PASSWORD)
        assert claims(tokens["IdToken"])["cognito:username"].lower() == "alice"
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="aLiCe")["Username"].lower() == "alice"


def test_case_insensitive_pool_rejects_a_username_differing_only_in_case(idp, make_pool, make_user):
    pool = make_pool(UsernameConfiguration={"CaseSensitive": False})
    make_user(pool["Id"], "Alice")
    with pytest.raises(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(UserPoolId=pool["Id"], Username="alice", MessageAction="SUPPRESS")


def test_case_sensitive_pool_does_not_match_another_case(anon_idp, make_pool, make_client, make_user):
    pool = make_pool(UsernameConfiguration={"CaseSensitive": True})
    client = make_client(pool["Id"])
    make_user(pool["Id"], "Alice")
    with pytest.raises(anon_idp.exceptions.UserNotFoundException):
        sign_in(anon_idp, client["ClientId"], "alice", PASSWORD)


def test_challenge_parameters_describe_user_attributes(anon_idp, app, invited):
    resp = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": invited, "PASSWORD": "Temp0rary-Pass!"},
    )
    user_attributes = json.loads(resp["ChallengeParameters"]["userAttributes"])
    assert user_attributes["email"] == "gina@example.com"
