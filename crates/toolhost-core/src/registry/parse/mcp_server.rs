//! `tools:` entries with `mcp:` instead of `component:` — another MCP server whose tools
//! toolhost offers as its own.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

use super::super::SandboxLimits;
use super::super::mcp_server::{McpServerEntry, McpToolFilter, McpTransport};
use super::{Checker, RawLimits, Seg};

/// `mcp: { command, args, env }` or `mcp: { url, headers }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMcpServer {
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    url: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

/// What an entry naming an MCP server may carry besides `name` and `mcp`.
pub(super) struct McpServerFields {
    pub prefix: Option<String>,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub limits: RawLimits,
}

impl Checker {
    /// The entry `tools[i]`, whose `mcp:` names a server.
    pub(super) fn mcp_server(
        &mut self,
        i: usize,
        name: &str,
        raw: RawMcpServer,
        fields: McpServerFields,
        defaults: SandboxLimits,
        base_dir: &Path,
    ) -> Option<McpServerEntry> {
        let at = |key: &'static str| [Seg::Key("tools"), Seg::Index(i), Seg::Key(key)];
        let limits_at = at("limits");
        for (key, set) in [
            ("memory_mb", fields.limits.memory_mb.is_some()),
            (
                "max_response_bytes",
                fields.limits.max_response_bytes.is_some(),
            ),
            ("max_component_mb", fields.limits.max_component_mb.is_some()),
        ] {
            if set {
                let mut path = limits_at.to_vec();
                path.push(Seg::Key(key));
                self.problem(
                    &path,
                    format!(
                        "`{key}` does not apply to an MCP server, which runs outside the \
                         sandbox; its calls are bounded by `timeout_ms` and `max_output_bytes`"
                    ),
                );
            }
        }
        let limits = self.limits(defaults, fields.limits, &limits_at);
        let transport = match (raw.command, raw.url) {
            (Some(_), Some(_)) => {
                self.problem(
                    &at("mcp"),
                    "`mcp` takes `command` (a program toolhost starts) or `url` (a Streamable \
                     HTTP endpoint), not both"
                        .to_owned(),
                );
                return None;
            }
            (None, None) => {
                self.problem(
                    &at("mcp"),
                    "`mcp` needs `command` (with `args`), such as `{ command: npx, args: [-y, \
                     \"@modelcontextprotocol/server-everything\"] }`, or `url`, such as \
                     `{ url: \"http://127.0.0.1:9000/mcp\" }`"
                        .to_owned(),
                );
                return None;
            }
            (Some(command), None) => {
                if !raw.headers.is_empty() {
                    self.problem(
                        &[
                            Seg::Key("tools"),
                            Seg::Index(i),
                            Seg::Key("mcp"),
                            Seg::Key("headers"),
                        ],
                        "`headers` are sent to a `url`; a `command` server takes `env`".to_owned(),
                    );
                }
                if command.trim().is_empty() {
                    self.problem(&at("mcp"), "`command` is empty".to_owned());
                    return None;
                }
                // A relative path (`./server.py`) means the file next to the registry;
                // a bare name is looked up on PATH.
                let command = if command.contains('/') && !Path::new(&command).is_absolute() {
                    base_dir.join(&command).display().to_string()
                } else {
                    command
                };
                McpTransport::Stdio {
                    command,
                    args: raw.args,
                    env: raw.env.into_iter().collect(),
                    cwd: std::fs::canonicalize(base_dir).unwrap_or_else(|_| base_dir.to_owned()),
                }
            }
            (None, Some(url)) => {
                if !raw.args.is_empty() || !raw.env.is_empty() {
                    self.problem(
                        &at("mcp"),
                        "`args` and `env` belong to a `command` server; a `url` takes `headers`"
                            .to_owned(),
                    );
                }
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    self.problem(
                        &[
                            Seg::Key("tools"),
                            Seg::Index(i),
                            Seg::Key("mcp"),
                            Seg::Key("url"),
                        ],
                        format!(
                            "`{url}` is not an http:// or https:// URL of a Streamable HTTP \
                             MCP endpoint"
                        ),
                    );
                    return None;
                }
                for header in raw.headers.keys() {
                    if http::HeaderName::from_bytes(header.as_bytes()).is_err() {
                        self.problem(
                            &[
                                Seg::Key("tools"),
                                Seg::Index(i),
                                Seg::Key("mcp"),
                                Seg::Key("headers"),
                            ],
                            format!("`{header}` is not an HTTP header name"),
                        );
                    }
                }
                McpTransport::Http {
                    url,
                    headers: raw.headers.into_iter().collect(),
                }
            }
        };
        let filter = match (fields.include, fields.exclude) {
            (Some(_), Some(_)) => {
                self.problem(
                    &at("exclude"),
                    "give `include` (only these tools) or `exclude` (all but these), not both"
                        .to_owned(),
                );
                McpToolFilter::All
            }
            (Some(names), None) => McpToolFilter::Include(names),
            (None, Some(names)) => McpToolFilter::Exclude(names),
            (None, None) => McpToolFilter::All,
        };
        let prefix = fields.prefix.unwrap_or_default();
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            self.problem(
                &at("prefix"),
                format!(
                    "`prefix` is letters, digits, `_` or `-` (such as `files_`), not `{prefix}`"
                ),
            );
        }
        Some(McpServerEntry {
            name: name.to_owned(),
            transport,
            prefix,
            filter,
            limits,
            position: self.position(&[Seg::Key("tools"), Seg::Index(i)]),
        })
    }
}
