//! PoolDesk's core: Amazon Cognito's user pools as a library.
//!
//! Every door into PoolDesk (the HTTP server, the desktop app, the CLI) calls the operations
//! here by their Cognito names with the wire shapes of `pooldesk-wire`; this crate decides
//! everything and knows nothing of HTTP, SQL or windows.
//!
//! # Layout
//! - [`user_pools`]: the operations, one module per area (pools, clients, users, sign-up,
//!   sign-in, groups, messages), behind [`UserPools`], which implements the generated
//!   `cognito_idp::Service` trait.
//! - [`store`]: the storage ports and records; [`sealed`]: how every store seals secrets
//!   at rest; [`error`]: the Cognito-named error enum.
//! - [`password`], [`tokens`], [`filter`], [`random`], [`clock`]: the security-sensitive and
//!   parsing pieces the operations stand on, each testable alone.
//! - [`oauth`]: OAuth 2.0 scopes and redirect URIs, without state.
//! - [`admin`]: access keys for SigV4 callers.

pub mod admin;
pub mod audit;
pub mod clock;
pub mod copy;
pub mod error;
pub mod filter;
pub mod identity_pools;
pub mod oauth;
pub mod password;
pub mod random;
pub mod saml;
pub mod sealed;
pub mod srp;
pub mod store;
pub mod store_shared;
pub mod sync;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod tokens;
pub mod totp;
pub mod user_pools;
pub mod web;

pub use error::{Error, Result};
pub use user_pools::{Config, Context, Mailer, SmsSender, UserPools};
