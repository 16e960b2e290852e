//! The servers under test as child processes: started from a command line with `{port}` and
//! `{dir}` filled in, awaited until they accept connections, and read from /proc for resident
//! memory and CPU time (summed over the process and its descendants, since some peers run
//! behind a launcher).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::process::{Child, Command};

pub struct ServerSpec {
    pub name: String,
    /// The command line, split on whitespace; `{port}` and `{dir}` are replaced.
    pub command: String,
}

impl ServerSpec {
    /// `NAME=COMMAND`.
    pub fn parse(s: &str) -> anyhow::Result<ServerSpec> {
        let (name, command) = s.split_once('=').context("a server is NAME=COMMAND")?;
        Ok(ServerSpec { name: name.trim().to_owned(), command: command.trim().to_owned() })
    }
}

pub struct Running {
    pub name: String,
    pub addr: SocketAddr,
    /// The server's process tree, for memory and CPU time.
    pub process: Process,
    child: Child,
}

/// A free loopback port (bound, then released for the child to take).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Running {
    pub async fn start(spec: &ServerSpec, dir: &Path) -> anyhow::Result<Running> {
        let port = free_port()?;
        std::fs::create_dir_all(dir)?;
        let line = spec.command.replace("{port}", &port.to_string()).replace("{dir}", &dir.display().to_string());
        let mut words = line.split_whitespace();
        let program = words.next().context("an empty server command")?;
        let log = std::fs::File::create(dir.join("server.log"))?;
        let child = Command::new(program)
            .args(words)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}: {line}", spec.name))?;
        let pid = child.id().context("the child has no pid")?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut running = Running { name: spec.name.clone(), addr, process: Process(pid), child };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                break;
            }
            if let Some(status) = running.child.try_wait()? {
                bail!("{} exited ({status}) before listening; see {}", spec.name, dir.join("server.log").display());
            }
            if Instant::now() > deadline {
                bail!("{} did not listen on {addr} within 120 s", spec.name);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(running)
    }

    /// Asks the server to shut down (SIGTERM) and kills it if it has not within 30 s: a server
    /// run under a profiler (scripts/hot-symbols.sh) writes its profile on the way out.
    pub async fn stop(mut self) {
        let asked = Command::new("kill").args(["-TERM", &self.process.0.to_string()]).status().await;
        if asked.is_ok_and(|s| s.success()) && tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await.is_ok() {
            return;
        }
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// A process and its descendants (a launcher and what it runs; PostgreSQL's postmaster and
/// its backends), read from /proc.
#[derive(Clone, Copy)]
pub struct Process(pub u32);

impl Process {
    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> u64 {
        self.tree().iter().map(|p| status_field(*p, "VmRSS:")).sum()
    }

    /// The part of resident memory that is the process's own (`RssAnon`: heap, stacks), in
    /// KiB; the rest is pages of files it maps (its code, shared libraries), which the kernel
    /// maps in 64 KiB around each page touched.
    pub fn private_kib(&self) -> u64 {
        self.tree().iter().map(|p| status_field(*p, "RssAnon:")).sum()
    }

    /// The high-water mark of resident memory, in KiB.
    pub fn peak_kib(&self) -> u64 {
        self.tree().iter().map(|p| status_field(*p, "VmHWM:")).sum()
    }

    /// User and system CPU time used so far, in seconds.
    pub fn cpu_seconds(&self) -> f64 {
        self.tree().iter().map(|p| cpu_ticks(*p)).sum::<u64>() as f64 / 100.0
    }

    /// The process and its descendants.
    fn tree(&self) -> Vec<u32> {
        let mut parents: Vec<(u32, u32)> = Vec::new();
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for e in entries.flatten() {
                if let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>()
                    && let Some(ppid) = stat_fields(pid).and_then(|f| f.get(1).and_then(|s| s.parse().ok()))
                {
                    parents.push((pid, ppid));
                }
            }
        }
        let mut tree = vec![self.0];
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            tree.extend(parents.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
            i += 1;
        }
        tree
    }
}

fn status_field(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// The fields of /proc/PID/stat after the command name: state, ppid, ...
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(") ")?.1;
    Some(after.split_whitespace().map(str::to_owned).collect())
}

/// utime + stime in clock ticks (USER_HZ, 100 on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    stat_fields(pid)
        .map(|f| f.get(11).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0) + f.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0))
        .unwrap_or(0)
}
