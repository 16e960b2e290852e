//! Tauri's build step. The app's own commands are declared here so that each gets a permission
//! (`allow-call`, ...) and the capability in `src-tauri/capabilities/` can grant exactly them.

fn main() {
    let commands = &[
        "call",
        "app_info",
        "connections_list",
        "connection_add",
        "connection_test",
        "connection_remove",
        "serve_start",
        "serve_stop",
        "serve_status",
        "serve_forget_key",
        "open_login_page",
    ];
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error={e:#}");
    }
}
