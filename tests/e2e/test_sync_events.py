"""Cognito Events: an identity pool's SyncTrigger Lambda function, set with SetCognitoEvents, sees
each identity's UpdateRecords before it is stored (the documented event: version 2, old and new
values, ops) and may change, add or drop records, or refuse the whole patch.

AWS Lambda cannot run here: the stand-in of test_triggers.py (lambda_stub.py) speaks the Invoke
API on loopback and checks PoolDesk's SigV4 signature; the server finds it as the AWS SDKs would
(`AWS_ENDPOINT_URL_LAMBDA`, credentials from the environment)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from conftest import REGION, error_code, start_pooldesk
from identity_helpers import GUEST_ROLE, ci_client, credentials_for, set_roles, sync_client_for
from lambda_stub import LambdaStub, Raw, function_arn, server_env

pytestmark = pytest.mark.own_servers


@pytest.fixture(scope="module")
def stub():
    s = LambdaStub().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def srv(stub, smtp_sink, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("sync-events")
    server = start_pooldesk(workdir / "db.sqlite", smtp_sink, workdir / "logs", env=server_env(stub, workdir))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def developer(srv):
    return sync_client_for(srv.endpoint)


@pytest.fixture
def guest(srv):
    """A new identity pool that lets guests in, and one guest with its own cognito-sync client."""
    ci = ci_client(srv.endpoint)
    pool_id = ci.create_identity_pool(IdentityPoolName=f"events_{uuid.uuid4().hex[:8]}", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    set_roles(ci, pool_id, {"unauthenticated": GUEST_ROLE})
    identity_id, creds = credentials_for(ci_client(srv.endpoint, signed=False), pool_id)
    return SimpleNamespace(pool_id=pool_id, identity_id=identity_id, sync=sync_client_for(srv.endpoint, creds))


def trigger(stub: LambdaStub, handler) -> tuple[str, str]:
    """Registers `handler` under a fresh function name: (name, ARN)."""
    name = f"sync-{uuid.uuid4().hex[:10]}"
    stub.functions[name] = handler
    return name, function_arn(name)


def update(client, who: SimpleNamespace, dataset: str, *patches: dict) -> list[dict]:
    ids = {"IdentityPoolId": who.pool_id, "IdentityId": who.identity_id, "DatasetName": dataset}
    token = client.list_records(**ids)["SyncSessionToken"]
    return client.update_records(**ids, SyncSessionToken=token, RecordPatches=list(patches)).get("Records", [])


def values(client, who: SimpleNamespace, dataset: str) -> dict[str, str | None]:
    ids = {"IdentityPoolId": who.pool_id, "IdentityId": who.identity_id, "DatasetName": dataset}
    return {r["Key"]: r.get("Value") for r in client.list_records(**ids).get("Records", [])}


def put(key: str, value: str, sync_count: int = 0) -> dict:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": sync_count}


def test_events_are_set_one_by_one_and_removed_with_an_empty_function(developer, guest, stub):
    _, arn = trigger(stub, lambda event, context: event)
    assert developer.get_cognito_events(IdentityPoolId=guest.pool_id)["Events"] == {}
    developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": arn})
    assert developer.get_cognito_events(IdentityPoolId=guest.pool_id)["Events"] == {"SyncTrigger": arn}
    developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": ""})
    assert developer.get_cognito_events(IdentityPoolId=guest.pool_id)["Events"] == {}


@pytest.mark.parametrize(
    "events",
    [{"DatasetDeleted": function_arn("f")}, {"SyncTrigger": "not-an-arn"}, {"SyncTrigger": "arn:aws:sns:us-east-1:000000000000:topic"}],
    ids=["unknown-event", "not-an-arn", "not-lambda"],
)
def test_bad_events_are_invalid_parameter_and_change_nothing(developer, guest, events):
    with pytest.raises(ClientError) as e:
        developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events=events)
    assert error_code(e.value) == "InvalidParameterException"
    assert developer.get_cognito_events(IdentityPoolId=guest.pool_id)["Events"] == {}


def test_events_are_for_developers_and_known_pools(developer, guest):
    for call in (
        lambda: guest.sync.get_cognito_events(IdentityPoolId=guest.pool_id),
        lambda: guest.sync.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": function_arn("f")}),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == "NotAuthorizedException"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as e:
        developer.get_cognito_events(IdentityPoolId="us-east-1:00000000-0000-4000-8000-00000000e0e0")
    assert error_code(e.value) == "ResourceNotFoundException"


def test_the_trigger_gets_the_documented_event_signed_for_lambda(developer, guest, stub):
    name, arn = trigger(stub, lambda event, context: event)
    developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": arn})
    update(guest.sync, guest, "game", put("level", "1"), put("score", "10"))
    written = update(guest.sync, guest, "game", put("level", "2", 1), {"Op": "remove", "Key": "score", "SyncCount": 1})
    assert {r["Key"]: r.get("Value") for r in written} == {"level": "2", "score": None}

    events = stub.of(name)
    assert len(events) == 2
    assert events[1] == {
        "version": 2,
        "eventType": "SyncTrigger",
        "region": REGION,
        "identityPoolId": guest.pool_id,
        "identityId": guest.identity_id,
        "datasetName": "game",
        "datasetRecords": {
            "level": {"oldValue": "1", "newValue": "2", "op": "replace"},
            "score": {"oldValue": "10", "op": "remove"},
        },
    }
    assert events[0]["datasetRecords"] == {"level": {"newValue": "1", "op": "replace"}, "score": {"newValue": "10", "op": "replace"}}


def test_the_trigger_changes_adds_and_drops_records_before_they_are_stored(developer, guest, stub):
    def handler(event, context):
        records = event["datasetRecords"]
        records["score"]["newValue"] = str(min(int(records["score"]["newValue"]), 100))  # no cheating
        records["badge"] = {"newValue": "gold", "op": "replace"}  # an award
        del records["debug"]  # ignored
        return event

    _, arn = trigger(stub, handler)
    developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": arn})
    written = update(guest.sync, guest, "game", put("score", "9999"), put("debug", "on"))
    assert {r["Key"]: (r.get("Value"), r["SyncCount"]) for r in written} == {"score": ("100", 1), "badge": ("gold", 1)}
    assert values(guest.sync, guest, "game") == {"badge": "gold", "score": "100"}


def test_a_trigger_that_fails_refuses_the_whole_patch(developer, guest, stub):
    def handler(event, context):
        raise ValueError("scores above 100 are cheating")

    _, arn = trigger(stub, handler)
    developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": arn})
    with pytest.raises(ClientError) as e:
        update(guest.sync, guest, "game", put("score", "9999"))
    assert error_code(e.value) == "InvalidLambdaFunctionOutputException"
    assert "scores above 100 are cheating" in e.value.response["Error"]["Message"]
    assert values(guest.sync, guest, "game") == {}


def test_a_throttled_trigger_is_lambda_throttled_and_stores_nothing(developer, guest, stub):
    name, arn = trigger(stub, lambda event, context: event)
    stub.throttled.add(name)
    try:
        developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": arn})
        refused_before = sum(1 for r in stub.refused if r == f"TooManyRequestsException: {name}")
        with pytest.raises(ClientError) as e:
            update(guest.sync, guest, "game", put("score", "1"))
        assert error_code(e.value) == "LambdaThrottledException"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert name in e.value.response["Error"]["Message"]
        assert sum(1 for r in stub.refused if r == f"TooManyRequestsException: {name}") - refused_before == 2, "tried once more, as the SDKs do"
        assert values(guest.sync, guest, "game") == {}
        stub.throttled.discard(name)
        update(guest.sync, guest, "game", put("score", "1"))
        assert values(guest.sync, guest, "game") == {"score": "1"}, "the same patch goes through once Lambda has room"
    finally:
        stub.throttled.discard(name)


@pytest.mark.parametrize(
    "answer",
    [Raw(b"not json"), {"datasetRecords": "none"}, {"datasetRecords": {"score": {"op": "replace"}}}, {"datasetRecords": {"score": {"op": "upsert", "newValue": "1"}}}],
    ids=["not-json", "records-not-an-object", "replace-without-value", "unknown-op"],
)
def test_an_answer_that_is_not_the_event_refuses_the_patch(developer, guest, stub, answer):
    _, arn = trigger(stub, lambda event, context: answer)
    developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": arn})
    with pytest.raises(ClientError) as e:
        update(guest.sync, guest, "game", put("score", "1"))
    assert error_code(e.value) == "InvalidLambdaFunctionOutputException"
    assert values(guest.sync, guest, "game") == {}


def test_a_developers_writes_do_not_call_the_trigger(developer, guest, stub):
    name, arn = trigger(stub, lambda event, context: event)
    developer.set_cognito_events(IdentityPoolId=guest.pool_id, Events={"SyncTrigger": arn})
    update(developer, guest, "game", put("score", "5"))
    assert stub.of(name) == []
    assert values(guest.sync, guest, "game") == {"score": "5"}


def test_without_a_trigger_nothing_is_called(guest, stub):
    before = sum(len(stub.of(n)) for n in list(stub.functions))
    update(guest.sync, guest, "game", put("score", "5"))
    assert sum(len(stub.of(n)) for n in list(stub.functions)) == before


def test_identity_pool_configuration_says_streams_and_push_sync_are_off(developer, guest):
    config = developer.get_identity_pool_configuration(IdentityPoolId=guest.pool_id)
    assert config["IdentityPoolId"] == guest.pool_id
    assert "CognitoStreams" not in config and "PushSync" not in config
