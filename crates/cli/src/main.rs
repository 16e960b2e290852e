//! `pooldesk`: run the server, manage admin keys, read the outbox, import users, run any
//! operation here or on a remote server, and manage remote connections.
//!
//! Thin by design: each command opens the store and calls `pooldesk-core` or
//! `pooldesk-server`; no business rule lives here.

mod database;
mod remote;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use database::{Database, OpenOptions, Opened};
use pooldesk_api::{Api, Outbound};
use pooldesk_core::clock::{Clock, SystemClock};
use pooldesk_core::password::HashParams;
use pooldesk_core::store::Store;
use pooldesk_core::{Config, UserPools, admin};
use pooldesk_server::limits::{RateLimitConfig, RateLimiter};
use pooldesk_server::{AppState, RootKey};
use pooldesk_store_sqlite::{Durability, KeyFile, KeyVault, SqliteStore};

#[derive(Parser)]
#[command(name = "pooldesk", version, about = "Amazon Cognito you run yourself")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Cognito's API on one SQLite file, or on a PostgreSQL database that any number of
    /// servers share.
    Serve {
        /// A SQLite file (created and migrated on first start) or `postgres://user:password@host/name`
        /// [default: pooldesk.sqlite in the user's data directory]
        #[arg(long)]
        db: Option<Database>,
        /// PostgreSQL connections this server keeps at most.
        #[arg(long, default_value_t = pooldesk_store_postgres::DEFAULT_MAX_CONNECTIONS, value_parser = clap::value_parser!(u32).range(2..=1000))]
        db_connections: u32,
        /// Address to listen on. Loopback unless you ask otherwise.
        #[arg(long, default_value = "127.0.0.1:9229")]
        listen: SocketAddr,
        /// Region used in pool ids and ARNs.
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// The URL clients reach this server at (token issuer base) [default: http://<listen address>, https:// with --tls-cert]
        #[arg(long)]
        public_url: Option<String>,
        /// Serve HTTPS with this PEM certificate chain (with --tls-key). Amplify and many OAuth
        /// libraries insist on https://; see the README for a certificate your browser trusts.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Wait for every commit to reach the disk (survives power loss, not only crashes).
        #[arg(long)]
        fsync_every_commit: bool,
        /// Rate limits on the public operations: sign-in and account operations per second
        /// from one address (`source`) and for one app client (`client`); other public
        /// operations get ten times as many. `off` turns them off.
        #[arg(long, env = "POOLDESK_RATE_LIMITS", default_value = "source=50,client=500", value_parser = RateLimitConfig::parse)]
        rate_limits: RateLimitConfig,
        /// The address of a load balancer in front of this server (repeat, or separate with
        /// commas): from it, the client's address is taken from X-Forwarded-For (for rate
        /// limits, the audit log and auth events). From anyone else the header is ignored.
        #[arg(long = "trusted-proxy", env = "POOLDESK_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<std::net::IpAddr>,
    },
    /// Manage the access keys admin callers sign requests with.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Import users from Cognito's user-import CSV (header from GetCSVHeader; at least
    /// `cognito:username`). Users start in RESET_REQUIRED, as Cognito's import jobs leave them.
    /// Safe while `pooldesk serve` runs on the same database.
    ImportUsers {
        #[arg(long)]
        db: Option<Database>,
        #[arg(long)]
        user_pool_id: String,
        /// The CSV file, or `-` for standard input.
        file: PathBuf,
    },
    /// Export a pool's users (attributes, status, groups), here or on a remote server: as
    /// Cognito's user-import CSV (GetCSVHeader's columns), which `import-users` and Cognito's
    /// import jobs load again, or as JSON. Passwords are not exported.
    ExportUsers {
        #[arg(long)]
        db: Option<Database>,
        /// A connection saved with `pooldesk remote add`.
        #[arg(long, conflicts_with = "db")]
        remote: Option<String>,
        #[arg(long)]
        user_pool_id: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// The file to write [default: standard output].
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Run one Cognito operation, here (`--db`) or on a remote server (`--remote NAME`), e.g.
    /// `pooldesk call create-user-pool '{"PoolName": "shop"}' --remote prod`. Prints the answer.
    Call {
        /// The operation: `CreateUserPool`, `create-user-pool`, or a whole X-Amz-Target.
        operation: String,
        /// Its input as JSON (`-`: standard input) [default: {}]
        input: Option<String>,
        /// A connection saved with `pooldesk remote add`.
        #[arg(long, conflicts_with = "db")]
        remote: Option<String>,
        #[arg(long)]
        db: Option<Database>,
    },
    /// Remote servers (shared with the desktop app); their secrets live in the OS keychain.
    Remote {
        #[command(subcommand)]
        action: remote::RemoteAction,
    },
    /// The audit log: every admin action (who, what, when, from where), newest first.
    Audit {
        #[arg(long)]
        db: Option<Database>,
        /// A connection saved with `pooldesk remote add`.
        #[arg(long, conflicts_with = "db")]
        remote: Option<String>,
        /// Only this actor's actions (an access key id, `desktop` or `cli`).
        #[arg(long)]
        actor: Option<String>,
        /// How many, newest first (1 to 1000, as PoolDesk's lists page).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
    },
    /// The Lambda trigger inspector: a pool's trigger calls, newest first, with what each was
    /// sent and answered (`--verbose`), or the error it caused.
    Triggers {
        #[arg(long)]
        db: Option<Database>,
        /// A connection saved with `pooldesk remote add`.
        #[arg(long, conflicts_with = "db")]
        remote: Option<String>,
        #[arg(long)]
        user_pool_id: String,
        /// Only this trigger's calls (PreSignUp, PreTokenGeneration, ...).
        #[arg(long)]
        trigger: Option<String>,
        /// Only the calls that failed.
        #[arg(long)]
        failed: bool,
        /// Print each call's event and response.
        #[arg(long)]
        verbose: bool,
        /// How many, newest first (1 to 1000).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
    },
    /// Copy the database while it is in use (a consistent, compact snapshot). Its secrets stay
    /// sealed under the database's master key: keep that key to restore.
    Backup {
        #[arg(long)]
        db: Option<Database>,
        /// The backup file to write (never overwritten).
        to: PathBuf,
    },
    /// Copy a whole installation into a new, empty database: SQLite to PostgreSQL or back
    /// (pools, users with their password hashes, keys, sessions, identity pools, the outbox
    /// and the audit log), then compare the two. Stop the servers using `--from` first.
    Migrate {
        /// The database to copy (a SQLite path or a postgres:// URL).
        #[arg(long)]
        from: Database,
        /// The new database (created if it is a SQLite path; an empty PostgreSQL database).
        #[arg(long)]
        to: Database,
        /// Where --from's master key is, if not where `--db` finds it.
        #[arg(long)]
        from_key_file: Option<PathBuf>,
        /// Where --to's master key is (a new key is made there if the file does not exist), if
        /// not where `--db` finds it. A PostgreSQL target's servers then use this key.
        #[arg(long)]
        to_key_file: Option<PathBuf>,
    },
    /// Replace the database's content with a backup made by `pooldesk backup`, after checking
    /// it. Stop any server using the database first.
    Restore {
        #[arg(long)]
        db: Option<Database>,
        /// The backup file.
        from: PathBuf,
    },
    /// Print the URL of the login pages for an app client (its pool needs a domain and the
    /// client the code or implicit flow).
    LoginUrl {
        #[arg(long)]
        user_pool_id: String,
        #[arg(long)]
        client_id: String,
        /// One of the client's callback URLs [default: its default, else its first]
        #[arg(long)]
        redirect_uri: Option<String>,
        #[arg(long)]
        db: Option<Database>,
        /// A connection saved with `pooldesk remote add`.
        #[arg(long, conflicts_with = "db")]
        remote: Option<String>,
        /// With --db: the URL the server is reached at, as given to `pooldesk serve --public-url`.
        #[arg(long, conflicts_with = "remote", default_value = "http://127.0.0.1:9229")]
        public_url: String,
    },
    /// List the messages (codes, invitations) PoolDesk sent, newest first.
    Outbox {
        #[arg(long)]
        db: Option<Database>,
        /// A connection saved with `pooldesk remote add`.
        #[arg(long, conflicts_with = "db")]
        remote: Option<String>,
        /// Only this user pool.
        #[arg(long)]
        pool: Option<String>,
        /// How many, newest first (1 to 1000, as PoolDesk's lists page).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Create a key and print it (the secret is shown only now).
    Create {
        #[arg(long)]
        db: Option<Database>,
        #[arg(long, default_value = "created with pooldesk keys create")]
        description: String,
    },
    /// List key ids (never secrets).
    List {
        #[arg(long)]
        db: Option<Database>,
    },
    /// Delete a key.
    Delete {
        id: String,
        #[arg(long)]
        db: Option<Database>,
    },
    /// Re-seal the database's secrets (signing keys, client and admin key secrets, TOTP
    /// seeds) under a new master key. Stop any server using the database first.
    RotateMaster {
        #[arg(long)]
        db: Option<Database>,
        /// Write the new key here instead of where the current one is (required when the
        /// key comes from POOLDESK_MASTER_KEY).
        #[arg(long)]
        new_key_file: Option<PathBuf>,
    },
}

fn open(db: Option<Database>) -> anyhow::Result<Opened> {
    database::open(db, OpenOptions::default())
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            db,
            db_connections,
            listen,
            region,
            public_url,
            tls_cert,
            tls_key,
            fsync_every_commit,
            rate_limits,
            trusted_proxies,
        } => {
            let durability = if fsync_every_commit { Durability::Full } else { Durability::Normal };
            // Read before anything starts: a bad certificate is an error at once.
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(pooldesk_server::tls_config(&cert, &key)?),
                _ => None,
            };
            let limits = Limits { rate_limits, trusted_proxies };
            let opened = database::open(db, OpenOptions { durability, max_connections: db_connections, key_file: None })?;
            serve(opened, listen, region, public_url, tls, limits)
        }
        Command::Keys { action } => keys(action),
        Command::Call { operation, input, remote, db } => remote::call(&operation, input, remote, db),
        Command::Remote { action } => remote::remote(action),
        Command::Outbox { db, remote, pool, limit } => outbox(db, remote, pool, limit),
        Command::LoginUrl { user_pool_id, client_id, redirect_uri, db, remote, public_url } => {
            let input = serde_json::json!({ "UserPoolId": user_pool_id, "ClientId": client_id, "RedirectUri": redirect_uri });
            let answer = remote::run_with("PoolDesk.GetLoginUrl", &input, remote, db, Some(public_url))?;
            println!("{}", answer["Url"].as_str().unwrap_or_default());
            Ok(())
        }
        Command::ImportUsers { db, user_pool_id, file } => import_users(open(db)?, &user_pool_id, &file),
        Command::ExportUsers { db, remote, user_pool_id, format, output } => {
            export_users(remote::Session::open(remote, db, None)?, &user_pool_id, format, output.as_deref())
        }
        Command::Audit { db, remote, actor, limit } => audit(db, remote, actor, limit),
        Command::Triggers { db, remote, user_pool_id, trigger, failed, verbose, limit } => {
            triggers(db, remote, TriggerFilter { user_pool_id, trigger, failed, verbose, limit })
        }
        Command::Backup { db, to } => {
            let store = sqlite_only(open(db)?, "backup")?;
            store.backup_to(&to).with_context(|| format!("backing up to {}", to.display()))?;
            record(&*store, "PoolDesk.Backup", &format!("To={}", to.display()));
            println!("backed up {} to {}", store.path(), to.display());
            println!("its secrets are sealed under this database's master key: keep the key to restore it");
            Ok(())
        }
        Command::Migrate { from, to, from_key_file, to_key_file } => migrate(from, to, from_key_file, to_key_file),
        Command::Restore { db, from } => {
            let store =
                sqlite_only(database::open(db, OpenOptions { durability: Durability::Full, ..OpenOptions::default() })?, "restore")?;
            store.restore_from(&from)?;
            record(&*store, "PoolDesk.Restore", &format!("From={}", from.display()));
            println!("restored {} from {}", store.path(), from.display());
            Ok(())
        }
    }
}

fn migrate(from: Database, to: Database, from_key_file: Option<PathBuf>, to_key_file: Option<PathBuf>) -> anyhow::Result<()> {
    anyhow::ensure!(from != to, "--from and --to name the same database");
    if let Database::Sqlite(path) = &to {
        anyhow::ensure!(!path.exists(), "{} exists: migrate into a new database", path.display());
    }
    let source = database::open(Some(from), OpenOptions { key_file: from_key_file, ..OpenOptions::default() }).context("opening --from")?;
    let target = database::open(Some(to), OpenOptions { durability: Durability::Full, key_file: to_key_file, ..OpenOptions::default() })
        .context("opening --to")?;
    let started = std::time::Instant::now();
    let copied = pooldesk_core::copy::copy_installation(&*source.store(), &*target.store(), &mut |what| eprintln!("copying {what}"))?;
    println!("copied {copied} in {:.1} s", started.elapsed().as_secs_f64());
    let checked = pooldesk_core::copy::verify(&*source.store(), &*target.store(), 100).context("comparing the two databases")?;
    println!("checked: {checked} alike in both");
    record(&*target.store(), "PoolDesk.Migrate", &format!("From={}, To={}", source.describe(), target.describe()));
    println!("{} now holds the installation of {}", target.describe(), source.describe());
    Ok(())
}

/// The SQLite store behind `opened`; PostgreSQL has its own tools for what `command` does.
fn sqlite_only(opened: Opened, command: &str) -> anyhow::Result<Arc<SqliteStore>> {
    match opened {
        Opened::Sqlite(store) => Ok(store),
        Opened::Postgres(_) => anyhow::bail!(
            "pooldesk {command} works on SQLite files; back up and restore a PostgreSQL database with PostgreSQL's own tools \
             (pg_dump and pg_restore, or pg_basebackup), keeping its master key"
        ),
    }
}

/// Who may call how often, and whose word on the client's address counts.
struct Limits {
    rate_limits: RateLimitConfig,
    trusted_proxies: Vec<std::net::IpAddr>,
}

fn serve(
    opened: Opened,
    listen: SocketAddr,
    region: String,
    public_url: Option<String>,
    tls: Option<Arc<pooldesk_server::TlsConfig>>,
    Limits { rate_limits, trusted_proxies }: Limits,
) -> anyhow::Result<()> {
    // Everything that reads the store runs here, on a plain thread, and the store is dropped
    // after the runtime: a PostgreSQL client blocks on its own runtime, which it may not do on
    // a thread that drives async tasks.
    let store = opened.store();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let root_key = match (std::env::var("POOLDESK_ROOT_ACCESS_KEY_ID"), std::env::var("POOLDESK_ROOT_SECRET_ACCESS_KEY")) {
        (Ok(id), Ok(secret)) if !id.is_empty() && !secret.is_empty() => Some(RootKey { id, secret }),
        _ => None,
    };
    if root_key.is_none()
        && let Some(key) = admin::ensure_root_key(&*store, &*clock)?
    {
        println!("Generated the root access key (shown only this once; it is stored in the database):");
        println!("  AWS_ACCESS_KEY_ID={}", key.id);
        println!("  AWS_SECRET_ACCESS_KEY={}", key.secret);
    }
    let listener = std::net::TcpListener::bind(listen).with_context(|| format!("listening on {listen}"))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let public_url = public_url.unwrap_or_else(|| format!("{scheme}://{addr}"));
    let config = Config {
        region,
        public_url: public_url.clone(),
        hash_params: HashParams::default(),
        social_issuers: pooldesk_core::user_pools::SocialIssuers::from_env(),
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Operations run on blocking threads; this bounds how many run (and hash) at once.
        .max_blocking_threads(16)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let api = Api::new(store.clone(), clock, config, Outbound::from_env(), runtime.handle().clone())?;
    let mut state = AppState::new(api, root_key);
    state.limiter = RateLimiter::new(rate_limits);
    state.trusted_proxies = trusted_proxies;
    state.tls = tls.is_some();
    let state = Arc::new(state);
    println!("PoolDesk listening on {scheme}://{addr} (issuer base {public_url}, database {})", opened.describe());
    use std::io::Write as _;
    std::io::stdout().flush()?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        pooldesk_server::serve_with_tls(listener, state, tls, shutdown_signal()).await?;
        anyhow::Ok(())
    });
    // Connections still open when the server stopped go with the runtime, before the store.
    drop(runtime);
    served?;
    tracing::info!("shut down cleanly");
    drop(store);
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn keys(action: KeysAction) -> anyhow::Result<()> {
    match action {
        KeysAction::Create { db, description } => {
            let store = open(db)?.store();
            let key = admin::create_key(&*store, &SystemClock, &description)?;
            record(&*store, "PoolDesk.CreateAccessKey", &format!("AccessKeyId={}", key.id));
            println!("AWS_ACCESS_KEY_ID={}", key.id);
            println!("AWS_SECRET_ACCESS_KEY={}", key.secret);
        }
        KeysAction::List { db } => {
            let store = open(db)?.store();
            for key in store.list_access_keys()? {
                println!("{}\t{}", key.id, key.description);
            }
        }
        KeysAction::Delete { id, db } => {
            let store = open(db)?.store();
            admin::delete_key(&*store, &id)?;
            record(&*store, "PoolDesk.DeleteAccessKey", &format!("AccessKeyId={id}"));
            println!("deleted {id}");
        }
        KeysAction::RotateMaster { db, new_key_file } => {
            let db = database::chosen(db)?;
            let target: Box<dyn KeyVault> = match new_key_file {
                Some(file) => Box::new(KeyFile::new(file)),
                None if std::env::var_os("POOLDESK_MASTER_KEY").is_some() => {
                    anyhow::bail!("the master key comes from POOLDESK_MASTER_KEY: pass --new-key-file to say where the new key goes")
                }
                // Where the current key is.
                None => match &db {
                    Database::Sqlite(path) => database::key_vault(path)?.0,
                    Database::Postgres(_) => database::shared_key_vault()?,
                },
            };
            let opened = database::open(Some(db), OpenOptions { durability: Durability::Full, ..OpenOptions::default() })?;
            let count = match &opened {
                Opened::Sqlite(store) => store.rotate_master_key(&*target)?.0,
                Opened::Postgres(store) => store.rotate_master_key(&*target)?.0,
            };
            record(&*opened.store(), "PoolDesk.RotateMasterKey", "");
            println!("re-sealed {count} secrets under a new master key, now in {}", target.describe());
        }
    }
    Ok(())
}

/// The outbox through `PoolDesk.ListMessages`, here or on a remote server.
/// Records an action this command took on the database in its audit log, as `cli`.
fn record(store: &dyn Store, operation: &str, resource: &str) {
    let event = pooldesk_core::store::AuditEvent {
        id: 0,
        at_ms: SystemClock.now_millis(),
        actor: "cli".into(),
        source: "local".into(),
        operation: operation.into(),
        resource: resource.into(),
        outcome: "OK".into(),
    };
    if let Err(e) = pooldesk_core::store::AuditStore::append_audit(store, &event) {
        tracing::error!("could not record {operation} in the audit log: {e}");
    }
}

fn audit(db: Option<Database>, remote: Option<String>, actor: Option<String>, limit: u32) -> anyhow::Result<()> {
    let input = serde_json::json!({ "Actor": actor, "MaxResults": limit });
    let answer = remote::run("PoolDesk.ListAuditEvents", &input, remote, db)?;
    let events = answer["Events"].as_array().map(Vec::as_slice).unwrap_or_default();
    if events.is_empty() {
        println!("(no admin actions recorded)");
    }
    for e in events {
        let text = |field: &str| e[field].as_str().unwrap_or("-").to_owned();
        let when = e["Time"].as_i64().and_then(http_date).unwrap_or_else(|| "-".into());
        println!("{when}\t{}\t{}\t{}\t{}\t{}", text("Actor"), text("Source"), text("Operation"), text("Outcome"), text("Resource"));
    }
    Ok(())
}

struct TriggerFilter {
    user_pool_id: String,
    trigger: Option<String>,
    failed: bool,
    verbose: bool,
    limit: u32,
}

fn triggers(db: Option<Database>, remote: Option<String>, f: TriggerFilter) -> anyhow::Result<()> {
    let input = serde_json::json!({
        "UserPoolId": f.user_pool_id,
        "Trigger": f.trigger,
        "Outcome": f.failed.then_some("Failed"),
        "MaxResults": f.limit,
    });
    let answer = remote::run("PoolDesk.ListTriggerInvocations", &input, remote, db)?;
    let calls = answer["Invocations"].as_array().map(Vec::as_slice).unwrap_or_default();
    if calls.is_empty() {
        println!("(no trigger calls recorded)");
    }
    for c in calls {
        let text = |field: &str| c[field].as_str().unwrap_or("-").to_owned();
        let when = c["Time"].as_i64().and_then(http_date).unwrap_or_else(|| "-".into());
        let outcome = c["Error"].as_str().unwrap_or("OK");
        println!("{when}	{}	{}	{} ms	{}	{outcome}", text("Trigger"), text("Source"), c["DurationMs"], text("Function"));
        if f.verbose {
            println!("    event:    {}", c["Event"]);
            if !c["Response"].is_null() {
                println!("    response: {}", c["Response"]);
            }
        }
    }
    Ok(())
}

/// `Mon, 23 Nov 2026 16:33:08 GMT` for epoch milliseconds.
fn http_date(ms: i64) -> Option<String> {
    let time = std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_millis(u64::try_from(ms).ok()?))?;
    Some(httpdate::fmt_http_date(time))
}

fn outbox(db: Option<Database>, remote: Option<String>, pool: Option<String>, limit: u32) -> anyhow::Result<()> {
    let input = serde_json::json!({ "UserPoolId": pool, "MaxResults": limit });
    let answer = remote::run("PoolDesk.ListMessages", &input, remote, db)?;
    let messages = answer["Messages"].as_array().map(Vec::as_slice).unwrap_or_default();
    if messages.is_empty() {
        println!("(no messages)");
    }
    let text = |m: &serde_json::Value, field: &str| m[field].as_str().unwrap_or("-").to_owned();
    for m in messages {
        let subject = m["Subject"].as_str().unwrap_or_default();
        println!(
            "#{} {} pool={} user={} to={} code={} [{}]\n    {}{}",
            text(m, "MessageId"),
            text(m, "DeliveryMedium"),
            text(m, "UserPoolId"),
            text(m, "Username"),
            text(m, "Destination"),
            text(m, "Code"),
            text(m, "Delivery"),
            if subject.is_empty() { String::new() } else { format!("{subject}: ") },
            text(m, "Body")
        );
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
}

/// Writes a pool's users a page at a time (PoolDesk.ExportUsers), so a million never sit in
/// memory at once.
fn export_users(session: remote::Session, pool_id: &str, format: ExportFormat, output: Option<&std::path::Path>) -> anyhow::Result<()> {
    use std::io::Write as _;
    let sink: Box<dyn std::io::Write> = match output {
        Some(path) => Box::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(sink);
    let mut count = 0u64;
    match format {
        ExportFormat::Json => {
            out.write_all(b"[")?;
            each_export_page(&session, pool_id, |page| {
                for user in page["Users"].as_array().map(Vec::as_slice).unwrap_or_default() {
                    out.write_all(if count == 0 { b"\n" } else { b",\n" })?;
                    serde_json::to_writer(&mut out, user)?;
                    count += 1;
                }
                Ok(count)
            })?;
            out.write_all(if count == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            each_export_page(&session, pool_id, |page| {
                let header: Vec<&str> =
                    page["CsvHeader"].as_array().map(Vec::as_slice).unwrap_or_default().iter().filter_map(|h| h.as_str()).collect();
                if count == 0 {
                    writer.write_record(&header)?;
                }
                for user in page["Users"].as_array().map(Vec::as_slice).unwrap_or_default() {
                    writer.write_record(header.iter().map(|column| match *column {
                        "cognito:username" => user["Username"].as_str().unwrap_or_default().to_owned(),
                        "cognito:mfa_enabled" => user["MfaEnabled"].as_bool().unwrap_or_default().to_string(),
                        name => user["Attributes"][name].as_str().unwrap_or_default().to_owned(),
                    }))?;
                    count += 1;
                }
                Ok(count)
            })?;
            writer.flush()?;
        }
    }
    drop(out.into_inner().map_err(|e| e.into_error())?);
    eprintln!("exported {count} users from {pool_id}");
    Ok(())
}

/// Calls `write` with each page of a pool's export in turn; `write` answers how many users
/// are written so far, for the progress shown.
fn each_export_page(
    session: &remote::Session,
    pool_id: &str,
    mut write: impl FnMut(&serde_json::Value) -> anyhow::Result<u64>,
) -> anyhow::Result<()> {
    let mut token: Option<String> = None;
    let mut shown = 0;
    loop {
        let page = session.call("PoolDesk.ExportUsers", &serde_json::json!({ "UserPoolId": pool_id, "NextToken": token }))?;
        let written = write(&page)?;
        if written / 100_000 > shown {
            shown = written / 100_000;
            eprintln!("exported {written} users");
        }
        match page["NextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => return Ok(()),
        }
    }
}

fn import_users(opened: Opened, pool_id: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let input: Box<dyn std::io::Read> = if file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?)
    };
    if let Opened::Sqlite(store) = &opened {
        store.set_writer_cache_mib(256)?;
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let pools = UserPools::new(opened.store(), clock, Config::default(), None)?;
    let started = std::time::Instant::now();
    let report = pools.import_csv(pool_id, std::io::BufReader::with_capacity(1 << 20, input), |r| {
        if r.imported % 100_000 < 5_000 {
            eprintln!("imported {} users", r.imported);
        }
    })?;
    eprintln!();
    if let Opened::Postgres(store) = &opened {
        store.analyze_users()?;
    }
    let failed = report.failed;
    for (line, why) in failed.iter().take(20) {
        eprintln!("line {line}: {why}");
    }
    if failed.len() > 20 {
        eprintln!("... and {} more refused rows", failed.len() - 20);
    }
    println!(
        "imported {} users into {pool_id} in {:.1} s; {} rows refused",
        report.imported,
        started.elapsed().as_secs_f64(),
        failed.len()
    );
    Ok(())
}
