"""Cognito Streams and push sync: SetIdentityPoolConfiguration, every change of an identity pool's
datasets copied to its Kinesis stream in Cognito's documented record format (in order per
dataset, retried while Kinesis is down or refuses records, kept across a restart), BulkPublish
and GetBulkPublishDetails, and silent push notifications through SNS to the devices subscribed
to a dataset (RegisterDevice, SubscribeToDataset, UnsubscribeFromDataset).

Kinesis and SNS cannot run here: kinesis_sns_stub.py stands in for both on loopback and checks
PoolDesk's SigV4 signatures; the server finds them as the AWS SDKs would
(`AWS_ENDPOINT_URL_KINESIS`, `AWS_ENDPOINT_URL_SNS`, credentials from the environment)."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from types import SimpleNamespace
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from cluster import start_cluster
from conftest import REGION, error_code, start_pooldesk
from identity_helpers import GUEST_ROLE, ci_client, credentials_for, js_credentials, set_roles, sync_client_for
from kinesis_sns_stub import KinesisStub, SnsStub
from lambda_stub import server_env

pytestmark = pytest.mark.own_servers

ROLE = "arn:aws:iam::000000000000:role/cognito-sync"


@pytest.fixture(scope="module")
def kinesis():
    s = KinesisStub().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def sns():
    s = SnsStub().start()
    yield s
    s.stop()


def env_for(kinesis: KinesisStub, sns: SnsStub, workdir) -> dict[str, str | None]:
    env = server_env(SimpleNamespace(endpoint="http://127.0.0.1:9"), workdir)
    # Hundreds of identities are made from one address here: no rate limit on GetId.
    env.update({"AWS_ENDPOINT_URL_KINESIS": kinesis.endpoint, "AWS_ENDPOINT_URL_SNS": sns.endpoint, "POOLDESK_RATE_LIMITS": "off"})
    return env


@pytest.fixture(scope="module")
def srv(kinesis, sns, smtp_sink, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("sync-streams")
    server = start_pooldesk(workdir / "db.sqlite", smtp_sink, workdir / "logs", env=env_for(kinesis, sns, workdir))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def kinesis_up(kinesis):
    kinesis.down, kinesis.refuse_every = False, 0
    yield
    kinesis.down, kinesis.refuse_every = False, 0


def new_pool(endpoint: str) -> str:
    ci = ci_client(endpoint)
    pool_id = ci.create_identity_pool(IdentityPoolName=f"streams_{uuid.uuid4().hex[:8]}", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    set_roles(ci, pool_id, {"unauthenticated": GUEST_ROLE})
    return pool_id


def new_guest(endpoint: str, pool_id: str) -> SimpleNamespace:
    identity_id, creds = credentials_for(ci_client(endpoint, signed=False), pool_id)
    return SimpleNamespace(pool_id=pool_id, identity_id=identity_id, creds=creds, sync=sync_client_for(endpoint, creds))


def streaming(developer, pool_id: str, stream: str, status: str = "ENABLED") -> dict:
    return developer.set_identity_pool_configuration(
        IdentityPoolId=pool_id, CognitoStreams={"StreamName": stream, "RoleArn": ROLE, "StreamingStatus": status}
    )


def update(who: SimpleNamespace, dataset: str, *patches: dict, device_id: str | None = None) -> list[dict]:
    ids = {"IdentityPoolId": who.pool_id, "IdentityId": who.identity_id, "DatasetName": dataset}
    token = who.sync.list_records(**ids)["SyncSessionToken"]
    extra = {"DeviceId": device_id} if device_id else {}
    return who.sync.update_records(**ids, SyncSessionToken=token, RecordPatches=list(patches), **extra).get("Records", [])


def put(key: str, value: str, sync_count: int = 0) -> dict:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": sync_count}


def wait_for(what, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


@pytest.fixture(scope="module")
def developer(srv):
    return sync_client_for(srv.endpoint)


# --- configuration ----------------------------------------------------------------------------


def test_streams_and_push_are_configured_and_read_back(developer, srv, sns):
    pool_id = new_pool(srv.endpoint)
    empty = developer.get_identity_pool_configuration(IdentityPoolId=pool_id)
    assert "CognitoStreams" not in empty and "PushSync" not in empty
    gcm = sns.create_application("GCM")
    answer = developer.set_identity_pool_configuration(
        IdentityPoolId=pool_id,
        CognitoStreams={"StreamName": "changes", "RoleArn": ROLE, "StreamingStatus": "ENABLED"},
        PushSync={"ApplicationArns": [gcm], "RoleArn": ROLE},
    )
    expected = {
        "CognitoStreams": {"StreamName": "changes", "RoleArn": ROLE, "StreamingStatus": "ENABLED"},
        "PushSync": {"ApplicationArns": [gcm], "RoleArn": ROLE},
    }
    for got in (answer, developer.get_identity_pool_configuration(IdentityPoolId=pool_id)):
        assert got["IdentityPoolId"] == pool_id
        assert {k: got[k] for k in expected} == expected
    # A part left out stays; a part given replaces.
    developer.set_identity_pool_configuration(IdentityPoolId=pool_id, CognitoStreams={"StreamName": "changes", "RoleArn": ROLE, "StreamingStatus": "DISABLED"})
    got = developer.get_identity_pool_configuration(IdentityPoolId=pool_id)
    assert got["CognitoStreams"]["StreamingStatus"] == "DISABLED"
    assert got["PushSync"] == expected["PushSync"]


@pytest.mark.parametrize(
    "config",
    [
        {"CognitoStreams": {"StreamName": "s", "RoleArn": "arn:aws:iam::000000000000:user/bob", "StreamingStatus": "ENABLED"}},
        {"CognitoStreams": {"RoleArn": ROLE, "StreamingStatus": "ENABLED"}},
        {"PushSync": {"ApplicationArns": ["arn:aws:sns:us-east-1:000000000000:my-topic"], "RoleArn": ROLE}},
        {"PushSync": {"ApplicationArns": ["arn:aws:sns:us-east-1:000000000000:app/FCM/app"], "RoleArn": ROLE}},
        {"PushSync": {"ApplicationArns": ["arn:aws:sns:us-east-1:000000000000:app/GCM/app"]}},
    ],
    ids=["role-not-a-role", "no-stream-name", "topic-not-application", "unknown-platform", "no-role"],
)
def test_bad_configurations_are_invalid_parameter_and_change_nothing(developer, srv, config):
    pool_id = new_pool(srv.endpoint)
    with pytest.raises(ClientError) as e:
        developer.set_identity_pool_configuration(IdentityPoolId=pool_id, **config)
    assert error_code(e.value) == "InvalidParameterException"
    got = developer.get_identity_pool_configuration(IdentityPoolId=pool_id)
    assert "CognitoStreams" not in got and "PushSync" not in got


def test_configuration_and_bulk_publish_are_for_developers_of_known_pools(developer, srv):
    pool_id = new_pool(srv.endpoint)
    guest = new_guest(srv.endpoint, pool_id)
    for call in (
        lambda: guest.sync.set_identity_pool_configuration(IdentityPoolId=pool_id, CognitoStreams={"StreamName": "s", "RoleArn": ROLE}),
        lambda: guest.sync.get_identity_pool_configuration(IdentityPoolId=pool_id),
        lambda: guest.sync.bulk_publish(IdentityPoolId=pool_id),
        lambda: guest.sync.get_bulk_publish_details(IdentityPoolId=pool_id),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == "NotAuthorizedException"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    unknown = "us-east-1:00000000-0000-4000-8000-00000000f00d"
    for call in (
        lambda: developer.set_identity_pool_configuration(IdentityPoolId=unknown, CognitoStreams={"StreamName": "s", "RoleArn": ROLE}),
        lambda: developer.bulk_publish(IdentityPoolId=unknown),
        lambda: developer.get_bulk_publish_details(IdentityPoolId=unknown),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == "ResourceNotFoundException"


# --- Cognito Streams --------------------------------------------------------------------------


def test_every_change_reaches_the_stream_in_the_documented_format_and_in_order(developer, srv, kinesis):
    stream = kinesis.create_stream(f"changes-{uuid.uuid4().hex[:6]}")
    pool_id = new_pool(srv.endpoint)
    streaming(developer, pool_id, stream)
    guest = new_guest(srv.endpoint, pool_id)
    update(guest, "scores", put("level", "1"), {**put("name", "ada"), "DeviceLastModifiedDate": 1700000000.5})
    update(guest, "scores", put("level", "2", 1))
    update(guest, "scores", {"Op": "remove", "Key": "name", "SyncCount": 1})
    guest.sync.delete_dataset(IdentityPoolId=pool_id, IdentityId=guest.identity_id, DatasetName="scores")

    records = wait_for(lambda: len(kinesis.records(stream)) >= 4 and kinesis.records(stream))
    assert len(records) == 4
    assert {r["PartitionKey"] for r in records} == {f"{guest.identity_id}/scores"}, "one partition key per dataset: ordered"
    data = [r["Data"] for r in records]
    assert [d["syncCount"] for d in data] == [1, 2, 3, 4]
    assert [d["operation"] for d in data] == ["replace", "replace", "replace", "remove"]
    first = data[0]
    assert {k: first[k] for k in ("identityPoolId", "identityId", "dataSetName", "payloadType")} == {
        "identityPoolId": pool_id,
        "identityId": guest.identity_id,
        "dataSetName": "scores",
        "payloadType": "Inline",
    }
    assert isinstance(first["lastModifiedDate"], int) and first["lastModifiedDate"] > 1_600_000_000_000, "epoch milliseconds"
    by_key = {r["key"]: r for r in first["kinesisSyncRecords"]}
    assert set(by_key) == {"level", "name"}
    assert by_key["name"]["value"] == "ada" and by_key["name"]["op"] == "replace" and by_key["name"]["syncCount"] == 1
    assert by_key["name"]["deviceLastModifiedDate"] == 1700000000500
    assert data[1]["kinesisSyncRecords"] == [
        {**data[1]["kinesisSyncRecords"][0], "key": "level", "value": "2", "syncCount": 2, "op": "replace"}
    ]
    removed = data[2]["kinesisSyncRecords"][0]
    assert (removed["key"], removed["value"], removed["op"]) == ("name", None, "remove")
    assert data[3]["kinesisSyncRecords"] == []


def test_a_developers_writes_stream_too_and_disabled_streams_send_nothing(developer, srv, kinesis):
    stream = kinesis.create_stream(f"changes-{uuid.uuid4().hex[:6]}")
    pool_id = new_pool(srv.endpoint)
    guest = new_guest(srv.endpoint, pool_id)
    streaming(developer, pool_id, stream, "DISABLED")
    update(SimpleNamespace(pool_id=pool_id, identity_id=guest.identity_id, sync=developer), "quiet", put("a", "1"))
    streaming(developer, pool_id, stream, "ENABLED")
    update(SimpleNamespace(pool_id=pool_id, identity_id=guest.identity_id, sync=developer), "loud", put("a", "1"))
    assert wait_for(lambda: kinesis.records(stream))
    time.sleep(0.6)
    assert [r["Data"]["dataSetName"] for r in kinesis.records(stream)] == ["loud"]


def test_changes_made_while_kinesis_is_down_arrive_in_order_when_it_is_back(developer, srv, kinesis):
    stream = kinesis.create_stream(f"changes-{uuid.uuid4().hex[:6]}")
    pool_id = new_pool(srv.endpoint)
    streaming(developer, pool_id, stream)
    guest = new_guest(srv.endpoint, pool_id)
    kinesis.down = True
    for n in range(1, 6):
        update(guest, "scores", put("level", str(n), n - 1))
    update(guest, "other", put("x", "1"))
    time.sleep(1.5)
    assert kinesis.records(stream) == [], "nothing while down"
    kinesis.down = False
    records = wait_for(lambda: len(kinesis.records(stream)) >= 6 and kinesis.records(stream), timeout=20)
    scores = [r["Data"]["kinesisSyncRecords"][0]["value"] for r in records if r["Data"]["dataSetName"] == "scores"]
    assert scores == ["1", "2", "3", "4", "5"], "each change once, in order"
    assert len(records) == 6


def test_records_kinesis_refuses_are_retried_without_reordering_a_dataset(developer, srv, kinesis):
    stream = kinesis.create_stream(f"changes-{uuid.uuid4().hex[:6]}")
    pool_id = new_pool(srv.endpoint)
    streaming(developer, pool_id, stream)
    guests = [new_guest(srv.endpoint, pool_id) for _ in range(3)]
    kinesis.refuse_every = 2
    for n in range(1, 4):
        for g in guests:
            update(g, "scores", put("level", str(n), n - 1))
    records = wait_for(lambda: len(kinesis.records(stream)) >= 9 and kinesis.records(stream), timeout=30)
    assert len(records) == 9
    for g in guests:
        mine = [r["Data"]["syncCount"] for r in records if r["Data"]["identityId"] == g.identity_id]
        assert mine == [1, 2, 3]
    assert any(len(r["Records"]) > 1 for r in kinesis.requests if r["StreamName"] == stream), "several datasets per PutRecords"
    for request in (r for r in kinesis.requests if r["StreamName"] == stream):
        keys = [rec["PartitionKey"] for rec in request["Records"]]
        assert len(keys) == len(set(keys)), "at most one record per dataset in a request, so a refusal cannot reorder"


def test_changes_queued_while_kinesis_is_down_survive_a_restart(kinesis, sns, smtp_sink, tmp_path):
    stream = kinesis.create_stream(f"changes-{uuid.uuid4().hex[:6]}")
    env = env_for(kinesis, sns, tmp_path)
    server = start_pooldesk(tmp_path / "db.sqlite", smtp_sink, tmp_path / "logs", env=env)
    try:
        developer = sync_client_for(server.endpoint)
        pool_id = new_pool(server.endpoint)
        streaming(developer, pool_id, stream)
        guest = new_guest(server.endpoint, pool_id)
        kinesis.down = True
        update(guest, "scores", put("a", "1"))
        update(guest, "scores", put("a", "2", 1))
        time.sleep(0.8)
    finally:
        server.stop()
    kinesis.down = False
    assert kinesis.records(stream) == []
    server = start_pooldesk(tmp_path / "db.sqlite", smtp_sink, tmp_path / "logs2", env=env)
    try:
        records = wait_for(lambda: len(kinesis.records(stream)) >= 2 and kinesis.records(stream))
        assert [r["Data"]["syncCount"] for r in records] == [1, 2]
    finally:
        server.stop()


def test_servers_sharing_a_database_deliver_each_change_once_and_in_order(kinesis, sns, smtp_sink, tmp_path):
    stream = kinesis.create_stream(f"cluster-{uuid.uuid4().hex[:6]}")
    cluster = start_cluster(start_pooldesk, smtp_sink, tmp_path, env=env_for(kinesis, sns, tmp_path))
    try:
        developer = sync_client_for(cluster.endpoint)
        pool_id = new_pool(cluster.endpoint)
        streaming(developer, pool_id, stream)
        guests = [new_guest(cluster.endpoint, pool_id) for _ in range(4)]
        kinesis.refuse_every = 3
        for n in range(1, 6):
            for g in guests:
                update(g, "scores", put("level", str(n), n - 1))
        records = wait_for(lambda: len(kinesis.records(stream)) >= 20 and kinesis.records(stream), timeout=40)
        time.sleep(1.0)
        records = kinesis.records(stream)
        assert len(records) == 20, "each change once, whichever server delivered it"
        for g in guests:
            assert [r["Data"]["syncCount"] for r in records if r["Data"]["identityId"] == g.identity_id] == [1, 2, 3, 4, 5]
    finally:
        cluster.stop()


# --- BulkPublish ------------------------------------------------------------------------------


def test_bulk_publish_streams_every_dataset_once_a_day(developer, srv, kinesis):
    stream = kinesis.create_stream(f"bulk-{uuid.uuid4().hex[:6]}")
    pool_id = new_pool(srv.endpoint)
    guests = [new_guest(srv.endpoint, pool_id) for _ in range(2)]
    update(guests[0], "scores", put("a", "1"), put("b", "2"))
    update(guests[0], "scores", {"Op": "remove", "Key": "b", "SyncCount": 1})
    update(guests[0], "settings", put("theme", "dark"))
    update(guests[1], "scores", put("a", "9"))
    assert developer.get_bulk_publish_details(IdentityPoolId=pool_id)["BulkPublishStatus"] == "NOT_STARTED"
    with pytest.raises(ClientError) as e:
        developer.bulk_publish(IdentityPoolId=pool_id)
    assert error_code(e.value) == "InvalidParameterException", "no stream to publish to"
    assert "SetIdentityPoolConfiguration" in e.value.response["Error"]["Message"]

    streaming(developer, pool_id, stream)
    kinesis.down = True
    before = time.time()
    assert developer.bulk_publish(IdentityPoolId=pool_id)["IdentityPoolId"] == pool_id
    details = developer.get_bulk_publish_details(IdentityPoolId=pool_id)
    assert details["BulkPublishStatus"] == "IN_PROGRESS"
    assert details["BulkPublishStartTime"].timestamp() >= before - 1
    with pytest.raises(ClientError) as e:
        developer.bulk_publish(IdentityPoolId=pool_id)
    assert error_code(e.value) == "DuplicateRequestException"
    failing = wait_for(lambda: developer.get_bulk_publish_details(IdentityPoolId=pool_id).get("FailureMessage"))
    assert "503" in failing, "why it has not finished"

    kinesis.down = False
    done = wait_for(lambda: (d := developer.get_bulk_publish_details(IdentityPoolId=pool_id))["BulkPublishStatus"] == "SUCCEEDED" and d)
    assert done and done["BulkPublishCompleteTime"] >= done["BulkPublishStartTime"]
    published = {(r["Data"]["identityId"], r["Data"]["dataSetName"]): r["Data"] for r in kinesis.records(stream)}
    assert set(published) == {(guests[0].identity_id, "scores"), (guests[0].identity_id, "settings"), (guests[1].identity_id, "scores")}
    whole = published[(guests[0].identity_id, "scores")]
    assert [(r["key"], r["value"]) for r in whole["kinesisSyncRecords"]] == [("a", "1")], "live records only"
    assert whole["syncCount"] == 2 and whole["operation"] == "replace"

    with pytest.raises(ClientError) as e:
        developer.bulk_publish(IdentityPoolId=pool_id)
    assert error_code(e.value) == "AlreadyStreamedException"
    assert "24 hours" in e.value.response["Error"]["Message"]


def test_a_bulk_publish_goes_through_every_identity_page_by_page_in_the_background(developer, srv, kinesis):
    stream = kinesis.create_stream(f"bulk-{uuid.uuid4().hex[:6]}")
    pool_id = new_pool(srv.endpoint)
    anon = ci_client(srv.endpoint, signed=False)
    identities = [anon.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(230)]
    for identity_id in identities:
        update(SimpleNamespace(pool_id=pool_id, identity_id=identity_id, sync=developer), "profile", put("id", identity_id))
    streaming(developer, pool_id, stream, "DISABLED")
    streaming(developer, pool_id, stream, "ENABLED")
    started = time.monotonic()
    developer.bulk_publish(IdentityPoolId=pool_id)
    assert time.monotonic() - started < 2, "it answers at once and publishes in the background"
    done = wait_for(lambda: developer.get_bulk_publish_details(IdentityPoolId=pool_id)["BulkPublishStatus"] == "SUCCEEDED", timeout=30)
    assert done
    published = [r["Data"] for r in kinesis.records(stream)]
    assert sorted(d["identityId"] for d in published) == sorted(identities), "every identity once, across pages"
    assert all(d["kinesisSyncRecords"][0]["value"] == d["identityId"] for d in published)


# --- push sync --------------------------------------------------------------------------------


def test_devices_subscribed_to_a_dataset_are_told_of_changes_made_elsewhere(developer, srv, sns):
    pool_id = new_pool(srv.endpoint)
    gcm, apns = sns.create_application("GCM"), sns.create_application("APNS")
    developer.set_identity_pool_configuration(IdentityPoolId=pool_id, PushSync={"ApplicationArns": [gcm, apns], "RoleArn": ROLE})
    guest = new_guest(srv.endpoint, pool_id)
    ids = {"IdentityPoolId": pool_id, "IdentityId": guest.identity_id}
    phone, tablet = f"fcm-{uuid.uuid4().hex}", f"apns-{uuid.uuid4().hex}"
    phone_id = guest.sync.register_device(**ids, Platform="GCM", Token=phone)["DeviceId"]
    tablet_id = guest.sync.register_device(**ids, Platform="APNS", Token=tablet)["DeviceId"]
    assert phone_id != tablet_id
    assert guest.sync.register_device(**ids, Platform="GCM", Token=phone)["DeviceId"] == phone_id, "the same device again"
    for device in (phone_id, tablet_id):
        guest.sync.subscribe_to_dataset(**ids, DatasetName="scores", DeviceId=device)

    written = update(guest, "scores", put("level", "1"), device_id=phone_id)
    assert written[0]["SyncCount"] == 1
    told = wait_for(lambda: sns.published_to(tablet))
    assert len(told) == 1
    apns_message = json.loads(told[0]["APNS"])
    assert apns_message["aps"] == {"content-available": 1}
    assert apns_message["data"] == {
        "source": "cognito-sync",
        "identityPoolId": pool_id,
        "identityId": guest.identity_id,
        "datasetName": "scores",
        "syncCount": "1",
    }
    time.sleep(0.6)
    assert sns.published_to(phone) == [], "the device that made the change is not told"

    update(guest, "scores", put("level", "2", 1), device_id=tablet_id)
    told = wait_for(lambda: sns.published_to(phone))
    gcm_message = json.loads(told[0]["GCM"])
    assert gcm_message["data"]["syncCount"] == "2"
    update(guest, "settings", put("theme", "dark"))
    guest.sync.unsubscribe_from_dataset(**ids, DatasetName="scores", DeviceId=phone_id)
    update(guest, "scores", put("level", "3", 2))
    assert len(wait_for(lambda: len(sns.published_to(tablet)) >= 2 and sns.published_to(tablet))) == 2
    time.sleep(0.6)
    assert len(sns.published_to(phone)) == 1, "not subscribed to settings, and unsubscribed from scores"


def test_a_device_on_the_javascript_sdk_registers_subscribes_and_is_not_told_of_its_own_change(developer, srv, sns):
    """@aws-sdk/client-cognito-sync with the identity's temporary credentials, as an app would
    drive push sync: RegisterDevice, SubscribeToDataset, UpdateRecords naming its DeviceId."""
    pool_id = new_pool(srv.endpoint)
    developer.set_identity_pool_configuration(IdentityPoolId=pool_id, PushSync={"ApplicationArns": [sns.create_application("GCM")], "RoleArn": ROLE})
    guest = new_guest(srv.endpoint, pool_id)
    ids = {"IdentityPoolId": pool_id, "IdentityId": guest.identity_id}
    other_token, js_token = f"other-{uuid.uuid4().hex}", f"js-{uuid.uuid4().hex}"
    other = guest.sync.register_device(**ids, Platform="GCM", Token=other_token)["DeviceId"]
    guest.sync.subscribe_to_dataset(**ids, DatasetName="js_scores", DeviceId=other)
    js_dir = Path(__file__).resolve().parent / "js"
    payload = {
        "endpoint": srv.endpoint,
        "region": REGION,
        "credentials": js_credentials(guest.creds),
        "identityPoolId": pool_id,
        "identityId": guest.identity_id,
        "dataset": "js_scores",
        "platform": "GCM",
        "token": js_token,
        "records": {"level": "3"},
    }
    done = subprocess.run(["node", str(js_dir / "sync_push.mjs"), json.dumps(payload)], cwd=js_dir, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], result
    assert result["deviceId"] not in ("", other)
    assert [(r["Key"], r["Value"], r["SyncCount"]) for r in result["written"]] == [("level", "3", 1)]
    told = wait_for(lambda: sns.published_to(other_token))
    assert json.loads(told[0]["GCM"])["data"]["datasetName"] == "js_scores"
    time.sleep(0.6)
    assert sns.published_to(js_token) == []
    update(guest, "js_scores", put("level", "4", 1), device_id=other)
    assert json.loads(wait_for(lambda: sns.published_to(js_token))[0]["GCM"])["data"]["syncCount"] == "2"


def test_push_sync_refuses_what_it_cannot_do(developer, srv, sns):
    pool_id = new_pool(srv.endpoint)
    guest = new_guest(srv.endpoint, pool_id)
    ids = {"IdentityPoolId": pool_id, "IdentityId": guest.identity_id}

    def refused(call, code: str, status: int = 400) -> None:
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == code
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == status

    refused(lambda: guest.sync.register_device(**ids, Platform="GCM", Token="t"), "InvalidConfigurationException")
    developer.set_identity_pool_configuration(IdentityPoolId=pool_id, PushSync={"ApplicationArns": [sns.create_application("GCM")], "RoleArn": ROLE})
    refused(lambda: guest.sync.register_device(**ids, Platform="ADM", Token="t"), "InvalidConfigurationException")
    refused(lambda: developer.register_device(**ids, Platform="GCM", Token="t"), "NotAuthorizedException", 403)
    device = guest.sync.register_device(**ids, Platform="GCM", Token=f"t-{uuid.uuid4().hex}")["DeviceId"]
    refused(lambda: developer.subscribe_to_dataset(**ids, DatasetName="scores", DeviceId=device), "NotAuthorizedException", 403)
    refused(lambda: guest.sync.subscribe_to_dataset(**ids, DatasetName="scores", DeviceId="no-such-device"), "ResourceNotFoundException", 404)
    other = new_guest(srv.endpoint, pool_id)
    refused(
        lambda: other.sync.subscribe_to_dataset(IdentityPoolId=pool_id, IdentityId=other.identity_id, DatasetName="scores", DeviceId=device),
        "ResourceNotFoundException",
        404,
    )
    refused(lambda: guest.sync.subscribe_to_dataset(**ids, DatasetName="bad name!", DeviceId=device), "InvalidParameterException")
