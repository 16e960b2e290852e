//! `pooldesk-loadgen`: drives Cognito workloads over the raw JSON 1.1 protocol against
//! PoolDesk and peer emulators in one run, and prints one table with ratios to the best peer.
//!
//! - `compare`: every server in turn, workload by workload, in alternating rounds.
//! - `scale`: PoolDesk with a million imported users.
//! - `databases`: PoolDesk at a million users on SQLite, on PostgreSQL, and as two servers on
//!   one PostgreSQL database, with PostgreSQL's CPU counted too.
//! - `echo`: a trivial HTTP server, the client's own ceiling.
//! - `users-csv`: a synthetic user-import CSV (for `pooldesk import-users`).
//!
//! The client runs on one thread by default so that it takes at most one of the machine's
//! cores; its ceiling is measured in the same run and results near it are flagged.

mod databases;
mod http;
mod report;
mod run;
mod servers;
mod workloads;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::http::Key;
use crate::report::{Memory, Row};
use crate::run::{RunConfig, run};
use crate::servers::{Running, ServerSpec};
use crate::workloads::{Fixture, SignInUser, Workload, setup};

#[derive(Parser)]
#[command(name = "pooldesk-loadgen", about = "Cognito workloads against PoolDesk and its peers, side by side")]
struct Cli {
    /// Client threads (1 leaves the other core to the server on a 2-core machine).
    #[arg(long, default_value_t = 1, global = true)]
    client_threads: usize,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Args, Clone)]
struct Timing {
    /// Connections (closed-loop workers).
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds of warm-up before each measurement (results dropped).
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Seconds measured per workload, server and round.
    #[arg(long, default_value_t = 4.0)]
    duration: f64,
}

impl Timing {
    fn config(&self) -> RunConfig {
        RunConfig {
            connections: self.connections,
            warmup: Duration::from_secs_f64(self.warmup),
            duration: Duration::from_secs_f64(self.duration),
        }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the workloads against each server, alternating rounds, and print the table.
    Compare {
        /// NAME=COMMAND, repeated; `{port}` and `{dir}` are filled in. The first is the
        /// baseline the ratios are about (PoolDesk).
        #[arg(long = "server", required = true)]
        servers: Vec<String>,
        /// Comma-separated short names (getuser,listusers,create,credentials,refresh,refresh-es256,signin,srp,oauth-cc,oauth-cc-es256,login-page,login-code).
        #[arg(long, value_delimiter = ',')]
        workloads: Option<Vec<String>>,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Searchable users created through AdminCreateUser before ListUsers is measured.
        #[arg(long, default_value_t = 10_000)]
        users: usize,
        #[command(flatten)]
        timing: Timing,
        /// Where each server's data and log go.
        #[arg(long, default_value = "target/bench")]
        work_dir: PathBuf,
    },
    /// PoolDesk at scale: import users, then measure ListUsers, AdminGetUser, sign-in.
    Scale {
        /// The pooldesk binary.
        #[arg(long)]
        pooldesk: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        users: usize,
        #[command(flatten)]
        timing: Timing,
        #[arg(long, default_value = "target/bench/scale")]
        work_dir: PathBuf,
    },
    /// PoolDesk on SQLite, on PostgreSQL, and two servers on one PostgreSQL database, each
    /// with the same imported users, side by side.
    Databases {
        /// The pooldesk binary.
        #[arg(long)]
        pooldesk: PathBuf,
        /// An empty PostgreSQL database (`postgres://...`) for PoolDesk to fill.
        #[arg(long)]
        postgres: String,
        /// The postmaster's process id (its first line of `postmaster.pid`): PostgreSQL's
        /// CPU is its process tree's.
        #[arg(long)]
        postgres_pid: u32,
        #[arg(long, default_value_t = 1_000_000)]
        users: usize,
        /// Comma-separated short names (default: getuser,admingetuser,create,refresh,list-selective,list-paging,signin).
        #[arg(long, value_delimiter = ',')]
        workloads: Option<Vec<String>>,
        #[arg(long, default_value_t = 2)]
        rounds: usize,
        #[command(flatten)]
        timing: Timing,
        #[arg(long, default_value = "target/bench/databases")]
        work_dir: PathBuf,
    },
    /// A trivial server answering `{}` to everything (the client's ceiling).
    Echo {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
    },
    /// Writes a user-import CSV of synthetic users `user0..userN` with e-mail and name.
    UsersCsv {
        #[arg(long)]
        count: usize,
        /// Output file (standard output if absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub const ROOT_KEY_ID: &str = "AKIDPOOLDESKBENCH";
pub const ROOT_SECRET: &str = "pooldesk-bench-secret-not-for-production";

pub(crate) fn key() -> Key {
    Key { id: ROOT_KEY_ID.into(), secret: ROOT_SECRET.into(), region: "us-east-1".into() }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = if cli.client_threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(cli.client_threads).enable_all().build()?
    };
    runtime.block_on(async move {
        match cli.command {
            Cmd::Compare { servers, workloads, rounds, users, timing, work_dir } => {
                let specs = servers.iter().map(|s| ServerSpec::parse(s)).collect::<anyhow::Result<Vec<_>>>()?;
                let workloads = chosen(workloads.as_deref(), &Workload::ALL)?;
                compare(&specs, &workloads, rounds, users, &timing, &work_dir).await
            }
            Cmd::Scale { pooldesk, users, timing, work_dir } => scale(&pooldesk, users, &timing, &work_dir).await,
            Cmd::Databases { pooldesk, postgres, postgres_pid, users, workloads, rounds, timing, work_dir } => {
                let workloads = chosen(workloads.as_deref(), &databases::WORKLOADS)?;
                databases::databases(databases::Options {
                    pooldesk: &pooldesk,
                    postgres_url: &postgres,
                    postgres: servers::Process(postgres_pid),
                    users,
                    workloads: &workloads,
                    rounds,
                    timing: &timing,
                    work_dir: &work_dir,
                })
                .await
            }
            Cmd::Echo { listen } => echo(listen).await,
            Cmd::UsersCsv { count, out } => users_csv(count, out.as_deref()),
        }
    })
}

/// The workloads named on the command line, or `default`.
fn chosen(names: Option<&[String]>, default: &[Workload]) -> anyhow::Result<Vec<Workload>> {
    match names {
        None => Ok(default.to_vec()),
        Some(names) => names.iter().map(|n| Workload::parse(n).with_context(|| format!("no workload {n}"))).collect(),
    }
}

/// Throughput and median latency of the client against a server that does nothing.
pub(crate) async fn client_ceiling(timing: &Timing, work_dir: &Path) -> anyhow::Result<(f64, f64)> {
    let exe = std::env::current_exe()?;
    let spec = ServerSpec { name: "echo".into(), command: format!("{} echo --listen 127.0.0.1:{{port}}", exe.display()) };
    let server = Running::start(&spec, &work_dir.join("echo")).await?;
    let dummy = Arc::new(Fixture {
        pool_id: "us-east-1_echo".into(),
        client_id: "echo".into(),
        users: vec![SignInUser { username: "u".into(), access_token: "t".into(), id_token: "t".into(), refresh_token: "t".into() }],
        identity_pool: Err("echo".into()),
        provider: String::new(),
        tag: String::new(),
        searchable: 1,
        es256: Err("echo".into()),
        oauth: Err("echo".into()),
        oauth_es256: Err("echo".into()),
    });
    let out = run(&[server.addr], &key(), dummy, Workload::GetUser, timing.config()).await?;
    server.stop().await;
    Ok((out.throughput(), out.latency.value_at_quantile(0.5) as f64 / 1000.0))
}

async fn compare(
    specs: &[ServerSpec],
    workloads: &[Workload],
    rounds: usize,
    users: usize,
    timing: &Timing,
    work_dir: &Path,
) -> anyhow::Result<()> {
    let _ = std::fs::remove_dir_all(work_dir);
    eprintln!("measuring the client's ceiling against a trivial server");
    let ceiling = client_ceiling(timing, work_dir).await?;

    let mut servers: Vec<(Running, Arc<Fixture>, Memory)> = Vec::new();
    let mut failed: Vec<(String, String)> = Vec::new();
    for spec in specs {
        eprintln!("starting {} and creating its pool, clients and {users} users", spec.name);
        let started = Instant::now();
        let server = match Running::start(spec, &work_dir.join(&spec.name)).await {
            Ok(s) => s,
            Err(e) => {
                failed.push((spec.name.clone(), format!("{e:#}")));
                continue;
            }
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (idle, idle_private) = (server.process.rss_kib(), server.process.private_kib());
        let fixture = match setup(server.addr, &key(), users, timing.connections.min(8)).await {
            Ok(f) => f,
            Err(e) => {
                failed.push((spec.name.clone(), format!("setup failed: {e:#}")));
                server.stop().await;
                continue;
            }
        };
        let after_setup = server.process.rss_kib();
        eprintln!("  {} ready in {:.1} s", spec.name, started.elapsed().as_secs_f64());
        servers.push((server, Arc::new(fixture), Memory { idle, idle_private, after_setup, after_workloads: 0, peak: 0 }));
    }

    let mut rows: Vec<Row> = Vec::new();
    for &w in workloads {
        for round in 0..rounds {
            // Alternate the order, so no server always runs first (or right after a busy one).
            for k in 0..servers.len() {
                let i = (k + round) % servers.len();
                let (server, fixture, _) = &servers[i];
                let row = match rows.iter().position(|r| r.workload == w && r.server == server.name) {
                    Some(p) => p,
                    None => {
                        rows.push(Row::new(w, &server.name));
                        rows.len() - 1
                    }
                };
                if let Some(why) = fixture.unsupported(w) {
                    rows[row].unsupported = Some(why);
                    continue;
                }
                eprint!("\r{:<40} round {}/{rounds} {:<16}", w.name(), round + 1, server.name);
                let _ = std::io::stderr().flush();
                let cpu0 = server.process.cpu_seconds();
                let out = run(&[server.addr], &key(), fixture.clone(), w, timing.config()).await?;
                let cpu = server.process.cpu_seconds() - cpu0;
                rows[row].add_round(&out, cpu)?;
            }
        }
    }
    eprintln!();
    // Memory "after the workloads" is read once the servers had a moment to release what the
    // last burst took, the same moment for each.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut memory = Vec::new();
    for (server, _, mut m) in servers {
        m.after_workloads = server.process.rss_kib();
        m.peak = server.process.peak_kib();
        memory.push((server.name.clone(), m));
        server.stop().await;
    }
    let baseline = specs.first().map(|s| s.name.clone()).unwrap_or_default();
    report::print_compare(&baseline, ceiling, &rows, &memory, &failed, timing, rounds, users);
    Ok(())
}

async fn scale(pooldesk: &Path, users: usize, timing: &Timing, work_dir: &Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_dir_all(work_dir);
    std::fs::create_dir_all(work_dir)?;
    let work_dir = std::fs::canonicalize(work_dir)?;
    let pooldesk = std::fs::canonicalize(pooldesk).with_context(|| format!("no pooldesk binary at {}", pooldesk.display()))?;
    let ceiling = client_ceiling(timing, &work_dir).await?;
    let db = work_dir.join("pooldesk").join("db.sqlite");
    // One client address hammering public operations is what the rate limits exist to stop.
    let spec = ServerSpec {
        name: "pooldesk".into(),
        command: format!(
            "env POOLDESK_ROOT_ACCESS_KEY_ID={ROOT_KEY_ID} POOLDESK_ROOT_SECRET_ACCESS_KEY={ROOT_SECRET} RUST_LOG=warn {} serve --db {} --listen 127.0.0.1:{{port}} --rate-limits off",
            pooldesk.display(),
            db.display()
        ),
    };
    let server = Running::start(&spec, &work_dir.join("pooldesk")).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle, idle_private) = (server.process.rss_kib(), server.process.private_kib());
    let mut fixture = setup(server.addr, &key(), 0, 1).await?;

    let csv = work_dir.join("users.csv");
    let t = Instant::now();
    users_csv(users, Some(&csv))?;
    let csv_seconds = t.elapsed().as_secs_f64();
    eprintln!("wrote {users} users to {} in {csv_seconds:.1} s; importing while the server runs", csv.display());
    let t = Instant::now();
    import_users(&pooldesk, &db.display().to_string(), None, &fixture.pool_id, &csv).await?;
    let import_seconds = t.elapsed().as_secs_f64();
    fixture.searchable = users;
    let after_import = server.process.rss_kib();
    let db_bytes = databases::sqlite_bytes(&db);

    let fixture = Arc::new(fixture);
    let mut rows = Vec::new();
    for w in Workload::AT_SCALE {
        for connections in [1, timing.connections] {
            eprint!("\r{:<44} {connections:>2} connections", w.name());
            let _ = std::io::stderr().flush();
            let mut row = Row::new(w, &format!("{connections} conn"));
            let cpu0 = server.process.cpu_seconds();
            let out = run(&[server.addr], &key(), fixture.clone(), w, RunConfig { connections, ..timing.config() }).await?;
            row.add_round(&out, server.process.cpu_seconds() - cpu0)?;
            rows.push(row);
        }
    }
    eprintln!();
    let memory = Memory {
        idle,
        idle_private,
        after_setup: after_import,
        after_workloads: server.process.rss_kib(),
        peak: server.process.peak_kib(),
    };
    server.stop().await;
    report::print_scale(users, csv_seconds, import_seconds, db_bytes, ceiling, &rows, &memory, timing);
    Ok(())
}

/// `pooldesk import-users` into a pool of `db` (a path or a URL) while its server runs.
pub(crate) async fn import_users(pooldesk: &Path, db: &str, master_key: Option<&Path>, pool_id: &str, csv: &Path) -> anyhow::Result<()> {
    let mut command = tokio::process::Command::new(pooldesk);
    // Its summary line goes with the progress to standard error, not into the report.
    command.args(["import-users", "--db", db, "--user-pool-id", pool_id]).arg(csv).env("RUST_LOG", "warn").stdout(std::io::stderr());
    if let Some(file) = master_key {
        command.env("POOLDESK_MASTER_KEY_FILE", file);
    }
    let status = command.status().await?;
    anyhow::ensure!(status.success(), "pooldesk import-users --db {db} failed: {status}");
    Ok(())
}

async fn echo(listen: std::net::SocketAddr) -> anyhow::Result<()> {
    use http_body_util::Full;
    use hyper::body::Bytes;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let service = hyper::service::service_fn(|_req| async {
                let mut response = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
                response.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"));
                Ok::<_, std::convert::Infallible>(response)
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
        });
    }
}

/// Cognito's import CSV with the columns PoolDesk indexes for search.
pub(crate) fn users_csv(count: usize, out: Option<&Path>) -> anyhow::Result<()> {
    let sink: Box<dyn std::io::Write> = match out {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, sink);
    writeln!(w, "cognito:username,email,email_verified,name,cognito:mfa_enabled")?;
    for i in 0..count {
        writeln!(w, "user{i},user{i}@example.com,true,User {i},false")?;
    }
    w.flush()?;
    Ok(())
}
