//! The registry's scripts, for every front end: which are offered (a tool of the same name
//! wins), whether arguments fit a script, and running one (in a Python session of its own,
//! `crate::python::scripts`). The CLI, the MCP server, the REPL and the agent all come here.

use std::time::Duration;

use serde_json::{Value, json};

use super::Dispatcher;
use crate::error::{ErrorCode, ToolError};
use crate::registry::{ScriptEntry, ToolRegistry};

/// What a script's name as a tool starts with (`script_zscores`). Script names are
/// letters, digits, `_` and `-`, so the whole is a name every MCP client accepts.
const TOOL_NAME_PREFIX: &str = "script_";

/// What a script run produced.
#[derive(Debug, Clone)]
pub struct ScriptOutput {
    /// What the script printed, in order.
    pub printed: String,
    /// Its answer: what it passed to FINAL, else its last value.
    pub value: Value,
    pub tool_calls: usize,
    pub duration: Duration,
}

/// A script as a tool: the name it goes by, and its entry.
#[derive(Debug, Clone, Copy)]
pub struct ListedScript<'r> {
    pub tool_name: &'r str,
    pub entry: &'r ScriptEntry,
}

/// The name script `name` goes by where scripts are offered as tools.
pub fn tool_name(script: &str) -> String {
    format!("{TOOL_NAME_PREFIX}{script}")
}

/// The registry entry for `name`, if `args` fit its documented parameters.
pub fn resolve<'r>(
    registry: &'r ToolRegistry,
    name: &str,
    args: &Value,
) -> Result<&'r ScriptEntry, ToolError> {
    let Some(entry) = registry.script(name) else {
        let known: Vec<&str> = registry.scripts.iter().map(|s| s.name.as_str()).collect();
        let hint = crate::suggest::closest(name, known.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        let listing = if known.is_empty() {
            "the registry lists no scripts".to_owned()
        } else {
            format!("scripts: {}", known.join(", "))
        };
        return Err(ToolError::new(
            ErrorCode::NotFound,
            format!("no script named `{name}`{hint}; {listing}"),
        ));
    };
    let Some(map) = args.as_object() else {
        return Err(ToolError::new(
            ErrorCode::InvalidInput,
            format!("the arguments of script `{name}` must be an object (a map)"),
        ));
    };
    if let Some(params) = &entry.params {
        for key in map.keys() {
            if !params.iter().any(|p| &p.name == key) {
                let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
                return Err(ToolError::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "/{key}: script `{name}` has no parameter `{key}`; its parameters are: {}",
                        if names.is_empty() {
                            "none".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ),
                )
                .with_details(json!({ "pointer": format!("/{key}") })));
            }
        }
    }
    Ok(entry)
}

impl Dispatcher {
    /// The scripts offered as tools, in registry order: each as `script_NAME`, except where
    /// a tool has that name (the tool wins; the script stays reachable by its own name).
    pub fn listed_scripts(&self) -> Vec<ListedScript<'_>> {
        let registry = self.registry();
        registry
            .scripts
            .iter()
            .zip(&self.inner.script_tool_names)
            .filter(|(_, tool_name)| registry.get(tool_name).is_none())
            .map(|(entry, tool_name)| ListedScript { tool_name, entry })
            .collect()
    }

    /// Scripts a tool's name hides from [`Dispatcher::listed_scripts`], with that name.
    pub fn shadowed_scripts(&self) -> Vec<ListedScript<'_>> {
        let registry = self.registry();
        registry
            .scripts
            .iter()
            .zip(&self.inner.script_tool_names)
            .filter(|(_, tool_name)| registry.get(tool_name).is_some())
            .map(|(entry, tool_name)| ListedScript { tool_name, entry })
            .collect()
    }

    /// The script a tool name stands for, when no tool has that name.
    pub fn script_for_tool_name(&self, tool_name: &str) -> Option<&ScriptEntry> {
        if self.registry().get(tool_name).is_some() {
            return None;
        }
        self.registry()
            .script(tool_name.strip_prefix(TOOL_NAME_PREFIX)?)
    }

    /// Check `args` against script `name`'s parameters.
    pub fn resolve_script(&self, name: &str, args: &Value) -> Result<&ScriptEntry, ToolError> {
        resolve(self.registry(), name, args)
    }

    /// Run script `name` with `args`. An unknown name is `not_found`, an argument it does
    /// not take `invalid_input`; what the script does is its own (`script_error`, with what
    /// it printed under `details.output`).
    pub async fn run_script(&self, name: &str, args: Value) -> Result<ScriptOutput, ToolError> {
        self.run_script_with(name, args, self.python_options())
            .await
    }

    /// As [`Dispatcher::run_script`], in a session with `options`: a front end's caller
    /// runs a script with its own access (`PythonOptions::access`), so a script reaches
    /// no tool its caller could not call.
    pub async fn run_script_with(
        &self,
        name: &str,
        args: Value,
        options: crate::python::PythonOptions,
    ) -> Result<ScriptOutput, ToolError> {
        let entry = self.resolve_script(name, &args)?.clone();
        crate::python::scripts::run_entry(self, &entry, &args, options).await
    }

    /// Every script's syntax, for `toolhost check`.
    pub async fn check_scripts(&self) -> Vec<(String, Result<(), String>)> {
        let mut checks = Vec::new();
        for s in &self.registry().scripts {
            let result = crate::python::scripts::check_syntax(self, s).await;
            checks.push((s.name.clone(), result));
        }
        checks
    }
}
