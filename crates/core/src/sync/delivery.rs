//! What Cognito Sync sends out: Cognito Streams' records to Kinesis and push sync's silent
//! notifications to devices through SNS.
//!
//! Each change queues its notices in the store in the same transaction as the change (an
//! outbox), and [`Sync::deliver_due`] hands them to [`SyncOutbound`]: a restart or a service
//! that is down for a while loses nothing. Notices about one dataset (or for one device) go
//! out one after another, each only once the one before it was delivered, so a stream's
//! records of a dataset arrive in the order the changes were made, retried with back-off.
//!
//! A bulk publish is asynchronous, as in AWS: it queues a marker that the delivery loop turns,
//! a page of identities at a time, into their datasets' stream records.

use std::collections::{BTreeMap, BTreeSet};

use pooldesk_wire::cognito_sync as w;
use serde_json::{Value, json};

use super::{Sync, SyncCaller};
use crate::error::{Error, Result};
use crate::store::{BulkDataset, BulkPublishState, BulkStart, BulkStep, DatasetRecord, NoticeTarget, QueuedNotice, SyncNotice, SyncRecord};

/// How long a server has to deliver the notices it took before another may take them.
const LEASE_MS: i64 = 60_000;
/// Notices handed out per round.
const BATCH: usize = 200;
/// Kinesis takes at most 500 records, and 5 MiB of data and partition keys, per PutRecords
/// request.
const PUT_RECORDS_MAX: usize = 500;
const PUT_RECORDS_BYTES: usize = 5 * 1024 * 1024;
/// A call to Kinesis or SNS starts only if the lease leaves this long to finish it (each
/// call's own time-out is shorter).
const CALL_MARGIN_MS: i64 = 25_000;
/// Kinesis takes records of at most 1 MiB (data and partition key); a stream record's
/// `kinesisSyncRecords` are split across several records to stay under it.
const STREAM_RECORD_MAX: usize = 1_000_000;
/// The first retry waits this long, each further one twice as long, up to [`RETRY_MAX_MS`].
const RETRY_FIRST_MS: i64 = 500;
const RETRY_MAX_MS: i64 = 60_000;
/// A push notification is only worth sending for a while; a stream record is kept until it
/// is delivered.
const PUSH_ATTEMPTS: i64 = 10;
/// One bulk publish per identity pool per this long.
const BULK_PUBLISH_EVERY_MS: i64 = 24 * 3600 * 1000;
/// Identities a bulk publish reads per step, and how much it queues per step at most (more
/// only when one identity's datasets are larger).
const BULK_PAGE: usize = 100;
const BULK_STEP_BYTES: usize = 16 * 1024 * 1024;
/// Times a step is read again when datasets change under it before it waits for a retry.
const BULK_STEP_TRIES: usize = 3;
/// The platforms of push sync, as they appear in SNS platform application ARNs.
const PLATFORMS: [&str; 4] = ["APNS", "APNS_SANDBOX", "GCM", "ADM"];

/// A record for Kinesis `PutRecords`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRecord {
    pub partition_key: String,
    pub data: Vec<u8>,
}

/// How Cognito Sync reaches AWS (the API layer's HTTP clients, found as the AWS SDKs find
/// them).
pub trait SyncOutbound: Send + std::marker::Sync {
    /// Kinesis `PutRecords` to `stream` in `region`: one outcome per record (`Err` is that
    /// record's error message), or `Err` when the request as a whole failed.
    fn put_records(
        &self,
        region: &str,
        stream: &str,
        records: &[StreamRecord],
    ) -> std::result::Result<Vec<std::result::Result<(), String>>, String>;
    /// Finds or makes the SNS platform endpoint of `token` under `application_arn` and publishes
    /// `message` (an SNS message structure: a JSON object by platform) to it.
    fn push(&self, application_arn: &str, token: &str, message: &str) -> std::result::Result<(), String>;
}

/// A stream notice's body.
#[derive(serde::Serialize, serde::Deserialize)]
struct StreamBody {
    region: String,
    stream: String,
    partition_key: String,
    /// The record, as Cognito Streams documents it.
    data: Value,
}

/// A push notice's body.
#[derive(serde::Serialize, serde::Deserialize)]
struct PushBody {
    application_arn: String,
    token: String,
    message: String,
}

/// A bulk publish's marker: where it has got to.
#[derive(serde::Serialize, serde::Deserialize)]
struct BulkPageBody {
    stream: String,
    /// Where the next page of identities starts (`None`: the first).
    after: Option<String>,
}

/// The change a notice reports.
pub(super) struct Change<'a> {
    pub dataset: &'a DatasetRecord,
    /// The records written (all live ones for a bulk publish).
    pub records: &'a [SyncRecord],
    /// The dataset was deleted.
    pub removed: bool,
    /// The device that made the change (it is not notified).
    pub device_id: Option<&'a str>,
}

impl Sync {
    /// The notices a change owes the pool's stream and the dataset's subscribed devices.
    pub(super) fn notices(&self, change: &Change<'_>) -> Result<Vec<SyncNotice>> {
        let settings = self.settings(&change.dataset.pool_id)?;
        let mut notices = Vec::new();
        if let Some(streams) = settings.streams.filter(|s| s.enabled) {
            notices.extend(self.stream_notices(&streams.stream_name, change, false)?);
        }
        if settings.push.is_some() {
            let d = change.dataset;
            for device in self.store.sync_subscribers(&d.identity_id, &d.name)? {
                if change.device_id == Some(device.device_id.as_str()) {
                    continue;
                }
                let body = PushBody {
                    message: push_message(&d.pool_id, &d.identity_id, &d.name, d.sync_count),
                    application_arn: device.application_arn,
                    token: device.token,
                };
                notices.push(SyncNotice {
                    pool_id: d.pool_id.clone(),
                    key: format!("push:{}", device.device_id),
                    target: NoticeTarget::Push,
                    body: serde_json::to_string(&body).map_err(Error::internal)?,
                    bulk: false,
                });
            }
        }
        Ok(notices)
    }

    /// The stream records of a change: one, or several when its records would not fit in one
    /// Kinesis record.
    fn stream_notices(&self, stream: &str, change: &Change<'_>, bulk: bool) -> Result<Vec<SyncNotice>> {
        let d = change.dataset;
        let partition_key = format!("{}/{}", d.identity_id, d.name);
        let record_json = |r: &SyncRecord| {
            json!({
                "key": r.key,
                "value": r.value,
                "syncCount": r.sync_count,
                "lastModifiedDate": r.modified_ms,
                "deviceLastModifiedDate": r.device_modified_ms.unwrap_or(r.modified_ms),
                "op": if r.value.is_some() { "replace" } else { "remove" },
            })
        };
        let chunks = split_for_kinesis(change.records.iter().map(record_json).collect(), STREAM_RECORD_MAX - 2048);
        chunks
            .into_iter()
            .map(|records| {
                let data = json!({
                    "identityPoolId": d.pool_id,
                    "identityId": d.identity_id,
                    "dataSetName": d.name,
                    "operation": if change.removed { "remove" } else { "replace" },
                    "kinesisSyncRecords": records,
                    "lastModifiedDate": d.modified_ms,
                    "kinesisSyncRecordsURL": null,
                    "payloadType": "Inline",
                    "syncCount": d.sync_count,
                });
                let body = StreamBody {
                    region: self.region_of(&d.pool_id),
                    stream: stream.to_owned(),
                    partition_key: partition_key.clone(),
                    data,
                };
                Ok(SyncNotice {
                    pool_id: d.pool_id.clone(),
                    key: format!("stream:{partition_key}"),
                    target: NoticeTarget::Stream,
                    body: serde_json::to_string(&body).map_err(Error::internal)?,
                    bulk,
                })
            })
            .collect()
    }

    /// An identity pool's region is the prefix of its id (its stream is in that region).
    fn region_of(&self, pool_id: &str) -> String {
        pool_id.split_once(':').map_or_else(|| self.region.clone(), |(region, _)| region.to_owned())
    }

    /// Delivers the notices that are due; answers how many were handed out (0: nothing to do).
    pub fn deliver_due(&self) -> Result<usize> {
        let Some(outbound) = &self.outbound else { return Ok(0) };
        let now = self.clock.now_millis();
        let lease = now + LEASE_MS;
        let claimed = self.store.claim_sync_notices(now, lease, BATCH)?;
        let count = claimed.len();
        let mut streams: BTreeMap<(String, String), Vec<(QueuedNotice, StreamRecord)>> = BTreeMap::new();
        let (mut pushes, mut pages) = (Vec::new(), Vec::new());
        let mut bulk_pools = BTreeSet::new();
        for queued in claimed {
            if queued.notice.bulk {
                bulk_pools.insert(queued.notice.pool_id.clone());
            }
            match queued.notice.target {
                NoticeTarget::Stream => match serde_json::from_str::<StreamBody>(&queued.notice.body) {
                    Ok(body) => {
                        let record = StreamRecord { partition_key: body.partition_key, data: body.data.to_string().into_bytes() };
                        streams.entry((body.region, body.stream)).or_default().push((queued, record));
                    }
                    Err(e) => self.drop_unreadable(&queued, lease, &e)?,
                },
                NoticeTarget::Push => pushes.push(queued),
                NoticeTarget::BulkPage => pages.push(queued),
            }
        }
        // Each call starts only while the lease leaves it time to finish, so no other server
        // takes a notice this one is still sending; what is left waits for the lease to end.
        let in_time = || self.clock.now_millis() + CALL_MARGIN_MS < lease;
        'streams: for ((region, stream), batch) in streams {
            for part in put_records_requests(&batch) {
                if !in_time() {
                    break 'streams;
                }
                let records: Vec<StreamRecord> = part.iter().map(|(_, record)| record.clone()).collect();
                match outbound.put_records(&region, &stream, &records) {
                    Ok(outcomes) if outcomes.len() == part.len() => {
                        for ((queued, _), outcome) in part.iter().zip(outcomes) {
                            match outcome {
                                Ok(()) => self.store.finish_sync_notice(queued.seq, lease)?,
                                Err(why) => self.failed(queued, lease, &format!("Kinesis refused the record for {stream}: {why}"))?,
                            }
                        }
                    }
                    Ok(outcomes) => {
                        let why = format!("Kinesis answered {} outcomes for {} records", outcomes.len(), part.len());
                        for (queued, _) in part {
                            self.failed(queued, lease, &why)?;
                        }
                    }
                    Err(why) => {
                        for (queued, _) in part {
                            self.failed(queued, lease, &why)?;
                        }
                    }
                }
            }
        }
        for queued in pages {
            if let Err(e) = self.bulk_page(&queued, lease) {
                self.failed(&queued, lease, &e.to_string())?;
            }
        }
        for queued in pushes {
            if !in_time() {
                break;
            }
            match serde_json::from_str::<PushBody>(&queued.notice.body) {
                Ok(b) => match outbound.push(&b.application_arn, &b.token, &b.message) {
                    Ok(()) => self.store.finish_sync_notice(queued.seq, lease)?,
                    Err(why) => self.failed(&queued, lease, &why)?,
                },
                Err(e) => self.drop_unreadable(&queued, lease, &e)?,
            }
        }
        for pool in bulk_pools {
            self.store.settle_bulk_publish(&pool, self.clock.now_millis())?;
        }
        Ok(count)
    }

    /// A notice this version cannot read would block its key for good: it goes, logged.
    fn drop_unreadable(&self, queued: &QueuedNotice, lease: i64, e: &serde_json::Error) -> Result<()> {
        tracing::error!(
            "Cognito Sync {} notice {} of {} dropped: unreadable ({e})",
            queued.notice.target.as_str(),
            queued.seq,
            queued.notice.pool_id
        );
        Ok(self.store.finish_sync_notice(queued.seq, lease)?)
    }

    /// A delivery failed: try again later, with back-off (a push notification only so often).
    fn failed(&self, queued: &QueuedNotice, lease: i64, why: &str) -> Result<()> {
        tracing::warn!(
            "Cognito Sync {} notice for {} not delivered (attempt {}): {why}",
            queued.notice.target.as_str(),
            queued.notice.pool_id,
            queued.attempts + 1
        );
        if queued.notice.target == NoticeTarget::Push && queued.attempts + 1 >= PUSH_ATTEMPTS {
            return Ok(self.store.finish_sync_notice(queued.seq, lease)?);
        }
        let wait = RETRY_FIRST_MS.saturating_mul(1 << queued.attempts.clamp(0, 20)).min(RETRY_MAX_MS);
        Ok(self.store.retry_sync_notice(queued.seq, lease, self.clock.now_millis() + wait, why)?)
    }

    pub(super) fn start_bulk_publish(&self, caller: &SyncCaller, r: w::BulkPublishRequest) -> Result<w::BulkPublishResponse> {
        Self::developer(caller)?;
        self.known_pool(&r.identity_pool_id)?;
        let Some(streams) = self.settings(&r.identity_pool_id)?.streams.filter(|s| s.enabled) else {
            return Err(Error::InvalidParameter(format!(
                "Cognito Streams are not enabled for identity pool '{}': set CognitoStreams with SetIdentityPoolConfiguration first.",
                r.identity_pool_id
            )));
        };
        let now = self.clock.now_millis();
        self.store.settle_bulk_publish(&r.identity_pool_id, now)?;
        // The datasets are read and queued in the background, a page of identities at a time.
        let marker = bulk_marker(&r.identity_pool_id, &BulkPageBody { stream: streams.stream_name, after: None })?;
        match self.store.start_bulk_publish(&r.identity_pool_id, now, BULK_PUBLISH_EVERY_MS, &marker)? {
            BulkStart::Started => Ok(w::BulkPublishResponse { identity_pool_id: Some(r.identity_pool_id) }),
            BulkStart::InProgress => Err(Error::DuplicateRequest("A bulk publish of this identity pool is in progress.".into())),
            BulkStart::TooSoon(done) => {
                let hours = (done + BULK_PUBLISH_EVERY_MS - now + 3_599_999) / 3_600_000;
                Err(Error::AlreadyStreamed(format!(
                    "This identity pool was bulk published less than 24 hours ago: the next bulk publish can start in {hours} hour(s)."
                )))
            }
        }
    }

    /// Queues the stream records of the next identities (every live dataset, whole, behind the
    /// changes queued before it) and the marker for those after, in one step with the marker's
    /// removal. A dataset written meanwhile is read again, so its copy never follows a newer
    /// change.
    fn bulk_page(&self, queued: &QueuedNotice, lease: i64) -> Result<()> {
        let body: BulkPageBody = serde_json::from_str(&queued.notice.body).map_err(Error::internal)?;
        let pool_id = &queued.notice.pool_id;
        for _ in 0..BULK_STEP_TRIES {
            let page = self.store.list_identities(pool_id, body.after.as_deref(), BULK_PAGE)?;
            let (mut datasets, mut bytes, mut after) = (Vec::new(), 0, None);
            for identity in &page.items {
                for dataset in self.all_datasets(&identity.id)? {
                    let records = self.live_records(&dataset)?;
                    let change = Change { dataset: &dataset, records: &records, removed: false, device_id: None };
                    let notices = self.stream_notices(&body.stream, &change, true)?;
                    bytes += notices.iter().map(|n| n.body.len()).sum::<usize>();
                    datasets.push(BulkDataset {
                        identity_id: dataset.identity_id,
                        name: dataset.name,
                        sync_count: dataset.sync_count,
                        notices,
                    });
                }
                after = Some(identity.id.clone());
                if bytes > BULK_STEP_BYTES {
                    break;
                }
            }
            let more = page.next.is_some() || after.as_ref() != page.items.last().map(|i| &i.id);
            let next = match after {
                Some(after) if more => Some(bulk_marker(pool_id, &BulkPageBody { stream: body.stream.clone(), after: Some(after) })?),
                _ => None,
            };
            match self.store.bulk_publish_step(queued.seq, lease, &datasets, next.as_ref())? {
                BulkStep::Done | BulkStep::Lost => return Ok(()),
                BulkStep::Changed => continue,
            }
        }
        Err(Error::internal(anyhow::anyhow!("datasets kept changing while they were read for the bulk publish")))
    }

    fn live_records(&self, dataset: &DatasetRecord) -> Result<Vec<SyncRecord>> {
        let mut records = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.store.list_sync_records(&dataset.identity_id, &dataset.name, 0, after.as_deref(), 1024)?;
            records.extend(page.items.into_iter().filter(|r| r.value.is_some()));
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(records),
            }
        }
    }

    pub(super) fn bulk_publish_details(
        &self,
        caller: &SyncCaller,
        r: w::GetBulkPublishDetailsRequest,
    ) -> Result<w::GetBulkPublishDetailsResponse> {
        Self::developer(caller)?;
        self.known_pool(&r.identity_pool_id)?;
        let state = self.store.settle_bulk_publish(&r.identity_pool_id, self.clock.now_millis())?;
        let (status, failure) = match &state {
            None => (w::BulkPublishStatus::NotStarted, None),
            Some(BulkPublishState { completed_ms: Some(_), .. }) => (w::BulkPublishStatus::Succeeded, None),
            // Still going: why the stream has not taken it yet, if it refused.
            Some(_) => (w::BulkPublishStatus::InProgress, self.store.pending_sync_notices(&r.identity_pool_id, true)?.1),
        };
        Ok(w::GetBulkPublishDetailsResponse {
            bulk_publish_start_time: state.map(|s| crate::clock::to_wire(s.started_ms)),
            bulk_publish_complete_time: state.and_then(|s| s.completed_ms).map(crate::clock::to_wire),
            bulk_publish_status: Some(status),
            failure_message: failure,
            identity_pool_id: Some(r.identity_pool_id),
        })
    }

    pub(super) fn register(&self, caller: &SyncCaller, r: w::RegisterDeviceRequest) -> Result<w::RegisterDeviceResponse> {
        Self::identity_only(caller)?;
        self.identity(caller, &r.identity_pool_id, &r.identity_id, Error::ResourceNotFound)?;
        let platform = r.platform.as_str();
        let push = self.settings(&r.identity_pool_id)?.push;
        let Some(application_arn) = push.and_then(|p| p.application_arns.into_iter().find(|arn| arn_platform(arn) == Some(platform)))
        else {
            return Err(Error::InvalidConfiguration(format!(
                "Push sync of identity pool '{}' has no SNS platform application for {platform}.",
                r.identity_pool_id
            )));
        };
        if r.token.trim().is_empty() {
            return Err(Error::InvalidParameter("Token is the device's push token; it is empty.".into()));
        }
        let device = crate::store::SyncDevice {
            device_id: self.random.uuid()?,
            identity_id: r.identity_id,
            platform: platform.to_owned(),
            token: r.token,
            application_arn,
        };
        let device = self.store.register_sync_device(&device)?;
        Ok(w::RegisterDeviceResponse { device_id: Some(device.device_id) })
    }

    pub(super) fn subscribe(
        &self,
        caller: &SyncCaller,
        pool_id: &str,
        identity_id: &str,
        dataset: &str,
        device_id: &str,
        on: bool,
    ) -> Result<()> {
        Self::identity_only(caller)?;
        self.identity(caller, pool_id, identity_id, Error::ResourceNotFound)?;
        super::check_dataset_name(dataset)?;
        if self.settings(pool_id)?.push.is_none() {
            return Err(Error::InvalidConfiguration(format!("Push sync is not set up for identity pool '{pool_id}'.")));
        }
        match self.store.get_sync_device(device_id)? {
            Some(device) if device.identity_id == identity_id => Ok(self.store.set_sync_subscription(device_id, dataset, on)?),
            _ => Err(Error::ResourceNotFound(format!("Device '{device_id}' is not registered to identity '{identity_id}'."))),
        }
    }

    /// Replaces the parts given (push sync, streams) and answers the whole configuration.
    pub(super) fn configure(
        &self,
        caller: &SyncCaller,
        r: w::SetIdentityPoolConfigurationRequest,
    ) -> Result<w::SetIdentityPoolConfigurationResponse> {
        Self::developer(caller)?;
        self.known_pool(&r.identity_pool_id)?;
        let mut settings = self.settings(&r.identity_pool_id)?;
        if let Some(push) = r.push_sync {
            let arns = push.application_arns.unwrap_or_default();
            let role = push.role_arn.unwrap_or_default();
            if arns.is_empty() && role.is_empty() {
                settings.push = None;
            } else {
                for arn in &arns {
                    if arn_platform(arn).is_none() {
                        return Err(Error::InvalidParameter(format!(
                            "'{arn}' is not an SNS platform application ARN (arn:aws:sns:<region>:<account>:app/<platform>/<name>, the platform one of {}).",
                            PLATFORMS.join(", ")
                        )));
                    }
                }
                check_role(&role, "PushSync")?;
                settings.push = Some(crate::store::PushSettings { application_arns: arns, role_arn: role });
            }
        }
        if let Some(streams) = r.cognito_streams {
            let enabled = streams.streaming_status != Some(w::StreamingStatus::Disabled);
            let name = streams.stream_name.unwrap_or_default();
            let role = streams.role_arn.unwrap_or_default();
            if name.is_empty() && role.is_empty() && !enabled {
                settings.streams = None;
            } else {
                if name.is_empty() || name.len() > 128 {
                    return Err(Error::InvalidParameter(
                        "CognitoStreams needs the StreamName of a Kinesis stream (1 to 128 characters).".into(),
                    ));
                }
                check_role(&role, "CognitoStreams")?;
                settings.streams = Some(crate::store::StreamSettings { stream_name: name, role_arn: role, enabled });
            }
        }
        self.store.put_sync_settings(&r.identity_pool_id, &settings)?;
        let (push_sync, cognito_streams) = wire_configuration(&settings);
        Ok(w::SetIdentityPoolConfigurationResponse { identity_pool_id: Some(r.identity_pool_id), push_sync, cognito_streams })
    }

    /// Push sync's operations are a device's, with its identity's credentials.
    fn identity_only(caller: &SyncCaller) -> Result<()> {
        match caller {
            SyncCaller::Identity(_) => Ok(()),
            SyncCaller::Developer(_) => Err(Error::NotAuthorized(
                "Devices register and subscribe with their identity's temporary credentials, not with developer credentials.".into(),
            )),
        }
    }
}

fn bulk_marker(pool_id: &str, body: &BulkPageBody) -> Result<SyncNotice> {
    Ok(SyncNotice {
        pool_id: pool_id.to_owned(),
        key: format!("bulk:{pool_id}"),
        target: NoticeTarget::BulkPage,
        body: serde_json::to_string(body).map_err(Error::internal)?,
        bulk: true,
    })
}

/// A stream's claimed records as PutRecords requests within Kinesis's limits, in order.
fn put_records_requests<T>(batch: &[(T, StreamRecord)]) -> Vec<&[(T, StreamRecord)]> {
    let size = |(_, r): &(T, StreamRecord)| r.data.len() + r.partition_key.len();
    let mut requests = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, item) in batch.iter().enumerate() {
        let len = size(item);
        if i > start && (i - start == PUT_RECORDS_MAX || bytes + len > PUT_RECORDS_BYTES) {
            requests.push(&batch[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += len;
    }
    if start < batch.len() {
        requests.push(&batch[start..]);
    }
    requests
}

/// `records` in order, in groups whose JSON stays under `budget` bytes (a record larger than
/// that alone in its group); at least one group, empty when there are no records.
fn split_for_kinesis(records: Vec<Value>, budget: usize) -> Vec<Vec<Value>> {
    let mut groups: Vec<Vec<Value>> = vec![vec![]];
    let mut size = 0;
    for record in records {
        let len = record.to_string().len() + 1;
        if size + len > budget && groups.last().is_some_and(|g| !g.is_empty()) {
            groups.push(vec![]);
            size = 0;
        }
        size += len;
        if let Some(group) = groups.last_mut() {
            group.push(record);
        }
    }
    groups
}

/// The configuration as `GetIdentityPoolConfiguration` answers it.
pub(super) fn wire_configuration(settings: &crate::store::SyncSettings) -> (Option<w::PushSync>, Option<w::CognitoStreams>) {
    let push = settings
        .push
        .as_ref()
        .map(|p| w::PushSync { application_arns: Some(p.application_arns.clone()), role_arn: Some(p.role_arn.clone()) });
    let streams = settings.streams.as_ref().map(|s| w::CognitoStreams {
        stream_name: Some(s.stream_name.clone()),
        role_arn: Some(s.role_arn.clone()),
        streaming_status: Some(if s.enabled { w::StreamingStatus::Enabled } else { w::StreamingStatus::Disabled }),
    });
    (push, streams)
}

/// The push platform of an SNS platform application ARN
/// (`arn:aws:sns:<region>:<account>:app/<platform>/<name>`).
fn arn_platform(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, "aws", "sns", region, account, resource] = parts.as_slice() else { return None };
    if region.is_empty() || account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut path = resource.split('/');
    let (Some("app"), Some(platform), Some(name), None) = (path.next(), path.next(), path.next(), path.next()) else { return None };
    let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    PLATFORMS.iter().find(|p| **p == platform).copied().filter(|_| name_ok)
}

/// The role Cognito would assume (`arn:aws:iam::<account>:role/<name>`).
fn check_role(role: &str, what: &str) -> Result<()> {
    let ok = role
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(":role/"))
        .is_some_and(|(account, name)| !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty());
    if ok && role.len() <= 2048 {
        Ok(())
    } else {
        Err(Error::InvalidParameter(format!("{what} needs a RoleArn of an IAM role (arn:aws:iam::<account>:role/<name>), not '{role}'.")))
    }
}

/// A silent push notification that a dataset changed, for each platform (the keys Cognito's
/// mobile SDKs read). FCM's data values are strings.
fn push_message(pool_id: &str, identity_id: &str, dataset: &str, sync_count: i64) -> String {
    let data = json!({
        "source": "cognito-sync",
        "identityPoolId": pool_id,
        "identityId": identity_id,
        "datasetName": dataset,
        "syncCount": sync_count.to_string(),
    });
    let apns = json!({ "aps": { "content-available": 1 }, "data": data }).to_string();
    let android = json!({ "data": data }).to_string();
    json!({ "default": data.to_string(), "APNS": apns, "APNS_SANDBOX": apns, "GCM": android, "ADM": android }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_application_arns_name_their_platform() {
        assert_eq!(arn_platform("arn:aws:sns:us-east-1:123456789012:app/GCM/my-app"), Some("GCM"));
        assert_eq!(arn_platform("arn:aws:sns:eu-west-1:123456789012:app/APNS_SANDBOX/My.App_1"), Some("APNS_SANDBOX"));
        assert_eq!(arn_platform("arn:aws:sns:us-east-1:123456789012:app/FCM/my-app"), None, "not a platform of push sync");
        assert_eq!(arn_platform("arn:aws:sns:us-east-1:123456789012:my-topic"), None);
        assert_eq!(arn_platform("arn:aws:sns:us-east-1:12x:app/GCM/a"), None);
        assert_eq!(arn_platform("arn:aws:sns:us-east-1:1:app/GCM/a/b"), None);
    }

    #[test]
    fn large_changes_are_split_over_kinesis_records_in_order() {
        let record = |n: usize| json!({ "key": format!("k{n}"), "value": "x".repeat(300) });
        let records: Vec<Value> = (0..10).map(record).collect();
        let one = record(0).to_string().len() + 1;
        let groups = split_for_kinesis(records.clone(), 3 * one);
        assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 3, 1]);
        assert_eq!(groups.concat(), records, "every record once, in order");
        assert_eq!(split_for_kinesis(records.clone(), usize::MAX).len(), 1);
        assert_eq!(split_for_kinesis(vec![], 10), [Vec::<Value>::new()], "a deletion is one record without records");
        assert_eq!(split_for_kinesis(records[..2].to_vec(), 1).iter().map(Vec::len).collect::<Vec<_>>(), [1, 1], "too large alone");
    }

    #[test]
    fn putrecords_requests_stay_within_kinesiss_count_and_size_limits() {
        let record = |bytes: usize| ((), StreamRecord { partition_key: "k".into(), data: vec![b'x'; bytes] });
        let small: Vec<_> = (0..1200).map(|_| record(10)).collect();
        assert_eq!(put_records_requests(&small).iter().map(|r| r.len()).collect::<Vec<_>>(), [500, 500, 200]);
        let large: Vec<_> = (0..12).map(|_| record(1_000_000)).collect();
        let requests = put_records_requests(&large);
        assert_eq!(requests.iter().map(|r| r.len()).collect::<Vec<_>>(), [5, 5, 2]);
        assert!(requests.iter().all(|r| r.iter().map(|(_, x)| x.data.len() + 1).sum::<usize>() <= 5 * 1024 * 1024));
        assert!(put_records_requests::<()>(&[]).is_empty());
    }

    #[test]
    fn roles_are_iam_role_arns() {
        assert!(check_role("arn:aws:iam::123456789012:role/cognito-streams", "x").is_ok());
        assert!(check_role("arn:aws:iam::123456789012:user/bob", "x").is_err());
        assert!(check_role("", "x").is_err());
    }

    #[test]
    fn push_messages_carry_the_change_for_every_platform() {
        let message: Value = serde_json::from_str(&push_message("us-east-1:p", "us-east-1:i", "scores", 7)).unwrap_or_default();
        let gcm: Value = serde_json::from_str(message["GCM"].as_str().unwrap_or_default()).unwrap_or_default();
        assert_eq!(gcm["data"]["source"], "cognito-sync");
        assert_eq!(gcm["data"]["syncCount"], "7");
        let apns: Value = serde_json::from_str(message["APNS"].as_str().unwrap_or_default()).unwrap_or_default();
        assert_eq!(apns["aps"]["content-available"], 1);
        assert_eq!(apns["data"]["datasetName"], "scores");
        assert!(message["default"].is_string(), "SNS needs a default message");
    }
}
