//! Integration tests of the PoolDesk server: the real router served over loopback HTTP, on a
//! temporary SQLite file, with an injected clock (see `helpers`). One binary, so the crates
//! link once: `cargo test -p pooldesk-server --test it`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: failing loudly is the point

mod codes;
mod durability;
mod helpers;
mod identity;
mod lifecycle;
mod protocol;
