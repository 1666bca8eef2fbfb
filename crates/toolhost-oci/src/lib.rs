//! Tools from elsewhere: Wasm components pulled from OCI registries (the CNCF Wasm OCI
//! layout that wasmCloud, wassette and `wkg` use) or plain URLs, pinned by digest, cached
//! on disk, and verified against cosign keys; and `publish`, which pushes and signs them.
//!
//! The core asks [`RemoteStore`] (as a [`toolhost_core::dispatch::RemoteComponents`]) for
//! the local file of an `oci://` or `https://` entry; a pinned entry whose content is
//! cached loads without the network.

mod client;
pub mod cosign;
mod pull;
mod push;
mod source;
mod store;
mod url;

pub use client::OciReference;
pub use push::{Published, ToolMetadata, publish};
pub use source::{AddedComponent, RemoteStore};
pub use store::ComponentStore;

/// `text` made a valid tool name (lowercase letters, digits, `_`, `-`; a letter first).
pub fn tool_name_from(text: &str) -> String {
    let mut name: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "tool_");
    }
    name
}
