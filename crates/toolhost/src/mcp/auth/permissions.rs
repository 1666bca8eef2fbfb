//! The tools one caller may call, by the names clients see (`calc`, `run_python`,
//! `script_NAME`): everything, or a list, less exclusions. A token file's `tools:` /
//! `exclude:` and a JWT's `tools:NAME` scopes both become one of these.

use std::collections::BTreeSet;

/// The scope that grants every tool; `tools:NAME` grants one.
pub const ALL_TOOLS_SCOPE: &str = "tools:*";
/// What a scope naming one tool starts with.
pub const TOOL_SCOPE_PREFIX: &str = "tools:";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ToolPermissions {
    /// `None`: every tool.
    only: Option<BTreeSet<String>>,
    excluded: BTreeSet<String>,
}

impl ToolPermissions {
    pub fn all() -> Self {
        ToolPermissions {
            only: None,
            excluded: BTreeSet::new(),
        }
    }

    pub fn only(names: impl IntoIterator<Item = String>) -> Self {
        ToolPermissions {
            only: Some(names.into_iter().collect()),
            excluded: BTreeSet::new(),
        }
    }

    pub fn excluding(mut self, names: impl IntoIterator<Item = String>) -> Self {
        self.excluded.extend(names);
        self
    }

    /// From an OAuth `scope` list: `tools:*` grants every tool, `tools:NAME` one tool;
    /// scopes of other services are ignored.
    pub fn from_scopes<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Self {
        let mut named = BTreeSet::new();
        for scope in scopes {
            if scope == ALL_TOOLS_SCOPE {
                return ToolPermissions::all();
            }
            if let Some(tool) = scope.strip_prefix(TOOL_SCOPE_PREFIX)
                && !tool.is_empty()
            {
                named.insert(tool.to_owned());
            }
        }
        ToolPermissions::only(named)
    }

    pub fn allows(&self, name: &str) -> bool {
        !self.excluded.contains(name) && self.only.as_ref().is_none_or(|o| o.contains(name))
    }

    /// Whether `name` is refused by an explicit exclusion (rather than by not being
    /// granted).
    pub fn excludes(&self, name: &str) -> bool {
        self.excluded.contains(name)
    }

    /// Grants nothing at all: such a caller is refused at the door (403).
    pub fn is_empty(&self) -> bool {
        self.only.as_ref().is_some_and(BTreeSet::is_empty)
    }

    /// Every tool name these permissions mention (to check them against the server's).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.only
            .iter()
            .flatten()
            .chain(&self.excluded)
            .map(String::as_str)
    }
}

/// The scope that would grant `tool`.
pub fn scope_for(tool: &str) -> String {
    format!("{TOOL_SCOPE_PREFIX}{tool}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_grant_all_or_named_tools_and_ignore_others() {
        let all = ToolPermissions::from_scopes(["openid", "tools:*"]);
        assert!(all.allows("calc") && all.allows("run_python"));
        let calc = ToolPermissions::from_scopes(["openid", "tools:calc", "tools:"]);
        assert!(calc.allows("calc"));
        assert!(!calc.allows("echo"));
        assert!(ToolPermissions::from_scopes(["openid", "profile"]).is_empty());
    }

    #[test]
    fn an_exclusion_wins_over_all() {
        let p = ToolPermissions::all().excluding(["web_fetch".to_owned()]);
        assert!(p.allows("calc"));
        assert!(!p.allows("web_fetch"));
        assert!(p.excludes("web_fetch"));
        assert!(!p.is_empty());
    }
}
