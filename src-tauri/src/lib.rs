//! The PoolDesk desktop app: a Tauri shell over the same operations the server answers.
//!
//! # Layout
//! - this file: opening this computer's pools, the builder (commands and state), the run loop;
//! - [`commands`]: what the web UI may invoke: one typed path for every Cognito operation
//!   (`call`, by `X-Amz-Target` name with the wire shapes) and a few app commands;
//! - [`connections`]: remote servers: added (tested first), tested, removed; their secrets
//!   live in the OS keychain;
//! - [`serve`]: "Serve this computer's pools" on a loopback port, stopped with the app.
//!
//! No business rule lives here: a local call goes to `pooldesk_api::Api::call`, the same dispatch
//! and validation as an HTTP request, minus the signature the desktop user does not need; a
//! remote call goes over HTTP, SigV4-signed on this side (`pooldesk_remote`).

mod commands;
mod connections;
mod serve;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use pooldesk_api::{Api, Outbound};
use pooldesk_core::clock::{Clock, SystemClock};
use pooldesk_core::store::Store;
use pooldesk_store_sqlite::{Durability, SqliteStore};
use tauri::Runtime;

pub use commands::{AppInfo, CommandError};
pub use connections::{ConnectionCheck, ConnectionInfo, NewConnection, RemovedConnection};
pub use pooldesk_remote::LOCAL;
use pooldesk_remote::Remotes;
use pooldesk_remote::master_key::{NewKeyIn, vault_for};
pub use serve::ServeInfo;

/// What the app holds while it runs: this computer's pools, and the server when serving them.
pub struct Desktop {
    database_path: PathBuf,
    store: Arc<SqliteStore>,
    local: Arc<Api>,
    remotes: Remotes,
    runtime: tokio::runtime::Handle,
    serving: tokio::sync::Mutex<Option<serve::Running>>,
    /// Opens a URL in the user's browser.
    browser: Browser,
}

/// How a URL reaches the user's browser: the system's opener, or a test's stand-in.
pub type Browser = Box<dyn Fn(&str) -> std::io::Result<()> + Send + Sync>;

impl Desktop {
    /// Opens URLs with `browser` instead of the system's opener (tests record them).
    pub fn with_browser(mut self, browser: Browser) -> Self {
        self.browser = browser;
        self
    }

    /// Opens (creating and migrating on first start) the local pools in `database_path`, next
    /// to the remote connections in `remotes`.
    pub fn open(database_path: &Path, remotes: Remotes, runtime: tokio::runtime::Handle) -> anyhow::Result<Desktop> {
        if let Some(dir) = database_path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let store = Arc::new(
            SqliteStore::open(database_path, Durability::Normal, &*vault_for(database_path, remotes.keychain(), NewKeyIn::Keychain).0)
                .with_context(|| format!("opening the database {}", database_path.display()))?,
        );
        let local = Arc::new(api(store.clone(), serve::DEFAULT_PORT, runtime.clone())?);
        Ok(Desktop {
            database_path: database_path.to_owned(),
            store,
            local,
            remotes,
            runtime,
            serving: tokio::sync::Mutex::new(None),
            browser: Box::new(|url| open::that_detached(url)),
        })
    }

    pub fn database_path(&self) -> &Path {
        &self.database_path
    }
}

/// The operations over `store`, with token issuers at `http://127.0.0.1:{port}` (where the
/// pools are served when the user asks).
fn api(store: Arc<SqliteStore>, port: u16, runtime: tokio::runtime::Handle) -> anyhow::Result<Api> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let config = pooldesk_core::Config { public_url: format!("http://127.0.0.1:{port}"), ..pooldesk_core::Config::default() };
    let store: Arc<dyn Store> = store;
    Api::new(store, clock, config, Outbound::from_env(), runtime)
}

/// Where this computer's pools live unless `POOLDESK_DB` says otherwise: the same file
/// `pooldesk serve` uses by default, so the CLI and the app see the same pools.
pub fn default_database_path() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("POOLDESK_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let dir = dirs::data_dir().context("this user has no data directory; set POOLDESK_DB")?;
    Ok(dir.join("pooldesk").join("pooldesk.sqlite"))
}

/// The app with its commands and state, generic over the runtime so tests drive it through
/// Tauri's mock runtime and the real IPC.
pub fn builder<R: Runtime>(desktop: Desktop) -> tauri::Builder<R> {
    tauri::Builder::<R>::new().manage(desktop).invoke_handler(tauri::generate_handler![
        commands::call,
        commands::app_info,
        connections::connections_list,
        connections::connection_add,
        connections::connection_test,
        connections::connection_remove,
        serve::serve_start,
        serve::serve_stop,
        serve::serve_status,
        serve::serve_forget_key,
        serve::open_login_page,
    ])
}

/// The app's configuration, capabilities and (in release builds) embedded web UI.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// The main window, from the configuration (where `create` is false so it is made here): with
/// downloads (a certificate, a template) saved in the user's Downloads folder under a name not
/// yet taken there, rather than wherever the process happens to run.
fn open_main_window(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    use tauri::Manager as _;
    use tauri::webview::DownloadEvent;
    let config = app.config().app.windows.iter().find(|w| w.label == "main").cloned().context("tauri.conf.json has no main window")?;
    let downloads = app.path().download_dir().or_else(|_| app.path().home_dir().map(|home| home.join("Downloads")))?;
    // Names handed out to downloads still being written: the file may not exist yet when the
    // next download asks, and two must never share a name.
    let in_flight = std::sync::Mutex::new(Vec::<(tauri::Url, PathBuf)>::new());
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .on_download(move |_, event| {
            let mut in_flight = in_flight.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match event {
                DownloadEvent::Requested { url, destination } => {
                    let name = destination.file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("download"));
                    if let Err(e) = std::fs::create_dir_all(&downloads) {
                        tracing::error!("creating {}: {e}", downloads.display());
                        return false;
                    }
                    *destination = free_name(&downloads, &name, |p| in_flight.iter().any(|(_, taken)| taken == p));
                    tracing::info!("saving a download to {}", destination.display());
                    in_flight.push((url, destination.clone()));
                }
                DownloadEvent::Finished { url, path, success } => {
                    // By its path where the platform gives it, else by its URL.
                    let finished = |(u, p): &(tauri::Url, PathBuf)| path.as_ref().map_or(*u == url, |path| p == path);
                    if let Some(i) = in_flight.iter().position(finished) {
                        let (_, path) = in_flight.remove(i);
                        if !success {
                            tracing::warn!("the download to {} failed", path.display());
                        }
                    }
                }
                _ => {}
            }
            true
        })
        .build()?;
    Ok(())
}

/// `dir/name`, or `dir/stem (2).ext` and on when it is taken (on disk, or by a download still
/// being written): a download never overwrites a file.
fn free_name(dir: &Path, name: &Path, taken: impl Fn(&Path) -> bool) -> PathBuf {
    let stem = name.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let extension = name.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    (1..)
        .map(|n| if n == 1 { dir.join(name) } else { dir.join(format!("{stem} ({n}){extension}")) })
        .find(|candidate| !candidate.exists() && !taken(candidate))
        .unwrap_or_else(|| dir.join(name))
}

/// Runs the app until its window closes; a running server is stopped before the process ends.
pub fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    // One runtime for Tauri's async commands and for the embedded server.
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().context("starting the async runtime")?;
    tauri::async_runtime::set(runtime.handle().clone());
    // Shared with the CLI (`pooldesk remote ...`): the same file and keychain entries.
    let connections_path = pooldesk_remote::connections::default_path()?;
    let remotes = Remotes::open(&connections_path, pooldesk_remote::Keychain::default())?;
    let desktop = Desktop::open(&default_database_path()?, remotes, runtime.handle().clone())?;
    let app = builder::<tauri::Wry>(desktop).setup(open_main_window).build(context()).context("starting the window")?;
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            use tauri::Manager as _;
            let desktop = handle.state::<Desktop>();
            desktop.runtime.block_on(serve::stop(&desktop));
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_gets_a_name_neither_on_disk_nor_given_to_one_still_being_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let name = Path::new("Corp-encryption.cer");
        assert_eq!(free_name(dir.path(), name, |_| false), dir.path().join(name));
        std::fs::write(dir.path().join(name), "a").expect("write");
        let writing = dir.path().join("Corp-encryption (2).cer");
        assert_eq!(free_name(dir.path(), name, |p| p == writing), dir.path().join("Corp-encryption (3).cer"));
        assert_eq!(free_name(dir.path(), Path::new("README"), |_| false), dir.path().join("README"));
    }
}
