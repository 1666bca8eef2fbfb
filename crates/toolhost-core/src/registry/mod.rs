//! `tool_registry.yaml`: which tools exist, where their components are, and the limits and
//! grants each call runs with. The YAML is parsed into these types once; policy is applied
//! from them (never from raw YAML) by the runtime.

pub mod append;
mod depth;
mod error;
mod locate;
mod mcp_server;
mod network;
mod parse;
pub mod pins;
mod remote;

use std::path::PathBuf;
use std::time::Duration;

pub use error::{RegistryError, RegistryProblem};
pub use mcp_server::{McpServerEntry, McpToolFilter, McpTransport, expand_env};
pub use network::{HostPattern, NetworkRule, normalise_host};
pub use parse::{
    AgentSettings, BUILTIN_REGISTRY_YAML, ModelRole, RolePrices, load_file, parse_agent_config,
    parse_str,
};
pub use remote::{SignatureKey, is_manifest_digest};

/// The default registry file name looked for in the current directory.
pub const DEFAULT_FILE_NAME: &str = "tool_registry.yaml";

/// A validated registry.
#[derive(Debug, Clone)]
pub struct ToolRegistry {
    /// The file it came from; `None` for the built-in registry.
    pub file: Option<PathBuf>,
    pub tools: Vec<ToolEntry>,
    /// Other MCP servers whose tools are offered too (entries with `mcp:`), in file order.
    pub mcp_servers: Vec<McpServerEntry>,
    /// Reusable Python scripts (`scripts:`), callable as `SCRIPT(name, {...})`.
    pub scripts: Vec<ScriptEntry>,
    /// The Python interpreter's limits (`python:`).
    pub python: PythonSettings,
    /// Which tools MCP clients see (`mcp:`).
    pub mcp: McpSelection,
    /// The agent's models by role (`agent:`); empty when the section is absent.
    pub agent: AgentSettings,
}

/// The `mcp:` section: the tools offered to MCP clients, by the names they see them by
/// (tools, `run_python`, `script_NAME`). Checked against what the server offers when it
/// starts, so an unknown name is reported with its place in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct McpSelection {
    /// Only these (`None`: all).
    pub tools: Option<Vec<NameAt>>,
    /// Never these.
    pub exclude_tools: Vec<NameAt>,
}

/// A name written in the registry, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAt {
    pub name: String,
    pub position: Option<Position>,
}

/// Where a registry's tool comes from (`toolhost list` shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolOrigin {
    /// The built-in registry's entry (`builtins:` in a registry file takes them in).
    Builtin,
    /// An entry of the registry file.
    File,
    /// An entry of the registry file that replaces the built-in tool of its name.
    OverridesBuiltin,
    /// A tool of another MCP server named by an `mcp:` entry of the registry file.
    #[serde(rename = "mcp")]
    McpServer,
}

/// The `python:` section: limits of every Python session (the REPL, the agent, code mode,
/// scripts). `timeout` is per input; memory and output per session and input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonSettings {
    pub limits: SandboxLimits,
    pub max_tool_calls_per_input: u64,
}

impl Default for PythonSettings {
    fn default() -> Self {
        PythonSettings {
            limits: SandboxLimits {
                timeout: std::time::Duration::from_secs(120),
                memory_bytes: 512 << 20,
                max_output_bytes: 1 << 20,
                ..SandboxLimits::default()
            },
            max_tool_calls_per_input: 10_000,
        }
    }
}

impl ToolRegistry {
    /// The registry compiled into toolhost: every built-in tool with default limits.
    pub fn builtin() -> Self {
        parse_str(BUILTIN_REGISTRY_YAML, None).expect("the built-in registry is valid")
    }

    /// A registry of one component file, as `toolhost run ./tool.wasm` uses: named after
    /// the file, default limits, no grants, no built-ins.
    pub fn for_component(path: &std::path::Path) -> Result<(Self, String), RegistryError> {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let mut name: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
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
        let meta = std::fs::metadata(path).map_err(|e| {
            RegistryError::single(
                Some(path.to_owned()),
                None,
                format!("cannot read the component: {e}"),
            )
        })?;
        if !meta.is_file() {
            return Err(RegistryError::single(
                Some(path.to_owned()),
                None,
                "not a component file".to_owned(),
            ));
        }
        let entry = ToolEntry {
            name: name.clone(),
            component: ComponentSource::File(path.to_owned()),
            sha256: None,
            digest: None,
            verify: None,
            description: None,
            title: None,
            origin: ToolOrigin::File,
            limits: SandboxLimits::default(),
            grants: Grants::default(),
            positions: EntryPositions::default(),
        };
        let registry = ToolRegistry {
            file: None,
            tools: vec![entry],
            mcp_servers: Vec::new(),
            scripts: Vec::new(),
            python: PythonSettings::default(),
            mcp: McpSelection::default(),
            agent: AgentSettings::default(),
        };
        Ok((registry, name))
    }

    pub fn get(&self, name: &str) -> Option<&ToolEntry> {
        self.tools.iter().find(|t| t.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.tools.iter().map(|t| t.name.as_str()).collect()
    }

    pub fn script(&self, name: &str) -> Option<&ScriptEntry> {
        self.scripts.iter().find(|s| s.name == name)
    }

    /// How a location in this registry is shown in messages.
    pub fn describe_location(&self, at: Option<Position>) -> String {
        let file = self
            .file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "<built-in registry>".to_owned());
        match at {
            Some(p) => format!("{file}:{}:{}", p.line, p.column),
            None => file,
        }
    }
}

/// A line and column (both 1-based) in the registry file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One tool in the registry.
#[derive(Debug, Clone)]
pub struct ToolEntry {
    pub name: String,
    pub component: ComponentSource,
    /// Lowercase hex sha256 the component file must have.
    pub sha256: Option<String>,
    /// The OCI manifest digest (`sha256:HEX`) an `oci://` component is pinned to: it is
    /// loaded by this digest, never by its tag, so a moved tag is never followed.
    pub digest: Option<String>,
    /// The public key whose signature an `oci://` component must carry (`verify: { key }`).
    pub verify: Option<SignatureKey>,
    /// Replaces the description the component reports.
    pub description: Option<String>,
    /// A short human-readable name (MCP's `title`).
    pub title: Option<String>,
    pub origin: ToolOrigin,
    pub limits: SandboxLimits,
    pub grants: Grants,
    /// Where the entry's fields are, for messages about them.
    pub positions: EntryPositions,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct EntryPositions {
    pub entry: Option<Position>,
    pub component: Option<Position>,
    pub sha256: Option<Position>,
    pub digest: Option<Position>,
}

/// A reusable Python script listed in the registry.
#[derive(Debug, Clone)]
pub struct ScriptEntry {
    pub name: String,
    /// The script file, resolved against the registry file's directory; read at each call,
    /// so an edited script is picked up without reloading the registry.
    pub file: PathBuf,
    pub description: String,
    /// The documented parameters, in file order; when declared, no others are accepted.
    pub params: Option<Vec<ScriptParam>>,
    pub position: Option<Position>,
}

/// One documented parameter of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptParam {
    pub name: String,
    pub description: String,
}

/// Where a tool's component comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentSource {
    /// Compiled into toolhost (`builtin:NAME`).
    Builtin(String),
    /// A `.wasm` file; the path is resolved against the registry file's directory.
    File(PathBuf),
    /// An OCI artifact in the CNCF Wasm layout, written `oci://HOST[:PORT]/REPO:TAG`. Its
    /// bytes come from the download cache by the entry's pinned `digest` (front ends fetch
    /// it through [`crate::dispatch::RemoteComponents`]).
    Oci(String),
    /// A component at a plain `https://` URL, downloaded once and kept by its sha256 pin.
    Url(String),
}

impl ComponentSource {
    /// Whether the component is fetched over the network rather than read from a file.
    pub fn is_remote(&self) -> bool {
        matches!(self, ComponentSource::Oci(_) | ComponentSource::Url(_))
    }
}

impl std::fmt::Display for ComponentSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ComponentSource::Builtin(name) => write!(f, "builtin:{name}"),
            ComponentSource::File(path) => write!(f, "{}", path.display()),
            ComponentSource::Oci(reference) | ComponentSource::Url(reference) => {
                f.write_str(reference)
            }
        }
    }
}

/// Hard limits on one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Wall time from the start of instantiation to the return of the call.
    pub timeout: Duration,
    /// Linear memory the instance may grow to, in bytes.
    pub memory_bytes: u64,
    /// Total size of the output items, and of each captured stream.
    pub max_output_bytes: u64,
    /// Total bytes of HTTP response bodies one call may receive (all requests and
    /// redirect hops together), counted by the host.
    pub max_response_bytes: u64,
    /// The largest component file the host reads for this tool; checked before reading.
    pub max_component_bytes: u64,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        SandboxLimits {
            timeout: Duration::from_secs(10),
            memory_bytes: 256 << 20,
            max_output_bytes: 4 << 20,
            max_response_bytes: 4 << 20,
            max_component_bytes: 256 << 20,
        }
    }
}

/// What a tool may reach beyond its own memory. Empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    pub dirs: Vec<DirGrant>,
    /// Names of host environment variables the tool sees (with the host's values).
    pub env: Vec<String>,
    pub network: Vec<NetworkRule>,
}

/// A host directory made visible to the tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirGrant {
    /// Absolute host path.
    pub host: PathBuf,
    /// The path the tool opens it by (absolute, e.g. `/data`).
    pub guest: String,
    pub mode: DirMode,
    /// Whether the tool may create symbolic links in it (read-write grants only). Off by
    /// default: a link the tool leaves could lead other programs on the host outside it.
    pub symlinks: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum DirMode {
    #[serde(rename = "read-only", alias = "ro")]
    ReadOnly,
    #[serde(rename = "read-write", alias = "rw")]
    ReadWrite,
}
