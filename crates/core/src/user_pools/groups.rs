//! Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, ListUsersInGroup,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser.

use pooldesk_wire::cognito_idp as w;

use super::UserPools;
use super::users::user_type;
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::store::{Group, StoreError};

fn describe(g: &Group) -> w::GroupType {
    let mut t = g.config.clone();
    t.group_name = Some(g.name.clone());
    t.user_pool_id = Some(g.pool_id.clone());
    t.creation_date = Some(to_wire(g.created_ms));
    t.last_modified_date = Some(to_wire(g.modified_ms));
    t
}

fn check_role_arn(arn: Option<&str>) -> Result<()> {
    match arn {
        Some(a) if !(a.starts_with("arn:") && a.split(':').count() >= 6) => {
            Err(Error::InvalidParameter(format!("{a} is not a valid role ARN.")))
        }
        _ => Ok(()),
    }
}

impl UserPools {
    fn group(&self, pool_id: &str, name: &str) -> Result<Group> {
        self.store.get_group(pool_id, name)?.ok_or_else(|| Error::ResourceNotFound("Group not found.".into()))
    }

    pub(super) fn op_create_group(&self, r: w::CreateGroupRequest) -> Result<w::CreateGroupResponse> {
        self.pool(&r.user_pool_id)?;
        check_role_arn(r.role_arn.as_deref())?;
        let now = self.now();
        let group = Group {
            pool_id: r.user_pool_id.clone(),
            name: r.group_name.clone(),
            config: w::GroupType { description: r.description, role_arn: r.role_arn, precedence: r.precedence, ..Default::default() },
            created_ms: now,
            modified_ms: now,
        };
        self.store.create_group(&group).map_err(|e| match e {
            StoreError::Conflict(_) => Error::GroupExists("A group with the name already exists.".into()),
            other => other.into(),
        })?;
        Ok(w::CreateGroupResponse { group: Some(describe(&group)) })
    }

    pub(super) fn op_get_group(&self, r: w::GetGroupRequest) -> Result<w::GetGroupResponse> {
        self.pool(&r.user_pool_id)?;
        Ok(w::GetGroupResponse { group: Some(describe(&self.group(&r.user_pool_id, &r.group_name)?)) })
    }

    pub(super) fn op_update_group(&self, r: w::UpdateGroupRequest) -> Result<w::UpdateGroupResponse> {
        self.pool(&r.user_pool_id)?;
        let mut group = self.group(&r.user_pool_id, &r.group_name)?;
        check_role_arn(r.role_arn.as_deref())?;
        if r.description.is_some() {
            group.config.description = r.description;
        }
        if r.role_arn.is_some() {
            group.config.role_arn = r.role_arn;
        }
        if r.precedence.is_some() {
            group.config.precedence = r.precedence;
        }
        group.modified_ms = self.now();
        self.store.update_group(&group)?;
        Ok(w::UpdateGroupResponse { group: Some(describe(&group)) })
    }

    pub(super) fn op_delete_group(&self, r: w::DeleteGroupRequest) -> Result<()> {
        self.pool(&r.user_pool_id)?;
        if !self.store.delete_group(&r.user_pool_id, &r.group_name)? {
            return Err(Error::ResourceNotFound("Group not found.".into()));
        }
        Ok(())
    }

    pub(super) fn op_list_groups(&self, r: w::ListGroupsRequest) -> Result<w::ListGroupsResponse> {
        self.pool(&r.user_pool_id)?;
        let page = self.store.list_groups(&r.user_pool_id, r.next_token.as_deref(), r.limit.unwrap_or(60).clamp(1, 60) as usize)?;
        Ok(w::ListGroupsResponse { groups: Some(page.items.iter().map(describe).collect()), next_token: page.next })
    }

    pub(super) fn op_list_users_in_group(&self, r: w::ListUsersInGroupRequest) -> Result<w::ListUsersInGroupResponse> {
        self.pool(&r.user_pool_id)?;
        self.group(&r.user_pool_id, &r.group_name)?;
        let limit = r.limit.unwrap_or(60).clamp(1, 60) as usize;
        let page = self.store.users_in_group(&r.user_pool_id, &r.group_name, r.next_token.as_deref(), limit).map_err(|e| match e {
            StoreError::BadCursor => Error::InvalidParameter("Invalid pagination token.".into()),
            other => other.into(),
        })?;
        Ok(w::ListUsersInGroupResponse { users: Some(page.items.iter().map(|u| user_type(u, None)).collect()), next_token: page.next })
    }

    pub(super) fn op_admin_add_user_to_group(&self, r: w::AdminAddUserToGroupRequest) -> Result<()> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        self.group(&pool.id, &r.group_name)?;
        self.store.add_to_group(&pool.id, &r.group_name, &user.sub)?;
        Ok(())
    }

    pub(super) fn op_admin_remove_user_from_group(&self, r: w::AdminRemoveUserFromGroupRequest) -> Result<()> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        self.group(&pool.id, &r.group_name)?;
        self.store.remove_from_group(&pool.id, &r.group_name, &user.sub)?;
        Ok(())
    }

    pub(super) fn op_admin_list_groups_for_user(&self, r: w::AdminListGroupsForUserRequest) -> Result<w::AdminListGroupsForUserResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        let mut groups = self.store.groups_of_user(&pool.id, &user.sub)?;
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        let start = match r.next_token.as_deref() {
            Some(t) => groups.iter().position(|g| g.name.as_str() > t).unwrap_or(groups.len()),
            None => 0,
        };
        let limit = r.limit.unwrap_or(60).clamp(1, 60) as usize;
        let page: Vec<_> = groups[start..].iter().take(limit).collect();
        let next = if start + page.len() < groups.len() { page.last().map(|g| g.name.clone()) } else { None };
        Ok(w::AdminListGroupsForUserResponse { groups: Some(page.into_iter().map(describe).collect()), next_token: next })
    }
}
