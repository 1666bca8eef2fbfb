//! YAML → validated [`ToolRegistry`]. serde_yaml reports syntax, type and unknown-key
//! errors with their position; the checks after parsing locate their node through
//! [`YamlPositions`]. All problems are reported together.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod agent;
mod builtins;
mod mcp;
mod mcp_server;
mod remote;
mod scripts;

pub use agent::{AgentSettings, ModelRole, RolePrices, parse_agent_config};

use super::locate::{Seg, YamlPositions};
use super::{
    ComponentSource, DirGrant, DirMode, EntryPositions, Grants, NetworkRule, Position,
    PythonSettings, RegistryError, RegistryProblem, SandboxLimits, ToolEntry, ToolOrigin,
    ToolRegistry,
};

/// The registry used when no file is given or found: every built-in tool.
pub const BUILTIN_REGISTRY_YAML: &str = include_str!("../../../../tool_registry.yaml");

const MAX_TIMEOUT_MS: u64 = 3_600_000;
const MAX_MEMORY_MB: u64 = 4096;
const MAX_OUTPUT_BYTES: u64 = 1 << 30;
const MAX_COMPONENT_MB: u64 = 4096;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    version: Option<u32>,
    #[serde(default)]
    defaults: RawDefaults,
    /// Which built-in tools a registry file takes in: `all` (the default), `none` or names.
    builtins: Option<builtins::RawBuiltins>,
    #[serde(default)]
    tools: Vec<RawTool>,
    #[serde(default)]
    scripts: Vec<scripts::RawScript>,
    /// Limits of the Python interpreter (REPL, agent, code mode, scripts).
    #[serde(default)]
    python: RawPython,
    #[serde(default)]
    mcp: mcp::RawMcp,
    /// The agent's models by role (interpreted by the agent front end).
    #[serde(default)]
    agent: AgentSettings,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPython {
    #[serde(default)]
    limits: RawLimits,
    max_tool_calls_per_input: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    #[serde(default)]
    limits: RawLimits,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTool {
    name: String,
    /// A `.wasm` file or `builtin:NAME`; an entry has this or `mcp`.
    component: Option<String>,
    /// Another MCP server whose tools the entry offers.
    mcp: Option<mcp_server::RawMcpServer>,
    prefix: Option<String>,
    include: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    sha256: Option<String>,
    /// The OCI manifest digest an `oci://` component is pinned to.
    digest: Option<String>,
    /// The key an `oci://` component's signature must verify with.
    verify: Option<remote::RawVerify>,
    description: Option<String>,
    title: Option<String>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    grants: RawGrants,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    timeout_ms: Option<u64>,
    memory_mb: Option<u64>,
    max_output_bytes: Option<u64>,
    max_response_bytes: Option<u64>,
    max_component_mb: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGrants {
    #[serde(default)]
    dirs: Vec<RawDir>,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    network: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDir {
    host: String,
    guest: Option<String>,
    #[serde(default = "read_only")]
    mode: DirMode,
    #[serde(default)]
    symlinks: bool,
}

fn read_only() -> DirMode {
    DirMode::ReadOnly
}

/// Read and validate a registry file. Relative component and directory paths are resolved
/// against the file's directory.
pub fn load_file(path: &Path) -> Result<ToolRegistry, RegistryError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        RegistryError::single(
            Some(path.to_owned()),
            None,
            format!("cannot read the registry: {e}"),
        )
    })?;
    parse_str(&text, Some(path))
}

/// Validate registry text. `file` names it in messages and anchors relative paths; `None`
/// means the built-in registry, whose tools may only be built-ins.
pub fn parse_str(text: &str, file: Option<&Path>) -> Result<ToolRegistry, RegistryError> {
    let owned_file = file.map(Path::to_path_buf);
    if let Err(at) = super::depth::check(text) {
        return Err(RegistryError::single(
            owned_file,
            Some(at),
            format!(
                "the YAML nests more than {} levels deep here; a registry needs a few, so \
                 it is refused before parsing",
                super::depth::MAX_DEPTH
            ),
        ));
    }
    let raw: RawRegistry = serde_yaml::from_str(text).map_err(|e| {
        let position = e.location().map(|l| Position {
            line: l.line(),
            column: l.column(),
        });
        RegistryError::single(owned_file.clone(), position, yaml_message(&e, text))
    })?;
    let base_dir = file
        .and_then(Path::parent)
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .unwrap_or(Path::new("."));
    let mut checker = Checker {
        file: owned_file.clone(),
        positions: YamlPositions::parse(text),
        problems: Vec::new(),
    };
    if let Some(v) = raw.version.filter(|v| *v != 1) {
        checker.problem(
            &[Seg::Key("version")],
            format!("unsupported registry version {v}; this toolhost reads version 1"),
        );
    }
    let defaults = checker.limits(
        SandboxLimits::default(),
        raw.defaults.limits,
        &[Seg::Key("defaults"), Seg::Key("limits")],
    );
    let python = checker.python(raw.python);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut tools = Vec::new();
    let mut mcp_servers = Vec::new();
    for (i, raw_tool) in raw.tools.into_iter().enumerate() {
        let at = |key: &'static str| [Seg::Key("tools"), Seg::Index(i), Seg::Key(key)];
        if !valid_tool_name(&raw_tool.name) {
            checker.problem(
                &at("name"),
                format!(
                    "invalid tool name `{}`: expected lowercase letters, digits, `_` or `-`, \
                     starting with a letter",
                    raw_tool.name
                ),
            );
        }
        if let Some(first) = seen.insert(raw_tool.name.clone(), i) {
            let first_at = checker.position(&[Seg::Key("tools"), Seg::Index(first)]);
            checker.problem(
                &at("name"),
                format!(
                    "duplicate tool name `{}` (first defined at line {})",
                    raw_tool.name,
                    first_at.map(|p| p.line).unwrap_or(0)
                ),
            );
        }
        if let Some(raw_mcp) = raw_tool.mcp {
            let misplaced = [
                (
                    "component",
                    raw_tool.component.is_some(),
                    "an entry names a `component` or an `mcp` server, not both",
                ),
                (
                    "sha256",
                    raw_tool.sha256.is_some(),
                    "`sha256` pins a component file; an MCP server is not a file",
                ),
                (
                    "description",
                    raw_tool.description.is_some(),
                    "an MCP server's tools keep the descriptions the server gives them",
                ),
                (
                    "title",
                    raw_tool.title.is_some(),
                    "an MCP server's tools keep the titles the server gives them",
                ),
                (
                    "grants",
                    !(raw_tool.grants.dirs.is_empty()
                        && raw_tool.grants.env.is_empty()
                        && raw_tool.grants.network.is_empty()),
                    "grants open the sandbox to a component; an MCP server runs outside it, with the permissions of the program or service itself",
                ),
            ];
            for (key, set, why) in misplaced {
                if set {
                    checker.problem(&at(key), why.to_owned());
                }
            }
            if file.is_none() {
                checker.problem(
                    &at("mcp"),
                    "the built-in registry can only name built-ins".to_owned(),
                );
                continue;
            }
            let fields = mcp_server::McpServerFields {
                prefix: raw_tool.prefix,
                include: raw_tool.include,
                exclude: raw_tool.exclude,
                limits: raw_tool.limits,
            };
            if let Some(server) =
                checker.mcp_server(i, &raw_tool.name, raw_mcp, fields, defaults, base_dir)
            {
                mcp_servers.push(server);
            }
            continue;
        }
        for (key, set) in [
            ("prefix", raw_tool.prefix.is_some()),
            ("include", raw_tool.include.is_some()),
            ("exclude", raw_tool.exclude.is_some()),
        ] {
            if set {
                checker.problem(
                    &at(key),
                    format!("`{key}` applies to an entry with `mcp:` (another MCP server's tools)"),
                );
            }
        }
        let Some(component_text) = raw_tool.component else {
            checker.problem(
                &[Seg::Key("tools"), Seg::Index(i)],
                format!(
                    "`{}` needs `component` (a .wasm file, or builtin:NAME) or `mcp` (another MCP server, \
                     such as `mcp: {{ command: npx, args: [...] }}`)",
                    raw_tool.name
                ),
            );
            continue;
        };
        let limits = checker.limits(defaults, raw_tool.limits, &at("limits"));
        let component = checker.component(
            &component_text,
            base_dir,
            file.is_some(),
            limits.max_component_bytes,
            &at("component"),
        );
        let sha256 = raw_tool.sha256.as_deref().and_then(|pin| {
            let pin = pin
                .strip_prefix("sha256:")
                .unwrap_or(pin)
                .to_ascii_lowercase();
            if pin.len() == 64 && pin.chars().all(|c| c.is_ascii_hexdigit()) {
                Some(pin)
            } else {
                checker.problem(
                    &at("sha256"),
                    "invalid sha256 pin: expected 64 hexadecimal digits".to_owned(),
                );
                None
            }
        });
        let (digest, verify) = checker.remote_pins(
            component.as_ref(),
            sha256.is_some() || raw_tool.sha256.is_some(),
            raw_tool.digest,
            raw_tool.verify,
            base_dir,
            i,
        );
        let grants = checker.grants(raw_tool.grants, base_dir, i);
        let positions = EntryPositions {
            entry: checker.position(&[Seg::Key("tools"), Seg::Index(i)]),
            component: checker.position(&at("component")),
            sha256: checker.position(&at("sha256")),
            digest: checker.position(&at("digest")),
        };
        if let Some(component) = component {
            tools.push(ToolEntry {
                name: raw_tool.name,
                component,
                sha256,
                digest,
                verify,
                description: raw_tool.description,
                title: checker.title(raw_tool.title, &at("title")),
                origin: if file.is_some() {
                    ToolOrigin::File
                } else {
                    ToolOrigin::Builtin
                },
                limits,
                grants,
                positions,
            });
        }
    }
    let tools = checker.with_builtins(raw.builtins, tools, file.is_some());
    let scripts = checker.scripts(raw.scripts, base_dir, file.is_some());
    let mcp = checker.mcp(raw.mcp);
    checker.agent(&raw.agent, &[Seg::Key("agent")]);
    if checker.problems.is_empty() {
        Ok(ToolRegistry {
            file: owned_file,
            tools,
            mcp_servers,
            scripts,
            python,
            mcp,
            agent: raw.agent,
        })
    } else {
        Err(RegistryError {
            problems: checker.problems,
        })
    }
}

/// serde_yaml appends "at line L column C"; the position is reported separately.
fn yaml_message(e: &serde_yaml::Error, text: &str) -> String {
    if text.trim().is_empty() {
        return "the registry is empty: expected a mapping with a `tools` list".to_owned();
    }
    let message = e.to_string();
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    // serde reports the path it was in as "tools[0].limits: ...": keep that, it helps.
    message
}

fn valid_tool_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && name.len() <= 64
}

struct Checker {
    file: Option<PathBuf>,
    positions: YamlPositions,
    problems: Vec<RegistryProblem>,
}

impl Checker {
    fn position(&self, path: &[Seg]) -> Option<Position> {
        self.positions.value(path)
    }

    fn problem(&mut self, path: &[Seg], message: String) {
        let position = self.position(path);
        self.problems.push(RegistryProblem {
            file: self.file.clone(),
            position,
            message,
        });
    }

    fn component(
        &mut self,
        text: &str,
        base_dir: &Path,
        from_file: bool,
        max_bytes: u64,
        at: &[Seg],
    ) -> Option<ComponentSource> {
        if let Some(name) = text.strip_prefix("builtin:") {
            let known = crate::builtins::names();
            if known.contains(&name) {
                return Some(ComponentSource::Builtin(name.to_owned()));
            }
            let hint = crate::suggest::closest(name, known.iter().copied())
                .map(|s| format!(" (did you mean `builtin:{s}`?)"))
                .unwrap_or_default();
            self.problem(
                at,
                format!(
                    "unknown built-in component `{text}`{hint}; built-ins are: {}",
                    known.join(", ")
                ),
            );
            return None;
        }
        if !from_file {
            self.problem(
                at,
                format!("the built-in registry can only name built-ins, not `{text}`"),
            );
            return None;
        }
        if let Some(source) = self.remote_component(text, at) {
            return source;
        }
        let path = base_dir.join(text);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() && m.len() > max_bytes => {
                self.problem(
                    at,
                    format!(
                        "component `{}` is {} bytes, over the {} MiB limit on component files \
                         (raise it with `limits: {{max_component_mb: N}}`)",
                        path.display(),
                        m.len(),
                        max_bytes >> 20
                    ),
                );
                None
            }
            Ok(m) if m.is_file() => Some(ComponentSource::File(path)),
            Ok(_) => {
                self.problem(at, format!("component `{}` is not a file", path.display()));
                None
            }
            Err(e) => {
                self.problem(
                    at,
                    format!(
                        "component file `{}` cannot be read: {e} (paths are relative to the registry file; \
                         built-ins are written `builtin:NAME`)",
                        path.display()
                    ),
                );
                None
            }
        }
    }

    /// The `python:` section: the interpreter's limits per session and input.
    fn python(&mut self, raw: RawPython) -> PythonSettings {
        let at = [Seg::Key("python"), Seg::Key("limits")];
        if raw.limits.max_response_bytes.is_some() {
            self.problem(
                &[
                    Seg::Key("python"),
                    Seg::Key("limits"),
                    Seg::Key("max_response_bytes"),
                ],
                "the interpreter makes no HTTP requests itself; its tools' own limits apply"
                    .to_owned(),
            );
        }
        if raw.limits.max_component_mb.is_some() {
            self.problem(
                &[
                    Seg::Key("python"),
                    Seg::Key("limits"),
                    Seg::Key("max_component_mb"),
                ],
                "the interpreter is built into toolhost, not read from a file; \
                 max_component_mb applies to tools"
                    .to_owned(),
            );
        }
        let defaults = PythonSettings::default();
        let limits = self.limits(defaults.limits, raw.limits, &at);
        let max_tool_calls_per_input = match raw.max_tool_calls_per_input {
            Some(0) => {
                self.problem(
                    &[Seg::Key("python"), Seg::Key("max_tool_calls_per_input")],
                    "expected at least 1 tool call per input".to_owned(),
                );
                defaults.max_tool_calls_per_input
            }
            Some(n) => n,
            None => defaults.max_tool_calls_per_input,
        };
        PythonSettings {
            limits,
            max_tool_calls_per_input,
        }
    }

    fn limits(&mut self, base: SandboxLimits, raw: RawLimits, at: &[Seg]) -> SandboxLimits {
        let mut limits = base;
        if let Some(ms) = self.in_range(at, "timeout_ms", raw.timeout_ms, MAX_TIMEOUT_MS) {
            limits.timeout = Duration::from_millis(ms);
        }
        if let Some(mb) = self.in_range(at, "memory_mb", raw.memory_mb, MAX_MEMORY_MB) {
            limits.memory_bytes = mb << 20;
        }
        let max_output = raw.max_output_bytes;
        if let Some(bytes) = self.in_range(at, "max_output_bytes", max_output, MAX_OUTPUT_BYTES) {
            limits.max_output_bytes = bytes;
        }
        let max_response = raw.max_response_bytes;
        if let Some(bytes) = self.in_range(at, "max_response_bytes", max_response, MAX_OUTPUT_BYTES)
        {
            limits.max_response_bytes = bytes;
        }
        let max_component = raw.max_component_mb;
        if let Some(mb) = self.in_range(at, "max_component_mb", max_component, MAX_COMPONENT_MB) {
            limits.max_component_bytes = mb << 20;
        }
        limits
    }

    /// `value` if it is set and within 1..=max; otherwise records why not.
    fn in_range(
        &mut self,
        at: &[Seg],
        key: &'static str,
        value: Option<u64>,
        max: u64,
    ) -> Option<u64> {
        let value = value?;
        if (1..=max).contains(&value) {
            return Some(value);
        }
        let mut path = at.to_vec();
        path.push(Seg::Key(key));
        self.problem(
            &path,
            format!("`{key}` must be between 1 and {max}, not {value}"),
        );
        None
    }

    fn grants(&mut self, raw: RawGrants, base_dir: &Path, tool: usize) -> Grants {
        let at = |key: &'static str, i: usize| {
            [
                Seg::Key("tools"),
                Seg::Index(tool),
                Seg::Key("grants"),
                Seg::Key(key),
                Seg::Index(i),
            ]
        };
        let mut grants = Grants::default();
        for (i, dir) in raw.dirs.into_iter().enumerate() {
            let host = base_dir.join(&dir.host);
            let host = match std::fs::canonicalize(&host) {
                Ok(p) if p.is_dir() => p,
                Ok(p) => {
                    self.problem(
                        &at("dirs", i),
                        format!("granted path `{}` is not a directory", p.display()),
                    );
                    continue;
                }
                Err(e) => {
                    self.problem(
                        &at("dirs", i),
                        format!(
                            "granted directory `{}` cannot be opened: {e}",
                            host.display()
                        ),
                    );
                    continue;
                }
            };
            let guest = dir.guest.unwrap_or_else(|| dir.host.clone());
            if !guest.starts_with('/') {
                self.problem(
                    &at("dirs", i),
                    format!("`guest` must be an absolute path such as `/data`, not `{guest}`"),
                );
                continue;
            }
            if dir.symlinks && dir.mode != DirMode::ReadWrite {
                self.problem(
                    &at("dirs", i),
                    "`symlinks: true` needs a read-write grant (`mode: read-write`)".to_owned(),
                );
                continue;
            }
            grants.dirs.push(DirGrant {
                host,
                guest,
                mode: dir.mode,
                symlinks: dir.symlinks,
            });
        }
        for (i, name) in raw.env.into_iter().enumerate() {
            if name.is_empty() || name.contains('=') || name.contains('\0') {
                self.problem(
                    &at("env", i),
                    format!("`{name}` is not an environment variable name"),
                );
            } else {
                grants.env.push(name);
            }
        }
        for (i, rule) in raw.network.into_iter().enumerate() {
            match NetworkRule::parse(&rule) {
                Ok(r) => grants.network.push(r),
                Err(e) => self.problem(&at("network", i), e),
            }
        }
        grants
    }
}
