//! Registry entries that name another MCP server instead of a component: its tools are
//! listed from the server and offered as toolhost tools (see `dispatch/remote.rs`).

use std::path::PathBuf;

use super::{Position, SandboxLimits};

/// `- name: files` with `mcp: { command: ... }` or `mcp: { url: ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpServerEntry {
    /// The entry's name: how messages and `toolhost list` refer to the server.
    pub name: String,
    pub transport: McpTransport,
    /// Put before each of the server's tool names (`files_` + `read_file`).
    pub prefix: String,
    /// Which of the server's tools are offered, by the names the server gives them.
    pub filter: McpToolFilter,
    /// `timeout_ms` and `max_output_bytes` bound each call; the others do not apply.
    pub limits: SandboxLimits,
    pub position: Option<Position>,
}

/// How toolhost reaches the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpTransport {
    /// A program toolhost starts (on first use) and talks to over its stdin and stdout.
    Stdio {
        command: String,
        args: Vec<String>,
        /// Added to the environment toolhost itself runs with; `${NAME}` in a value is
        /// the host's variable `NAME`.
        env: Vec<(String, String)>,
        /// The registry file's directory: relative paths in `command` and `args` mean
        /// what they mean next to the registry.
        cwd: PathBuf,
    },
    /// A Streamable HTTP endpoint.
    Http {
        url: String,
        /// Sent with every request; `${NAME}` in a value is the host's variable `NAME`,
        /// so tokens need not be written into the registry.
        headers: Vec<(String, String)>,
    },
}

impl McpTransport {
    /// A short, secret-free description (`npx -y pkg`, or the URL).
    pub fn summary(&self) -> String {
        match self {
            McpTransport::Stdio { command, args, .. } => std::iter::once(command.as_str())
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            McpTransport::Http { url, .. } => url.clone(),
        }
    }
}

/// `include:` or `exclude:` (at most one of them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum McpToolFilter {
    #[default]
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

impl McpToolFilter {
    pub fn allows(&self, remote_name: &str) -> bool {
        match self {
            McpToolFilter::All => true,
            McpToolFilter::Include(names) => names.iter().any(|n| n == remote_name),
            McpToolFilter::Exclude(names) => !names.iter().any(|n| n == remote_name),
        }
    }
}

/// `value` with each `${NAME}` replaced by the host's environment variable `NAME`; `Err`
/// names the first variable that is not set.
pub fn expand_env(value: &str) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        match std::env::var(name) {
            Ok(v) => out.push_str(&v),
            Err(_) => return Err(name.to_owned()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_expanded_and_a_missing_one_is_named() {
        // PATH is set wherever tests run.
        let path = std::env::var("PATH").unwrap();
        assert_eq!(expand_env("a ${PATH} b").unwrap(), format!("a {path} b"));
        assert_eq!(expand_env("no vars").unwrap(), "no vars");
        assert_eq!(
            expand_env("Bearer ${TOOLHOST_SURELY_UNSET_VAR}").unwrap_err(),
            "TOOLHOST_SURELY_UNSET_VAR"
        );
    }

    #[test]
    fn include_and_exclude_filter_by_the_servers_names() {
        let include = McpToolFilter::Include(vec!["echo".into()]);
        assert!(include.allows("echo") && !include.allows("add"));
        let exclude = McpToolFilter::Exclude(vec!["echo".into()]);
        assert!(!exclude.allows("echo") && exclude.allows("add"));
    }
}
