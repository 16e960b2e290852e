//! `pooldesk`: run the server, manage admin keys, read the outbox, import users, run any
//! operation here or on a remote server, and manage remote connections.
//!
//! Thin by design: each command opens the store and calls `pooldesk-core` or
//! `pooldesk-server`; no business rule lives here.

mod remote;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use pooldesk_core::clock::{Clock, SystemClock};
use pooldesk_core::password::HashParams;
use pooldesk_core::store::AccessKeyStore;
use pooldesk_core::user_pools::ImportRow;
use pooldesk_core::{Config, UserPools, admin};
use pooldesk_server::{AppState, Outbound, RootKey};
use pooldesk_store_sqlite::{Durability, SqliteStore};

#[derive(Parser)]
#[command(name = "pooldesk", version, about = "Amazon Cognito you run yourself")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Cognito's API (cognito-idp) on one SQLite file.
    Serve {
        /// The database file, created and migrated on first start [default: pooldesk.sqlite in the user's data directory]
        #[arg(long)]
        db: Option<PathBuf>,
        /// Address to listen on. Loopback unless you ask otherwise.
        #[arg(long, default_value = "127.0.0.1:9229")]
        listen: SocketAddr,
        /// Region used in pool ids and ARNs.
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// The URL clients reach this server at (token issuer base) [default: http://<listen address>]
        #[arg(long)]
        public_url: Option<String>,
        /// Wait for every commit to reach the disk (survives power loss, not only crashes).
        #[arg(long)]
        fsync_every_commit: bool,
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
        db: Option<PathBuf>,
        #[arg(long)]
        user_pool_id: String,
        /// The CSV file, or `-` for standard input.
        file: PathBuf,
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
        db: Option<PathBuf>,
    },
    /// Remote servers (shared with the desktop app); their secrets live in the OS keychain.
    Remote {
        #[command(subcommand)]
        action: remote::RemoteAction,
    },
    /// List the messages (codes, invitations) PoolDesk sent, newest first.
    Outbox {
        #[arg(long)]
        db: Option<PathBuf>,
        /// A connection saved with `pooldesk remote add`.
        #[arg(long, conflicts_with = "db")]
        remote: Option<String>,
        /// Only this user pool.
        #[arg(long)]
        pool: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Create a key and print it (the secret is shown only now).
    Create {
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long, default_value = "created with pooldesk keys create")]
        description: String,
    },
    /// List key ids (never secrets).
    List {
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Delete a key.
    Delete {
        id: String,
        #[arg(long)]
        db: Option<PathBuf>,
    },
}

fn default_db() -> anyhow::Result<PathBuf> {
    let dir = dirs::data_dir().context("no user data directory; pass --db")?;
    Ok(dir.join("pooldesk").join("pooldesk.sqlite"))
}

fn open(db: Option<PathBuf>, durability: Durability) -> anyhow::Result<Arc<SqliteStore>> {
    let path = match db {
        Some(p) => p,
        None => default_db()?,
    };
    let store = SqliteStore::open(&path, durability).with_context(|| format!("opening the database {}", path.display()))?;
    Ok(Arc::new(store))
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { db, listen, region, public_url, fsync_every_commit } => {
            let durability = if fsync_every_commit { Durability::Full } else { Durability::Normal };
            serve(open(db, durability)?, listen, region, public_url)
        }
        Command::Keys { action } => keys(action),
        Command::Call { operation, input, remote, db } => remote::call(&operation, input, remote, db),
        Command::Remote { action } => remote::remote(action),
        Command::Outbox { db, remote, pool, limit } => outbox(db, remote, pool, limit),
        Command::ImportUsers { db, user_pool_id, file } => import_users(open(db, Durability::Normal)?, &user_pool_id, &file),
    }
}

fn serve(store: Arc<SqliteStore>, listen: SocketAddr, region: String, public_url: Option<String>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Operations run on blocking threads; this bounds how many run (and hash) at once.
        .max_blocking_threads(16)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
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
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let addr = listener.local_addr()?;
        let public_url = public_url.unwrap_or_else(|| format!("http://{addr}"));
        let config = Config { region, public_url: public_url.clone(), hash_params: HashParams::default(), ..Config::default() };
        let state = AppState::new(store.clone(), clock, config, root_key, Outbound::from_env(), tokio::runtime::Handle::current())?;
        let state = Arc::new(state);
        println!("PoolDesk listening on http://{addr} (issuer base {public_url}, database {})", store.path());
        use std::io::Write as _;
        std::io::stdout().flush()?;
        pooldesk_server::serve(listener, state, shutdown_signal()).await?;
        tracing::info!("shut down cleanly");
        anyhow::Ok(())
    })
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
            let store = open(db, Durability::Normal)?;
            let key = admin::create_key(&*store, &SystemClock, &description)?;
            println!("AWS_ACCESS_KEY_ID={}", key.id);
            println!("AWS_SECRET_ACCESS_KEY={}", key.secret);
        }
        KeysAction::List { db } => {
            let store = open(db, Durability::Normal)?;
            for key in store.list_access_keys()? {
                println!("{}\t{}", key.id, key.description);
            }
        }
        KeysAction::Delete { id, db } => {
            let store = open(db, Durability::Normal)?;
            admin::delete_key(&*store, &id)?;
            println!("deleted {id}");
        }
    }
    Ok(())
}

/// The outbox through `PoolDesk.ListMessages`, here or on a remote server.
fn outbox(db: Option<PathBuf>, remote: Option<String>, pool: Option<String>, limit: usize) -> anyhow::Result<()> {
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

fn import_users(store: Arc<SqliteStore>, pool_id: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let input: Box<dyn std::io::Read> = if file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?)
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(std::io::BufReader::with_capacity(1 << 20, input));
    let header: Vec<String> = reader.headers().context("reading the CSV header")?.iter().map(str::to_owned).collect();
    if !header.iter().any(|h| h == "cognito:username") {
        anyhow::bail!("the CSV header has no cognito:username column (see GetCSVHeader)");
    }
    store.set_writer_cache_mib(256)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let pools = UserPools::new(store.clone(), clock, Config::default(), None)?;
    let started = std::time::Instant::now();
    let mut bad_records = Vec::new();
    let rows = reader.records().enumerate().filter_map(|(i, record)| {
        let line = i as u64 + 2;
        match record {
            Ok(r) => Some(ImportRow { line, columns: header.iter().cloned().zip(r.iter().map(str::to_owned)).collect() }),
            Err(e) => {
                bad_records.push((line, e.to_string()));
                None
            }
        }
    });
    let report = pools.import_users(pool_id, rows, |r| {
        if r.imported % 100_000 < 5_000 {
            eprintln!("imported {} users", r.imported);
        }
    })?;
    eprintln!();
    let failed: Vec<_> = bad_records.into_iter().chain(report.failed).collect();
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
