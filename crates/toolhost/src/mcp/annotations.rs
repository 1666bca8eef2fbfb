//! MCP's `title` and behaviour hints, derived from what the registry grants a tool: a tool
//! with no grants is pure computation, so it can neither change nor reach anything.
//!
//! - no read-write directory and no network: `readOnlyHint` and `idempotentHint`;
//! - a network grant: `openWorldHint` (it reaches hosts beyond the host's control) and not
//!   read-only (a request may change something there);
//! - a read-write directory: `destructiveHint` (it may overwrite or delete files there).
//!
//! Code that calls tools (`run_python`, the registry's scripts) may call any of them, so it
//! gets the hints of all of them together.

use rmcp::model::{Tool, ToolAnnotations};

use crate::registry::{DirMode, ToolEntry, ToolRegistry};

/// What a client may assume about a tool's effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

impl Hints {
    pub fn of(entry: &ToolEntry) -> Self {
        let writes_files = entry
            .grants
            .dirs
            .iter()
            .any(|d| d.mode == DirMode::ReadWrite);
        let network = !entry.grants.network.is_empty();
        let read_only = !writes_files && !network;
        Hints {
            read_only,
            destructive: writes_files,
            idempotent: read_only,
            open_world: network,
        }
    }

    /// Code that may call every tool of `registry`; `stateful` code (a session whose
    /// variables persist) is never idempotent.
    pub fn of_code(registry: &ToolRegistry, stateful: bool) -> Self {
        let all: Vec<Hints> = registry.tools.iter().map(Hints::of).collect();
        // Another MCP server's tools may do anything its program or service can.
        let remote = !registry.mcp_servers.is_empty();
        let read_only = all.iter().all(|h| h.read_only) && !remote;
        Hints {
            read_only,
            destructive: all.iter().any(|h| h.destructive) || remote,
            idempotent: read_only && !stateful,
            open_world: all.iter().any(|h| h.open_world) || remote,
        }
    }
}

/// `name` as a title when the registry gives none: `plot_sixel` → `Plot sixel`.
pub fn title_from_name(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The registry entry's title, else one made from its name.
pub fn title(entry: &ToolEntry) -> String {
    entry
        .title
        .clone()
        .unwrap_or_else(|| title_from_name(&entry.name))
}

/// `tool` with its title and hints set.
pub fn annotate(mut tool: Tool, title: String, hints: Hints) -> Tool {
    tool.title = Some(title.clone());
    let mut annotations = ToolAnnotations::with_title(title)
        .read_only(hints.read_only)
        .idempotent(hints.idempotent)
        .open_world(hints.open_world);
    // The spec reads destructiveHint only when readOnlyHint is false.
    if !hints.read_only {
        annotations = annotations.destructive(hints.destructive);
    }
    tool.annotations = Some(annotations);
    tool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_names_read_as_words() {
        assert_eq!(title_from_name("plot_sixel"), "Plot sixel");
        assert_eq!(title_from_name("word-count"), "Word count");
    }
}
