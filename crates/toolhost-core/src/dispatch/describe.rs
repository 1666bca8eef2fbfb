//! What `describe` tells a person or a client about a tool.

use serde::Serialize;
use serde_json::Value;

use crate::registry::{DirMode, ToolEntry};

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub description: String,
    pub input: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct LimitsView {
    pub timeout_ms: u64,
    pub memory_mb: u64,
    pub max_output_bytes: u64,
    pub max_response_bytes: u64,
    pub max_component_mb: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DirView {
    pub host: String,
    pub guest: String,
    pub mode: DirMode,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub symlinks: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GrantsView {
    pub dirs: Vec<DirView>,
    pub env: Vec<String>,
    pub network: Vec<String>,
}

/// Everything known about a loaded tool.
#[derive(Debug, Clone, Serialize)]
pub struct ToolDescription {
    pub name: String,
    pub version: String,
    pub description: String,
    pub input_schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    pub examples: Vec<Example>,
    /// The component (`builtin:NAME`, a file), or `mcp:ENTRY` for another server's tool.
    pub component: String,
    /// The component's sha256; empty for another MCP server's tool.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    pub limits: LimitsView,
    pub grants: GrantsView,
    /// Where a tool of another MCP server comes from; `None` for a component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteOrigin>,
}

/// A tool offered by another MCP server (a registry entry with `mcp:`).
#[derive(Debug, Clone, Serialize)]
pub struct RemoteOrigin {
    /// The registry entry naming the server.
    pub server: String,
    /// The tool's name on that server (before the entry's `prefix`).
    pub name: String,
    /// The command line or URL the server is reached by (never its env or headers).
    pub transport: String,
    /// The title the server gives the tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The server's behaviour hints for the tool (MCP `annotations`), as it gave them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Value>,
}

impl ToolDescription {
    /// The first line of the description.
    pub fn summary(&self) -> &str {
        self.description.lines().next().unwrap_or("")
    }
}

pub fn limits_view(entry: &ToolEntry) -> LimitsView {
    LimitsView {
        timeout_ms: entry.limits.timeout.as_millis() as u64,
        memory_mb: entry.limits.memory_bytes >> 20,
        max_output_bytes: entry.limits.max_output_bytes,
        max_response_bytes: entry.limits.max_response_bytes,
        max_component_mb: entry.limits.max_component_bytes >> 20,
    }
}

pub fn grants_view(entry: &ToolEntry) -> GrantsView {
    GrantsView {
        dirs: entry
            .grants
            .dirs
            .iter()
            .map(|d| DirView {
                host: d.host.display().to_string(),
                guest: d.guest.clone(),
                mode: d.mode,
                symlinks: d.symlinks,
            })
            .collect(),
        env: entry.grants.env.clone(),
        network: entry.grants.network.iter().map(|r| r.to_string()).collect(),
    }
}
