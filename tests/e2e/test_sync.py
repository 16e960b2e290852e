"""Cognito Sync (the `cognito-sync` REST-JSON API), end to end through boto3's cognito-sync client:
an identity's datasets and records with ListRecords / UpdateRecords (sync session tokens, sync
counts, optimistic concurrency with ResourceConflictException, `remove` tombstones, paging),
DescribeDataset, ListDatasets and DeleteDataset, the limits (20 datasets per identity, 1024
records and 1 MB per dataset, dataset names), who may reach what (an identity's temporary
credentials from GetCredentialsForIdentity reach only that identity; the developer's root key
reaches any), the usage operations (DescribeIdentityUsage, DescribeIdentityPoolUsage,
ListIdentityPoolUsage), what DeleteIdentities and MergeDeveloperIdentities do to an identity's
datasets, the unsigned / wrongly scoped requests seen through raw HTTP, and the AWS SDK for
JavaScript's Cognito Sync client."""

from __future__ import annotations

import contextlib
import datetime
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator
from urllib.parse import quote

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import REGION, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, error_code, signed_post
from identity_helpers import (  # noqa: F401 (ci, anon_ci, make_identity_pool are fixtures)
    GUEST_ROLE,
    UNKNOWN_IDENTITY_POOL_ID,
    anon_ci,
    ci,
    credentials_for,
    js_credentials,
    make_identity_pool,
    set_roles,
    sync_client_for,
    unique_developer_provider,
)

# A well-formed identity id no identity has.
UNKNOWN_IDENTITY_ID = "us-east-1:00000000-0000-4000-8000-0000000005c0"
# The quotas AWS documents for Cognito Sync.
MAX_DATASETS_PER_IDENTITY = 20
MAX_RECORDS_PER_DATASET = 1024
MAX_DATASET_BYTES = 1024 * 1024
# The operations that act on one identity, by the name the tests use for them.
IDENTITY_OPERATIONS = [
    "ListDatasets",
    "DescribeDataset",
    "ListRecords",
    "UpdateRecords",
    "DeleteDataset",
    "DescribeIdentityUsage",
]
# What the developer gets for an identity that does not exist (or is not in the path's pool):
# the models of ListDatasets and ListRecords list no ResourceNotFoundException.
UNKNOWN_IDENTITY_ERRORS = {
    "ListDatasets": ("InvalidParameterException", 400),
    "DescribeDataset": ("ResourceNotFoundException", 404),
    "ListRecords": ("InvalidParameterException", 400),
    "UpdateRecords": ("ResourceNotFoundException", 404),
    "DeleteDataset": ("ResourceNotFoundException", 404),
    "DescribeIdentityUsage": ("ResourceNotFoundException", 404),
}


# ---------------------------------------------------------------------------------------------
# Clients and fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def admin_sync(server):
    """cognito-sync client signed with the root key: a developer's credentials."""
    return sync_client_for(server.endpoint)


@pytest.fixture
def sync_client(server) -> Callable[[dict], Any]:
    """sync_client(creds) -> a cognito-sync client signed with an identity's temporary credentials."""

    def _make(creds: dict):
        return sync_client_for(server.endpoint, creds)

    return _make


@pytest.fixture
def guest_pool(ci, make_identity_pool) -> str:
    """The id of a new identity pool that lets guests in (and gives them a role)."""
    pool_id = make_identity_pool(AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    set_roles(ci, pool_id, {"unauthenticated": GUEST_ROLE})
    return pool_id


@pytest.fixture
def new_guest(anon_ci, sync_client) -> Callable[[str], SimpleNamespace]:
    """new_guest(identity_pool_id) -> a new unauthenticated identity: pool_id, identity_id, creds
    and `sync`, a cognito-sync client signed with its temporary credentials."""

    def _new(pool_id: str) -> SimpleNamespace:
        identity_id, creds = credentials_for(anon_ci, pool_id)
        return SimpleNamespace(pool_id=pool_id, identity_id=identity_id, creds=creds, sync=sync_client(creds))

    return _new


@pytest.fixture
def guest(guest_pool, new_guest) -> SimpleNamespace:
    return new_guest(guest_pool)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """One identity's dataset, reached through one cognito-sync client."""

    client: Any
    pool_id: str
    identity_id: str
    name: str

    @property
    def ids(self) -> dict[str, str]:
        return {"IdentityPoolId": self.pool_id, "IdentityId": self.identity_id, "DatasetName": self.name}

    def list(self, **params: Any) -> dict:
        """One ListRecords call."""
        return self.client.list_records(**self.ids, **params)

    def token(self) -> str:
        token = self.list()["SyncSessionToken"]
        assert token, "ListRecords gave no SyncSessionToken"
        return token

    def update(self, *patches: dict, token: str | None = None, device_id: str | None = None) -> list[dict]:
        """UpdateRecords with a session token from a fresh ListRecords (unless given); the
        records the call answered."""
        params: dict[str, Any] = {**self.ids, "SyncSessionToken": token or self.token(), "RecordPatches": list(patches)}
        if device_id is not None:
            params["DeviceId"] = device_id
        return self.client.update_records(**params).get("Records", [])

    def describe(self) -> dict:
        return self.client.describe_dataset(**self.ids)["Dataset"]

    def delete(self) -> dict:
        return self.client.delete_dataset(**self.ids)["Dataset"]

    def pages(self, **params: Any) -> list[dict]:
        """Every ListRecords page, following NextToken."""
        pages = []
        while True:
            page = self.list(**params)
            pages.append(page)
            if not page.get("NextToken"):
                return pages
            params["NextToken"] = page["NextToken"]
            assert len(pages) < 100, "ListRecords keeps answering a NextToken"

    def records(self, **params: Any) -> dict[str, dict]:
        """Every record ListRecords lists (tombstones included), by key; each key once."""
        found: dict[str, dict] = {}
        for page in self.pages(**params):
            for record in page.get("Records", []):
                assert record["Key"] not in found, f"{record['Key']!r} listed twice"
                found[record["Key"]] = record
        return found

    def values(self) -> dict[str, str]:
        """The live records' values, by key (tombstones left out)."""
        return {k: r["Value"] for k, r in self.records().items() if r.get("Value") is not None}


def dataset(owner: SimpleNamespace, name: str, client: Any = None) -> Dataset:
    """`owner`'s dataset `name`, through `client` (the owner's own client unless given)."""
    return Dataset(client or owner.sync, owner.pool_id, owner.identity_id, name)


def put(key: str, value: str, sync_count: int = 0, **extra: Any) -> dict:
    """A `replace` patch."""
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": sync_count, **extra}


def drop(key: str, sync_count: int) -> dict:
    """A `remove` patch."""
    return {"Op": "remove", "Key": key, "SyncCount": sync_count}


def storage(records: dict[str, str]) -> int:
    """What Cognito Sync counts for records: the UTF-8 bytes of their keys and values."""
    return sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in records.items())


@contextlib.contextmanager
def fails_with(code: str, status: int) -> Iterator[pytest.ExceptionInfo]:
    """The block must raise a ClientError with this error code and HTTP status."""
    with pytest.raises(ClientError) as e:
        yield e
    assert error_code(e.value) == code, e.value.response
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == status, e.value.response


def assert_recent(when: Any) -> None:
    """A timestamp of something done by this test: within a few minutes of now."""
    assert isinstance(when, datetime.datetime), when
    now = datetime.datetime.now(datetime.timezone.utc)
    assert now - datetime.timedelta(minutes=5) <= when <= now + datetime.timedelta(minutes=5), when


def all_datasets(client, pool_id: str, identity_id: str, **params: Any) -> list[list[dict]]:
    """Every ListDatasets page (as lists of datasets), following NextToken; Count checked."""
    pages = []
    while True:
        page = client.list_datasets(IdentityPoolId=pool_id, IdentityId=identity_id, **params)
        datasets = page.get("Datasets", [])
        assert page.get("Count", 0) == len(datasets), page
        pages.append(datasets)
        if not page.get("NextToken"):
            return pages
        params["NextToken"] = page["NextToken"]
        assert len(pages) < 100, "ListDatasets keeps answering a NextToken"


def dataset_names(client, pool_id: str, identity_id: str) -> list[str]:
    return [d["DatasetName"] for page in all_datasets(client, pool_id, identity_id) for d in page]


def all_pool_usages(client, **params: Any) -> list[list[dict]]:
    """Every ListIdentityPoolUsage page (as lists of usages), following NextToken."""
    pages = []
    while True:
        page = client.list_identity_pool_usage(**params)
        pages.append(page.get("IdentityPoolUsages", []))
        if not page.get("NextToken"):
            return pages
        params["NextToken"] = page["NextToken"]
        assert len(pages) < 1000, "ListIdentityPoolUsage keeps answering a NextToken"


def pool_usage(admin_sync, pool_id: str) -> dict:
    usage = admin_sync.describe_identity_pool_usage(IdentityPoolId=pool_id)["IdentityPoolUsage"]
    assert usage["IdentityPoolId"] == pool_id
    return usage


def call_identity_operation(client, op: str, pool_id: str, identity_id: str, token: str) -> dict:
    """Call one of IDENTITY_OPERATIONS on (pool_id, identity_id), dataset `profile` where one is
    needed; UpdateRecords with `token`."""
    ids = {"IdentityPoolId": pool_id, "IdentityId": identity_id}
    named = {**ids, "DatasetName": "profile"}
    if op == "ListDatasets":
        return client.list_datasets(**ids)
    if op == "DescribeDataset":
        return client.describe_dataset(**named)
    if op == "ListRecords":
        return client.list_records(**named)
    if op == "UpdateRecords":
        return client.update_records(**named, SyncSessionToken=token, RecordPatches=[put("intruder", "yes", 0)])
    if op == "DeleteDataset":
        return client.delete_dataset(**named)
    if op == "DescribeIdentityUsage":
        return client.describe_identity_usage(**ids)
    raise AssertionError(op)


def sync_url(server, *segments: str) -> str:
    """The URL of a cognito-sync resource, each path segment percent-encoded as boto3 does."""
    return server.endpoint + "".join("/" + quote(s, safe="") for s in segments)


def signed_get(url: str, service: str) -> requests.Response:
    """GET `url` SigV4-signed with the root key for `service` (botocore's signer)."""
    req = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY), service, REGION).add_auth(req)
    return requests.get(url, headers=dict(req.headers.items()), timeout=60)


def error_type(resp: requests.Response) -> str:
    """A REST-JSON error's type: the x-amzn-ErrorType header up to its first ':', else the body's
    `__type` / `code` without any `namespace#` prefix."""
    header = resp.headers.get("x-amzn-ErrorType")
    if header:
        return header.split(":", 1)[0]
    body = resp.json()
    return str(body.get("__type") or body.get("code") or "").split("#")[-1]


# ---------------------------------------------------------------------------------------------
# Records: the first sync, sync counts, since, paging
# ---------------------------------------------------------------------------------------------


def test_list_records_of_a_dataset_that_does_not_exist_yet_is_empty_with_a_session_token(guest):
    resp = dataset(guest, "settings").list()
    assert resp.get("Records", []) == []
    assert resp["Count"] == 0
    assert resp["DatasetExists"] is False
    assert resp["DatasetSyncCount"] == 0
    assert isinstance(resp["SyncSessionToken"], str) and resp["SyncSessionToken"]


def test_update_records_creates_the_dataset_and_answers_the_records_at_sync_count_1(guest):
    ds = dataset(guest, "settings")
    device_date = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    answered = ds.update(
        put("theme", "dark", 0, DeviceLastModifiedDate=device_date), put("volume", "7", 0), device_id="phone-1"
    )
    by_key = {r["Key"]: r for r in answered}
    assert set(by_key) == {"theme", "volume"}
    assert by_key["theme"]["Value"] == "dark"
    assert by_key["volume"]["Value"] == "7"
    for record in answered:
        assert record["SyncCount"] == 1
        assert_recent(record["LastModifiedDate"])
        assert isinstance(record["LastModifiedBy"], str) and record["LastModifiedBy"]
    assert by_key["theme"]["DeviceLastModifiedDate"] == device_date

    listed = ds.list()
    assert listed["DatasetExists"] is True
    assert listed["DatasetSyncCount"] == 1
    assert listed["Count"] == len(listed["Records"]) == 2
    records = {r["Key"]: r for r in listed["Records"]}
    assert {k: (r["Value"], r["SyncCount"]) for k, r in records.items()} == {"theme": ("dark", 1), "volume": ("7", 1)}
    assert records["theme"]["DeviceLastModifiedDate"] == device_date


def test_describe_dataset_counts_the_records_and_their_utf8_bytes(guest):
    ds = dataset(guest, "profile")
    values = {"name": "Zoë", "city": "東京", "plain": "ascii"}
    ds.update(*(put(k, v) for k, v in values.items()))
    described = ds.describe()
    assert described["IdentityId"] == guest.identity_id
    assert described["DatasetName"] == "profile"
    assert described["NumRecords"] == 3
    # 4+4 + 4+6 + 5+5: bytes, not characters (which would be 4+3 + 4+2 + 5+5).
    assert described["DataStorage"] == storage(values) == 28
    assert_recent(described["CreationDate"])
    assert_recent(described["LastModifiedDate"])
    assert described["CreationDate"] <= described["LastModifiedDate"]
    assert isinstance(described["LastModifiedBy"], str) and described["LastModifiedBy"]


def test_describe_dataset_that_does_not_exist_is_resource_not_found(guest):
    dataset(guest, "warmup").update(put("k", "v"))
    with fails_with("ResourceNotFoundException", 404):
        dataset(guest, "never-written").describe()


def test_each_update_raises_the_dataset_sync_count_by_exactly_one(guest):
    ds = dataset(guest, "game")
    first = ds.update(put("level", "1", 0), put("lives", "3", 0))
    assert [r["SyncCount"] for r in first] == [1, 1]
    second = ds.update(put("level", "2", 1))
    assert [(r["Key"], r["Value"], r["SyncCount"]) for r in second] == [("level", "2", 2)]
    third = ds.update(put("level", "3", 2), put("coins", "10", 0))
    assert {r["Key"]: r["SyncCount"] for r in third} == {"level": 3, "coins": 3}

    listed = ds.list()
    assert listed["DatasetSyncCount"] == 3
    records = {r["Key"]: (r["Value"], r["SyncCount"]) for r in listed["Records"]}
    assert records == {"level": ("3", 3), "lives": ("3", 1), "coins": ("10", 3)}


def test_list_records_since_a_sync_count_returns_only_later_changes(guest):
    ds = dataset(guest, "progress")
    ds.update(put("a", "1"))
    ds.update(put("b", "2"))
    ds.update(put("c", "3"), put("a", "4", 1))

    since_1 = ds.list(LastSyncCount=1)
    assert since_1["DatasetSyncCount"] == 3
    assert {r["Key"]: (r["Value"], r["SyncCount"]) for r in since_1["Records"]} == {"b": ("2", 2), "c": ("3", 3), "a": ("4", 3)}

    since_2 = ds.list(LastSyncCount=2)
    assert since_2["DatasetSyncCount"] == 3
    assert {r["Key"] for r in since_2["Records"]} == {"c", "a"}

    up_to_date = ds.list(LastSyncCount=3)
    assert up_to_date["DatasetSyncCount"] == 3
    assert up_to_date.get("Records", []) == []
    assert up_to_date["DatasetExists"] is True


def test_list_records_pages_with_max_results_and_next_token(guest):
    ds = dataset(guest, "paged")
    keys = [f"key-{i}" for i in range(5)]
    ds.update(*(put(k, f"value-{k}") for k in keys))
    pages = ds.pages(MaxResults=2)
    assert [len(p["Records"]) for p in pages] == [2, 2, 1]
    listed = [r["Key"] for p in pages for r in p["Records"]]
    assert sorted(listed) == keys
    assert all(p["DatasetSyncCount"] == 1 for p in pages)
    assert all(r["Value"] == f"value-{r['Key']}" for p in pages for r in p["Records"])


# ---------------------------------------------------------------------------------------------
# Sync session tokens
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["missing", "garbage", "other-dataset", "other-identity"])
def test_update_records_needs_a_session_token_from_list_records_of_that_identity_and_dataset(
    server, guest, new_guest, which
):
    target = dataset(guest, "target")
    if which == "missing":
        # boto3 refuses to send an UpdateRecords without its required token: turn that check off.
        client = sync_client_for(server.endpoint, guest.creds, parameter_validation=False)
        call = lambda: client.update_records(**target.ids, RecordPatches=[put("k", "v")])  # noqa: E731
    else:
        if which == "garbage":
            token = "not-a-sync-session-token"
        elif which == "other-dataset":
            token = dataset(guest, "elsewhere").token()
        else:
            token = dataset(new_guest(guest.pool_id), "target").token()
        call = lambda: target.update(put("k", "v"), token=token)  # noqa: E731
    with fails_with("InvalidParameterException", 400):
        call()
    after = target.list()
    assert after["DatasetExists"] is False
    assert after.get("Records", []) == []


def test_the_session_token_of_list_records_is_accepted_by_update_records(guest):
    ds = dataset(guest, "accepted")
    token = ds.list()["SyncSessionToken"]
    assert ds.update(put("k", "v"), token=token)[0]["SyncCount"] == 1


# ---------------------------------------------------------------------------------------------
# Conflicts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stale_count", [0, 2], ids=["behind", "ahead"])
def test_a_patch_with_the_wrong_sync_count_is_a_conflict_and_nothing_of_the_call_is_applied(guest, stale_count):
    ds = dataset(guest, "atomic")
    ds.update(put("highScore", "100", 0))
    with fails_with("ResourceConflictException", 409):
        ds.update(put("newKey", "fine", 0), put("highScore", "200", stale_count))
    listed = ds.list()
    assert listed["DatasetSyncCount"] == 1
    assert {r["Key"]: (r["Value"], r["SyncCount"]) for r in listed["Records"]} == {"highScore": ("100", 1)}
    assert ds.describe()["NumRecords"] == 1


def test_a_new_record_must_be_written_with_sync_count_0(guest):
    ds = dataset(guest, "fresh")
    ds.update(put("existing", "x"))
    with fails_with("ResourceConflictException", 409):
        ds.update(put("brandNew", "y", 3))
    assert ds.values() == {"existing": "x"}
    assert ds.list()["DatasetSyncCount"] == 1


def test_a_refused_first_update_creates_no_dataset(guest):
    ds = dataset(guest, "never-created")
    with fails_with("ResourceConflictException", 409):
        ds.update(put("k", "v", 0), put("other", "w", 7))
    with fails_with("ResourceNotFoundException", 404):
        ds.describe()
    assert ds.list()["DatasetExists"] is False
    assert "never-created" not in dataset_names(guest.sync, guest.pool_id, guest.identity_id)


def test_two_devices_resolve_a_conflict_as_the_sync_documentation_describes(guest, sync_client):
    device_a = dataset(guest, "game", sync_client(guest.creds))
    device_b = dataset(guest, "game", sync_client(guest.creds))
    session_a = device_a.list()
    session_b = device_b.list()
    assert session_a["DatasetSyncCount"] == session_b["DatasetSyncCount"] == 0

    [written] = device_a.update(put("highScore", "120", 0), token=session_a["SyncSessionToken"], device_id="device-a")
    assert (written["Key"], written["Value"], written["SyncCount"]) == ("highScore", "120", 1)

    with fails_with("ResourceConflictException", 409):
        device_b.update(put("highScore", "150", 0), token=session_b["SyncSessionToken"], device_id="device-b")

    # Device B pulls what changed since its last sync, resolves (keeps the higher score) and
    # writes again with the sync count it now knows.
    pulled = device_b.list(LastSyncCount=session_b["DatasetSyncCount"])
    assert pulled["DatasetSyncCount"] == 1
    [theirs] = pulled["Records"]
    assert (theirs["Key"], theirs["Value"], theirs["SyncCount"]) == ("highScore", "120", 1)
    resolved = str(max(int(theirs["Value"]), 150))
    [rewritten] = device_b.update(
        put("highScore", resolved, theirs["SyncCount"]), token=pulled["SyncSessionToken"], device_id="device-b"
    )
    assert (rewritten["Value"], rewritten["SyncCount"]) == ("150", 2)

    # Device A's next sync brings B's value down.
    caught_up = device_a.list(LastSyncCount=1)
    assert caught_up["DatasetSyncCount"] == 2
    assert [(r["Key"], r["Value"], r["SyncCount"]) for r in caught_up["Records"]] == [("highScore", "150", 2)]


# ---------------------------------------------------------------------------------------------
# remove
# ---------------------------------------------------------------------------------------------


def test_a_removed_record_stays_listed_without_a_value_and_leaves_the_counts(guest):
    ds = dataset(guest, "tombstones")
    ds.update(put("gone", "soon"), put("kept", "here"))
    [removed] = ds.update(drop("gone", 1))
    assert removed["Key"] == "gone"
    assert removed["SyncCount"] == 2
    assert removed.get("Value") is None

    # Another device that synced at 1 learns of the removal.
    since_1 = ds.list(LastSyncCount=1)
    assert since_1["DatasetSyncCount"] == 2
    assert [(r["Key"], r.get("Value"), r["SyncCount"]) for r in since_1["Records"]] == [("gone", None, 2)]

    everything = ds.records()
    assert set(everything) == {"gone", "kept"}
    assert everything["gone"].get("Value") is None
    assert everything["kept"]["Value"] == "here"

    described = ds.describe()
    assert described["NumRecords"] == 1
    assert described["DataStorage"] == storage({"kept": "here"})


def test_removing_a_record_needs_its_current_sync_count(guest):
    ds = dataset(guest, "remove-conflict")
    ds.update(put("k", "v"))
    ds.update(put("k", "w", 1))
    with fails_with("ResourceConflictException", 409):
        ds.update(drop("k", 1))
    assert ds.values() == {"k": "w"}


# ---------------------------------------------------------------------------------------------
# Datasets: list, delete, re-create
# ---------------------------------------------------------------------------------------------


def test_list_datasets_of_an_identity_without_any_is_empty(guest):
    resp = guest.sync.list_datasets(IdentityPoolId=guest.pool_id, IdentityId=guest.identity_id)
    assert resp.get("Datasets", []) == []
    assert resp["Count"] == 0


def test_list_datasets_sorts_them_by_name_with_their_figures(guest):
    for name in ["delta", "alpha", "charlie", "bravo"]:
        dataset(guest, name).update(put("name", name))
    [page] = all_datasets(guest.sync, guest.pool_id, guest.identity_id)
    assert [d["DatasetName"] for d in page] == ["alpha", "bravo", "charlie", "delta"]
    for d in page:
        assert d["IdentityId"] == guest.identity_id
        assert d["NumRecords"] == 1
        assert d["DataStorage"] == storage({"name": d["DatasetName"]})
        assert_recent(d["CreationDate"])
        assert_recent(d["LastModifiedDate"])


def test_list_datasets_pages_with_max_results_and_next_token(guest):
    names = ["echo", "alpha", "delta", "bravo", "charlie"]
    for name in names:
        dataset(guest, name).update(put("k", "v"))
    pages = all_datasets(guest.sync, guest.pool_id, guest.identity_id, MaxResults=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [d["DatasetName"] for p in pages for d in p] == sorted(names)


def test_delete_dataset_answers_the_dataset_and_then_it_is_gone(guest):
    ds = dataset(guest, "doomed")
    values = {"a": "1", "bb": "22"}
    ds.update(*(put(k, v) for k, v in values.items()))
    dataset(guest, "survivor").update(put("k", "v"))
    deleted = ds.delete()
    assert deleted["DatasetName"] == "doomed"
    assert deleted["IdentityId"] == guest.identity_id
    assert deleted["NumRecords"] == 2
    assert deleted["DataStorage"] == storage(values)
    with fails_with("ResourceNotFoundException", 404):
        ds.describe()
    assert dataset_names(guest.sync, guest.pool_id, guest.identity_id) == ["survivor"]


def test_deleting_a_dataset_twice_is_resource_not_found(guest):
    ds = dataset(guest, "twice")
    ds.update(put("k", "v"))
    ds.delete()
    with fails_with("ResourceNotFoundException", 404):
        ds.delete()


def test_list_records_after_a_deletion_tells_the_device_its_copy_was_deleted(guest):
    ds = dataset(guest, "synced-then-deleted")
    ds.update(put("a", "1"))
    ds.update(put("b", "2"))
    ds.delete()
    resp = ds.list(LastSyncCount=1)
    assert resp["DatasetExists"] is False
    assert resp["DatasetDeletedAfterRequestedSyncCount"] is True
    assert resp.get("Records", []) == []


def test_a_deleted_dataset_can_be_created_again_and_its_sync_count_keeps_rising(guest):
    ds = dataset(guest, "phoenix")
    ds.update(put("old", "1"), put("both", "1"))
    ds.update(put("both", "2", 1))
    before = ds.list()["DatasetSyncCount"]
    assert before == 2
    ds.delete()

    reborn = ds.update(put("both", "3", 0), put("new", "4", 0))
    counts = {r["SyncCount"] for r in reborn}
    assert len(counts) == 1
    assert counts.pop() > before
    listed = ds.list()
    assert listed["DatasetExists"] is True
    assert listed["DatasetSyncCount"] > before
    assert {r["Key"]: r.get("Value") for r in listed["Records"]} == {"both": "3", "new": "4"}
    described = ds.describe()
    assert described["NumRecords"] == 2
    assert described["DataStorage"] == storage({"both": "3", "new": "4"})


# ---------------------------------------------------------------------------------------------
# Names and limits
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["with space", "per%cent", "comma,name", "caf\u00e9", "a" * 129], ids=["space", "percent", "comma", "non-ascii", "129-chars"]
)
def test_dataset_names_outside_the_pattern_are_invalid_parameter(guest, name):
    ds = dataset(guest, name)
    with fails_with("InvalidParameterException", 400):
        ds.list()
    with fails_with("InvalidParameterException", 400):
        ds.describe()


@pytest.mark.parametrize("name", ["Aa0_.:-z", "x" * 128], ids=["every-kind-of-character", "128-chars"])
def test_dataset_names_may_use_what_the_pattern_allows(guest, name):
    ds = dataset(guest, name)
    ds.update(put("k", "v"))
    assert ds.describe()["DatasetName"] == name
    assert dataset_names(guest.sync, guest.pool_id, guest.identity_id) == [name]


def test_an_identity_may_have_20_datasets_and_not_21(guest):
    names = [f"set-{i:02d}" for i in range(MAX_DATASETS_PER_IDENTITY)]
    for name in names:
        dataset(guest, name).update(put("k", "v"))
    one_too_many = dataset(guest, "set-20")
    with fails_with("LimitExceededException", 400):
        one_too_many.update(put("k", "v"))
    assert dataset_names(guest.sync, guest.pool_id, guest.identity_id) == names
    # The existing ones still take writes.
    assert dataset(guest, "set-00").update(put("k", "w", 1))[0]["SyncCount"] == 2


def test_a_dataset_may_hold_1024_records_and_not_1025(guest):
    ds = dataset(guest, "full")
    ds.update(*(put(f"k{i:04d}", "v") for i in range(MAX_RECORDS_PER_DATASET)))
    assert ds.describe()["NumRecords"] == MAX_RECORDS_PER_DATASET
    with fails_with("LimitExceededException", 400):
        ds.update(put("k1024", "v"))
    assert ds.describe()["NumRecords"] == MAX_RECORDS_PER_DATASET
    assert ds.list()["DatasetSyncCount"] == 1
    # Replacing a record adds none: still allowed in a full dataset.
    assert ds.update(put("k0000", "w", 1))[0]["SyncCount"] == 2


def test_a_dataset_may_hold_1_mb_of_keys_and_values_and_not_more(guest):
    ds = dataset(guest, "big")
    ds.update(put("a", "x" * 600_000))
    assert ds.describe()["DataStorage"] == 600_001
    with fails_with("LimitExceededException", 400):
        ds.update(put("b", "y" * 600_000))
    assert ds.describe()["DataStorage"] == 600_001
    # Exactly 1 MB of keys and values fits...
    ds.update(put("b", "y" * (MAX_DATASET_BYTES - 600_001 - 1)))
    described = ds.describe()
    assert described["DataStorage"] == MAX_DATASET_BYTES
    assert described["NumRecords"] == 2
    # ...and not one byte more.
    with fails_with("LimitExceededException", 400):
        ds.update(put("c", "z"))
    assert ds.describe()["DataStorage"] == MAX_DATASET_BYTES


# ---------------------------------------------------------------------------------------------
# Who may reach what
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", IDENTITY_OPERATIONS)
def test_identity_credentials_do_not_reach_another_identity(guest_pool, new_guest, op):
    alice, bob = new_guest(guest_pool), new_guest(guest_pool)
    bobs = dataset(bob, "profile")
    bobs.update(put("owner", "bob"))
    alices_token = dataset(alice, "profile").token()
    with fails_with("NotAuthorizedException", 403):
        call_identity_operation(alice.sync, op, guest_pool, bob.identity_id, alices_token)
    assert bobs.values() == {"owner": "bob"}
    assert bobs.list()["DatasetSyncCount"] == 1


@pytest.mark.parametrize("op", IDENTITY_OPERATIONS)
def test_identity_credentials_do_not_reach_their_identity_under_another_pool_id(guest, make_identity_pool, op):
    other_pool = make_identity_pool(AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    own = dataset(guest, "profile")
    own.update(put("owner", "me"))
    token = own.token()
    with fails_with("NotAuthorizedException", 403):
        call_identity_operation(guest.sync, op, other_pool, guest.identity_id, token)
    assert own.values() == {"owner": "me"}
    assert own.list()["DatasetSyncCount"] == 1


def test_identity_credentials_reach_their_own_identity_usage(guest):
    dataset(guest, "mine").update(put("k", "v"))
    usage = guest.sync.describe_identity_usage(IdentityPoolId=guest.pool_id, IdentityId=guest.identity_id)["IdentityUsage"]
    assert usage["IdentityId"] == guest.identity_id
    assert usage["DatasetCount"] == 1


def test_identity_credentials_cannot_read_identity_pool_usage(guest):
    with fails_with("NotAuthorizedException", 403):
        guest.sync.describe_identity_pool_usage(IdentityPoolId=guest.pool_id)
    with fails_with("NotAuthorizedException", 403):
        guest.sync.list_identity_pool_usage(MaxResults=10)


def test_developer_credentials_reach_any_identity(admin_sync, guest):
    dataset(guest, "shared").update(put("from", "device", 0))
    as_admin = dataset(guest, "shared", admin_sync)
    assert as_admin.values() == {"from": "device"}
    assert as_admin.describe()["NumRecords"] == 1
    assert dataset_names(admin_sync, guest.pool_id, guest.identity_id) == ["shared"]

    [written] = as_admin.update(put("from", "backend", 1))
    assert written["SyncCount"] == 2
    assert dataset(guest, "shared").values() == {"from": "backend"}


@pytest.mark.parametrize("where", ["unknown-identity", "identity-of-another-pool"])
@pytest.mark.parametrize("op", IDENTITY_OPERATIONS)
def test_developer_call_on_an_identity_not_in_the_pool_is_refused(admin_sync, guest, make_identity_pool, op, where):
    own = dataset(guest, "profile")
    own.update(put("owner", "me"))
    if where == "unknown-identity":
        pool_id, identity_id = guest.pool_id, UNKNOWN_IDENTITY_ID
    else:
        pool_id, identity_id = make_identity_pool()["IdentityPoolId"], guest.identity_id
    code, status = UNKNOWN_IDENTITY_ERRORS[op]
    token = own.token()
    with fails_with(code, status):
        call_identity_operation(admin_sync, op, pool_id, identity_id, token)
    assert own.values() == {"owner": "me"}


def test_describe_identity_pool_usage_of_an_unknown_pool_is_resource_not_found(admin_sync):
    with fails_with("ResourceNotFoundException", 404):
        admin_sync.describe_identity_pool_usage(IdentityPoolId=UNKNOWN_IDENTITY_POOL_ID)


# ---------------------------------------------------------------------------------------------
# Usage
# ---------------------------------------------------------------------------------------------


def test_describe_identity_usage_sums_the_identitys_datasets(admin_sync, guest):
    first = {"score": "42", "name": "Zoë"}
    second = {"theme": "dark"}
    dataset(guest, "game").update(*(put(k, v) for k, v in first.items()))
    dataset(guest, "settings").update(*(put(k, v) for k, v in second.items()))
    usage = admin_sync.describe_identity_usage(IdentityPoolId=guest.pool_id, IdentityId=guest.identity_id)["IdentityUsage"]
    assert usage["IdentityId"] == guest.identity_id
    assert usage["IdentityPoolId"] == guest.pool_id
    assert usage["DatasetCount"] == 2
    assert usage["DataStorage"] == storage(first) + storage(second)
    assert_recent(usage["LastModifiedDate"])

    dataset(guest, "settings").delete()
    after = admin_sync.describe_identity_usage(IdentityPoolId=guest.pool_id, IdentityId=guest.identity_id)["IdentityUsage"]
    assert after["DatasetCount"] == 1
    assert after["DataStorage"] == storage(first)


def test_identity_pool_usage_counts_the_writes_and_sums_the_storage(admin_sync, guest_pool, new_guest):
    fresh = pool_usage(admin_sync, guest_pool)
    assert fresh.get("SyncSessionsCount", 0) == 0
    assert fresh.get("DataStorage", 0) == 0

    alice, bob = new_guest(guest_pool), new_guest(guest_pool)
    alices = dataset(alice, "game")
    alices.update(put("level", "1"))  # write 1
    alices.update(put("level", "2", 1))  # write 2
    dataset(alice, "scratch").update(put("tmp", "x"))  # write 3
    bobs = dataset(bob, "game")
    bobs.update(put("level", "10"))  # write 4
    with fails_with("ResourceConflictException", 409):  # refused: no write
        bobs.update(put("level", "11", 0))
    bobs.list(LastSyncCount=0)  # a read: no write
    dataset(alice, "scratch").delete()  # write 5

    usage = pool_usage(admin_sync, guest_pool)
    assert usage["SyncSessionsCount"] == 5
    assert usage["DataStorage"] == storage({"level": "2"}) + storage({"level": "10"})
    assert_recent(usage["LastModifiedDate"])


def test_list_identity_pool_usage_lists_every_identity_pool_with_the_same_figures(admin_sync, guest, make_identity_pool):
    dataset(guest, "game").update(put("level", "1"), put("lives", "3"))
    quiet_pool = make_identity_pool()["IdentityPoolId"]
    listed = [u for page in all_pool_usages(admin_sync, MaxResults=50) for u in page]
    ids = [u["IdentityPoolId"] for u in listed]
    assert len(ids) == len(set(ids)), "an identity pool listed twice"
    by_id = {u["IdentityPoolId"]: u for u in listed}
    assert quiet_pool in by_id
    assert by_id[quiet_pool].get("SyncSessionsCount", 0) == 0
    assert by_id[quiet_pool].get("DataStorage", 0) == 0
    described = pool_usage(admin_sync, guest.pool_id)
    assert by_id[guest.pool_id]["SyncSessionsCount"] == described["SyncSessionsCount"] == 1
    assert by_id[guest.pool_id]["DataStorage"] == described["DataStorage"] == storage({"level": "1", "lives": "3"})


def test_list_identity_pool_usage_honours_max_results(admin_sync, make_identity_pool):
    make_identity_pool()
    make_identity_pool()
    first = admin_sync.list_identity_pool_usage(MaxResults=1)
    assert len(first["IdentityPoolUsages"]) == 1
    assert first.get("NextToken")
    second = admin_sync.list_identity_pool_usage(MaxResults=1, NextToken=first["NextToken"])
    assert len(second["IdentityPoolUsages"]) == 1
    assert second["IdentityPoolUsages"][0]["IdentityPoolId"] != first["IdentityPoolUsages"][0]["IdentityPoolId"]


# ---------------------------------------------------------------------------------------------
# What the identity side does to the datasets
# ---------------------------------------------------------------------------------------------


def test_deleting_an_identity_deletes_its_datasets(ci, admin_sync, guest_pool, new_guest):
    doomed, kept = new_guest(guest_pool), new_guest(guest_pool)
    dataset(doomed, "game").update(put("level", "99"), put("name", "Zoë"))
    dataset(kept, "game").update(put("level", "1"))
    assert pool_usage(admin_sync, guest_pool)["DataStorage"] == storage({"level": "99", "name": "Zoë"}) + storage(
        {"level": "1"}
    )

    assert ci.delete_identities(IdentityIdsToDelete=[doomed.identity_id]).get("UnprocessedIdentityIds", []) == []

    with fails_with("ResourceNotFoundException", 404):
        admin_sync.describe_identity_usage(IdentityPoolId=guest_pool, IdentityId=doomed.identity_id)
    with fails_with("ResourceNotFoundException", 404):
        dataset(doomed, "game", admin_sync).describe()
    assert pool_usage(admin_sync, guest_pool)["DataStorage"] == storage({"level": "1"})
    assert dataset(kept, "game").values() == {"level": "1"}


def test_merging_developer_identities_moves_the_sources_datasets_under_new_names(ci, admin_sync, make_identity_pool):
    developer = unique_developer_provider()
    pool_id = make_identity_pool(DeveloperProviderName=developer)["IdentityPoolId"]

    def developer_identity(user: str) -> SimpleNamespace:
        resp = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: user})
        return SimpleNamespace(pool_id=pool_id, identity_id=resp["IdentityId"], sync=admin_sync)

    source, destination = developer_identity("source-user"), developer_identity("destination-user")
    assert source.identity_id != destination.identity_id
    dataset(source, "settings").update(put("theme", "dark"), put("volume", "7"))
    dataset(source, "scores").update(put("level", "3"))
    dataset(destination, "settings").update(put("theme", "light"))

    merged = ci.merge_developer_identities(
        SourceUserIdentifier="source-user",
        DestinationUserIdentifier="destination-user",
        DeveloperProviderName=developer,
        IdentityPoolId=pool_id,
    )
    assert merged["IdentityId"] == destination.identity_id

    merged_settings = f"settings.{source.identity_id}"
    merged_scores = f"scores.{source.identity_id}"
    assert dataset_names(admin_sync, pool_id, destination.identity_id) == sorted(["settings", merged_settings, merged_scores])
    assert dataset(destination, merged_settings).values() == {"theme": "dark", "volume": "7"}
    assert dataset(destination, merged_scores).values() == {"level": "3"}

    own = dataset(destination, "settings").list()
    assert own["MergedDatasetNames"] == [merged_settings]
    assert {r["Key"]: r.get("Value") for r in own["Records"]} == {"theme": "light"}


# ---------------------------------------------------------------------------------------------
# Raw HTTP
# ---------------------------------------------------------------------------------------------


def test_unsigned_request_is_missing_authentication_token(server, guest):
    url = sync_url(server, "identitypools", guest.pool_id, "identities", guest.identity_id, "datasets")
    resp = requests.get(url, timeout=60)
    assert resp.status_code == 403, resp.text[:500]
    assert resp.headers.get("x-amzn-ErrorType", "").startswith("MissingAuthenticationTokenException"), resp.headers


def test_signature_scoped_to_cognito_identity_is_invalid_for_cognito_sync(server, guest):
    url = sync_url(server, "identitypools", guest.pool_id, "identities", guest.identity_id, "datasets")
    right = signed_get(url, "cognito-sync")
    assert right.status_code == 200, right.text[:500]
    assert right.json().get("Datasets", []) == []
    wrong = signed_get(url, "cognito-identity")
    assert wrong.status_code >= 400, wrong.text[:500]
    assert error_type(wrong) == "InvalidSignatureException", (wrong.headers, wrong.text[:500])


# ---------------------------------------------------------------------------------------------
# The AWS SDK for JavaScript
# ---------------------------------------------------------------------------------------------


def test_the_javascript_sdk_syncs_with_an_identitys_credentials(server, guest):
    """@aws-sdk/client-cognito-sync, signed with the temporary credentials GetCredentialsForIdentity
    gave: it reads, writes, is refused a stale write, and lists what changed since."""
    js_dir = Path(__file__).resolve().parent / "js"
    payload = {
        "endpoint": server.endpoint,
        "region": REGION,
        "credentials": js_credentials(guest.creds),
        "identityPoolId": guest.pool_id,
        "identityId": guest.identity_id,
        "dataset": "js_settings",
        "records": {"theme": "dark", "lang": "fr"},
    }
    done = subprocess.run(["node", str(js_dir / "sync_client.mjs"), json.dumps(payload)], cwd=js_dir, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], result
    assert result["first"]["DatasetExists"] is False and result["first"]["DatasetSyncCount"] == 0
    assert sorted((r["Key"], r["Value"], r["SyncCount"]) for r in result["written"]) == [("lang", "fr", 1), ("theme", "dark", 1)]
    assert result["conflict"] == "ResourceConflictException"
    assert result["after"]["DatasetSyncCount"] == 1
    assert sorted(r["Key"] for r in result["after"]["Records"]) == ["lang", "theme"]
    assert dataset(guest, "js_settings").values() == {"theme": "dark", "lang": "fr"}


def test_the_json_door_takes_cognito_sync_operations_from_developers(server, guest):
    """PoolDesk's own spelling for its desktop app and remote connections: `X-Amz-Target:
    CognitoSync.<Operation>` on POST /, signed for cognito-sync by an admin key, runs the same
    operation as the REST path."""
    dataset(guest, "door").update(put("k", "v"))
    body = json.dumps({"IdentityPoolId": guest.pool_id, "IdentityId": guest.identity_id, "DatasetName": "door"}).encode()
    resp = signed_post(server.endpoint, "CognitoSync.DescribeDataset", body, service="cognito-sync")
    assert resp.status_code == 200, resp.text
    assert resp.json()["Dataset"]["NumRecords"] == 1
    wrong_service = signed_post(server.endpoint, "CognitoSync.DescribeDataset", body, service="cognito-identity")
    assert wrong_service.status_code == 400
    assert wrong_service.json()["__type"] == "InvalidSignatureException"
