//! Test support shared by the store backends and the server's tests (feature `testkit`).
//!
//! [`store_contract`] is the behaviour every `Store` implementation must have; each backend
//! calls it from its own tests with a fresh, empty store. [`FakeClock`] and [`SeededRandom`]
//! stand in for time and randomness.

// Test support: a failed expectation is the report.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use pooldesk_wire::cognito_idp::{
    AssetCategoryType, AssetExtensionType, AssetType, ColorSchemeModeType, DomainDescriptionType, GroupType, IdentityProviderType,
    ResourceServerType, UserPoolType, UserStatusType,
};

use crate::random::Random;
use crate::store::*;
use crate::tokens;

pub use crate::clock::FakeClock;

/// A deterministic [`Random`]: the same seed gives the same draws in the same order, so a test
/// can know in advance what would otherwise be random (a confirmation code, an id). Block `n`
/// of the stream is SHA-256(seed || n). For tests only: it exists only with this feature.
#[derive(Debug)]
pub struct SeededRandom {
    seed: u64,
    next_block: AtomicU64,
}

impl SeededRandom {
    pub fn new(seed: u64) -> Self {
        SeededRandom { seed, next_block: AtomicU64::new(0) }
    }
}

impl Random for SeededRandom {
    fn fill(&self, buf: &mut [u8]) -> crate::Result<()> {
        for chunk in buf.chunks_mut(32) {
            let n = self.next_block.fetch_add(1, Ordering::SeqCst);
            let block = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &[self.seed.to_be_bytes(), n.to_be_bytes()].concat());
            chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        }
        Ok(())
    }
}

fn pool(id: &str) -> UserPool {
    UserPool {
        id: id.into(),
        config: UserPoolType { name: Some(format!("pool {id}")), ..Default::default() },
        mfa_config: Default::default(),
        created_ms: 1,
        modified_ms: 1,
    }
}

/// A user with the given username and attributes.
pub fn user(pool_id: &str, username: &str, attrs: &[(&str, &str)]) -> User {
    User {
        pool_id: pool_id.into(),
        key: username.into(),
        username: username.into(),
        sub: format!("sub-{username}"),
        status: UserStatusType::Confirmed,
        enabled: true,
        created_ms: 1,
        modified_ms: 1,
        version: 0,
        data: UserData {
            attributes: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
            ..Default::default()
        },
    }
}

fn filter(field: FilterField, op: FilterOp, value: &str) -> UserFilter {
    UserFilter { field, op, value: value.into() }
}

fn names(page: &Page<User>) -> Vec<&str> {
    page.items.iter().map(|u| u.username.as_str()).collect()
}

/// Runs every contract check against `store`, which must start empty.
pub fn store_contract(store: &dyn Store) {
    store.ping().expect("a store that opened answers");
    pools_and_keys(store);
    users_are_unique_and_versioned(store);
    bulk_inserts_keep_every_row_not_taken(store);
    list_users_pages_and_filters(store);
    groups_and_cascades(store);
    domains_and_resource_servers(store);
    managed_login_styles(store);
    identity_providers_and_links(store);
    sessions_revoke(store);
    challenges_are_single_use(store);
    used_once_until_expiry(store);
    trigger_invocations_newest_first(store);
    saml_providers(store);
    messages_newest_first(store);
    audit_newest_first(store);
    identity_pools_and_identities(store);
    logins_belong_to_one_identity(store);
    sync_datasets(store);
    sync_deliveries(store);
    server_secrets_are_made_once(store);
    access_keys(store);
}

/// What several servers on one database rely on: `a` and `b` are two stores opened on the
/// same empty database (two processes, or two servers). A change made through one is seen by
/// the other at once, even where the other keeps decoded settings; counts stay right; a
/// challenge, a used-once key and a refresh rotation are won by exactly one of them.
pub fn shared_database_contract(a: &dyn Store, b: &dyn Store) {
    let pool_id = "us-east-1_shared";
    a.create_pool(&pool(pool_id), &tokens::generate_key(pool_id, 1).expect("key")).expect("create pool");
    let name = |s: &dyn Store| s.get_pool(pool_id).expect("get").and_then(|p| p.config.name.clone());
    assert_eq!(name(b), Some(format!("pool {pool_id}")), "a pool created through one is seen by the other");
    let mut renamed = pool(pool_id);
    renamed.config.name = Some("renamed".into());
    a.update_pool(&renamed).expect("update");
    assert_eq!(name(b).as_deref(), Some("renamed"), "a server that kept the pool decoded sees the change at once");

    let client = AppClient {
        pool_id: pool_id.into(),
        client_id: "shared-client".into(),
        secrets: vec![ClientSecret::new("shared-client", "first".into(), 1)],
        config: Default::default(),
        created_ms: 1,
        modified_ms: 1,
    };
    a.create_client(&client).expect("client");
    let secrets =
        |s: &dyn Store| s.get_client("shared-client").expect("get").map(|c| c.secrets.iter().map(|s| s.value.clone()).collect::<Vec<_>>());
    assert_eq!(secrets(b), Some(vec!["first".to_owned()]));
    let mut rotated = client.clone();
    rotated.secrets.push(ClientSecret::new("shared-client", "second".into(), 2));
    rotated.modified_ms = 2;
    b.update_client(&rotated, 1).expect("update");
    let both = Some(vec!["first".to_owned(), "second".to_owned()]);
    assert_eq!(secrets(a), both, "a client secret added through one is accepted by the other at once");
    b.read_together(&mut || assert_eq!(secrets(b), both, "and inside a read scope"));
    let stale = AppClient { secrets: Vec::new(), modified_ms: 3, ..client };
    assert!(matches!(a.update_client(&stale, 1), Err(StoreError::Conflict(_))), "an edit of a client read before the last one is refused");
    assert_eq!(secrets(b), both, "and changes nothing");
    b.delete_client("shared-client").expect("delete");
    assert_eq!(secrets(a), None, "a deleted client is gone for both");
    assert!(matches!(a.update_client(&rotated, 2), Err(StoreError::Conflict(_))), "a deleted client is not written back");

    a.insert_user(&user(pool_id, "one", &[("email", "one@example.com")])).expect("insert");
    b.insert_user(&user(pool_id, "two", &[])).expect("insert");
    assert!(matches!(b.insert_user(&user(pool_id, "one", &[])), Err(StoreError::Conflict(_))), "usernames are unique across servers");
    assert_eq!((a.count_users(pool_id).expect("count"), b.count_users(pool_id).expect("count")), (2, 2));
    let stale = b.get_user(pool_id, "one").expect("get").expect("user");
    let mut fresh = a.get_user(pool_id, "one").expect("get").expect("user");
    fresh.enabled = false;
    a.update_user(&fresh).expect("update");
    assert!(matches!(b.update_user(&stale), Err(StoreError::Conflict(_))), "an update from a stale read loses, whichever server made it");
    assert!(!b.get_user(pool_id, "one").expect("get").expect("user").enabled);

    let challenge = ChallengeRecord { id: "shared".into(), pool_id: pool_id.into(), state: "{}".into(), expires_ms: 100 };
    a.put_challenge(&challenge).expect("put");
    assert_eq!(b.get_challenge("shared").expect("get"), Some(challenge), "a challenge issued by one is answered at the other");
    std::thread::scope(|scope| {
        let takes = [a, b].map(|s| scope.spawn(move || s.take_challenge("shared", 1).expect("take")));
        let won: Vec<bool> = takes.into_iter().map(|t| t.join().expect("thread")).collect();
        assert_eq!(won.iter().filter(|w| **w).count(), 1, "one server takes a challenge, never both: {won:?}");
        let uses = [a, b].map(|s| scope.spawn(move || s.use_once("assertion-1", 100, 1).expect("use")));
        let won: Vec<bool> = uses.into_iter().map(|t| t.join().expect("thread")).collect();
        assert_eq!(won.iter().filter(|w| **w).count(), 1, "a key is used once across servers: {won:?}");
    });

    let secret_a = a.server_secret("shared-secret", &|| vec![1; 32]).expect("secret");
    let secret_b = b.server_secret("shared-secret", &|| vec![2; 32]).expect("secret");
    assert_eq!(secret_a, secret_b, "a server secret is made once and shared");
    assert!(a.delete_pool(pool_id).expect("delete"));
    assert!(b.get_pool(pool_id).expect("get").is_none());
}

fn identity_pool(id: &str, name: &str) -> IdentityPoolRecord {
    use pooldesk_wire::cognito_identity as ci;
    IdentityPoolRecord {
        id: id.into(),
        config: ci::IdentityPool {
            identity_pool_id: id.into(),
            identity_pool_name: name.into(),
            allow_unauthenticated_identities: true,
            supported_login_providers: Some(BTreeMap::from([("accounts.google.com".to_owned(), "client-1".to_owned())])),
            ..Default::default()
        },
        roles: ci::GetIdentityPoolRolesResponse {
            identity_pool_id: Some(id.into()),
            roles: Some(BTreeMap::from([("authenticated".to_owned(), "arn:aws:iam::000000000000:role/Auth".to_owned())])),
            role_mappings: None,
        },
        tag_maps: BTreeMap::from([(
            "accounts.google.com".to_owned(),
            ci::GetPrincipalTagAttributeMapResponse {
                identity_pool_id: Some(id.into()),
                identity_provider_name: Some("accounts.google.com".into()),
                use_defaults: Some(false),
                principal_tags: Some(BTreeMap::from([("team".to_owned(), "hd".to_owned())])),
            },
        )]),
        created_ms: 1,
        modified_ms: 1,
    }
}

fn identity(id: &str, pool_id: &str, logins: &[(&str, &str)]) -> IdentityRecord {
    IdentityRecord {
        id: id.into(),
        pool_id: pool_id.into(),
        logins: logins.iter().map(|(p, s)| ((*p).to_owned(), (*s).to_owned())).collect(),
        created_ms: 1,
        modified_ms: 1,
    }
}

fn dataset(identity_id: &str, name: &str, sync_count: i64, num_records: i64, data_storage: i64) -> DatasetRecord {
    DatasetRecord {
        identity_id: identity_id.into(),
        name: name.into(),
        pool_id: "us-east-1:00000000-0000-4000-8000-0000000000d5".into(),
        created_ms: 1,
        modified_ms: sync_count,
        modified_by: identity_id.into(),
        sync_count,
        data_storage,
        num_records,
        deleted: false,
    }
}

fn sync_record(key: &str, value: Option<&str>, sync_count: i64) -> SyncRecord {
    SyncRecord {
        key: key.into(),
        value: value.map(str::to_owned),
        sync_count,
        modified_ms: sync_count,
        modified_by: "device".into(),
        device_modified_ms: Some(7),
    }
}

fn sync_datasets(store: &dyn Store) {
    let pool = identity_pool("us-east-1:00000000-0000-4000-8000-0000000000d5", "sync");
    store.create_identity_pool(&pool).expect("create");
    let (alice, bob) = ("us-east-1:sync-alice", "us-east-1:sync-bob");
    store.create_identity(&identity(alice, &pool.id, &[])).expect("create");
    store.create_identity(&identity(bob, &pool.id, &[])).expect("create");

    // Settings per identity pool, replaced whole.
    assert_eq!(store.get_sync_settings(&pool.id).expect("get"), None);
    let trigger = SyncSettings {
        events: BTreeMap::from([("SyncTrigger".to_owned(), "arn:aws:lambda:us-east-1:000000000000:function:f".to_owned())]),
        streams: Some(StreamSettings { stream_name: "s".into(), role_arn: "arn:aws:iam::000000000000:role/r".into(), enabled: true }),
        ..SyncSettings::default()
    };
    store.put_sync_settings(&pool.id, &trigger).expect("put");
    store.put_sync_settings(&pool.id, &trigger).expect("put again");
    assert_eq!(store.get_sync_settings(&pool.id).expect("get"), Some(trigger));
    store.put_sync_settings(&pool.id, &SyncSettings::default()).expect("put");
    assert_eq!(store.get_sync_settings(&pool.id).expect("get"), Some(SyncSettings::default()));

    // A write is a compare-and-set on the dataset's sync count.
    let scores = dataset(alice, "scores", 1, 2, 10);
    let written = store.write_dataset(&scores, None, &[sync_record("a", Some("1"), 1), sync_record("b", Some("22"), 1)], 20, &[]);
    assert_eq!(written.expect("write"), SyncWrite::Written);
    assert_eq!(store.write_dataset(&scores, None, &[], 20, &[]).expect("write"), SyncWrite::Conflict, "made already");
    let second = dataset(alice, "scores", 2, 2, 11);
    assert_eq!(store.write_dataset(&second, Some(0), &[], 20, &[]).expect("write"), SyncWrite::Conflict, "a stale count");
    assert_eq!(store.get_dataset(alice, "scores").expect("get"), Some(scores.clone()), "nothing of a refused write");
    let patch = [sync_record("b", None, 2), sync_record("c", Some("333"), 2)];
    assert_eq!(store.write_dataset(&second, Some(1), &patch, 20, &[]).expect("write"), SyncWrite::Written);
    assert_eq!(store.get_dataset(alice, "scores").expect("get"), Some(second.clone()));

    // Records: by key, removed ones too, and since a sync count.
    let all = store.list_sync_records(alice, "scores", 0, None, 2).expect("list");
    assert_eq!(all.items, [sync_record("a", Some("1"), 1), sync_record("b", None, 2)], "a removal stays, without its value");
    let rest = store.list_sync_records(alice, "scores", 0, all.next.as_deref(), 2).expect("list");
    assert_eq!(rest.items, [sync_record("c", Some("333"), 2)]);
    assert_eq!(rest.next, None);
    let since = store.list_sync_records(alice, "scores", 1, None, 10).expect("list");
    assert_eq!(since.items.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["b", "c"]);
    let some = store.get_sync_records(alice, "scores", &["c", "a", "zz"]).expect("get");
    assert_eq!(some.len(), 2, "the keys that exist");
    assert!(store.get_sync_records(bob, "scores", &["a"]).expect("get").is_empty(), "another identity's dataset");

    // Live datasets per identity, by name; a limit on how many.
    store.write_dataset(&dataset(alice, "settings", 1, 0, 0), None, &[], 20, &[]).expect("write");
    let listed = store.list_datasets(alice, false, None, 1).expect("list");
    assert_eq!(listed.items, [second]);
    let listed = store.list_datasets(alice, false, listed.next.as_deref(), 1).expect("list");
    assert_eq!(listed.items.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["settings"]);
    assert_eq!(listed.next, None);
    assert_eq!(store.write_dataset(&dataset(alice, "third", 1, 0, 0), None, &[], 2, &[]).expect("write"), SyncWrite::TooManyDatasets);
    assert_eq!(
        store.write_dataset(&dataset(alice, "scores", 3, 2, 5), Some(2), &[], 2, &[]).expect("write"),
        SyncWrite::Written,
        "not a new one"
    );

    // A deleted dataset keeps its row (and count) without records, and is not listed.
    let deleted = DatasetRecord { sync_count: 4, num_records: 0, data_storage: 0, deleted: true, ..dataset(alice, "scores", 4, 0, 0) };
    assert_eq!(store.write_dataset(&deleted, Some(3), &[], 2, &[]).expect("write"), SyncWrite::Written);
    assert_eq!(store.get_dataset(alice, "scores").expect("get"), Some(deleted));
    assert!(store.list_sync_records(alice, "scores", 0, None, 10).expect("list").items.is_empty(), "its records went");
    assert_eq!(store.list_datasets(alice, false, None, 10).expect("list").items.len(), 1);
    assert_eq!(store.list_datasets(alice, true, None, 10).expect("list").items.len(), 2, "deleted ones when asked");
    let again = dataset(alice, "scores", 5, 1, 2);
    assert_eq!(store.write_dataset(&again, Some(4), &[sync_record("z", Some("9"), 5)], 2, &[]).expect("write"), SyncWrite::Written);

    // The pool's figures.
    let usage = store.sync_usage(&pool.id).expect("usage");
    assert_eq!(usage, SyncUsage { writes: 6, data_storage: 2, modified_ms: Some(5) });
    assert_eq!(store.sync_usage("us-east-1:none").expect("usage"), SyncUsage::default());

    // Merging moves datasets (with their records) under the source's name; deleting an
    // identity takes its datasets.
    store.write_dataset(&dataset(bob, "scores", 1, 1, 2), None, &[sync_record("q", Some("1"), 1)], 20, &[]).expect("write");
    store.merge_identities(bob, alice, 9).expect("merge");
    let merged = format!("scores.{bob}");
    assert_eq!(store.get_dataset(alice, &merged).expect("get").map(|d| d.sync_count), Some(1));
    assert_eq!(store.list_sync_records(alice, &merged, 0, None, 10).expect("list").items, [sync_record("q", Some("1"), 1)]);
    assert_eq!(store.get_dataset(bob, "scores").expect("get"), None);
    assert!(store.delete_identity(alice).expect("delete"));
    assert_eq!(store.get_dataset(alice, "settings").expect("get"), None);
    assert!(store.list_sync_records(alice, &merged, 0, None, 10).expect("list").items.is_empty());
    assert_eq!(store.sync_usage(&pool.id).expect("usage").data_storage, 0);
    assert!(store.delete_identity_pool(&pool.id).expect("delete"));
    assert_eq!(store.get_sync_settings(&pool.id).expect("get"), None, "settings go with their pool");
}

fn sync_deliveries(store: &dyn Store) {
    let pool = identity_pool("us-east-1:00000000-0000-4000-8000-0000000000d6", "deliveries");
    store.create_identity_pool(&pool).expect("create");
    let alice = "us-east-1:deliver-alice";
    store.create_identity(&identity(alice, &pool.id, &[])).expect("create");
    let notice = |key: &str, body: &str, bulk: bool| SyncNotice {
        pool_id: pool.id.clone(),
        key: key.into(),
        target: NoticeTarget::Stream,
        body: body.into(),
        bulk,
    };

    // Notices are queued with the write that makes them, and not with a refused one.
    let d = dataset(alice, "scores", 1, 0, 0);
    assert_eq!(store.write_dataset(&d, None, &[], 20, &[notice("a", "1", false)]).expect("write"), SyncWrite::Written);
    assert_eq!(store.write_dataset(&d, None, &[], 20, &[notice("a", "lost", false)]).expect("write"), SyncWrite::Conflict);
    store.queue_sync_notices(&[notice("a", "2", true), notice("b", "3", true)]).expect("queue");
    assert_eq!(store.pending_sync_notices(&pool.id, false).expect("pending"), (3, None));
    assert_eq!(store.pending_sync_notices(&pool.id, true).expect("pending"), (2, None), "the bulk publish's");

    // Only the oldest of each key is handed out, and a claim is leased.
    let claimed = store.claim_sync_notices(100, 200, 10).expect("claim");
    assert_eq!(claimed.iter().map(|q| q.notice.body.as_str()).collect::<Vec<_>>(), ["1", "3"]);
    assert!(store.claim_sync_notices(150, 250, 10).expect("claim").is_empty(), "leased, and \"2\" waits behind \"1\"");
    // A failure keeps the key's order: "2" waits until "1" is retried and delivered.
    store.retry_sync_notice(claimed[0].seq, 200, 300, "Kinesis is down").expect("retry");
    store.finish_sync_notice(claimed[1].seq, 200).expect("finish");
    assert!(store.claim_sync_notices(250, 350, 10).expect("claim").is_empty());
    assert_eq!(store.pending_sync_notices(&pool.id, false).expect("pending"), (2, Some("Kinesis is down".into())));
    let again = store.claim_sync_notices(300, 400, 10).expect("claim");
    assert_eq!(again.iter().map(|q| (q.notice.body.as_str(), q.attempts)).collect::<Vec<_>>(), [("1", 1)]);
    assert_eq!(again[0].notice, notice("a", "1", false));
    // Only the holder of the current lease may finish or retry it.
    store.finish_sync_notice(again[0].seq, 200).expect("finish under a lapsed lease");
    store.retry_sync_notice(again[0].seq, 200, 999, "late").expect("retry under a lapsed lease");
    assert_eq!(store.pending_sync_notices(&pool.id, false).expect("pending"), (2, Some("Kinesis is down".into())));
    store.finish_sync_notice(again[0].seq, 400).expect("finish");
    // The next of the key is due at once, not when the lease would have ended.
    let last = store.claim_sync_notices(300, 500, 10).expect("claim");
    assert_eq!(last.iter().map(|q| q.notice.body.as_str()).collect::<Vec<_>>(), ["2"]);
    store.finish_sync_notice(last[0].seq, 500).expect("finish");
    assert_eq!(store.pending_sync_notices(&pool.id, true).expect("pending"), (0, None));

    // A bulk publish: one at a time, then not again before the gap; settled once nothing it
    // queued is left.
    let marker = |after: &str| SyncNotice { target: NoticeTarget::BulkPage, ..notice("bulk", after, true) };
    assert_eq!(store.get_bulk_publish(&pool.id).expect("get"), None);
    assert_eq!(store.start_bulk_publish(&pool.id, 1000, 500, &marker("")).expect("start"), BulkStart::Started);
    assert_eq!(store.start_bulk_publish(&pool.id, 1001, 500, &marker("")).expect("start"), BulkStart::InProgress);
    let held = store.claim_sync_notices(1000, 1100, 10).expect("claim");
    assert_eq!(held.iter().map(|q| q.notice.target).collect::<Vec<_>>(), [NoticeTarget::BulkPage]);
    let copy =
        |sync_count| BulkDataset { identity_id: alice.into(), name: "scores".into(), sync_count, notices: vec![notice("a", "copy", true)] };
    assert_eq!(store.bulk_publish_step(held[0].seq, 1100, &[copy(7)], None).expect("step"), BulkStep::Changed, "read at another count");
    assert_eq!(store.bulk_publish_step(held[0].seq, 999, &[copy(1)], None).expect("step"), BulkStep::Lost, "not this lease");
    assert_eq!(store.pending_sync_notices(&pool.id, true).expect("pending").0, 1, "nothing queued by a refused step");
    assert_eq!(store.bulk_publish_step(held[0].seq, 1100, &[copy(1)], Some(&marker("next"))).expect("step"), BulkStep::Done);
    let step = store.claim_sync_notices(1100, 1200, 10).expect("claim");
    assert_eq!(step.iter().map(|q| q.notice.body.as_str()).collect::<Vec<_>>(), ["copy", "next"]);
    assert_eq!(store.settle_bulk_publish(&pool.id, 1150).expect("settle"), Some(BulkPublishState { started_ms: 1000, completed_ms: None }));
    for q in step {
        store.finish_sync_notice(q.seq, 1200).expect("finish");
    }
    let done = Some(BulkPublishState { started_ms: 1000, completed_ms: Some(1300) });
    assert_eq!(store.settle_bulk_publish(&pool.id, 1300).expect("settle"), done);
    assert_eq!(store.settle_bulk_publish(&pool.id, 1400).expect("settle"), done, "settled once");
    assert_eq!(store.start_bulk_publish(&pool.id, 1500, 500, &marker("")).expect("start"), BulkStart::TooSoon(1300));
    assert_eq!(store.start_bulk_publish(&pool.id, 1800, 500, &marker("")).expect("start"), BulkStart::Started);
    for q in store.claim_sync_notices(1800, 1900, 10).expect("claim") {
        store.finish_sync_notice(q.seq, 1900).expect("finish");
    }

    // Devices: registering again answers the same device; subscriptions per dataset.
    let device = SyncDevice {
        device_id: "device-1".into(),
        identity_id: alice.into(),
        platform: "GCM".into(),
        token: "token-1".into(),
        application_arn: "arn:aws:sns:us-east-1:000000000000:app/GCM/app".into(),
    };
    assert_eq!(store.register_sync_device(&device).expect("register"), device);
    let twice = SyncDevice { device_id: "device-2".into(), ..device.clone() };
    assert_eq!(store.register_sync_device(&twice).expect("register").device_id, "device-1");
    assert_eq!(store.get_sync_device("device-1").expect("get"), Some(device.clone()));
    assert_eq!(store.get_sync_device("device-2").expect("get"), None);
    store.set_sync_subscription("device-1", "scores", true).expect("subscribe");
    store.set_sync_subscription("device-1", "scores", true).expect("subscribe twice");
    assert_eq!(store.sync_subscribers(alice, "scores").expect("subscribers"), std::slice::from_ref(&device));
    assert!(store.sync_subscribers(alice, "other").expect("subscribers").is_empty());
    store.set_sync_subscription("device-1", "scores", false).expect("unsubscribe");
    assert!(store.sync_subscribers(alice, "scores").expect("subscribers").is_empty());
    store.set_sync_subscription("device-1", "scores", true).expect("subscribe");
    store.set_sync_subscription("device-1", "alpha", true).expect("subscribe");
    assert_eq!(store.list_sync_devices(alice).expect("devices"), [(device.clone(), vec!["alpha".to_owned(), "scores".to_owned()])]);

    // Every queued notice can be read in order, due or not.
    store.queue_sync_notices(&[notice("d", "5", false), notice("d", "6", true)]).expect("queue");
    let queued = store.list_sync_notices(0, 10).expect("list");
    assert_eq!(queued.iter().map(|q| q.notice.body.as_str()).collect::<Vec<_>>(), ["5", "6"]);
    assert_eq!(store.list_sync_notices(queued[0].seq, 10).expect("list").len(), 1);
    for q in store.claim_sync_notices(2000, 2100, 10).expect("claim") {
        store.finish_sync_notice(q.seq, 2100).expect("finish");
    }
    assert_eq!(store.pending_sync_notices(&pool.id, false).expect("pending").0, 1, "one at a time per key");
    for q in store.claim_sync_notices(2000, 2100, 10).expect("claim") {
        store.finish_sync_notice(q.seq, 2100).expect("finish");
    }

    // Devices go with their identity, queued notices with their pool.
    store.queue_sync_notices(&[notice("c", "4", false)]).expect("queue");
    assert!(store.delete_identity(alice).expect("delete"));
    assert_eq!(store.get_sync_device("device-1").expect("get"), None);
    assert!(store.delete_identity_pool(&pool.id).expect("delete"));
    assert_eq!(store.pending_sync_notices(&pool.id, false).expect("pending"), (0, None));
    assert_eq!(store.get_bulk_publish(&pool.id).expect("get"), None, "the bulk publish goes with its pool");
}

fn identity_pools_and_identities(store: &dyn Store) {
    let a = identity_pool("us-east-1:00000000-0000-4000-8000-00000000000a", "alpha");
    let b = identity_pool("us-east-1:00000000-0000-4000-8000-00000000000b", "beta");
    let c = identity_pool("us-east-1:00000000-0000-4000-8000-00000000000c", "gamma");
    for p in [&c, &a, &b] {
        store.create_identity_pool(p).expect("create");
    }
    assert!(store.create_identity_pool(&a).is_err(), "an id is created once");
    assert_eq!(store.get_identity_pool(&a.id).expect("get"), Some(a.clone()), "settings, roles and tag maps come back as stored");
    assert_eq!(store.get_identity_pool("us-east-1:none").expect("get"), None);

    let first = store.list_identity_pools(None, 2).expect("list");
    assert_eq!(first.items.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [a.id.as_str(), b.id.as_str()], "by id");
    let rest = store.list_identity_pools(first.next.as_deref(), 2).expect("list");
    assert_eq!(rest.items.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [c.id.as_str()]);
    assert_eq!(rest.next, None, "the last page says so");

    let renamed = IdentityPoolRecord {
        config: pooldesk_wire::cognito_identity::IdentityPool { identity_pool_name: "alpha-2".into(), ..a.config.clone() },
        tag_maps: BTreeMap::new(),
        modified_ms: 9,
        ..a.clone()
    };
    store.update_identity_pool(&renamed).expect("update");
    assert_eq!(store.get_identity_pool(&a.id).expect("get"), Some(renamed), "an update replaces settings and maps");

    // Identities page by id within their pool.
    for n in 0..5 {
        store.create_identity(&identity(&format!("us-east-1:id-{n}"), &a.id, &[])).expect("create");
    }
    store.create_identity(&identity("us-east-1:id-other", &b.id, &[("graph.facebook.com", "f1")])).expect("create");
    let page = store.list_identities(&a.id, None, 3).expect("list");
    assert_eq!(page.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["us-east-1:id-0", "us-east-1:id-1", "us-east-1:id-2"]);
    let page = store.list_identities(&a.id, page.next.as_deref(), 3).expect("list");
    assert_eq!(page.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["us-east-1:id-3", "us-east-1:id-4"]);
    assert_eq!(page.next, None);
    assert!(store.delete_identity("us-east-1:id-4").expect("delete"));
    assert!(!store.delete_identity("us-east-1:id-4").expect("delete"), "gone");
    assert_eq!(store.get_identity("us-east-1:id-4").expect("get"), None);

    // Deleting a pool takes its identities and their logins, and nothing of another pool's.
    store.link_logins(&a.id, "us-east-1:id-0", &[("accounts.google.com".into(), "g-1".into())], 5).expect("link");
    assert!(store.delete_identity_pool(&a.id).expect("delete"));
    assert!(!store.delete_identity_pool(&a.id).expect("delete"), "gone");
    assert_eq!(store.get_identity("us-east-1:id-0").expect("get"), None);
    assert_eq!(store.identity_for_login(&a.id, "accounts.google.com", "g-1").expect("login"), None);
    assert_eq!(store.identity_for_login(&b.id, "graph.facebook.com", "f1").expect("login").as_deref(), Some("us-east-1:id-other"));
    assert!(store.delete_identity_pool(&b.id).expect("delete"));
    assert!(store.delete_identity_pool(&c.id).expect("delete"));
}

fn logins_belong_to_one_identity(store: &dyn Store) {
    let pool = identity_pool("us-east-1:00000000-0000-4000-8000-0000000000d1", "logins");
    let other_pool = identity_pool("us-east-1:00000000-0000-4000-8000-0000000000d2", "elsewhere");
    store.create_identity_pool(&pool).expect("create");
    store.create_identity_pool(&other_pool).expect("create");
    let p = pool.id.as_str();
    store
        .create_identity(&identity("us-east-1:ann", p, &[("accounts.google.com", "g-ann"), ("cognito-idp/pool", "sub-ann")]))
        .expect("create");
    let got = store.get_identity("us-east-1:ann").expect("get").expect("there");
    assert_eq!(
        got.logins,
        [("accounts.google.com".to_owned(), "g-ann".to_owned()), ("cognito-idp/pool".to_owned(), "sub-ann".to_owned())],
        "logins come back sorted by provider and subject"
    );
    assert_eq!(store.identity_for_login(p, "accounts.google.com", "g-ann").expect("login").as_deref(), Some("us-east-1:ann"));
    assert_eq!(store.identity_for_login(&other_pool.id, "accounts.google.com", "g-ann").expect("login"), None, "per pool");

    // A login already linked elsewhere refuses a second identity, which is not created.
    let taken = store.create_identity(&identity("us-east-1:bob", p, &[("graph.facebook.com", "f-bob"), ("accounts.google.com", "g-ann")]));
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    assert_eq!(store.get_identity("us-east-1:bob").expect("get"), None, "nothing of a refused identity is kept");
    assert_eq!(store.identity_for_login(p, "graph.facebook.com", "f-bob").expect("login"), None);
    // The same login in another pool is another login.
    store.create_identity(&identity("us-east-1:ann-2", &other_pool.id, &[("accounts.google.com", "g-ann")])).expect("create");

    store.create_identity(&identity("us-east-1:bob", p, &[("graph.facebook.com", "f-bob")])).expect("create");
    let linked = store.link_logins(
        p,
        "us-east-1:bob",
        &[("www.amazon.com".into(), "a-bob".into()), ("accounts.google.com".into(), "g-ann".into())],
        7,
    );
    assert!(matches!(linked, Err(StoreError::Conflict(_))), "{linked:?}");
    assert_eq!(store.identity_for_login(p, "www.amazon.com", "a-bob").expect("login"), None, "a refused link keeps nothing");
    store
        .link_logins(p, "us-east-1:bob", &[("www.amazon.com".into(), "a-bob".into()), ("graph.facebook.com".into(), "f-bob".into())], 7)
        .expect("linking again a login the identity already has is no conflict");
    let bob = store.get_identity("us-east-1:bob").expect("get").expect("there");
    assert_eq!(bob.logins.len(), 2);
    assert_eq!(bob.modified_ms, 7, "a link touches the identity");

    assert!(!store.unlink_login(p, "us-east-1:bob", "accounts.google.com", "g-ann").expect("unlink"), "not bob's to unlink");
    assert!(store.unlink_login(p, "us-east-1:bob", "www.amazon.com", "a-bob").expect("unlink"));
    assert_eq!(store.identity_for_login(p, "www.amazon.com", "a-bob").expect("login"), None);

    // Merging moves every login to the surviving identity and removes the other.
    store.merge_identities("us-east-1:bob", "us-east-1:ann", 11).expect("merge");
    assert_eq!(store.get_identity("us-east-1:bob").expect("get"), None);
    let ann = store.get_identity("us-east-1:ann").expect("get").expect("there");
    assert_eq!(ann.logins.len(), 3);
    assert_eq!(ann.modified_ms, 11);
    assert_eq!(store.identity_for_login(p, "graph.facebook.com", "f-bob").expect("login").as_deref(), Some("us-east-1:ann"));

    // Deleting an identity frees its logins for another.
    assert!(store.delete_identity("us-east-1:ann").expect("delete"));
    assert_eq!(store.identity_for_login(p, "accounts.google.com", "g-ann").expect("login"), None);
    store.create_identity(&identity("us-east-1:cy", p, &[("accounts.google.com", "g-ann")])).expect("a freed login links again");
    assert!(store.delete_identity_pool(p).expect("delete"));
    assert!(store.delete_identity_pool(&other_pool.id).expect("delete"));
}

fn server_secrets_are_made_once(store: &dyn Store) {
    let made = std::cell::Cell::new(0);
    let make = || {
        made.set(made.get() + 1);
        vec![made.get(); 32]
    };
    let first = store.server_secret("contract-secret", &make).expect("secret");
    assert_eq!(first, vec![1; 32]);
    assert_eq!(store.server_secret("contract-secret", &make).expect("secret"), first, "the stored one is kept");
    assert_eq!(made.get(), 1, "made the first time only");
    assert_ne!(store.server_secret("contract-other", &make).expect("secret"), first, "each name its own");
    let names = store.server_secret_names().expect("names");
    assert!(names.contains(&"contract-secret".to_owned()) && names.contains(&"contract-other".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n == crate::sealed::KEY_CHECK), "the master key's check value is not a server secret");
}

fn access_keys(store: &dyn Store) {
    let key = |id: &str, created_ms: i64| AccessKey {
        id: id.into(),
        secret: format!("secret-of-{id}-0000000000000000000000"),
        description: format!("key {id}"),
        created_ms,
    };
    let before = store.list_access_keys().expect("list").len();
    store.put_access_key(&key("AKIACONTRACT2", 20)).expect("put");
    store.put_access_key(&key("AKIACONTRACT1", 10)).expect("put");
    assert!(store.get_access_key("AKIACONTRACT1").expect("get") == Some(key("AKIACONTRACT1", 10)), "the secret comes back in clear");
    assert!(store.get_access_key("AKIANONE").expect("get").is_none());
    let listed: Vec<String> = store.list_access_keys().expect("list").into_iter().skip(before).map(|k| k.id).collect();
    assert_eq!(listed, ["AKIACONTRACT1", "AKIACONTRACT2"], "oldest first");
    let replaced = AccessKey { description: "rotated".into(), ..key("AKIACONTRACT1", 10) };
    store.put_access_key(&replaced).expect("put again replaces");
    assert!(store.get_access_key("AKIACONTRACT1").expect("get") == Some(replaced));
    assert!(store.delete_access_key("AKIACONTRACT1").expect("delete"));
    assert!(!store.delete_access_key("AKIACONTRACT1").expect("delete"), "gone");
    assert!(store.delete_access_key("AKIACONTRACT2").expect("delete"));
    assert_eq!(store.list_access_keys().expect("list").len(), before);
}

fn audit_newest_first(store: &dyn Store) {
    let event = |n: i64, actor: &str| AuditEvent {
        id: 0,
        at_ms: n,
        actor: actor.into(),
        source: "127.0.0.1".into(),
        operation: format!("Op{n}"),
        resource: "UserPoolId=us-east-1_a".into(),
        outcome: "OK".into(),
    };
    for n in 0..3 {
        store.append_audit(&event(n, if n == 1 { "AKIAOTHER" } else { "AKIAROOT" })).expect("append");
    }
    let all = store.list_audit(&AuditQuery { limit: 2, ..AuditQuery::default() }).expect("list");
    assert_eq!(all.iter().map(|e| e.at_ms).collect::<Vec<_>>(), vec![2, 1], "newest first");
    assert_eq!(
        store.list_audit(&AuditQuery { before: Some(all[1].id), limit: 10, ..AuditQuery::default() }).expect("list").len(),
        1,
        "the next page"
    );
    let root = store.list_audit(&AuditQuery { actor: Some("AKIAROOT"), limit: 10, ..AuditQuery::default() }).expect("list");
    assert_eq!(root.iter().map(|e| e.at_ms).collect::<Vec<_>>(), vec![2, 0], "one actor's");
}

fn trigger_invocations_newest_first(store: &dyn Store) {
    let key = tokens::generate_key("us-east-1_trig", 1).expect("key");
    store.create_pool(&pool("us-east-1_trig"), &key).expect("pool");
    let call = |trigger: &str, error: Option<&str>| TriggerInvocation {
        id: 0,
        pool_id: "us-east-1_trig".into(),
        trigger: trigger.into(),
        source: format!("{trigger}_Test"),
        function: "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
        started_ms: 1,
        duration_ms: 2,
        event: "{}".into(),
        response: error.is_none().then(|| "{}".to_owned()),
        error: error.map(str::to_owned),
    };
    let first = store.add_trigger_invocation(&call("PreSignUp", None)).expect("add");
    let second = store.add_trigger_invocation(&call("PreTokenGeneration", Some("UserLambdaValidationException: no"))).expect("add");
    store.add_trigger_invocation(&call("PreSignUp", Some("UnexpectedLambdaException: timeout"))).expect("add");
    let q = TriggerQuery { pool_id: "us-east-1_trig", limit: 10, ..Default::default() };
    let all = store.list_trigger_invocations(&q).expect("list");
    assert_eq!(all.len(), 3);
    assert!(all[0].id > all[1].id && all[1].id == second && all[2].id == first, "newest first");
    assert_eq!(all[2], TriggerInvocation { id: first, ..call("PreSignUp", None) });
    let pre = store.list_trigger_invocations(&TriggerQuery { trigger: Some("PreSignUp"), ..q }).expect("list");
    assert_eq!(pre.len(), 2);
    let failed = store.list_trigger_invocations(&TriggerQuery { succeeded: Some(false), ..q }).expect("list");
    assert_eq!(failed.len(), 2);
    let page = store.list_trigger_invocations(&TriggerQuery { before: Some(second), ..q }).expect("list");
    assert_eq!(page.iter().map(|t| t.id).collect::<Vec<_>>(), [first]);
    assert!(store.list_trigger_invocations(&TriggerQuery { pool_id: "us-east-1_none", ..q }).expect("list").is_empty());
}

fn used_once_until_expiry(store: &dyn Store) {
    assert!(store.use_once("assertion-1", 100, 10).expect("use"), "the first use is allowed");
    assert!(!store.use_once("assertion-1", 100, 20).expect("use"), "a second use before expiry is refused");
    assert!(store.use_once("assertion-2", 100, 20).expect("use"), "another key is its own");
    assert!(store.use_once("assertion-1", 300, 100).expect("use"), "once expired, the key is forgotten");
    assert!(!store.use_once("assertion-1", 300, 200).expect("use"));
}

fn saml_providers(store: &dyn Store) {
    let p = SamlProviderRecord {
        arn: "arn:aws:iam::000000000000:saml-provider/Corp".into(),
        metadata: "<EntityDescriptor/>".into(),
        tags: vec![("team".into(), "b".into()), ("env".into(), "a".into())],
        uuid: "U1".into(),
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_saml_provider(&p).expect("create");
    assert!(matches!(store.create_saml_provider(&p), Err(StoreError::Conflict(_))), "an ARN is created once");
    let other = SamlProviderRecord { arn: "arn:aws:iam::000000000000:saml-provider/Alpha".into(), tags: vec![], ..p.clone() };
    store.create_saml_provider(&other).expect("create");
    assert_eq!(store.get_saml_provider(&p.arn).expect("get"), Some(p.clone()), "tags keep their order");
    let arns: Vec<String> = store.list_saml_providers().expect("list").into_iter().map(|p| p.arn).collect();
    assert_eq!(arns, [other.arn.clone(), p.arn.clone()]);
    let updated = SamlProviderRecord { metadata: "<EntityDescriptor v='2'/>".into(), tags: vec![], modified_ms: 5, ..p.clone() };
    assert!(store.update_saml_provider(&updated).expect("update"));
    assert_eq!(store.get_saml_provider(&p.arn).expect("get"), Some(updated));
    assert!(
        !store.update_saml_provider(&SamlProviderRecord { arn: "arn:aws:iam::0:saml-provider/None".into(), ..p.clone() }).expect("update")
    );
    assert!(store.delete_saml_provider(&p.arn).expect("delete"));
    assert!(!store.delete_saml_provider(&p.arn).expect("delete"));
    assert_eq!(store.get_saml_provider(&p.arn).expect("get"), None);
    assert!(store.delete_saml_provider(&other.arn).expect("delete"));
}

fn challenges_are_single_use(store: &dyn Store) {
    let c = ChallengeRecord { id: "s1".into(), pool_id: "us-east-1_a".into(), state: "{}".into(), expires_ms: 100 };
    store.put_challenge(&c).expect("put");
    store.put_challenge(&ChallengeRecord { id: "old".into(), expires_ms: 5, ..c.clone() }).expect("put");
    assert_eq!(store.get_challenge("s1").expect("get"), Some(c.clone()));
    assert!(store.take_challenge("s1", 10).expect("take"), "the first answer takes the challenge");
    assert!(!store.take_challenge("s1", 10).expect("take"), "a second answer finds nothing");
    assert!(store.get_challenge("old").expect("get").is_none(), "expired challenges are swept");

    let session = Session {
        origin_jti: "rot".into(),
        pool_id: "us-east-1_a".into(),
        client_id: "client".into(),
        sub: "sub-user08".into(),
        refresh_hash: "h1".into(),
        previous_refresh_hash: None,
        rotated_ms: None,
        scope: None,
        auth_time: 1,
        created_ms: 1,
        expires_ms: 10,
        revoked: false,
    };
    store.insert_session(&session).expect("insert");
    store.insert_session(&Session { origin_jti: "a-first".into(), refresh_hash: "h0".into(), ..session.clone() }).expect("insert");
    let listed = store.list_sessions("us-east-1_a", None, 100).expect("sessions");
    let jtis: Vec<&str> = listed.iter().map(|s| s.origin_jti.as_str()).collect();
    assert!(jtis.is_sorted() && jtis.first() == Some(&"a-first") && jtis.contains(&"rot"), "a pool's sessions, in order: {jtis:?}");
    assert_eq!(listed.iter().find(|s| s.origin_jti == "rot"), Some(&session));
    let after = store.list_sessions("us-east-1_a", Some("a-first"), 100).expect("sessions");
    assert_eq!(after.len(), listed.len() - 1, "the page after a session starts past it");
    assert_eq!(store.list_sessions("us-east-1_a", None, 1).expect("sessions").len(), 1);
    store.rotate_refresh_token("rot", "h1", "h2", 7).expect("rotate");
    assert!(matches!(store.rotate_refresh_token("rot", "h1", "h3", 8), Err(StoreError::Conflict(_))), "a stale rotation loses");
    let by_old = store.get_session_by_refresh_hash("h1").expect("get").expect("found by the previous token");
    assert_eq!((by_old.refresh_hash.as_str(), by_old.previous_refresh_hash.as_deref(), by_old.rotated_ms), ("h2", Some("h1"), Some(7)));
    assert!(store.get_session_by_refresh_hash("h2").expect("get").is_some());

    let event = |n: i64| AuthEventRecord {
        id: 0,
        pool_id: "us-east-1_a".into(),
        sub: "sub-user08".into(),
        event: format!("{{\"n\":{n}}}"),
        created_ms: n,
    };
    for n in 0..3 {
        store.add_auth_event(&event(n)).expect("add");
    }
    let events = store.list_auth_events("us-east-1_a", "sub-user08", None, 2).expect("list");
    assert_eq!(events.iter().map(|e| e.created_ms).collect::<Vec<_>>(), vec![2, 1], "newest first");
    let rest = store.list_auth_events("us-east-1_a", "sub-user08", Some(events[1].id), 2).expect("list");
    assert_eq!(rest.len(), 1);
}

fn pools_and_keys(store: &dyn Store) {
    let key = tokens::generate_key("us-east-1_a", 1).expect("key");
    store.create_pool(&pool("us-east-1_a"), &key).expect("create pool");
    assert!(store.create_pool(&pool("us-east-1_a"), &key).is_err(), "a pool id is unique");
    assert_eq!(store.get_pool("us-east-1_a").expect("get").map(|p| p.id.clone()), Some("us-east-1_a".into()));
    assert_eq!(store.signing_keys("us-east-1_a").expect("keys").len(), 1);
    for id in ["us-east-1_b", "us-east-1_c"] {
        store.create_pool(&pool(id), &tokens::generate_key(id, 1).expect("key")).expect("create");
    }
    let first = store.list_pools(None, 2).expect("list");
    assert_eq!(first.items.len(), 2);
    let second = store.list_pools(first.next.as_deref(), 2).expect("list");
    assert_eq!(second.items.len(), 1, "pages cover every pool once");
    assert_eq!(second.next, None);
    assert!(store.delete_pool("us-east-1_c").expect("delete"));
    assert!(!store.delete_pool("us-east-1_c").expect("delete again"), "deleting twice reports nothing deleted");
    assert!(store.signing_keys("us-east-1_c").expect("keys").is_empty(), "a pool's keys go with it");
}

fn users_are_unique_and_versioned(store: &dyn Store) {
    let alice = user("us-east-1_a", "alice", &[("email", "alice@example.com")]);
    store.insert_user(&alice).expect("insert");
    assert!(matches!(store.insert_user(&alice), Err(StoreError::Conflict(_))), "a username is unique in a pool");
    let mut same_sub = user("us-east-1_a", "other", &[]);
    same_sub.sub = alice.sub.clone();
    assert!(matches!(store.insert_user(&same_sub), Err(StoreError::Conflict(_))), "a sub is unique in a pool");
    store.insert_user(&user("us-east-1_b", "alice", &[])).expect("the same name in another pool");

    let mut read = store.get_user("us-east-1_a", "alice").expect("get").expect("found");
    assert_eq!(read, alice);
    read.data.attributes.insert("email".into(), "new@example.com".into());
    store.update_user(&read).expect("update");
    assert!(matches!(store.update_user(&read), Err(StoreError::Conflict(_))), "an update from a stale read is refused");
    let now = store.get_user_by_sub("us-east-1_a", &alice.sub).expect("by sub").expect("found");
    assert_eq!(now.version, 1);
    assert!(
        store.find_users_by_attribute("us-east-1_a", "email", "alice@example.com").expect("find").is_empty(),
        "the index follows updates"
    );
    assert_eq!(store.find_users_by_attribute("us-east-1_a", "email", "new@example.com").expect("find").len(), 1);
    assert!(store.delete_user("us-east-1_a", "alice").expect("delete"));
    assert!(store.get_user("us-east-1_a", "alice").expect("get").is_none());
    assert!(store.find_users_by_attribute("us-east-1_a", "email", "new@example.com").expect("find").is_empty());
}

fn bulk_inserts_keep_every_row_not_taken(store: &dyn Store) {
    let pool = "us-east-1_b";
    let before = store.count_users(pool).expect("count");
    let taken = store.get_user(pool, "alice").expect("get").expect("alice is in pool b");
    let batch = vec![
        user(pool, "bulk-1", &[("email", "bulk-1@example.com")]),
        taken.clone(),
        user(pool, "bulk-2", &[("email", "bulk-2@example.com")]),
        user(pool, "bulk-1", &[]),
    ];
    assert_eq!(store.insert_users(&batch).expect("bulk insert"), vec![1, 3], "the taken username and the repeated one are refused");
    assert_eq!(store.count_users(pool).expect("count"), before + 2, "the user count follows inserts");
    assert_eq!(store.find_users_by_attribute(pool, "email", "bulk-2@example.com").expect("find").len(), 1, "bulk rows are indexed");
    assert_eq!(store.get_user(pool, "alice").expect("get"), Some(taken), "a refused row changes nothing");
    assert!(store.delete_user(pool, "bulk-1").expect("delete"));
    assert_eq!(store.count_users(pool).expect("count"), before + 1, "the user count follows deletes");
    assert!(store.insert_users(&[]).expect("empty batch").is_empty());
}

fn list_users_pages_and_filters(store: &dyn Store) {
    let p = "us-east-1_a";
    for i in 0..25 {
        let email = format!("{}{i:02}@example.com", if i % 2 == 0 { "even" } else { "odd" });
        let mut u = user(p, &format!("user{i:02}"), &[("email", &email), ("name", if i % 3 == 0 { "Team A" } else { "Team B" })]);
        if i % 5 == 0 {
            u.enabled = false;
            u.status = UserStatusType::Unconfirmed;
        }
        store.insert_user(&u).expect("insert");
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = store.list_users(p, None, token.as_deref(), 10).expect("page");
        assert!(page.items.len() <= 10);
        seen.extend(page.items.iter().map(|u| u.username.clone()));
        match page.next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25, "paging returns every user exactly once");
    seen.dedup();
    assert_eq!(seen.len(), 25);

    let by_prefix =
        store.list_users(p, Some(&filter(FilterField::Attribute("email".into()), FilterOp::StartsWith, "even")), None, 60).expect("filter");
    assert_eq!(by_prefix.items.len(), 13);
    let exact = store
        .list_users(p, Some(&filter(FilterField::Attribute("email".into()), FilterOp::Equals, "odd07@example.com")), None, 60)
        .expect("filter");
    assert_eq!(names(&exact), vec!["user07"]);
    let first =
        store.list_users(p, Some(&filter(FilterField::Attribute("email".into()), FilterOp::StartsWith, "odd")), None, 5).expect("filter");
    let rest = store
        .list_users(p, Some(&filter(FilterField::Attribute("email".into()), FilterOp::StartsWith, "odd")), first.next.as_deref(), 60)
        .expect("filter");
    assert_eq!(first.items.len() + rest.items.len(), 12, "filtered paging covers every match once");
    let disabled = store.list_users(p, Some(&filter(FilterField::Enabled, FilterOp::Equals, "Disabled")), None, 60).expect("filter");
    assert_eq!(disabled.items.len(), 5);
    let unconfirmed =
        store.list_users(p, Some(&filter(FilterField::UserStatus, FilterOp::Equals, "UNCONFIRMED")), None, 60).expect("filter");
    assert_eq!(unconfirmed.items.len(), 5);
    let named = store.list_users(p, Some(&filter(FilterField::Username, FilterOp::StartsWith, "user1")), None, 60).expect("filter");
    assert_eq!(named.items.len(), 10);
    // Paged in small pages, each filter still returns every match once: a username prefix,
    // and one value shared by many users.
    let all_pages = |f: UserFilter, limit: usize| {
        let (mut seen, mut token) = (Vec::new(), None);
        loop {
            let page = store.list_users(p, Some(&f), token.as_deref(), limit).expect("page");
            seen.extend(names(&page).into_iter().map(str::to_owned));
            match page.next {
                Some(t) => token = Some(t),
                None => return seen,
            }
        }
    };
    let team_a: Vec<String> = (0..25).filter(|i| i % 3 == 0).map(|i| format!("user{i:02}")).collect();
    assert_eq!(all_pages(filter(FilterField::Attribute("name".into()), FilterOp::Equals, "Team A"), 2), team_a);
    assert_eq!(
        all_pages(filter(FilterField::Username, FilterOp::StartsWith, "user1"), 3),
        (10..20).map(|i| format!("user{i}")).collect::<Vec<_>>()
    );
    let by_sub = store.list_users(p, Some(&filter(FilterField::Sub, FilterOp::Equals, "sub-user03")), None, 60).expect("filter");
    assert_eq!(names(&by_sub), vec!["user03"]);
    assert!(matches!(store.list_users(p, None, Some("not-a-token!"), 10), Err(StoreError::BadCursor)));
}

fn groups_and_cascades(store: &dyn Store) {
    let p = "us-east-1_a";
    let group = Group {
        pool_id: p.into(),
        name: "admins".into(),
        config: GroupType { precedence: Some(1), ..Default::default() },
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_group(&group).expect("create");
    assert!(matches!(store.create_group(&group), Err(StoreError::Conflict(_))), "a group name is unique in a pool");
    store.add_to_group(p, "admins", "sub-user01").expect("add");
    store.add_to_group(p, "admins", "sub-user01").expect("adding twice is harmless");
    store.add_to_group(p, "admins", "sub-user02").expect("add");
    assert_eq!(store.users_in_group(p, "admins", None, 60).expect("members").items.len(), 2);
    assert_eq!(store.groups_of_user(p, "sub-user01").expect("groups").len(), 1);
    store.remove_from_group(p, "admins", "sub-user01").expect("remove");
    assert!(store.groups_of_user(p, "sub-user01").expect("groups").is_empty());
    store.delete_user(p, "user02").expect("delete user");
    assert!(store.users_in_group(p, "admins", None, 60).expect("members").items.is_empty(), "a deleted user leaves its groups");
    store.add_to_group(p, "admins", "sub-user03").expect("add");
    assert!(store.delete_group(p, "admins").expect("delete group"));
    assert!(store.groups_of_user(p, "sub-user03").expect("groups").is_empty(), "a deleted group leaves no memberships");
}

fn identity_providers_and_links(store: &dyn Store) {
    let p = "us-east-1_f";
    store.create_pool(&pool(p), &tokens::generate_key(p, 1).expect("key")).expect("create pool");
    let provider = |name: &str, secret: &str| IdentityProvider {
        pool_id: p.into(),
        name: name.into(),
        config: IdentityProviderType {
            provider_name: Some(name.into()),
            provider_details: Some(BTreeMap::from([
                ("client_id".to_owned(), "abc".to_owned()),
                ("client_secret".to_owned(), secret.to_owned()),
            ])),
            ..Default::default()
        },
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_identity_provider(&provider("Okta", "s3cret")).expect("create");
    store.create_identity_provider(&provider("Auth0", "other")).expect("create");
    assert!(matches!(store.create_identity_provider(&provider("Okta", "x")), Err(StoreError::Conflict(_))));
    assert_eq!(store.get_identity_provider(p, "Okta").expect("get"), Some(provider("Okta", "s3cret")), "secrets come back opened");
    let names: Vec<String> = store.list_identity_providers(p, None, 1).expect("list").items.into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["Auth0"]);
    let rest = store.list_identity_providers(p, Some("Auth0"), 10).expect("list");
    assert_eq!((rest.items.len(), rest.next), (1, None));
    store.update_identity_provider(&IdentityProvider { modified_ms: 2, ..provider("Okta", "rotated") }).expect("update");
    assert_eq!(store.get_identity_provider(p, "Okta").expect("get").map(|i| i.config), Some(provider("Okta", "rotated").config));

    store.link_identity(p, "Okta", "ext-1", "sub-1", 5).expect("link");
    assert!(matches!(store.link_identity(p, "Okta", "ext-1", "sub-2", 5), Err(StoreError::Conflict(_))), "one user per identity");
    assert_eq!(store.linked_user(p, "Okta", "ext-1").expect("linked"), Some("sub-1".into()));
    assert!(store.unlink_identity(p, "Okta", "ext-1").expect("unlink"));
    assert_eq!(store.linked_user(p, "Okta", "ext-1").expect("linked"), None);
    store.link_identity(p, "Okta", "ext-2", "sub-1", 5).expect("link");
    store.link_identity(p, "Auth0", "a-9", "sub-2", 6).expect("link");
    store.link_identity(p, "Okta", "ext-3", "sub-2", 7).expect("link");
    let first = store.list_identity_links(p, None, 2).expect("links");
    let pairs = |links: &[IdentityLink]| links.iter().map(|l| format!("{}/{}", l.provider, l.subject)).collect::<Vec<_>>();
    assert_eq!(pairs(&first), ["Auth0/a-9", "Okta/ext-2"], "by provider, then subject");
    assert_eq!((first[0].user_sub.as_str(), first[0].created_ms), ("sub-2", 6));
    let rest = store.list_identity_links(p, Some(("Okta", "ext-2")), 2).expect("links");
    assert_eq!(pairs(&rest), ["Okta/ext-3"]);
    assert!(store.delete_identity_provider(p, "Okta").expect("delete"));
    assert_eq!(store.linked_user(p, "Okta", "ext-2").expect("linked"), None, "a provider's links go with it");
    assert!(store.delete_pool(p).expect("delete pool"));
    assert_eq!(store.get_identity_provider(p, "Auth0").expect("get"), None, "a pool's providers go with it");
}

fn managed_login_styles(store: &dyn Store) {
    let p = "us-east-1_m";
    store.create_pool(&pool(p), &tokens::generate_key(p, 1).expect("key")).expect("create pool");
    let client = |id: &str| AppClient {
        pool_id: p.into(),
        client_id: id.into(),
        secrets: Vec::new(),
        config: Default::default(),
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_client(&client("web")).expect("client");
    store.create_client(&client("mobile")).expect("client");
    let asset = AssetType {
        category: AssetCategoryType::FormLogo,
        color_mode: ColorSchemeModeType::Dynamic,
        extension: AssetExtensionType::Png,
        bytes: Some("iVBORw0KGgo=".into()),
        resource_id: None,
    };
    let style = |id: &str, client_id: &str| ManagedLoginBranding {
        id: id.into(),
        pool_id: p.into(),
        client_id: client_id.into(),
        use_cognito_provided_values: false,
        settings: Some(serde_json::json!({"components": {"pageBackground": {"lightMode": {"color": "ffffffff"}}}})),
        assets: vec![asset.clone()],
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_managed_login_branding(&style("s1", "web")).expect("create");
    assert!(matches!(store.create_managed_login_branding(&style("s2", "web")), Err(StoreError::Conflict(_))), "one style per client");
    assert_eq!(store.get_managed_login_branding(p, "s1").expect("get"), Some(style("s1", "web")));
    assert_eq!(store.get_managed_login_branding_by_client(p, "web").expect("by client").map(|s| s.id), Some("s1".into()));
    assert_eq!(store.get_managed_login_branding("us-east-1_other", "s1").expect("get"), None, "only in its pool");
    let defaults =
        ManagedLoginBranding { use_cognito_provided_values: true, settings: None, assets: vec![], modified_ms: 2, ..style("s1", "web") };
    store.update_managed_login_branding(&defaults).expect("update");
    assert_eq!(store.get_managed_login_branding(p, "s1").expect("get"), Some(defaults));
    store.create_managed_login_branding(&style("s3", "mobile")).expect("create");

    let terms = |id: &str, client_id: &str, name: &str| Terms {
        id: id.into(),
        pool_id: p.into(),
        client_id: client_id.into(),
        name: name.into(),
        links: [("cognito:default".to_owned(), format!("https://example.com/{id}"))].into(),
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_terms(&terms("t1", "web", "terms-of-use")).expect("create");
    store.create_terms(&terms("t2", "web", "privacy-policy")).expect("create");
    store.create_terms(&terms("t0", "mobile", "terms-of-use")).expect("names are unique per client only");
    assert!(matches!(store.create_terms(&terms("t3", "web", "terms-of-use")), Err(StoreError::Conflict(_))), "one of each name per client");
    assert_eq!(store.get_terms(p, "t1").expect("get"), Some(terms("t1", "web", "terms-of-use")));
    assert_eq!(store.get_terms("us-east-1_other", "t1").expect("get"), None, "only in its pool");
    let names = |client: &str| store.client_terms(client).expect("client terms").into_iter().map(|t| t.name).collect::<Vec<_>>();
    assert_eq!(names("web"), ["privacy-policy", "terms-of-use"]);
    let first = store.list_terms(p, None, 2).expect("list");
    let ids = |page: &Page<Terms>| page.items.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ["t0", "t1"]);
    let second = store.list_terms(p, first.next.as_deref(), 2).expect("list");
    assert_eq!((ids(&second), second.next), (vec!["t2".to_owned()], None));
    let clash = Terms { name: "privacy-policy".into(), ..terms("t1", "web", "terms-of-use") };
    assert!(matches!(store.update_terms(&clash), Err(StoreError::Conflict(_))), "renamed onto the client's other terms");
    let relinked = Terms {
        links: [("cognito:french".to_owned(), "https://example.fr".to_owned())].into(),
        modified_ms: 2,
        ..terms("t1", "web", "terms-of-use")
    };
    assert!(store.update_terms(&relinked).expect("update"));
    assert_eq!(store.get_terms(p, "t1").expect("get"), Some(relinked));
    assert!(store.delete_terms(p, "t2").expect("delete"));
    assert!(!store.delete_terms(p, "t2").expect("delete again"));
    assert!(!store.update_terms(&terms("t2", "web", "privacy-policy")).expect("update"), "deleted terms are not written back");

    assert!(store.delete_client("mobile").expect("delete client"));
    assert_eq!(store.get_terms(p, "t0").expect("get"), None, "a client's terms go with it");
    assert_eq!(store.get_managed_login_branding(p, "s3").expect("get"), None, "a client's style goes with it");
    assert!(store.delete_managed_login_branding(p, "s1").expect("delete"));
    assert!(!store.delete_managed_login_branding(p, "s1").expect("delete again"));
    store.create_managed_login_branding(&style("s4", "web")).expect("a client may have a style again");
    assert!(store.delete_pool(p).expect("delete pool"));
    assert_eq!(store.get_managed_login_branding(p, "s4").expect("get"), None, "a pool's styles go with it");
    assert_eq!(store.get_terms(p, "t1").expect("get"), None, "and its terms");
}

fn domains_and_resource_servers(store: &dyn Store) {
    store.create_pool(&pool("us-east-1_d"), &tokens::generate_key("us-east-1_d", 1).expect("key")).expect("create pool");
    let domain = |name: &str, pool_id: &str| Domain {
        domain: name.into(),
        pool_id: pool_id.into(),
        config: DomainDescriptionType { domain: Some(name.into()), version: Some("1".into()), ..Default::default() },
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_domain(&domain("myapp", "us-east-1_d")).expect("create domain");
    store.create_domain(&domain("auth.example.com", "us-east-1_d")).expect("a custom domain beside the prefix");
    assert!(matches!(store.create_domain(&domain("myapp", "us-east-1_b")), Err(StoreError::Conflict(_))), "a name is unique across pools");
    assert_eq!(store.get_domain("myapp").expect("get").map(|d| d.pool_id), Some("us-east-1_d".into()));
    assert_eq!(store.get_domain("other").expect("get"), None);
    let names: Vec<String> = store.domains_of_pool("us-east-1_d").expect("of pool").into_iter().map(|d| d.domain).collect();
    assert_eq!(names, ["auth.example.com", "myapp"]);
    let mut changed = domain("myapp", "us-east-1_d");
    changed.config.version = Some("2".into());
    changed.modified_ms = 2;
    store.update_domain(&changed).expect("update");
    assert_eq!(store.get_domain("myapp").expect("get"), Some(changed));
    assert!(store.delete_domain("myapp").expect("delete"));
    assert!(!store.delete_domain("myapp").expect("delete again"));

    let server = |pool_id: &str, identifier: &str| ResourceServer {
        pool_id: pool_id.into(),
        identifier: identifier.into(),
        config: ResourceServerType { identifier: Some(identifier.into()), name: Some("API".into()), ..Default::default() },
        created_ms: 1,
        modified_ms: 1,
    };
    for id in ["https://api.example.com", "orders", "billing"] {
        store.create_resource_server(&server("us-east-1_d", id)).expect("create resource server");
    }
    assert!(matches!(store.create_resource_server(&server("us-east-1_d", "orders")), Err(StoreError::Conflict(_))));
    store.create_resource_server(&server("us-east-1_b", "orders")).expect("identifiers are unique per pool only");
    let first = store.list_resource_servers("us-east-1_d", None, 2).expect("list");
    let ids = |p: &Page<ResourceServer>| p.items.iter().map(|r| r.identifier.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ["billing", "https://api.example.com"]);
    let second = store.list_resource_servers("us-east-1_d", first.next.as_deref(), 2).expect("list");
    assert_eq!((ids(&second), second.next), (vec!["orders".to_owned()], None));
    let mut renamed = server("us-east-1_d", "orders");
    renamed.config.name = Some("Orders".into());
    store.update_resource_server(&renamed).expect("update");
    assert_eq!(store.get_resource_server("us-east-1_d", "orders").expect("get"), Some(renamed));
    assert!(store.delete_resource_server("us-east-1_d", "billing").expect("delete"));
    assert_eq!(store.get_resource_server("us-east-1_d", "billing").expect("get"), None);

    let branding = |client_id: &str, css: &str| UiCustomization {
        pool_id: "us-east-1_d".into(),
        client_id: client_id.into(),
        css: Some(css.into()),
        image: Some(vec![0x89, b'P', b'N', b'G']),
        created_ms: 1,
        modified_ms: 1,
    };
    store.put_ui_customization(&branding("ALL", ".a{}")).expect("put");
    store.put_ui_customization(&UiCustomization { modified_ms: 2, ..branding("ALL", ".b{}") }).expect("replace");
    let kept = store.get_ui_customization("us-east-1_d", "ALL").expect("get").expect("some");
    assert_eq!((kept.css.as_deref(), kept.created_ms, kept.modified_ms), (Some(".b{}"), 1, 2), "replaced, creation kept");
    assert_eq!(store.get_ui_customization("us-east-1_d", "other").expect("get"), None);

    assert!(store.delete_pool("us-east-1_d").expect("delete pool"));
    assert_eq!(store.get_ui_customization("us-east-1_d", "ALL").expect("get"), None, "a pool's branding goes with it");
    assert_eq!(store.get_domain("auth.example.com").expect("get"), None, "a pool's domains go with it");
    assert!(store.list_resource_servers("us-east-1_d", None, 10).expect("list").items.is_empty(), "and its resource servers");
    assert!(store.get_resource_server("us-east-1_b", "orders").expect("get").is_some(), "another pool's are kept");
}

fn sessions_revoke(store: &dyn Store) {
    let session = |jti: &str, sub: &str| Session {
        origin_jti: jti.into(),
        pool_id: "us-east-1_a".into(),
        client_id: "client".into(),
        sub: sub.into(),
        refresh_hash: format!("hash-{jti}"),
        previous_refresh_hash: None,
        rotated_ms: None,
        scope: None,
        auth_time: 1,
        created_ms: 1,
        expires_ms: 10,
        revoked: false,
    };
    store.insert_session(&session("j1", "sub-user04")).expect("insert");
    store.insert_session(&session("j2", "sub-user04")).expect("insert");
    store.insert_session(&session("j3", "sub-user06")).expect("insert");
    assert_eq!(store.get_session_by_refresh_hash("hash-j1").expect("get").map(|s| s.origin_jti), Some("j1".into()));
    store.revoke_session("j1").expect("revoke");
    assert!(store.get_session("j1").expect("get").expect("found").revoked);
    assert!(!store.get_session("j2").expect("get").expect("found").revoked, "revoking one session leaves the others");
    store.revoke_user_sessions("us-east-1_a", "sub-user04").expect("revoke all");
    assert!(store.get_session("j2").expect("get").expect("found").revoked);
    assert!(!store.get_session("j3").expect("get").expect("found").revoked, "another user's sessions stay");
    store.delete_user("us-east-1_a", "user06").expect("delete");
    assert!(store.get_session("j3").expect("get").is_none(), "a deleted user's sessions go with it");
}

fn messages_newest_first(store: &dyn Store) {
    for (i, pool_id) in ["us-east-1_a", "us-east-1_b", "us-east-1_a"].iter().enumerate() {
        let m = Message {
            id: 0,
            pool_id: (*pool_id).into(),
            username: "alice".into(),
            medium: "EMAIL".into(),
            destination: "alice@example.com".into(),
            subject: "s".into(),
            body: format!("message {i}"),
            code: Some(format!("{i:06}")),
            created_ms: i as i64,
            delivery: "RECORDED".into(),
        };
        store.add_message(&m).expect("add");
    }
    let all = store.list_messages(&MessageQuery { pool_id: Some("us-east-1_a"), limit: 10, ..MessageQuery::default() }).expect("list");
    assert_eq!(all.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), vec!["message 2", "message 0"]);
    let older = store
        .list_messages(&MessageQuery { pool_id: Some("us-east-1_a"), before: Some(all[0].id), limit: 10, ..MessageQuery::default() })
        .expect("list");
    assert_eq!(older.len(), 1);
}
