//! Copying a whole installation from one store to another (`pooldesk migrate`): SQLite to
//! PostgreSQL and back. Everything goes through the storage traits, so any two stores work,
//! and secrets are opened under the source's master key and sealed under the target's.
//!
//! What is copied: user pools with their signing keys, app clients, groups and memberships,
//! domains, resource servers, branding and managed login styles, terms documents, identity providers and the
//! identities linked through them, users as stored (password hashes, SRP verifiers, pending
//! codes, MFA secrets, versions), sessions (refresh tokens keep working), auth events, trigger
//! calls, identity pools with their identities and their Cognito Sync datasets, IAM SAML providers, access keys, server secrets
//! (so temporary credentials and OpenID tokens issued before stay valid), the outbox and the
//! audit log. Not copied: pending sign-in challenges and used-once keys, which expire within
//! minutes; a sign-in under way when the copy is made starts again.

use std::collections::BTreeMap;

use anyhow::{Context as _, bail, ensure};

use crate::store::{AuditQuery, MessageQuery, Page, Store, StoreResult, SyncWrite, TriggerQuery};

/// Rows read per page while copying.
const PAGE: usize = 1000;

/// How many of each thing were copied (and, after [`verify`], found alike in both stores).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub BTreeMap<&'static str, u64>);

impl Counts {
    fn add(&mut self, what: &'static str, n: usize) {
        *self.0.entry(what).or_default() += n as u64;
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{v} {k}")).collect();
        f.write_str(&parts.join(", "))
    }
}

/// Hands every item of a paged listing to `each`, a page at a time.
fn each_page<T>(
    mut fetch: impl FnMut(Option<&str>) -> StoreResult<Page<T>>,
    mut each: impl FnMut(&[T]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut after: Option<String> = None;
    loop {
        let page = fetch(after.as_deref())?;
        each(&page.items)?;
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(()),
        }
    }
}

/// Everything a newest-first listing holds (`fetch` is given the last id of the page before),
/// oldest first: added in that order, the target numbers them in the same order.
fn oldest_first<T>(mut fetch: impl FnMut(Option<i64>) -> StoreResult<Vec<T>>, id: impl Fn(&T) -> i64) -> anyhow::Result<Vec<T>> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = fetch(before)?;
        before = page.last().map(&id);
        let done = page.len() < PAGE;
        all.extend(page);
        if done {
            all.reverse();
            return Ok(all);
        }
    }
}

/// Refuses a target that already holds an installation: copying merges nothing.
fn ensure_empty(to: &dyn Store) -> anyhow::Result<()> {
    let empty = to.list_pools(None, 1)?.items.is_empty()
        && to.list_identity_pools(None, 1)?.items.is_empty()
        && to.list_access_keys()?.is_empty()
        && to.list_saml_providers()?.is_empty()
        && to.server_secret_names()?.is_empty()
        && to.list_audit(&AuditQuery { limit: 1, ..AuditQuery::default() })?.is_empty();
    ensure!(empty, "the target database is not empty: copy into a new database");
    Ok(())
}

/// Copies everything `from` holds into the empty store `to`; `progress` hears what is being
/// copied as it goes.
pub fn copy_installation(from: &dyn Store, to: &dyn Store, progress: &mut dyn FnMut(&str)) -> anyhow::Result<Counts> {
    ensure_empty(to)?;
    let mut n = Counts::default();

    progress("access keys, server secrets, SAML providers");
    for key in from.list_access_keys()? {
        to.put_access_key(&key)?;
        n.add("access keys", 1);
    }
    for name in from.server_secret_names()? {
        let value = from.server_secret(&name, &Vec::new)?;
        ensure!(to.server_secret(&name, &|| value.clone())? == value, "the server secret {name} did not copy");
        n.add("server secrets", 1);
    }
    for provider in from.list_saml_providers()? {
        to.create_saml_provider(&provider)?;
        n.add("IAM SAML providers", 1);
    }

    each_page(
        |after| from.list_pools(after, PAGE),
        |pools| {
            for pool in pools {
                progress(&format!("user pool {}", pool.id));
                copy_user_pool(from, to, &pool.id, &mut n).with_context(|| format!("copying the user pool {}", pool.id))?;
            }
            Ok(())
        },
    )?;

    each_page(
        |after| from.list_identity_pools(after, PAGE),
        |pools| {
            for pool in pools {
                progress(&format!("identity pool {}", pool.id));
                to.create_identity_pool(pool)?;
                if let Some(settings) = from.get_sync_settings(&pool.id)? {
                    to.put_sync_settings(&pool.id, &settings)?;
                }
                n.add("identity pools", 1);
                each_page(
                    |after| from.list_identities(&pool.id, after, PAGE),
                    |identities| {
                        for identity in identities {
                            to.create_identity(identity)?;
                            copy_datasets(from, to, &identity.id, &mut n)?;
                            for (device, datasets) in from.list_sync_devices(&identity.id)? {
                                to.register_sync_device(&device)?;
                                for dataset in &datasets {
                                    to.set_sync_subscription(&device.device_id, dataset, true)?;
                                }
                                n.add("push sync devices", 1);
                            }
                        }
                        n.add("identities", identities.len());
                        Ok(())
                    },
                )?;
            }
            Ok(())
        },
    )?;

    // What Cognito Streams and push sync still owe, in order (tried afresh by the new store).
    let mut after = 0;
    loop {
        let notices = from.list_sync_notices(after, PAGE)?;
        let Some(last) = notices.last() else { break };
        after = last.seq;
        to.queue_sync_notices(&notices.iter().map(|q| q.notice.clone()).collect::<Vec<_>>())?;
        n.add("Cognito Sync notices", notices.len());
    }

    progress("the outbox and the audit log");
    let messages = oldest_first(|before| from.list_messages(&MessageQuery { before, limit: PAGE, ..MessageQuery::default() }), |m| m.id)?;
    for m in &messages {
        to.add_message(m)?;
    }
    n.add("messages", messages.len());
    let events = oldest_first(|before| from.list_audit(&AuditQuery { before, limit: PAGE, ..AuditQuery::default() }), |e| e.id)?;
    for e in &events {
        to.append_audit(e)?;
    }
    n.add("audit events", events.len());
    Ok(n)
}

/// An identity's Cognito Sync datasets with their records, deleted ones (markers that keep
/// the sync count) too.
fn copy_datasets(from: &dyn Store, to: &dyn Store, identity_id: &str, n: &mut Counts) -> anyhow::Result<()> {
    each_page(
        |after| from.list_datasets(identity_id, true, after, PAGE),
        |datasets| {
            for d in datasets {
                let mut records = Vec::new();
                each_page(
                    |after| from.list_sync_records(identity_id, &d.name, 0, after, PAGE),
                    |page| {
                        records.extend_from_slice(page);
                        Ok(())
                    },
                )?;
                n.add("dataset records", records.len());
                anyhow::ensure!(
                    to.write_dataset(d, None, &records, usize::MAX, &[])? == SyncWrite::Written,
                    "dataset {} of {identity_id} was there already",
                    d.name
                );
            }
            n.add("datasets", datasets.len());
            Ok(())
        },
    )
}

fn copy_user_pool(from: &dyn Store, to: &dyn Store, pool_id: &str, n: &mut Counts) -> anyhow::Result<()> {
    let pool = from.get_pool(pool_id)?.context("the pool went away while it was copied")?;
    let keys = from.signing_keys(pool_id)?;
    let [key] = keys.as_slice() else { bail!("it has {} signing keys; a copy takes exactly one", keys.len()) };
    to.create_pool(&pool, key)?;
    n.add("user pools", 1);

    let mut client_ids = Vec::new();
    each_page(
        |after| from.list_clients(pool_id, after, PAGE),
        |clients| {
            for client in clients {
                to.create_client(client)?;
                client_ids.push(client.client_id.clone());
            }
            n.add("app clients", clients.len());
            Ok(())
        },
    )?;
    for client_id in std::iter::once("ALL".to_owned()).chain(client_ids.iter().cloned()) {
        if let Some(ui) = from.get_ui_customization(pool_id, &client_id)? {
            to.put_ui_customization(&ui)?;
            n.add("UI customizations", 1);
        }
    }
    for client_id in &client_ids {
        if let Some(style) = from.get_managed_login_branding_by_client(pool_id, client_id)? {
            to.create_managed_login_branding(&style)?;
            n.add("managed login styles", 1);
        }
    }
    each_page(
        |after| from.list_terms(pool_id, after, PAGE),
        |items| {
            for terms in items {
                to.create_terms(terms)?;
            }
            n.add("terms documents", items.len());
            Ok(())
        },
    )?;
    for domain in from.domains_of_pool(pool_id)? {
        to.create_domain(&domain)?;
        n.add("domains", 1);
    }
    each_page(
        |after| from.list_resource_servers(pool_id, after, PAGE),
        |items| {
            for server in items {
                to.create_resource_server(server)?;
            }
            n.add("resource servers", items.len());
            Ok(())
        },
    )?;
    each_page(
        |after| from.list_identity_providers(pool_id, after, PAGE),
        |items| {
            for provider in items {
                to.create_identity_provider(provider)?;
            }
            n.add("identity providers", items.len());
            Ok(())
        },
    )?;

    each_page(
        |cursor| from.list_users(pool_id, None, cursor, PAGE),
        |users| {
            let refused = to.insert_users(users)?;
            if let Some(&i) = refused.first() {
                bail!("the user {} was refused by the target (its name or sub is taken)", users[i].username);
            }
            for user in users {
                let events = oldest_first(|before| from.list_auth_events(pool_id, &user.sub, before, PAGE), |e| e.id)?;
                for e in &events {
                    to.add_auth_event(e)?;
                }
                n.add("auth events", events.len());
            }
            n.add("users", users.len());
            Ok(())
        },
    )?;
    each_page(
        |after| from.list_groups(pool_id, after, PAGE),
        |groups| {
            for group in groups {
                to.create_group(group)?;
                each_page(
                    |cursor| from.users_in_group(pool_id, &group.name, cursor, PAGE),
                    |members| {
                        for user in members {
                            to.add_to_group(pool_id, &group.name, &user.sub)?;
                        }
                        n.add("group memberships", members.len());
                        Ok(())
                    },
                )?;
            }
            n.add("groups", groups.len());
            Ok(())
        },
    )?;

    let mut after: Option<(String, String)> = None;
    loop {
        let links = from.list_identity_links(pool_id, after.as_ref().map(|(p, s)| (p.as_str(), s.as_str())), PAGE)?;
        for link in &links {
            to.link_identity(pool_id, &link.provider, &link.subject, &link.user_sub, link.created_ms)?;
        }
        n.add("linked identities", links.len());
        match links.last() {
            Some(last) if links.len() == PAGE => after = Some((last.provider.clone(), last.subject.clone())),
            _ => break,
        }
    }
    let mut after: Option<String> = None;
    loop {
        let sessions = from.list_sessions(pool_id, after.as_deref(), PAGE)?;
        for session in &sessions {
            to.insert_session(session)?;
        }
        n.add("sessions", sessions.len());
        match sessions.last() {
            Some(last) if sessions.len() == PAGE => after = Some(last.origin_jti.clone()),
            _ => break,
        }
    }
    let calls = oldest_first(
        |before| from.list_trigger_invocations(&TriggerQuery { pool_id, before, limit: PAGE, ..TriggerQuery::default() }),
        |t| t.id,
    )?;
    for call in &calls {
        to.add_trigger_invocation(call)?;
    }
    n.add("trigger calls", calls.len());
    Ok(())
}

/// Compares the two stores after a copy: the counts of pools, users (each pool's, paged and
/// estimated), clients, groups, identity pools, identities, access keys and audit events, and
/// up to `sample` users of each pool record by record (password hashes, codes, MFA, versions).
/// Returns what was compared.
pub fn verify(from: &dyn Store, to: &dyn Store, sample: usize) -> anyhow::Result<Counts> {
    let mut n = Counts::default();
    let mut after: Option<String> = None;
    loop {
        let (a, b) = (from.list_pools(after.as_deref(), PAGE)?, to.list_pools(after.as_deref(), PAGE)?);
        let ids = |p: &crate::store::Page<crate::store::UserPool>| p.items.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        ensure!(ids(&a) == ids(&b), "the user pools differ");
        for pool in &a.items {
            let id = pool.id.as_str();
            ensure!(from.count_users(id)? == to.count_users(id)?, "{id}: the estimated numbers of users differ");
            let (mut users, mut compared) = (0usize, 0usize);
            let mut cursor: Option<String> = None;
            loop {
                let (x, y) = (from.list_users(id, None, cursor.as_deref(), PAGE)?, to.list_users(id, None, cursor.as_deref(), PAGE)?);
                ensure!(x.items.len() == y.items.len(), "{id}: the users differ");
                for (u, v) in x.items.iter().zip(&y.items) {
                    ensure!(u.username == v.username, "{id}: the users differ at {}", u.username);
                    if compared < sample {
                        ensure!(u == v, "{id}: the user {} differs after the copy", u.username);
                        compared += 1;
                    }
                }
                users += x.items.len();
                match (x.next, y.next) {
                    (Some(next), Some(_)) => cursor = Some(next),
                    (None, None) => break,
                    _ => bail!("{id}: the users differ"),
                }
            }
            n.add("users", users);
            n.add("users compared record by record", compared);
            let clients = |s: &dyn Store| s.list_clients(id, None, PAGE).map(|p| p.items);
            ensure!(clients(from)? == clients(to)?, "{id}: the app clients differ");
            let groups = |s: &dyn Store| s.list_groups(id, None, PAGE).map(|p| p.items);
            ensure!(groups(from)? == groups(to)?, "{id}: the groups differ");
            let terms = |s: &dyn Store| s.list_terms(id, None, PAGE).map(|p| p.items);
            ensure!(terms(from)? == terms(to)?, "{id}: the terms documents differ");
        }
        n.add("user pools", a.items.len());
        match a.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let identity_pools = from.list_identity_pools(None, PAGE)?.items;
    ensure!(identity_pools == to.list_identity_pools(None, PAGE)?.items, "the identity pools differ");
    for pool in &identity_pools {
        let identities = |s: &dyn Store| s.list_identities(&pool.id, None, PAGE).map(|p| p.items);
        ensure!(identities(from)? == identities(to)?, "{}: the identities differ", pool.id);
        for identity in identities(from)? {
            let datasets = |s: &dyn Store| s.list_datasets(&identity.id, true, None, PAGE).map(|p| p.items);
            ensure!(datasets(from)? == datasets(to)?, "{}: the datasets differ", identity.id);
            ensure!(
                from.list_sync_devices(&identity.id)? == to.list_sync_devices(&identity.id)?,
                "{}: the push sync devices differ",
                identity.id
            );
        }
    }
    n.add("identity pools", identity_pools.len());
    ensure!(from.list_access_keys()? == to.list_access_keys()?, "the access keys differ");
    let audit = |s: &dyn Store| s.list_audit(&AuditQuery { limit: PAGE, ..AuditQuery::default() }).map(|e| e.len());
    ensure!(audit(from)? == audit(to)?, "the audit logs differ");
    Ok(n)
}
