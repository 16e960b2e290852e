//! Release builds of `pooldesk` lay out the functions it runs while starting and serving
//! (crates/cli/hot-symbols.txt, written by scripts/hot-symbols.sh) side by side, at the start
//! of its code. The kernel maps code 64 KiB around each page a process touches, so startup
//! code scattered across the binary's 10 MiB made most of it resident; packed, an idle server
//! maps a fraction of it. Names the file lacks keep their place, so a stale file costs memory,
//! never correctness.
use std::env::var;

fn main() {
    println!("cargo:rerun-if-changed=hot-symbols.txt");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    if var("PROFILE").as_deref() == Ok("release") && links_with_rust_lld() {
        let order = concat!(env!("CARGO_MANIFEST_DIR"), "/hot-symbols.txt");
        println!("cargo:rustc-link-arg-bin=pooldesk=-Wl,--symbol-ordering-file={order}");
        println!("cargo:rustc-link-arg-bin=pooldesk=-Wl,--no-warn-symbol-ordering");
    }
}

/// Rust links x86_64 Linux binaries with its own lld since 1.90, unless told otherwise; GNU ld
/// (older toolchains, other targets) knows no ordering file and would fail the link.
fn links_with_rust_lld() -> bool {
    let target = var("TARGET").as_deref() == Ok("x86_64-unknown-linux-gnu");
    let flags = var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let linker_chosen = flags.contains("linker") || flags.contains("-fuse-ld");
    let rustc = var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc).arg("--version").output().ok().and_then(|out| {
        // "rustc 1.95.0 (59807616e 2026-04-14)"
        let text = String::from_utf8(out.stdout).ok()?;
        let mut numbers = text.split_whitespace().nth(1)?.split('.').map(|n| n.parse::<u32>().ok());
        Some((numbers.next()??, numbers.next()??))
    });
    target && !linker_chosen && version.is_some_and(|v| v >= (1, 90))
}
