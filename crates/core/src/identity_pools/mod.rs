//! Amazon Cognito's identity pools (federated identities) as a library: the pure decisions that
//! turn a sign-in token into an IAM role and session tags. [`role_mapping`] picks the role and
//! says why, for GetCredentialsForIdentity and the desktop app's simulator alike.

pub mod credentials;
mod ops;
pub mod role_mapping;
pub mod saml;

pub use ops::{DEVELOPER_LOGIN, IdentityPools, JwksSource, Simulation, SimulationRequest};
