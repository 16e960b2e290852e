//! `pooldesk remote ...` (the connections the desktop app shows too) and `pooldesk call`, which
//! runs any operation on this computer's database or, with `--remote NAME`, on a remote
//! server over SigV4-signed HTTP.

use std::io::{IsTerminal as _, Read as _};
use std::sync::Arc;

use anyhow::{Context as _, anyhow, bail};
use clap::Subcommand;
use pooldesk_api::{Api, Outbound};
use pooldesk_core::clock::{Clock, SystemClock};
use pooldesk_remote::{Connection, Keychain, RemoteClient, Remotes};
use pooldesk_wire::{cognito_identity, cognito_idp, cognito_sync};

#[derive(Subcommand)]
pub enum RemoteAction {
    /// Test a server with an access key and, if it answers, save the connection. The secret
    /// access key is read from a prompt (or standard input when piped) and stored only in the
    /// OS keychain.
    Add {
        name: String,
        /// The server's URL, e.g. https://cognito.example.com or http://127.0.0.1:9229.
        #[arg(long)]
        endpoint: String,
        #[arg(long)]
        access_key_id: String,
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// Replace a connection of the same name (a new key, a moved server).
        #[arg(long)]
        replace: bool,
    },
    /// List the saved connections (never their secrets).
    List,
    /// Test a saved connection now.
    Test { name: String },
    /// Remove a connection and its secret from the keychain.
    Remove { name: String },
}

fn remotes() -> anyhow::Result<Remotes> {
    Ok(Remotes::open(&pooldesk_remote::connections::default_path()?, Keychain::default())?)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().context("starting the async runtime")
}

pub fn remote(action: RemoteAction) -> anyhow::Result<()> {
    let remotes = remotes()?;
    let runtime = runtime()?;
    match action {
        RemoteAction::Add { name, endpoint, access_key_id, region, replace } => {
            let connection = Connection::new(&name, &endpoint, &region, &access_key_id)?;
            let secret = read_secret(&connection.name)?;
            let check = runtime.block_on(remotes.add(connection.clone(), secret, replace))?;
            println!(
                "Added {} ({}): the server answered, {} user pool(s) visible. The secret access key is in the OS keychain.",
                connection.name, connection.endpoint, check.user_pools
            );
        }
        RemoteAction::List => {
            let connections = remotes.list()?;
            if connections.is_empty() {
                println!("(no remote connections; add one with `pooldesk remote add`)");
            }
            for c in connections {
                println!("{}\t{}\t{}\t{}", c.name, c.endpoint, c.region, c.access_key_id);
            }
        }
        RemoteAction::Test { name } => {
            let check = runtime.block_on(remotes.test(&name))?;
            let offset = check.clock_offset_secs.map(|s| format!(", clocks {s:+} s apart")).unwrap_or_default();
            println!("{name}: the server answered, {} user pool(s) visible{offset}.", check.user_pools);
        }
        RemoteAction::Remove { name } => {
            let had_secret = runtime.block_on(remotes.remove(&name))?;
            let secret = if had_secret { "and its secret removed from the keychain" } else { "(the keychain held no secret for it)" };
            println!("Removed {name} {secret}.");
        }
    }
    Ok(())
}

/// The secret from a prompt that does not echo, or from standard input when piped (scripts).
fn read_secret(name: &str) -> anyhow::Result<String> {
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Secret access key for {name}: ")).context("reading the secret access key")?
    } else {
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input).context("reading the secret access key from standard input")?;
        input
    };
    let secret = secret.trim_end_matches(['\r', '\n']).to_owned();
    if secret.is_empty() {
        bail!("the secret access key is empty");
    }
    Ok(secret)
}

/// `CreateUserPool`, `create-user-pool` (as the AWS CLI spells it) or a whole target
/// (`AWSCognitoIdentityService.TagResource`, for the names both services have) -> the target.
pub fn target_of(operation: &str) -> anyhow::Result<String> {
    if operation.contains('.') {
        return Ok(operation.to_owned());
    }
    let name: String = if operation.contains('-') {
        operation
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            })
            .collect()
    } else {
        operation.to_owned()
    };
    if cognito_idp::Operation::from_name(&name).is_some() {
        Ok(format!("{}.{name}", cognito_idp::TARGET_PREFIX))
    } else if cognito_identity::Operation::from_name(&name).is_some() {
        Ok(format!("{}.{name}", cognito_identity::TARGET_PREFIX))
    } else if cognito_sync::Operation::from_name(&name).is_some() {
        Ok(format!("{}.{name}", pooldesk_api::SYNC_PREFIX))
    } else if matches!(name.as_str(), "ListMessages" | "SimulateRoleMapping") {
        Ok(format!("PoolDesk.{name}"))
    } else {
        bail!(
            "{operation} is not a Cognito operation (see `aws cognito-idp help`, `aws cognito-identity help` and `aws cognito-sync help` for their names)"
        )
    }
}

/// `pooldesk call`: one operation, its JSON input, the answer pretty-printed on stdout.
pub fn call(operation: &str, input: Option<String>, remote: Option<String>, db: Option<crate::database::Database>) -> anyhow::Result<()> {
    let target = target_of(operation)?;
    let input = match input.as_deref() {
        None => "{}".to_owned(),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).context("reading the input from standard input")?;
            text
        }
        Some(text) => text.to_owned(),
    };
    let input: serde_json::Value = serde_json::from_str(&input).context("the input is not JSON")?;
    let answer = run(&target, &input, remote, db)?;
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(())
}

/// Runs `target` with `input` on the remote connection named `remote`, or else on the
/// database `db` (this computer's by default), as the admin `cli`.
pub fn run(
    target: &str,
    input: &serde_json::Value,
    remote: Option<String>,
    db: Option<crate::database::Database>,
) -> anyhow::Result<serde_json::Value> {
    run_with(target, input, remote, db, None)
}

/// [`run`], with the public URL a local database's server is reached at (for answers that
/// name URLs: issuers, login pages).
pub fn run_with(
    target: &str,
    input: &serde_json::Value,
    remote: Option<String>,
    db: Option<crate::database::Database>,
    public_url: Option<String>,
) -> anyhow::Result<serde_json::Value> {
    Session::open(remote, db, public_url)?.call(target, input)
}

/// Where operations run, opened once for several calls (a paged export): a remote server, or
/// this computer's database.
pub struct Session {
    runtime: tokio::runtime::Runtime,
    to: To,
}

enum To {
    Remote(Arc<RemoteClient>),
    Local(Arc<Api>),
}

impl Session {
    pub fn open(remote: Option<String>, db: Option<crate::database::Database>, public_url: Option<String>) -> anyhow::Result<Session> {
        let runtime = runtime()?;
        let to = match remote {
            Some(name) => {
                let remotes = remotes()?;
                To::Remote(runtime.block_on(remotes.client(&name))?)
            }
            None => {
                let store = crate::open(db)?.store();
                let clock: Arc<dyn Clock> = Arc::new(SystemClock);
                let mut config = pooldesk_core::Config::default();
                if let Some(url) = public_url {
                    config.public_url = url;
                }
                To::Local(Arc::new(Api::new(store, clock, config, Outbound::from_env(), runtime.handle().clone())?))
            }
        };
        Ok(Session { runtime, to })
    }

    pub fn call(&self, target: &str, input: &serde_json::Value) -> anyhow::Result<serde_json::Value> {
        let body = serde_json::to_vec(input)?;
        let answer = match &self.to {
            To::Remote(client) => self.runtime.block_on(client.call(target, body)).map_err(|e| anyhow!("{}: {e}", e.code()))?,
            To::Local(api) => {
                let (api, target) = (api.clone(), target.to_owned());
                // Off the runtime's workers, like the server: operations block (hashing, SQLite).
                self.runtime
                    .block_on(self.runtime.spawn_blocking(move || api.call("cli", &target, &body)))?
                    .map_err(|e| anyhow!("{}: {}", e.code, e.message))?
            }
        };
        serde_json::from_slice(&answer).context("the answer is not JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_by_any_of_their_names() {
        assert_eq!(target_of("CreateUserPool").unwrap(), "AWSCognitoIdentityProviderService.CreateUserPool");
        assert_eq!(target_of("admin-create-user").unwrap(), "AWSCognitoIdentityProviderService.AdminCreateUser");
        assert_eq!(target_of("create-identity-pool").unwrap(), "AWSCognitoIdentityService.CreateIdentityPool");
        assert_eq!(target_of("AWSCognitoIdentityService.TagResource").unwrap(), "AWSCognitoIdentityService.TagResource");
        assert_eq!(target_of("list-messages").unwrap(), "PoolDesk.ListMessages");
        assert!(target_of("DropAllTables").unwrap_err().to_string().contains("not a Cognito operation"));
    }
}
