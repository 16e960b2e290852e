//! PoolDesk's one API layer: every operation by its `X-Amz-Target` name, decoded, run and
//! audited the same way whichever door it came through. The HTTP server (after SigV4 and rate
//! limits), the desktop app (this computer's pools) and the CLI (`pooldesk call`, `outbox`,
//! `audit`) all call [`Api::call`] or [`Target::call_audited`]; none of them holds a business rule.
//!
//! # Layout
//! - this file: [`Api`] (the operations over one store, with their outbound adapters),
//!   [`Target`] (what an `X-Amz-Target` names) and the audited in-process [`Api::call`].
//! - [`extensions`]: PoolDesk's own operations (`PoolDesk.ListMessages`, ...), typed.
//! - [`iam`]: IAM's SAML providers, which identity pools and STS trust, typed.
//! - [`oauth`]: the OAuth 2.0 endpoints' operations (token grants), audited.
//! - [`outbound`]: what the operations send or fetch over the network: e-mail (SMTP, lettre),
//!   SMS (a gateway webhook), OpenID providers' keys (HTTP).
//! - [`lambda`]: the pools' Lambda triggers, through the AWS Lambda Invoke API.
//! - [`sync_aws`]: Cognito Streams (Kinesis) and push sync (SNS); `aws` holds what these
//!   clients of AWS share (endpoints, credentials, SigV4).
//! - [`ui_rules`]: the validation rules the UI shares with the server, as TypeScript.

#[cfg(feature = "aws")]
mod arn;
#[cfg(feature = "aws")]
mod aws;
pub mod extensions;
pub mod iam;
#[cfg(feature = "aws")]
pub mod kms;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod oauth;
pub mod outbound;
#[cfg(feature = "aws")]
pub mod sync_aws;
pub mod ui_rules;

use std::sync::Arc;

use pooldesk_core::clock::Clock;
use pooldesk_core::identity_pools::IdentityPools;
use pooldesk_core::store::Store;
use pooldesk_core::sync::{Sync, SyncCaller};
use pooldesk_core::{Context, Error, UserPools};
use pooldesk_wire::cognito_identity;
use pooldesk_wire::cognito_idp::{self, Operation};
use pooldesk_wire::cognito_sync;

pub use extensions::Extension;
pub use iam::IamOperation;

/// The operations over one store: user pools, identity pools, Cognito Sync's datasets, and
/// what they share.
pub struct Api {
    pub pools: Arc<UserPools>,
    pub identity: Arc<IdentityPools>,
    pub sync: Arc<Sync>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
}

/// Where the operations' messages go beyond the outbox.
#[derive(Default)]
pub struct Outbound {
    /// `POOLDESK_SMTP_URL` / `POOLDESK_SMTP_FROM`: e-mail is also delivered over SMTP.
    pub smtp: Option<(String, String)>,
    /// `POOLDESK_SMS_WEBHOOK_URL`: SMS is also posted to this gateway.
    pub sms_webhook_url: Option<String>,
}

impl Outbound {
    /// Reads the `POOLDESK_SMTP_*` and `POOLDESK_SMS_WEBHOOK_URL` environment variables.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        Outbound {
            smtp: var("POOLDESK_SMTP_URL")
                .map(|url| (url, var("POOLDESK_SMTP_FROM").unwrap_or_else(|| "no-reply@pooldesk.localhost".into()))),
            sms_webhook_url: var("POOLDESK_SMS_WEBHOOK_URL"),
        }
    }
}

impl Api {
    /// Assembles the user pools, identity pools and their outbound adapters over one store.
    /// `runtime` runs the few calls that go out over the network (SMS webhook, OpenID keys).
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: pooldesk_core::Config,
        outbound: Outbound,
        runtime: tokio::runtime::Handle,
    ) -> anyhow::Result<Api> {
        let mailer: Option<Arc<dyn pooldesk_core::Mailer>> = match &outbound.smtp {
            Some((url, from)) => Some(Arc::new(outbound::SmtpMailer::new(url, from)?)),
            None => None,
        };
        let mut pools = UserPools::new(store.clone(), clock.clone(), config, mailer)?;
        #[cfg(feature = "aws")]
        {
            let region = pools.config().region.clone();
            pools = pools
                .with_lambda_invoker(Arc::new(lambda::LambdaHttp::from_env(&region, clock.clone(), runtime.clone())?))
                .with_code_encryptor(Arc::new(kms::KmsEncryptor::new(runtime.clone())?));
        }
        if let Some(url) = &outbound.sms_webhook_url {
            pools = pools.with_sms_sender(Arc::new(outbound::SmsWebhook::new(url, runtime.clone())?));
        }
        let web: Arc<dyn pooldesk_core::web::WebClient> = Arc::new(outbound::HttpWeb::new(runtime.clone()));
        pools = pools.with_web_client(web.clone());
        let pools = Arc::new(pools);
        let jwks = Arc::new(outbound::HttpJwks(outbound::HttpWeb::new(runtime.clone())));
        let identity =
            Arc::new(IdentityPools::new(store.clone(), clock.clone(), pools.clone())?.with_jwks_source(jwks).with_web_client(web));
        let sync = Sync::new(store.clone(), clock.clone(), &pools)?;
        #[cfg(feature = "aws")]
        let sync = sync.with_outbound(Arc::new(sync_aws::SyncAws::from_env(clock.clone(), runtime.clone())?));
        let sync = Arc::new(sync);
        Ok(Api { pools, identity, sync, store, clock })
    }

    /// Runs a Cognito Sync operation (its input gathered from the path, query string, headers
    /// and body into one JSON object) for `caller`, recording a developer's changes in the audit
    /// log like any admin action.
    pub fn call_sync(&self, caller: &SyncCaller, op: cognito_sync::Operation, source: &str, input: &[u8]) -> Result<Vec<u8>, Error> {
        let result = cognito_sync::dispatch(&*self.sync, caller, op, input);
        if let SyncCaller::Developer(key) = caller {
            let outcome = result.as_deref().map_err(Error::wire_code);
            let target = format!("{SYNC_PREFIX}.{}", op.name());
            pooldesk_core::audit::record(&*self.store, &*self.clock, key, source, &target, input, outcome);
        }
        result
    }

    /// Runs any operation by its `X-Amz-Target` name, in process, as the admin `caller`: the
    /// path the desktop app and the CLI take for this computer's pools. Blocks (hashing,
    /// SQLite); call it off an async runtime. Same decoding, validation, audit and errors as
    /// over HTTP.
    pub fn call(&self, caller: &str, target: &str, body: &[u8]) -> Result<Vec<u8>, CallError> {
        let ctx = Context { caller: Some(caller.to_owned()), source_ip: None };
        Target::parse(target)
            .and_then(|t| t.call_audited(self, &ctx, target, "local", body))
            .map_err(|e| CallError { code: e.wire_code().to_owned(), message: e.client_message() })
    }
}

/// How the audit log names Cognito Sync's operations (the service has no `X-Amz-Target`).
pub const SYNC_PREFIX: &str = "CognitoSync";

/// An operation's error as an in-process caller (the desktop app, the CLI) sees it: Cognito's
/// error name and the message a client would get over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    pub code: String,
    pub message: String,
}

/// What `X-Amz-Target` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Cognito(Operation),
    Identity(cognito_identity::Operation),
    PoolDesk(Extension),
    Iam(IamOperation),
    /// Cognito Sync by a developer, in process or through the JSON door (`CognitoSync.<Op>`,
    /// PoolDesk's own spelling: the service itself is REST-JSON).
    Sync(cognito_sync::Operation),
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Unsigned, like Cognito's `SignUp` or `GetId` (the model's `"authtype": "none"`).
    Public,
    /// SigV4-signed by an admin key, with a credential scoped to this signing name (any of
    /// PoolDesk's when `None`).
    Admin(Option<&'static str>),
    /// Either: signed by an admin key when the request carries a signature, otherwise public,
    /// the app client's secret being the proof (GetDerivedToken).
    AdminOrPublic(&'static str),
}

impl Target {
    /// Parses an `X-Amz-Target` value such as `AWSCognitoIdentityProviderService.ListUsers`.
    pub fn parse(target: &str) -> Result<Target, Error> {
        let unknown = || Error::UnknownOperation(format!("Unknown operation: {target}"));
        let (prefix, op) = target.split_once('.').ok_or_else(unknown)?;
        match prefix {
            p if p == cognito_idp::TARGET_PREFIX => Operation::from_name(op).map(Target::Cognito).ok_or_else(unknown),
            p if p == cognito_identity::TARGET_PREFIX => {
                cognito_identity::Operation::from_name(op).map(Target::Identity).ok_or_else(unknown)
            }
            extensions::TARGET_PREFIX => Extension::from_name(op).map(Target::PoolDesk).ok_or_else(unknown),
            iam::TARGET_PREFIX => IamOperation::from_name(op).map(Target::Iam).ok_or_else(unknown),
            SYNC_PREFIX => cognito_sync::Operation::from_name(op).map(Target::Sync).ok_or_else(unknown),
            _ => Err(unknown()),
        }
    }

    /// The operation's own name, without its service prefix (`ListUsers`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Cognito(op) => op.name(),
            Target::Identity(op) => op.name(),
            Target::PoolDesk(ext) => ext.name(),
            Target::Iam(op) => op.name(),
            Target::Sync(op) => op.name(),
        }
    }

    /// Who may call it. PoolDesk's own operations are admin operations signed for either
    /// Cognito service.
    pub fn access(self) -> Access {
        match self {
            // GetClientToken authenticates with the app client's secret; the model leaves it
            // signed, but its documentation says IAM credentials cannot call it.
            Target::Cognito(op) if op.is_public() || op == Operation::GetClientToken => Access::Public,
            Target::Cognito(Operation::GetDerivedToken) => Access::AdminOrPublic(cognito_idp::SIGNING_NAME),
            Target::Identity(op) if op.is_public() => Access::Public,
            Target::Cognito(_) => Access::Admin(Some(cognito_idp::SIGNING_NAME)),
            Target::Identity(_) => Access::Admin(Some(cognito_identity::SIGNING_NAME)),
            Target::PoolDesk(_) => Access::Admin(None),
            Target::Iam(_) => Access::Admin(Some(iam::SIGNING_NAME)),
            Target::Sync(_) => Access::Admin(Some(cognito_sync::SIGNING_NAME)),
        }
    }

    /// Whether the operation reads a few rows by key, never hashes a password, signs a token or
    /// writes: cheaper to run on the async worker than to hand to a blocking thread.
    /// The operations that end a sign-in with tokens (InitiateAuth and the like).
    pub fn signs_in(self) -> bool {
        matches!(
            self,
            Target::Cognito(
                Operation::InitiateAuth
                    | Operation::AdminInitiateAuth
                    | Operation::RespondToAuthChallenge
                    | Operation::AdminRespondToAuthChallenge
            )
        )
    }

    pub fn is_point_read(self) -> bool {
        match self {
            Target::Cognito(op) => matches!(
                op,
                Operation::GetUser
                    | Operation::AdminGetUser
                    | Operation::DescribeUserPool
                    | Operation::DescribeUserPoolClient
                    | Operation::GetGroup
                    | Operation::GetUserPoolMfaConfig
            ),
            Target::Identity(op) => matches!(
                op,
                cognito_identity::Operation::DescribeIdentityPool
                    | cognito_identity::Operation::DescribeIdentity
                    | cognito_identity::Operation::GetIdentityPoolRoles
            ),
            Target::PoolDesk(_) | Target::Iam(_) | Target::Sync(_) => false,
        }
    }

    /// Runs the operation for an already authenticated caller.
    pub fn call(self, api: &Api, ctx: &Context, body: &[u8]) -> Result<Vec<u8>, Error> {
        match self {
            Target::Cognito(op) => cognito_idp::dispatch(&*api.pools, ctx, op, body),
            Target::Identity(op) => cognito_identity::dispatch(&*api.identity, ctx, op, body),
            Target::PoolDesk(ext) => ext.call(api, body),
            Target::Iam(op) => op.call(api, body),
            Target::Sync(op) => {
                let developer = SyncCaller::Developer(ctx.caller.clone().unwrap_or_else(|| "local".into()));
                cognito_sync::dispatch(&*api.sync, &developer, op, body)
            }
        }
    }

    /// Runs the operation for an authenticated caller and, for an admin, records it in the
    /// audit log (`target`: the name as the caller wrote it; `source`: where it came from).
    pub fn call_audited(self, api: &Api, ctx: &Context, target: &str, source: &str, body: &[u8]) -> Result<Vec<u8>, Error> {
        let result = self.call(api, ctx, body);
        if let Some(actor) = &ctx.caller {
            let outcome = result.as_deref().map_err(Error::wire_code);
            pooldesk_core::audit::record(&*api.store, &*api.clock, actor, source, target, body, outcome);
        }
        result
    }
}
