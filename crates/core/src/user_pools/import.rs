//! Bulk user import: Cognito's user-import CSV (one column per attribute, plus
//! `cognito:username` and `cognito:mfa_enabled`) loaded without a call per user.
//!
//! As in Cognito, imported users have no password and the status RESET_REQUIRED: their first
//! sign-in answers PasswordResetRequiredException and ForgotPassword sets one. No password is
//! hashed, which is what makes a million users a matter of seconds.

use std::collections::{BTreeMap, HashSet};

use pooldesk_wire::cognito_idp::{self as w, AttributeType, UserStatusType};

use super::UserPools;
use super::attributes::{self, Writer};
use crate::error::{Error, Result};
use crate::store::User;

/// Users per transaction: large enough that commits are not the cost, small enough that a
/// concurrent server's writes wait milliseconds, not seconds.
const BATCH: usize = 5_000;

/// One CSV record: its line number (for the report) and its columns by header name.
pub struct ImportRow {
    pub line: u64,
    pub columns: Vec<(String, String)>,
}

/// What an import did; a refused row does not stop the others, as in Cognito's import jobs.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportReport {
    pub imported: u64,
    /// (line, reason) of every refused row.
    pub failed: Vec<(u64, String)>,
}

impl UserPools {
    /// GetCSVHeader: the columns an import file has for this pool, as Cognito lists them (the
    /// schema's attributes but `sub` and `identities`, then `cognito:mfa_enabled` and
    /// `cognito:username`).
    pub(super) fn op_get_csv_header(&self, r: w::GetCSVHeaderRequest) -> Result<w::GetCSVHeaderResponse> {
        let header = self.csv_header(&r.user_pool_id)?;
        Ok(w::GetCSVHeaderResponse { user_pool_id: Some(r.user_pool_id), csv_header: Some(header) })
    }

    /// Imports Cognito's user-import CSV: the header names the columns (as GetCSVHeader lists
    /// them; `cognito:username` at least), one user per record. Unreadable records are refused
    /// like bad rows, by line, and the report lists every refusal in line order.
    pub fn import_csv(&self, pool_id: &str, input: impl std::io::Read, progress: impl FnMut(&ImportReport)) -> Result<ImportReport> {
        let mut reader = csv::ReaderBuilder::new().from_reader(input);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| Error::InvalidParameter(format!("The CSV header cannot be read: {e}")))?
            .iter()
            .map(str::to_owned)
            .collect();
        if !header.iter().any(|h| h == "cognito:username") {
            return Err(Error::InvalidParameter("The CSV header has no cognito:username column (see GetCSVHeader).".into()));
        }
        let mut unreadable = Vec::new();
        let rows = reader.records().enumerate().filter_map(|(i, record)| {
            let line = i as u64 + 2;
            match record {
                Ok(r) => Some(ImportRow { line, columns: header.iter().cloned().zip(r.iter().map(str::to_owned)).collect() }),
                Err(e) => {
                    unreadable.push((line, e.to_string()));
                    None
                }
            }
        });
        let mut report = self.import_users(pool_id, rows, progress)?;
        report.failed.extend(unreadable);
        report.failed.sort_by_key(|(line, _)| *line);
        Ok(report)
    }

    pub fn import_users(
        &self,
        pool_id: &str,
        rows: impl IntoIterator<Item = ImportRow>,
        mut progress: impl FnMut(&ImportReport),
    ) -> Result<ImportReport> {
        let pool = self.pool(pool_id)?;
        let username_attributes: Vec<String> = pool.config.username_attributes.iter().flatten().map(|a| a.as_str().to_owned()).collect();
        let mut report = ImportReport::default();
        let mut batch: Vec<(u64, User)> = Vec::with_capacity(BATCH);
        // Usernames that are e-mail addresses or phone numbers are unique through an index
        // lookup per row, plus this set for rows not yet committed.
        let mut pending_aliases: HashSet<(String, String)> = HashSet::new();
        let mut flush = |batch: &mut Vec<(u64, User)>, pending: &mut HashSet<(String, String)>, report: &mut ImportReport| -> Result<()> {
            let users: Vec<User> = batch.iter().map(|(_, u)| u.clone()).collect();
            let refused = self.store.insert_users(&users)?;
            for i in &refused {
                report.failed.push((batch[*i].0, "User account already exists".into()));
            }
            report.imported += (users.len() - refused.len()) as u64;
            batch.clear();
            pending.clear();
            progress(report);
            Ok(())
        };
        for row in rows {
            match self.import_row(&pool, &username_attributes, row.columns) {
                Ok(user) => {
                    let alias = username_attributes.iter().find_map(|a| user.data.attributes.get(a).map(|v| (a.clone(), v.clone())));
                    let taken = match &alias {
                        Some(a) => pending_aliases.contains(a) || !self.store.find_users_by_attribute(&pool.id, &a.0, &a.1)?.is_empty(),
                        None => false,
                    };
                    if taken {
                        report.failed.push((row.line, "An account with the given username attribute already exists.".into()));
                        continue;
                    }
                    pending_aliases.extend(alias);
                    batch.push((row.line, user));
                    if batch.len() == BATCH {
                        flush(&mut batch, &mut pending_aliases, &mut report)?;
                    }
                }
                Err(e) => report.failed.push((row.line, e.to_string())),
            }
        }
        if !batch.is_empty() {
            flush(&mut batch, &mut pending_aliases, &mut report)?;
        }
        Ok(report)
    }

    fn import_row(&self, pool: &crate::store::UserPool, username_attributes: &[String], columns: Vec<(String, String)>) -> Result<User> {
        let mut username = None;
        let mut attrs: Vec<AttributeType> = Vec::new();
        for (name, value) in columns {
            match name.as_str() {
                "cognito:username" => username = Some(value),
                // MFA comes from the pool's settings and the user's own enrolment.
                "cognito:mfa_enabled" => {}
                _ if value.is_empty() => {}
                _ => attrs.push(AttributeType { name, value: Some(value) }),
            }
        }
        let username = username.filter(|u| !u.is_empty()).ok_or_else(|| Error::InvalidParameter("cognito:username is required.".into()))?;
        attributes::check(pool, &attrs, Writer::Admin, true)?;
        let attrs: BTreeMap<String, String> = attrs.into_iter().map(|a| (a.name, a.value.unwrap_or_default())).collect();
        // In e-mail or phone username pools the CSV's username is the address itself.
        let given = if username_attributes.is_empty() {
            username
        } else {
            username_attributes.iter().find_map(|a| attrs.get(a).cloned()).unwrap_or(username)
        };
        let user = self.new_user(pool, &given, attrs, UserStatusType::ResetRequired)?;
        attributes::check_required(pool, &user.data.attributes)?;
        Ok(user)
    }
}
