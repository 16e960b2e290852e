//! "Serve this computer's pools": the embedded server on a loopback port, so apps under
//! development sign in against local pools. It gets an admin key of its own, never in the
//! database: a new one for each start, kept only in memory, or, when the user asks to keep
//! it, the same one every start, kept in the OS keychain so an app's settings stay valid. It
//! stops when the app exits.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::Desktop;
use crate::commands::CommandError;

pub const DEFAULT_PORT: u16 = 9229;

/// Where the served pools are and the key admin clients sign with.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../ui/src/generated/")]
pub struct ServeInfo {
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Whether this is the key kept in the OS keychain across starts.
    pub key_kept: bool,
}

/// The keychain entry of the kept key (connection names cannot contain `:`).
const KEPT_KEY_ENTRY: &str = "serve:root-key";

pub(crate) struct Running {
    info: ServeInfo,
    /// The server's own operations: their URLs name the port it serves on.
    state: Arc<pooldesk_server::AppState>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

#[tauri::command]
pub async fn serve_start(desktop: State<'_, Desktop>, port: Option<u16>, keep_key: Option<bool>) -> Result<ServeInfo, CommandError> {
    start(&desktop, port.unwrap_or(DEFAULT_PORT), keep_key.unwrap_or(false)).await
}

/// Forgets the kept key: the next start that keeps a key makes a new one. Refused while
/// serving with it.
#[tauri::command]
pub async fn serve_forget_key(desktop: State<'_, Desktop>) -> Result<bool, CommandError> {
    if desktop.serving.lock().await.as_ref().is_some_and(|r| r.info.key_kept) {
        return Err(CommandError::new("ServeRunning", "Stop serving before replacing the key it signs with."));
    }
    desktop.remotes.keychain().delete(KEPT_KEY_ENTRY).map_err(|e| CommandError::new("KeychainUnavailable", e.to_string()))
}

#[tauri::command]
pub async fn serve_stop(desktop: State<'_, Desktop>) -> Result<(), CommandError> {
    stop(&desktop).await;
    Ok(())
}

#[tauri::command]
pub async fn serve_status(desktop: State<'_, Desktop>) -> Result<Option<ServeInfo>, CommandError> {
    Ok(desktop.serving.lock().await.as_ref().map(|r| r.info.clone()))
}

/// Starts serving (or answers where it already serves). Port 0 picks a free port.
pub(crate) async fn start(desktop: &Desktop, port: u16, keep_key: bool) -> Result<ServeInfo, CommandError> {
    let mut serving = desktop.serving.lock().await;
    if let Some(running) = serving.as_ref() {
        return Ok(running.info.clone());
    }
    let failed = |m: String| CommandError::new("ServeFailed", m);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|e| failed(format!("Could not listen on 127.0.0.1:{port}: {e}. Is another server using that port?")))?;
    let addr = listener.local_addr().map_err(|e| failed(e.to_string()))?;
    let (id, secret) =
        if keep_key { kept_key(desktop)? } else { pooldesk_core::random::access_key().map_err(|e| failed(e.to_string()))? };
    let api = crate::api(desktop.store.clone(), addr.port(), desktop.runtime.clone()).map_err(|e| failed(format!("{e:#}")))?;
    let state = Arc::new(pooldesk_server::AppState::new(api, Some(pooldesk_server::RootKey { id: id.clone(), secret: secret.clone() })));
    let region = desktop.local.pools.config().region.clone();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(pooldesk_server::serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    let info = ServeInfo { endpoint: format!("http://{addr}"), region, access_key_id: id, secret_access_key: secret, key_kept: keep_key };
    tracing::info!("serving this computer's pools on {}", info.endpoint);
    *serving = Some(Running { info: info.clone(), state, shutdown, task });
    Ok(info)
}

/// The key kept in the keychain, made and kept there on first use.
fn kept_key(desktop: &Desktop) -> Result<(String, String), CommandError> {
    let keychain = desktop.remotes.keychain();
    let unavailable = |e: pooldesk_remote::RemoteError| {
        CommandError::new("KeychainUnavailable", format!("The key cannot be kept: {e} Start without keeping it, or unlock the keychain."))
    };
    match keychain.read(KEPT_KEY_ENTRY) {
        Ok(kept) => kept
            .split_once(':')
            .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
            .ok_or_else(|| CommandError::new("ServeFailed", "The kept key in the keychain is damaged: replace it.")),
        Err(pooldesk_remote::RemoteError::SecretMissing(_)) => {
            let (id, secret) = pooldesk_core::random::access_key().map_err(|e| CommandError::new("ServeFailed", e.to_string()))?;
            keychain.store(KEPT_KEY_ENTRY, &format!("{id}:{secret}")).map_err(unavailable)?;
            Ok((id, secret))
        }
        Err(e) => Err(unavailable(e)),
    }
}

/// Stops serving, letting requests in flight finish.
pub(crate) async fn stop(desktop: &Desktop) {
    let Some(running) = desktop.serving.lock().await.take() else { return };
    let _ = running.shutdown.send(());
    match running.task.await {
        Ok(Ok(())) => tracing::info!("stopped serving {}", running.info.endpoint),
        Ok(Err(e)) => tracing::warn!("the server stopped with an error: {e}"),
        Err(e) => tracing::warn!("the server task ended abnormally: {e}"),
    }
}

/// Opens an app client's login pages in the user's browser and answers the URL opened. This
/// computer's pools must be served (the pages are served with them); a remote server's URL
/// comes from that server. The web view never chooses what is opened: the URL is the
/// server's answer to `PoolDesk.GetLoginUrl`.
#[tauri::command]
pub async fn open_login_page(
    desktop: State<'_, Desktop>,
    connection: String,
    user_pool_id: String,
    client_id: String,
) -> Result<String, CommandError> {
    let input = serde_json::json!({ "UserPoolId": user_pool_id, "ClientId": client_id });
    let body = serde_json::to_vec(&input).map_err(|e| CommandError::new("InternalErrorException", e.to_string()))?;
    let answer = if connection == crate::LOCAL {
        let serving = desktop.serving.lock().await;
        let Some(running) = serving.as_ref() else {
            return Err(CommandError::new("ServeNotRunning", "Serve this computer's pools first: the login pages are served with them."));
        };
        let state = running.state.clone();
        drop(serving);
        tokio::task::spawn_blocking(move || state.api.call("desktop", "PoolDesk.GetLoginUrl", &body))
            .await
            .map_err(|e| CommandError::new("InternalErrorException", e.to_string()))??
    } else {
        desktop.remotes.client(&connection).await?.call("PoolDesk.GetLoginUrl", body).await?
    };
    let url = serde_json::from_slice::<serde_json::Value>(&answer)
        .ok()
        .and_then(|v| v["Url"].as_str().map(str::to_owned))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .ok_or_else(|| CommandError::new("InternalErrorException", "The server answered no login page URL."))?;
    (desktop.browser)(&url).map_err(|e| CommandError::new("BrowserUnavailable", format!("Could not open a browser: {e}")))?;
    Ok(url)
}
