//! `pooldesk migrate`'s copy (`pooldesk_core::copy`) from SQLite to PostgreSQL and back: every
//! kind of record arrives as it was, secrets opened under one master key and sealed under the
//! other.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;

use pooldesk_core::copy::{copy_installation, verify};
use pooldesk_core::sealed::{GivenKey, KeyFile, MasterKey};
use pooldesk_core::store::*;
use pooldesk_core::{testkit, tokens};
use pooldesk_store_postgres::{PostgresStore, testdb};
use pooldesk_store_sqlite::{Durability, SqliteStore};
use pooldesk_wire::cognito_idp::{DomainDescriptionType, IdentityProviderType, ResourceServerType};

const POOL: &str = "us-east-1_copy";

fn fill(store: &dyn Store) {
    let pool = UserPool { id: POOL.into(), config: Default::default(), mfa_config: Default::default(), created_ms: 3, modified_ms: 4 };
    store.create_pool(&pool, &tokens::generate_key(POOL, 3).unwrap()).unwrap();
    let client = AppClient {
        pool_id: POOL.into(),
        client_id: "client-1".into(),
        secrets: vec![ClientSecret::new("client-1", "client-secret".into(), 1), ClientSecret::new("client-1", "client-secret-2".into(), 2)],
        config: Default::default(),
        created_ms: 5,
        modified_ms: 6,
    };
    store.create_client(&client).unwrap();
    store
        .create_terms(&Terms {
            id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            pool_id: POOL.into(),
            client_id: "client-1".into(),
            name: "terms-of-use".into(),
            links: [("cognito:default".to_owned(), "https://example.com/terms".to_owned())].into(),
            created_ms: 6,
            modified_ms: 7,
        })
        .unwrap();
    store
        .put_ui_customization(&UiCustomization {
            pool_id: POOL.into(),
            client_id: "ALL".into(),
            css: Some(".banner{}".into()),
            image: Some(vec![1, 2, 3]),
            created_ms: 7,
            modified_ms: 7,
        })
        .unwrap();
    store
        .create_domain(&Domain {
            domain: "copy-login".into(),
            pool_id: POOL.into(),
            config: DomainDescriptionType { domain: Some("copy-login".into()), ..Default::default() },
            created_ms: 8,
            modified_ms: 8,
        })
        .unwrap();
    store
        .create_resource_server(&ResourceServer {
            pool_id: POOL.into(),
            identifier: "https://api".into(),
            config: ResourceServerType { identifier: Some("https://api".into()), ..Default::default() },
            created_ms: 9,
            modified_ms: 9,
        })
        .unwrap();
    let provider = IdentityProvider {
        pool_id: POOL.into(),
        name: "Okta".into(),
        config: IdentityProviderType {
            provider_name: Some("Okta".into()),
            provider_details: Some(BTreeMap::from([("client_secret".to_owned(), "okta-secret".to_owned())])),
            ..Default::default()
        },
        created_ms: 10,
        modified_ms: 10,
    };
    store.create_identity_provider(&provider).unwrap();
    let mut users: Vec<User> =
        (0..2500).map(|i| testkit::user(POOL, &format!("user{i:04}"), &[("email", &format!("u{i}@example.com"))])).collect();
    users[0].data.password_hash = Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into());
    users[0].data.mfa.totp_secret = Some("JBSWY3DPEHPK3PXP".into());
    users[0].version = 7;
    assert!(store.insert_users(&users).unwrap().is_empty());
    store
        .create_group(&Group { pool_id: POOL.into(), name: "staff".into(), config: Default::default(), created_ms: 11, modified_ms: 11 })
        .unwrap();
    store.add_to_group(POOL, "staff", "sub-user0001").unwrap();
    store.link_identity(POOL, "Okta", "okta-1", "sub-user0002", 12).unwrap();
    store
        .insert_session(&Session {
            origin_jti: "jti-1".into(),
            pool_id: POOL.into(),
            client_id: "client-1".into(),
            sub: "sub-user0000".into(),
            refresh_hash: "hash-1".into(),
            previous_refresh_hash: None,
            rotated_ms: None,
            scope: Some("openid".into()),
            auth_time: 13,
            created_ms: 13,
            expires_ms: 99,
            revoked: false,
        })
        .unwrap();
    for n in 0..3 {
        store
            .add_auth_event(&AuthEventRecord {
                id: 0,
                pool_id: POOL.into(),
                sub: "sub-user0000".into(),
                event: format!("{{\"n\":{n}}}"),
                created_ms: n,
            })
            .unwrap();
    }
    store
        .put_access_key(&AccessKey { id: "AKIACOPY".into(), secret: "key-secret".into(), description: "d".into(), created_ms: 14 })
        .unwrap();
    store.server_secret("openid-signing-key", &|| vec![9; 32]).unwrap();
    fill_sync(store);
    store
        .append_audit(&AuditEvent {
            id: 0,
            at_ms: 15,
            actor: "cli".into(),
            source: "local".into(),
            operation: "PoolDesk.Test".into(),
            resource: format!("UserPoolId={POOL}"),
            outcome: "OK".into(),
        })
        .unwrap();
}

const IDENTITY_POOL: &str = "us-east-1:00000000-0000-4000-8000-0000000c0b1e";
const IDENTITY: &str = "us-east-1:00000000-0000-4000-8000-00000000face";

/// An identity with a dataset (a live record and a removed one) and a deleted dataset, whose
/// marker keeps its sync count.
fn fill_sync(store: &dyn Store) {
    let pool = IdentityPoolRecord {
        id: IDENTITY_POOL.into(),
        config: pooldesk_wire::cognito_identity::IdentityPool {
            identity_pool_id: IDENTITY_POOL.into(),
            identity_pool_name: "copy".into(),
            allow_unauthenticated_identities: true,
            ..Default::default()
        },
        roles: Default::default(),
        tag_maps: BTreeMap::new(),
        created_ms: 16,
        modified_ms: 16,
    };
    store.create_identity_pool(&pool).unwrap();
    let events = BTreeMap::from([("SyncTrigger".to_owned(), "arn:aws:lambda:us-east-1:000000000000:function:sync".to_owned())]);
    store.put_sync_settings(IDENTITY_POOL, &SyncSettings { events, ..Default::default() }).unwrap();
    store
        .create_identity(&IdentityRecord {
            id: IDENTITY.into(),
            pool_id: IDENTITY_POOL.into(),
            logins: vec![],
            created_ms: 16,
            modified_ms: 16,
        })
        .unwrap();
    let dataset = |name: &str, sync_count, deleted| DatasetRecord {
        identity_id: IDENTITY.into(),
        name: name.into(),
        pool_id: IDENTITY_POOL.into(),
        created_ms: 17,
        modified_ms: 18,
        modified_by: IDENTITY.into(),
        sync_count,
        data_storage: if deleted { 0 } else { 9 },
        num_records: if deleted { 0 } else { 1 },
        deleted,
    };
    let record = |key: &str, value: Option<&str>, sync_count| SyncRecord {
        key: key.into(),
        value: value.map(str::to_owned),
        sync_count,
        modified_ms: 18,
        modified_by: "device-1".into(),
        device_modified_ms: Some(17),
    };
    let records = [record("highScore", Some("1200"), 2), record("level", None, 3)];
    assert_eq!(store.write_dataset(&dataset("scores", 3, false), None, &records, 20, &[]).unwrap(), SyncWrite::Written);
    assert_eq!(store.write_dataset(&dataset("old", 5, true), None, &[], 20, &[]).unwrap(), SyncWrite::Written);
    let device = SyncDevice {
        device_id: "device-1".into(),
        identity_id: IDENTITY.into(),
        platform: "GCM".into(),
        token: "push-token".into(),
        application_arn: "arn:aws:sns:us-east-1:000000000000:app/GCM/app".into(),
    };
    store.register_sync_device(&device).unwrap();
    store.set_sync_subscription("device-1", "scores", true).unwrap();
    let notice = |body: &str| SyncNotice {
        pool_id: IDENTITY_POOL.into(),
        key: format!("stream:{IDENTITY}/scores"),
        target: NoticeTarget::Stream,
        body: body.into(),
        bulk: false,
    };
    store.queue_sync_notices(&[notice("first"), notice("second")]).unwrap();
}

fn same(a: &dyn Store, b: &dyn Store) {
    assert!(a.get_sync_settings(IDENTITY_POOL).unwrap().is_some());
    assert_eq!(a.get_sync_settings(IDENTITY_POOL).unwrap(), b.get_sync_settings(IDENTITY_POOL).unwrap());
    for name in ["scores", "old"] {
        assert!(a.get_dataset(IDENTITY, name).unwrap().is_some());
        assert_eq!(a.get_dataset(IDENTITY, name).unwrap(), b.get_dataset(IDENTITY, name).unwrap(), "{name}, deleted or not");
    }
    let records = |s: &dyn Store| s.list_sync_records(IDENTITY, "scores", 0, None, 10).unwrap().items;
    assert_eq!(records(a).len(), 2);
    assert_eq!(records(a), records(b), "records, removed ones too");
    assert_eq!(a.list_sync_devices(IDENTITY).unwrap().len(), 1);
    assert_eq!(a.list_sync_devices(IDENTITY).unwrap(), b.list_sync_devices(IDENTITY).unwrap(), "devices and their subscriptions");
    let owed = |s: &dyn Store| s.list_sync_notices(0, 10).unwrap().into_iter().map(|q| q.notice).collect::<Vec<_>>();
    assert_eq!(owed(a).len(), 2);
    assert_eq!(owed(a), owed(b), "what streams still owe, in order");
    assert_eq!(a.get_client("client-1").unwrap(), b.get_client("client-1").unwrap(), "both of a client's secrets");
    assert_eq!(a.client_terms("client-1").unwrap().len(), 1);
    assert_eq!(a.client_terms("client-1").unwrap(), b.client_terms("client-1").unwrap(), "terms documents");
    assert_eq!(a.get_ui_customization(POOL, "ALL").unwrap(), b.get_ui_customization(POOL, "ALL").unwrap());
    assert_eq!(a.get_domain("copy-login").unwrap(), b.get_domain("copy-login").unwrap());
    assert_eq!(a.get_resource_server(POOL, "https://api").unwrap(), b.get_resource_server(POOL, "https://api").unwrap());
    assert_eq!(a.get_identity_provider(POOL, "Okta").unwrap(), b.get_identity_provider(POOL, "Okta").unwrap());
    assert_eq!(a.get_user(POOL, "user0000").unwrap(), b.get_user(POOL, "user0000").unwrap(), "hash, TOTP secret and version");
    assert_eq!(b.count_users(POOL).unwrap(), 2500);
    assert_eq!(b.groups_of_user(POOL, "sub-user0001").unwrap().len(), 1);
    assert_eq!(b.linked_user(POOL, "Okta", "okta-1").unwrap().as_deref(), Some("sub-user0002"));
    assert_eq!(a.get_session("jti-1").unwrap(), b.get_session("jti-1").unwrap());
    let events =
        |s: &dyn Store| s.list_auth_events(POOL, "sub-user0000", None, 10).unwrap().into_iter().map(|e| e.event).collect::<Vec<_>>();
    assert_eq!(events(a), events(b), "auth events in their order");
    assert_eq!(a.get_access_key("AKIACOPY").unwrap(), b.get_access_key("AKIACOPY").unwrap());
    assert_eq!(b.server_secret("openid-signing-key", &Vec::new).unwrap(), vec![9; 32]);
    assert_eq!(a.signing_keys(POOL).unwrap(), b.signing_keys(POOL).unwrap());
}

#[test]
fn an_installation_copies_from_sqlite_to_postgres_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("source.sqlite");
    let sqlite = SqliteStore::open(&path, Durability::Normal, &KeyFile::beside(&path)).unwrap();
    fill(&sqlite);
    let postgres =
        PostgresStore::open(&testdb::fresh_database("copy"), &GivenKey { key: MasterKey::generate().unwrap(), source: "a test".into() }, 4)
            .unwrap();
    let copied = copy_installation(&sqlite, &postgres, &mut |_| {}).unwrap();
    assert_eq!(copied.0["users"], 2500);
    assert_eq!(copied.0["auth events"], 3);
    verify(&sqlite, &postgres, 100).unwrap();
    same(&sqlite, &postgres);
    let err = copy_installation(&sqlite, &postgres, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");

    let back_path = dir.path().join("back.sqlite");
    let back = SqliteStore::open(&back_path, Durability::Normal, &KeyFile::beside(&back_path)).unwrap();
    copy_installation(&postgres, &back, &mut |_| {}).unwrap();
    verify(&postgres, &back, 3000).unwrap();
    same(&sqlite, &back);
}
