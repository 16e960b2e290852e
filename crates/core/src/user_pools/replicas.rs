//! User pool replicas. Cognito copies a pool into other Regions; a PoolDesk installation is one
//! Region, made highly available by running several `pooldesk serve` over one PostgreSQL
//! database. So every pool is the primary, and only replica of itself: ListUserPoolReplicas
//! shows it, and CreateUserPoolReplica is refused with `OperationNotEnabledException` saying
//! what to do instead.

use pooldesk_wire::cognito_idp::{self as w, ReplicaRoleType, ReplicaStatusType, UpdateReplicaStatusType};

use super::UserPools;
use crate::error::{Error, Result};

impl UserPools {
    /// The pool itself, as its primary replica in this server's Region.
    fn primary_replica(&self, pool_id: &str) -> w::UserPoolReplicaType {
        w::UserPoolReplicaType {
            region_name: Some(self.config.region.clone()),
            status: Some(ReplicaStatusType::Active),
            role: Some(ReplicaRoleType::Primary),
            user_pool_arn: Some(self.pool_arn(pool_id)),
        }
    }

    fn no_replica(&self, region: &str) -> Error {
        Error::ResourceNotFound(format!(
            "The user pool has no replica in {region}: PoolDesk keeps each pool in one Region ({}), its primary.",
            self.config.region
        ))
    }

    pub(super) fn op_create_user_pool_replica(&self, r: w::CreateUserPoolReplicaRequest) -> Result<w::CreateUserPoolReplicaResponse> {
        self.pool(&r.user_pool_id)?;
        if r.region_name == self.config.region {
            return Err(Error::InvalidParameter(format!("{} is the user pool's own Region, where it is the primary.", r.region_name)));
        }
        Err(Error::OperationNotEnabled(format!(
            "PoolDesk does not replicate user pools into other Regions ({} asked). For availability, run several `pooldesk serve` over \
             one PostgreSQL database (--db postgres://...); to move or copy an installation, use `pooldesk migrate`.",
            r.region_name
        )))
    }

    pub(super) fn op_list_user_pool_replicas(&self, r: w::ListUserPoolReplicasRequest) -> Result<w::ListUserPoolReplicasResponse> {
        self.pool(&r.user_pool_id)?;
        if r.next_token.is_some() {
            return Err(Error::InvalidParameter("Invalid NextToken: the list has one page.".into()));
        }
        Ok(w::ListUserPoolReplicasResponse { user_pool_replicas: Some(vec![self.primary_replica(&r.user_pool_id)]), next_token: None })
    }

    /// Only the primary exists, and it stays active: deactivating it would stop the pool.
    pub(super) fn op_update_user_pool_replica(&self, r: w::UpdateUserPoolReplicaRequest) -> Result<w::UpdateUserPoolReplicaResponse> {
        self.pool(&r.user_pool_id)?;
        if r.region_name != self.config.region {
            return Err(self.no_replica(&r.region_name));
        }
        if r.status == UpdateReplicaStatusType::Inactive {
            return Err(Error::InvalidParameter("The primary replica cannot be made INACTIVE.".into()));
        }
        Ok(w::UpdateUserPoolReplicaResponse { user_pool_replica: Some(self.primary_replica(&r.user_pool_id)) })
    }

    pub(super) fn op_delete_user_pool_replica(&self, r: w::DeleteUserPoolReplicaRequest) -> Result<w::DeleteUserPoolReplicaResponse> {
        self.pool(&r.user_pool_id)?;
        if r.region_name == self.config.region {
            return Err(Error::InvalidParameter("The primary replica is the user pool itself: delete it with DeleteUserPool.".into()));
        }
        Err(self.no_replica(&r.region_name))
    }
}
