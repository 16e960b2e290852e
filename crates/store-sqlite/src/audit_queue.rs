//! Audit rows ride along with the next write transaction (group commit).
//!
//! Every admin change is followed by its audit row, and a commit of its own cost as much as
//! the change's (BEGIN, the WAL frames, COMMIT, the writer lock again). Instead a row is queued,
//! and whichever write takes the writer lock next (usually another call's) inserts every queued
//! row in its own transaction. [`SqliteStore::append_audit`] still returns only once its row is
//! committed: it waits for the writer lock and, if no write carried the row meanwhile, commits
//! the queue itself. Rows keep the order they were queued in.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use pooldesk_core::store::{AuditEvent, StoreError};
use rusqlite::{Transaction, params};

use crate::{execute, lock};

#[derive(Default)]
pub(crate) struct AuditQueue {
    pending: Mutex<Vec<AuditEvent>>,
    /// How many rows were ever queued; a row's sequence number is the count after it.
    queued: AtomicU64,
    /// How many queued rows are committed. Changed only under the writer lock.
    written: AtomicU64,
}

/// Rows taken from the queue into a transaction: committed, or given back.
pub(crate) struct Carried {
    events: Vec<AuditEvent>,
    /// The queue's count when they were taken: all rows up to it are in `events` or written.
    up_to: u64,
}

impl AuditQueue {
    /// Queues `event`; returns its sequence number.
    pub(crate) fn push(&self, event: AuditEvent) -> u64 {
        let mut pending = lock(&self.pending);
        pending.push(event);
        // Under the queue's lock, so numbers follow the queue's order.
        self.queued.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Whether the row numbered `seq` is committed. Call under the writer lock.
    pub(crate) fn is_written(&self, seq: u64) -> bool {
        self.written.load(Ordering::Acquire) >= seq
    }

    /// Inserts every queued row into `tx`, under a savepoint: a row that cannot be written
    /// does not fail the transaction it rides in (the rows go back to the queue and their
    /// owners commit them, or report why not). Call under the writer lock.
    pub(crate) fn carry(&self, tx: &Transaction<'_>) -> Option<Carried> {
        if self.queued.load(Ordering::Acquire) == self.written.load(Ordering::Acquire) {
            return None;
        }
        let carried = {
            let mut pending = lock(&self.pending);
            Carried { events: std::mem::take(&mut *pending), up_to: self.queued.load(Ordering::Acquire) }
        };
        if carried.events.is_empty() {
            return None;
        }
        let inserted = execute(tx, "SAVEPOINT audit_rows", [])
            .and_then(|_| carried.events.iter().try_for_each(|e| insert(tx, e)))
            .and_then(|()| execute(tx, "RELEASE audit_rows", []).map(drop));
        match inserted {
            Ok(()) => Some(carried),
            Err(e) => {
                tracing::warn!("audit rows could not ride along with a write, their callers will retry: {e}");
                let _ = execute(tx, "ROLLBACK TO audit_rows", []).and_then(|_| execute(tx, "RELEASE audit_rows", []));
                self.give_back(carried);
                None
            }
        }
    }

    /// After the transaction carrying `carried` committed (`committed`) or failed.
    pub(crate) fn settle(&self, carried: Option<Carried>, committed: bool) {
        let Some(carried) = carried else { return };
        if committed {
            self.written.store(carried.up_to, Ordering::Release);
        } else {
            self.give_back(carried);
        }
    }

    /// Puts rows back at the front of the queue, ahead of any queued since.
    fn give_back(&self, carried: Carried) {
        let mut pending = lock(&self.pending);
        let newer = std::mem::replace(&mut *pending, carried.events);
        pending.extend(newer);
    }
}

fn insert(tx: &Transaction<'_>, e: &AuditEvent) -> Result<(), StoreError> {
    execute(
        tx,
        "INSERT INTO audit_log (at_ms, actor, source, operation, resource, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![e.at_ms, e.actor, e.source, e.operation, e.resource, e.outcome],
    )
    .map(drop)
}
