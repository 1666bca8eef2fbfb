//! Components fetched over the network (`oci://`, `https://`). The core never opens a
//! connection: a front end hands the dispatcher a [`RemoteComponents`] that turns such an
//! entry into a local file (from its download cache when the pinned content is there,
//! which needs no network). The core then reads that file like any other, within the
//! entry's size limit and against its sha256 pin.

use std::path::PathBuf;

use crate::error::{ErrorCode, ToolError};
use crate::registry::ToolEntry;

/// Where remote components' bytes come from.
#[async_trait::async_trait]
pub trait RemoteComponents: Send + Sync + std::fmt::Debug {
    /// The local file holding `entry`'s component, by its pins (`digest:`, `sha256:`), with
    /// its signature checked when the entry has `verify: { key }`.
    async fn local_file(&self, entry: &ToolEntry) -> Result<PathBuf, ToolError>;
}

/// The error when a remote entry is loaded by a dispatcher that was given no source.
pub(super) fn no_source(entry: &ToolEntry) -> ToolError {
    ToolError::new(
        ErrorCode::Unavailable,
        format!(
            "component {} is fetched over the network, and this host was set up without a \
             source for remote components",
            entry.component
        ),
    )
}
