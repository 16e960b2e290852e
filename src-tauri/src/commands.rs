//! The commands the web UI invokes. Every Cognito operation goes through [`call`] by its
//! `X-Amz-Target` name with the wire shapes (the UI's types are generated from the same AWS
//! models as the server's); errors reach the UI as `{code, message}` with Cognito's names.

use serde::Serialize;
use tauri::State;
use tauri::ipc::{InvokeResponseBody, Response};
use ts_rs::TS;

use crate::{Desktop, LOCAL};

/// An error as the UI receives it: Cognito's error name (`UsernameExistsException`, ...) or
/// one of the app's own (`UnknownConnection`, `ServeFailed`), and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/generated/")]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CommandError { code: code.to_owned(), message: message.into() }
    }
}

impl From<pooldesk_api::CallError> for CommandError {
    fn from(e: pooldesk_api::CallError) -> Self {
        CommandError { code: e.code, message: e.message }
    }
}

/// Runs one operation, e.g. `AWSCognitoIdentityProviderService.ListUsers`, with `input` in
/// the wire shape, on a connection. The answer is the operation's JSON, passed through as is.
#[tauri::command]
pub async fn call(
    desktop: State<'_, Desktop>,
    connection: String,
    target: String,
    input: serde_json::Value,
) -> Result<Response, CommandError> {
    let body = serde_json::to_vec(&input).map_err(|e| CommandError::new("InvalidParameterException", e.to_string()))?;
    if connection != LOCAL {
        let answer = desktop.remotes.client(&connection).await?.call(&target, body).await?;
        let json = String::from_utf8(answer).map_err(|e| CommandError::new("RemoteNotCognito", e.to_string()))?;
        return Ok(Response::new(InvokeResponseBody::Json(json)));
    }
    let api = desktop.local.clone();
    // Operations block (argon2id, SQLite): off the runtime's worker threads, like the server.
    let answer = tokio::task::spawn_blocking(move || api.call("desktop", &target, &body))
        .await
        .map_err(|e| CommandError::new("InternalErrorException", format!("The operation stopped unexpectedly: {e}")))??;
    let json = String::from_utf8(answer).map_err(|e| CommandError::new("InternalErrorException", e.to_string()))?;
    Ok(Response::new(InvokeResponseBody::Json(json)))
}

/// What the app shows about itself.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../ui/src/generated/")]
pub struct AppInfo {
    pub version: String,
    pub database_path: String,
}

#[tauri::command]
pub fn app_info(desktop: State<'_, Desktop>) -> AppInfo {
    AppInfo { version: env!("CARGO_PKG_VERSION").to_owned(), database_path: desktop.database_path().display().to_string() }
}
