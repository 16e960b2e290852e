//! Exporting a pool's users (PoolDesk.ExportUsers, `pooldesk export-users`, the desktop's
//! export), which Cognito cannot do: a page at a time, each user with their attributes, status
//! and groups, and the CSV header (GetCSVHeader's columns) under which the CLI and the desktop
//! write Cognito's user-import file, so it loads again with `pooldesk import-users` or a Cognito
//! import job. Passwords stay behind: imported users set a new one, as after Cognito's import
//! jobs.

use std::collections::BTreeMap;

use super::UserPools;
use crate::error::{Error, Result};

/// The most users one page holds.
pub const MAX_EXPORT_PAGE: usize = 1000;

/// A user as exported.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedUser {
    pub username: String,
    pub sub: String,
    pub status: String,
    pub enabled: bool,
    pub created_ms: i64,
    pub modified_ms: i64,
    /// Every attribute but `sub`, by name.
    pub attributes: BTreeMap<String, String>,
    /// Whether the user has a second factor on (`cognito:mfa_enabled`).
    pub mfa_enabled: bool,
    pub groups: Vec<String>,
}

impl UserPools {
    /// The CSV header of a pool's users: the attributes of its schema an import sets, then
    /// `cognito:mfa_enabled` and `cognito:username`, as GetCSVHeader lists them.
    pub fn csv_header(&self, pool_id: &str) -> Result<Vec<String>> {
        let pool = self.pool(pool_id)?;
        let mut header: Vec<String> =
            super::attributes::schema(&pool).iter().filter_map(|a| a.name.clone()).filter(|n| n != "sub" && n != "identities").collect();
        header.extend(["cognito:mfa_enabled".to_owned(), "cognito:username".to_owned()]);
        Ok(header)
    }

    /// A page of a pool's users, in username order, from `cursor` (the previous page's token);
    /// the token of the next page, if there is one.
    pub fn export_users(&self, pool_id: &str, cursor: Option<&str>, limit: usize) -> Result<(Vec<ExportedUser>, Option<String>)> {
        if !(1..=MAX_EXPORT_PAGE).contains(&limit) {
            return Err(Error::InvalidParameter(format!("MaxResults must be between 1 and {MAX_EXPORT_PAGE}.")));
        }
        let pool = self.pool(pool_id)?;
        let page = self.store.list_users(&pool.id, None, cursor, limit)?;
        let mut users = Vec::with_capacity(page.items.len());
        for user in page.items {
            let groups = self.store.groups_of_user(&pool.id, &user.sub)?.into_iter().map(|g| g.name).collect();
            users.push(ExportedUser {
                mfa_enabled: !self.enabled_factors(&pool, &user).is_empty(),
                username: user.username,
                sub: user.sub,
                status: user.status.as_str().to_owned(),
                enabled: user.enabled,
                created_ms: user.created_ms,
                modified_ms: user.modified_ms,
                attributes: user.data.attributes,
                groups,
            });
        }
        Ok((users, page.next))
    }
}
