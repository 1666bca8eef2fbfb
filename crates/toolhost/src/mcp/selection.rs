//! Which tools a client sees: `toolhost mcp --tools a,b --exclude-tools c` and the
//! registry's `mcp: { tools: [...], exclude_tools: [...] }`. The command line's `--tools`
//! replaces the registry's list; exclusions from both apply. Every name must be one the
//! server offers (a tool, `run_python`, `script_NAME`), else the server does not start.

use std::collections::BTreeSet;

use crate::registry::{McpSelection, NameAt, ToolRegistry};

/// Names a client may list and call.
#[derive(Debug, Clone, Default)]
pub struct ToolSelection {
    only: Option<BTreeSet<String>>,
    excluded: BTreeSet<String>,
}

/// The selection the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct SelectionArgs {
    pub tools: Option<Vec<String>>,
    pub exclude_tools: Vec<String>,
}

/// A name that is not offered, and where it was written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SelectionError {
    #[error("{flag} names an unknown tool `{name}`{hint}; the server offers: {offered}")]
    Flag {
        flag: &'static str,
        name: String,
        hint: String,
        offered: String,
    },
    #[error("{at}: mcp.{key} names an unknown tool `{name}`{hint}; the server offers: {offered}")]
    Registry {
        at: String,
        key: &'static str,
        name: String,
        hint: String,
        offered: String,
    },
}

impl ToolSelection {
    /// Check every name against `offered`, the names the server lists before selection.
    pub fn resolve(
        registry: &ToolRegistry,
        args: &SelectionArgs,
        offered: &[String],
    ) -> Result<Self, SelectionError> {
        let listing = offered.join(", ");
        let hint = |name: &str| {
            crate::suggest::closest(name, offered.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default()
        };
        let flag_names = |flag: &'static str, names: &[String]| {
            for name in names {
                if !offered.contains(name) {
                    return Err(SelectionError::Flag {
                        flag,
                        name: name.clone(),
                        hint: hint(name),
                        offered: listing.clone(),
                    });
                }
            }
            Ok(names.iter().cloned().collect::<BTreeSet<_>>())
        };
        let registry_names = |key: &'static str, names: &[NameAt]| {
            for n in names {
                if !offered.contains(&n.name) {
                    return Err(SelectionError::Registry {
                        at: registry.describe_location(n.position),
                        key,
                        name: n.name.clone(),
                        hint: hint(&n.name),
                        offered: listing.clone(),
                    });
                }
            }
            Ok(names
                .iter()
                .map(|n| n.name.clone())
                .collect::<BTreeSet<_>>())
        };
        let McpSelection {
            tools,
            exclude_tools,
        } = &registry.mcp;
        let from_registry = match tools {
            Some(names) => Some(registry_names("tools", names)?),
            None => None,
        };
        let mut excluded = registry_names("exclude_tools", exclude_tools)?;
        let only = match &args.tools {
            Some(names) => Some(flag_names("--tools", names)?),
            None => from_registry,
        };
        excluded.extend(flag_names("--exclude-tools", &args.exclude_tools)?);
        Ok(ToolSelection { only, excluded })
    }

    pub fn allows(&self, name: &str) -> bool {
        !self.excluded.contains(name) && self.only.as_ref().is_none_or(|o| o.contains(name))
    }
}
