//! `databases`: the same PoolDesk on SQLite, on PostgreSQL, and as two servers on one
//! PostgreSQL database, each database holding the same imported users, measured in one run
//! with rounds in rotating order. CPU per operation is counted for PoolDesk's processes and,
//! apart, for PostgreSQL's (the postmaster and its backends), since on PostgreSQL part of the
//! work leaves PoolDesk's process.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::report::{self, Row};
use crate::run::run;
use crate::servers::{Process, Running, ServerSpec};
use crate::workloads::{Fixture, Workload, setup};
use crate::{ROOT_KEY_ID, ROOT_SECRET, Timing, client_ceiling, import_users, key, users_csv};

/// The operations the issue that brought PostgreSQL named: reads, writes, tokens, searches.
pub const WORKLOADS: [Workload; 7] = [
    Workload::GetUser,
    Workload::AdminGetUser,
    Workload::AdminCreateUser,
    Workload::Refresh,
    Workload::ListUsersSelective,
    Workload::ListUsersPaging,
    Workload::PasswordSignIn,
];

pub struct Options<'a> {
    pub pooldesk: &'a Path,
    /// An empty database PoolDesk may migrate and fill.
    pub postgres_url: &'a str,
    /// The postmaster, whose process tree is PostgreSQL's CPU.
    pub postgres: Process,
    pub users: usize,
    pub workloads: &'a [Workload],
    pub rounds: usize,
    pub timing: &'a Timing,
    pub work_dir: &'a Path,
}

/// One configuration measured: which servers take the workers, on which data.
struct Target {
    name: &'static str,
    servers: Vec<usize>,
    fixture: Arc<Fixture>,
    on_postgres: bool,
}

/// A row of the table: PoolDesk's figures, and PostgreSQL's CPU over the same rounds.
struct Measured {
    row: Row,
    database_cpu: f64,
}

pub async fn databases(o: Options<'_>) -> anyhow::Result<()> {
    let _ = std::fs::remove_dir_all(o.work_dir);
    std::fs::create_dir_all(o.work_dir)?;
    let work_dir = std::fs::canonicalize(o.work_dir)?;
    let pooldesk = std::fs::canonicalize(o.pooldesk).with_context(|| format!("no pooldesk binary at {}", o.pooldesk.display()))?;
    let ceiling = client_ceiling(o.timing, &work_dir).await?;
    let csv = work_dir.join("users.csv");
    users_csv(o.users, Some(&csv))?;

    // Every server on the PostgreSQL database shares one master key (the first makes the
    // file) and one issuer: a token from one is good at the other.
    let key_file = work_dir.join("postgres.key");
    let serve = |db: &str, master_key: Option<&Path>| ServerSpec {
        name: "pooldesk".into(),
        command: format!(
            "env POOLDESK_ROOT_ACCESS_KEY_ID={ROOT_KEY_ID} POOLDESK_ROOT_SECRET_ACCESS_KEY={ROOT_SECRET} RUST_LOG=warn{} {} serve --db {db} --listen 127.0.0.1:{{port}} --rate-limits off{}",
            master_key.map(|k| format!(" POOLDESK_MASTER_KEY_FILE={}", k.display())).unwrap_or_default(),
            pooldesk.display(),
            if master_key.is_some() { " --public-url http://pooldesk.bench.test" } else { "" },
        ),
    };
    let sqlite_db = work_dir.join("sqlite").join("db.sqlite");
    let mut servers = vec![Running::start(&serve(&sqlite_db.display().to_string(), None), &work_dir.join("sqlite")).await?];
    servers.push(Running::start(&serve(o.postgres_url, Some(&key_file)), &work_dir.join("postgres-a")).await?);
    let mut imports = Vec::new();
    let mut fixtures = Vec::new();
    for (server, db, master_key) in
        [(&servers[0], sqlite_db.display().to_string(), None), (&servers[1], o.postgres_url.to_owned(), Some(key_file.as_path()))]
    {
        let mut fixture = setup(server.addr, &key(), 0, 1).await?;
        eprintln!("importing {} users into {}", o.users, if master_key.is_some() { "PostgreSQL" } else { "SQLite" });
        let started = Instant::now();
        import_users(&pooldesk, &db, master_key, &fixture.pool_id, &csv).await?;
        imports.push(started.elapsed().as_secs_f64());
        fixture.searchable = o.users;
        fixtures.push(Arc::new(fixture));
    }
    // The second server joins once the data is in: it starts as a new node would.
    servers.push(Running::start(&serve(o.postgres_url, Some(&key_file)), &work_dir.join("postgres-b")).await?);
    tokio::time::sleep(Duration::from_secs(2)).await;

    let targets = [
        Target { name: "SQLite, 1 server", servers: vec![0], fixture: fixtures[0].clone(), on_postgres: false },
        Target { name: "PostgreSQL, 1 server", servers: vec![1], fixture: fixtures[1].clone(), on_postgres: true },
        Target { name: "PostgreSQL, 2 servers", servers: vec![1, 2], fixture: fixtures[1].clone(), on_postgres: true },
    ];
    let mut measured: Vec<Measured> = Vec::new();
    for &w in o.workloads {
        let first = measured.len();
        measured.extend(targets.iter().map(|t| Measured { row: Row::new(w, t.name), database_cpu: 0.0 }));
        for round in 0..o.rounds {
            for k in 0..targets.len() {
                let i = (k + round) % targets.len();
                let target = &targets[i];
                eprint!("\r{:<44} round {}/{} {:<24}", w.name(), round + 1, o.rounds, target.name);
                let _ = std::io::stderr().flush();
                let addrs: Vec<_> = target.servers.iter().map(|&s| servers[s].addr).collect();
                // Every PoolDesk process counts: an idle second server costs what it costs.
                let pooldesk_cpu = || servers.iter().map(|s| s.process.cpu_seconds()).sum::<f64>();
                let (cpu0, db0) = (pooldesk_cpu(), o.postgres.cpu_seconds());
                let out = run(&addrs, &key(), target.fixture.clone(), w, o.timing.config()).await?;
                let (cpu, db) = (pooldesk_cpu() - cpu0, o.postgres.cpu_seconds() - db0);
                let m = &mut measured[first + i];
                m.row.add_round(&out, cpu)?;
                // PostgreSQL sits idle while SQLite is measured; its background work is not SQLite's.
                if target.on_postgres {
                    m.database_cpu += db;
                }
            }
        }
    }
    eprintln!();
    let db_bytes = sqlite_bytes(&sqlite_db);
    for server in servers {
        server.stop().await;
    }
    let rows: Vec<(Row, Option<f64>)> = measured
        .into_iter()
        .zip(targets.iter().cycle())
        .map(|(m, t)| {
            let database = t.on_postgres.then_some(m.database_cpu);
            (m.row, database)
        })
        .collect();
    report::print_databases(&report::DatabasesRun {
        users: o.users,
        sqlite_import_seconds: imports[0],
        postgres_import_seconds: imports[1],
        sqlite_bytes: db_bytes,
        ceiling,
        rows: &rows,
        timing: o.timing,
        rounds: o.rounds,
    });
    Ok(())
}

/// The SQLite file with its WAL and shared-memory index.
pub fn sqlite_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok()).map(|m| m.len()).sum()
}
