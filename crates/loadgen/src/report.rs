//! The tables: markdown, so a run pastes straight into BENCHMARKS.md.

use hdrhistogram::Histogram;

use crate::Timing;
use crate::run::{Outcome, histogram};
use crate::workloads::Workload;

/// Results above this share of the client's ceiling may measure the client, not the server.
const NEAR_CEILING: f64 = 0.6;

pub struct Row {
    pub workload: Workload,
    pub server: String,
    /// Throughput of each round, ops/s.
    pub rounds: Vec<f64>,
    pub latency: Histogram<u64>,
    pub ops: u64,
    pub all_ops: u64,
    pub errors: u64,
    pub cpu_seconds: f64,
    pub first_error: Option<String>,
    pub unsupported: Option<String>,
}

#[derive(Clone, Copy, Default)]
pub struct Memory {
    pub idle: u64,
    /// Of `idle`, the process's own memory (not file pages).
    pub idle_private: u64,
    pub after_setup: u64,
    pub after_workloads: u64,
    pub peak: u64,
}

impl Row {
    pub fn new(workload: Workload, server: &str) -> Row {
        Row {
            workload,
            server: server.to_owned(),
            rounds: Vec::new(),
            latency: histogram(),
            ops: 0,
            all_ops: 0,
            errors: 0,
            cpu_seconds: 0.0,
            first_error: None,
            unsupported: None,
        }
    }

    pub fn add_round(&mut self, out: &Outcome, cpu_seconds: f64) -> anyhow::Result<()> {
        self.rounds.push(out.throughput());
        self.latency.add(&out.latency).map_err(|e| anyhow::anyhow!("merging histograms: {e}"))?;
        self.ops += out.ops;
        self.all_ops += out.all_ops;
        self.errors += out.errors;
        self.cpu_seconds += cpu_seconds;
        if self.first_error.is_none() {
            self.first_error.clone_from(&out.first_error);
        }
        Ok(())
    }

    /// The median round's throughput; a round where most calls failed counts as zero.
    pub fn median(&self) -> f64 {
        if self.ops == 0 || self.errors > self.ops {
            return 0.0;
        }
        let mut r = self.rounds.clone();
        r.sort_by(f64::total_cmp);
        r.get(r.len() / 2).copied().unwrap_or(0.0)
    }

    fn spread(&self) -> String {
        let min = self.rounds.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.rounds.iter().copied().fold(0.0, f64::max);
        if self.rounds.len() < 2 { String::new() } else { format!(" ({}–{})", fmt_rate(min), fmt_rate(max)) }
    }

    fn ms(&self, q: f64) -> String {
        if self.ops == 0 { "–".into() } else { fmt_ms(self.latency.value_at_quantile(q) as f64 / 1000.0) }
    }

    /// The error count, with the first error's text.
    fn errors_cell(&self) -> String {
        match (&self.first_error, self.errors) {
            (_, 0) => "0".to_owned(),
            (Some(e), n) => format!("{n}: {}", short(e)),
            (None, n) => n.to_string(),
        }
    }

    fn cpu_per_op(&self) -> String {
        self.per_op_ms(self.cpu_seconds).map_or_else(|| "–".into(), fmt_ms)
    }

    /// `seconds` of CPU spread over every operation of the rounds (warm-up included, as the
    /// CPU was read around it), in milliseconds.
    fn per_op_ms(&self, seconds: f64) -> Option<f64> {
        (self.all_ops > 0).then(|| seconds * 1000.0 / self.all_ops as f64)
    }
}

fn fmt_rate(x: f64) -> String {
    if x >= 10_000.0 {
        format!("{:.1}k", x / 1000.0)
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn fmt_ms(ms: f64) -> String {
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.0} µs", ms * 1000.0)
    }
}

fn fmt_mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

#[allow(clippy::too_many_arguments)]
pub fn print_compare(
    baseline: &str,
    ceiling: (f64, f64),
    rows: &[Row],
    memory: &[(String, Memory)],
    failed: &[(String, String)],
    timing: &Timing,
    rounds: usize,
    users: usize,
) {
    println!("# PoolDesk and its peers, side by side");
    println!();
    println!(
        "{} connections, {:.0} s warm-up + {:.0} s measured per server and round, {rounds} alternating rounds; \
         ListUsers on {users} users. Throughput is the median round (min–max); latency over all rounds; \
         server CPU is user+system time per operation.",
        timing.connections, timing.warmup, timing.duration
    );
    println!();
    println!("Client ceiling (a server that answers `{{}}`): {}/s, p50 {}.", fmt_rate(ceiling.0), fmt_ms(ceiling.1));
    let mut workloads: Vec<Workload> = Vec::new();
    for r in rows {
        if !workloads.contains(&r.workload) {
            workloads.push(r.workload);
        }
    }
    for w in workloads {
        println!();
        println!("## {}", w.name());
        println!();
        println!("| server | ops/s | p50 | p99 | server CPU/op | vs best peer | errors |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        let of_w: Vec<&Row> = rows.iter().filter(|r| r.workload == w).collect();
        let best_peer = of_w.iter().filter(|r| r.server != baseline && r.unsupported.is_none()).map(|r| r.median()).fold(0.0, f64::max);
        for r in of_w {
            if let Some(why) = &r.unsupported {
                println!("| {} | – | – | – | – | – | unsupported: {} |", r.server, short(why));
                continue;
            }
            let m = r.median();
            let ratio = if best_peer > 0.0 { format!("{:.2}×", m / best_peer) } else { "–".into() };
            let flag = if m > NEAR_CEILING * ceiling.0 { " (near the client's ceiling)" } else { "" };
            println!(
                "| {} | {}{}{flag} | {} | {} | {} | {ratio} | {} |",
                r.server,
                fmt_rate(m),
                r.spread(),
                r.ms(0.5),
                r.ms(0.99),
                r.cpu_per_op(),
                r.errors_cell()
            );
        }
    }
    println!();
    println!("## Resident memory");
    println!();
    println!("| server | idle | of which private | after setup | after the workloads | peak |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, m) in memory {
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            fmt_mib(m.idle),
            fmt_mib(m.idle_private),
            fmt_mib(m.after_setup),
            fmt_mib(m.after_workloads),
            fmt_mib(m.peak)
        );
    }
    println!();
    println!(
        "Private: `RssAnon` (heap, stacks). The rest of resident memory is pages of the files a server maps (its code, shared libraries)."
    );
    for (name, why) in failed {
        println!();
        println!("{name} was not measured: {}", short(why));
    }
}

#[allow(clippy::too_many_arguments)]
pub fn print_scale(
    users: usize,
    csv_seconds: f64,
    import_seconds: f64,
    db_bytes: u64,
    ceiling: (f64, f64),
    rows: &[Row],
    m: &Memory,
    timing: &Timing,
) {
    println!("# PoolDesk at {users} users");
    println!();
    println!("- Writing the import CSV: {csv_seconds:.1} s. `pooldesk import-users` while the server runs: {import_seconds:.1} s.");
    println!("- Database (with WAL): {:.1} MiB, {:.0} bytes per user.", db_bytes as f64 / 1048576.0, db_bytes as f64 / users.max(1) as f64);
    println!(
        "- Server resident memory: {} idle ({} private), {} after the import, {} after the workloads, {} peak.",
        fmt_mib(m.idle),
        fmt_mib(m.idle_private),
        fmt_mib(m.after_setup),
        fmt_mib(m.after_workloads),
        fmt_mib(m.peak)
    );
    println!("- Client ceiling: {}/s. {:.0} s warm-up + {:.0} s measured per line.", fmt_rate(ceiling.0), timing.warmup, timing.duration);
    println!();
    println!("| operation | connections | ops/s | p50 | p99 | server CPU/op | errors |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | --- |");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.workload.name(),
            r.server,
            fmt_rate(r.median()),
            r.ms(0.5),
            r.ms(0.99),
            r.cpu_per_op(),
            r.errors_cell()
        );
    }
}

pub struct DatabasesRun<'a> {
    pub users: usize,
    pub sqlite_import_seconds: f64,
    pub postgres_import_seconds: f64,
    pub sqlite_bytes: u64,
    pub ceiling: (f64, f64),
    /// Per workload, one row per setup, SQLite's first; with PostgreSQL's CPU seconds where
    /// the setup runs on it.
    pub rows: &'a [(Row, Option<f64>)],
    pub timing: &'a Timing,
    pub rounds: usize,
}

pub fn print_databases(run: &DatabasesRun) {
    println!("# PoolDesk on SQLite and on PostgreSQL, {} users", run.users);
    println!();
    println!(
        "- `pooldesk import-users` while the server runs: SQLite {:.1} s, PostgreSQL {:.1} s. SQLite file (with WAL): {:.0} bytes per user.",
        run.sqlite_import_seconds,
        run.postgres_import_seconds,
        run.sqlite_bytes as f64 / run.users.max(1) as f64
    );
    println!(
        "- Client ceiling: {}/s. {} rounds in rotating order, each {:.0} s warm-up + {:.0} s measured, {} connections (shared evenly by two servers).",
        fmt_rate(run.ceiling.0),
        run.rounds,
        run.timing.warmup,
        run.timing.duration,
        run.timing.connections
    );
    println!(
        "- CPU per operation: PoolDesk's processes (SQLite works inside them), PostgreSQL's postmaster and backends, and their sum against SQLite's."
    );
    println!();
    println!("| operation | setup | ops/s (rounds) | p50 | p99 | PoolDesk CPU/op | PostgreSQL CPU/op | total CPU/op | ÷ SQLite | errors |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    let mut sqlite_total = None;
    for (row, database) in run.rows {
        let total = row.per_op_ms(row.cpu_seconds + database.unwrap_or(0.0));
        if database.is_none() {
            sqlite_total = total;
        }
        let ratio = match (database, total, sqlite_total) {
            (Some(_), Some(t), Some(s)) if s > 0.0 => format!("{:.2}×", t / s),
            _ => String::new(),
        };
        println!(
            "| {} | {} | {}{} | {} | {} | {} | {} | {} | {} | {} |",
            row.workload.name(),
            row.server,
            fmt_rate(row.median()),
            row.spread(),
            row.ms(0.5),
            row.ms(0.99),
            row.cpu_per_op(),
            database.and_then(|d| row.per_op_ms(d)).map_or_else(|| "(in process)".into(), fmt_ms),
            total.map_or_else(|| "–".into(), fmt_ms),
            ratio,
            row.errors_cell()
        );
    }
}

fn short(s: &str) -> String {
    let one_line = s.replace(['\n', '|'], " ");
    if one_line.chars().count() > 120 { format!("{}…", one_line.chars().take(120).collect::<String>()) } else { one_line }
}
