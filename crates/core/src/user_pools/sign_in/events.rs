//! Sign-in events: every finished or failed attempt is recorded for the user, with the
//! challenges it passed or failed, and read back by AdminListUserAuthEvents.

use pooldesk_wire::cognito_idp as w;

use super::Attempt;
use crate::error::{Error, Result};
use crate::store::AuthEventRecord;
use crate::user_pools::UserPools;

impl UserPools {
    /// Records a sign-in attempt. AuthEventType has no member for the flow or the app
    /// client, so they go where an admin reads them: the event's device name.
    pub(super) fn record_event(
        &self,
        attempt: Attempt<'_>,
        sub: &str,
        flow: &str,
        response: w::EventResponseType,
        challenges: &[(w::ChallengeName, bool)],
    ) -> Result<()> {
        let now = self.now();
        let event = w::AuthEventType {
            event_id: Some(self.random.uuid()?),
            event_type: Some(w::EventType::SignIn),
            creation_date: Some(crate::clock::to_wire(now)),
            event_response: Some(response),
            event_risk: None,
            challenge_responses: Some(
                challenges
                    .iter()
                    .map(|(name, ok)| w::ChallengeResponseType {
                        challenge_name: Some(*name),
                        challenge_response: Some(if *ok { w::ChallengeResponse::Success } else { w::ChallengeResponse::Failure }),
                    })
                    .collect(),
            ),
            event_context_data: Some(w::EventContextDataType {
                ip_address: attempt.ctx.source_ip.clone(),
                device_name: Some(format!("{flow} via app client {}", attempt.client.client_id)),
                ..Default::default()
            }),
            event_feedback: None,
        };
        let event = serde_json::to_string(&event).map_err(Error::internal)?;
        self.store.add_auth_event(&AuthEventRecord {
            id: 0,
            pool_id: attempt.pool.id.clone(),
            sub: sub.to_owned(),
            event,
            created_ms: now,
        })?;
        Ok(())
    }

    pub(in crate::user_pools) fn op_admin_list_user_auth_events(
        &self,
        r: w::AdminListUserAuthEventsRequest,
    ) -> Result<w::AdminListUserAuthEventsResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        let limit = r.max_results.unwrap_or(60).clamp(1, 60) as usize;
        let before = r
            .next_token
            .as_deref()
            .map(|t| t.parse::<i64>().map_err(|_| Error::InvalidParameter("Invalid NextToken.".into())))
            .transpose()?;
        let records = self.store.list_auth_events(&pool.id, &user.sub, before, limit)?;
        let next = if records.len() == limit { records.last().map(|e| e.id.to_string()) } else { None };
        let events =
            records.iter().map(|e| serde_json::from_str(&e.event).map_err(Error::internal)).collect::<Result<Vec<w::AuthEventType>>>()?;
        Ok(w::AdminListUserAuthEventsResponse { auth_events: Some(events), next_token: next })
    }
}
