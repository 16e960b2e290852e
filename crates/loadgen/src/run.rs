//! The measuring loop: N workers, one connection each, closed loop (a worker sends its next
//! request when the last answer arrives), a warm-up whose results are dropped, then a fixed
//! measuring window with a latency histogram.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::http::{Conn, Key};
use crate::workloads::{Fixture, WorkerState, Workload, op};

#[derive(Clone, Copy)]
pub struct RunConfig {
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
}

pub struct Outcome {
    pub ops: u64,
    pub errors: u64,
    pub seconds: f64,
    /// Latency of successful operations, in microseconds.
    pub latency: Histogram<u64>,
    pub first_error: Option<String>,
    /// Every operation completed, warm-up included (what the server's CPU time covers).
    pub all_ops: u64,
}

impl Outcome {
    pub fn throughput(&self) -> f64 {
        self.ops as f64 / self.seconds.max(1e-9)
    }
}

/// 1 µs to 100 s at 3 significant digits.
#[allow(clippy::expect_used)] // constant bounds, valid by construction
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000, 3).expect("valid histogram bounds")
}

/// Runs `w` for the warm-up and then the measuring window, worker `i` on a connection to
/// `addrs[i % addrs.len()]` (several servers behind one database share the workers evenly).
pub async fn run(addrs: &[SocketAddr], key: &Key, fixture: Arc<Fixture>, w: Workload, cfg: RunConfig) -> anyhow::Result<Outcome> {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run_id = RUNS.fetch_add(1, Ordering::Relaxed);
    let start = Instant::now();
    let measure_from = start + cfg.warmup;
    let end = measure_from + cfg.duration;
    let mut tasks = Vec::new();
    anyhow::ensure!(!addrs.is_empty(), "no server to run against");
    for worker in 0..cfg.connections {
        let (key, fixture, addr) = (key.clone(), fixture.clone(), addrs[worker % addrs.len()]);
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr, &key).await?;
            let mut state = WorkerState { run: run_id, ..WorkerState::default() };
            let mut out = Outcome { ops: 0, errors: 0, seconds: 0.0, latency: histogram(), first_error: None, all_ops: 0 };
            let mut seq = 0u64;
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                seq += 1;
                let result = op(w, &fixture, &mut conn, &mut state, worker, seq).await;
                let t1 = Instant::now();
                out.all_ops += 1;
                if t0 < measure_from {
                    continue;
                }
                match result {
                    Ok(()) => {
                        out.ops += 1;
                        out.latency.saturating_record((t1 - t0).as_micros() as u64);
                    }
                    Err(e) => {
                        out.errors += 1;
                        if out.first_error.is_none() {
                            out.first_error = Some(format!("{e:#}"));
                        }
                        // A closed connection is reopened rather than failing every call after.
                        if conn_broken(&e) {
                            conn = Conn::open(addr, &key).await?;
                        }
                    }
                }
            }
            anyhow::Ok(out)
        }));
    }
    let mut total = Outcome { ops: 0, errors: 0, seconds: cfg.duration.as_secs_f64(), latency: histogram(), first_error: None, all_ops: 0 };
    for t in tasks {
        let out = t.await??;
        total.ops += out.ops;
        total.errors += out.errors;
        total.all_ops += out.all_ops;
        total.latency.add(&out.latency).map_err(|e| anyhow::anyhow!("merging histograms: {e}"))?;
        total.first_error = total.first_error.or(out.first_error);
    }
    Ok(total)
}

fn conn_broken(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<hyper::Error>().is_some())
}
