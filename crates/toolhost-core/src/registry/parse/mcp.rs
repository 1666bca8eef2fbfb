//! `mcp:` — which tools MCP clients see. Names are checked against what the server offers
//! when it starts (front ends add tools such as `run_python`), with their positions here.

use serde::Deserialize;

use super::super::{McpSelection, NameAt};
use super::{Checker, Seg};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMcp {
    /// Offer only these.
    tools: Option<Vec<String>>,
    /// Never offer these.
    #[serde(default)]
    exclude_tools: Vec<String>,
}

impl Checker {
    pub(super) fn mcp(&mut self, raw: RawMcp) -> McpSelection {
        let located = |checker: &Checker, key: &'static str, names: Vec<String>| {
            names
                .into_iter()
                .enumerate()
                .map(|(i, name)| NameAt {
                    position: checker.position(&[Seg::Key("mcp"), Seg::Key(key), Seg::Index(i)]),
                    name,
                })
                .collect::<Vec<_>>()
        };
        McpSelection {
            tools: raw.tools.map(|names| located(&*self, "tools", names)),
            exclude_tools: located(&*self, "exclude_tools", raw.exclude_tools),
        }
    }

    /// A title is one short line.
    pub(super) fn title(&mut self, title: Option<String>, at: &[Seg]) -> Option<String> {
        let title = title?;
        let trimmed = title.trim();
        if trimmed.is_empty() || trimmed.contains('\n') || trimmed.chars().count() > 80 {
            self.problem(
                at,
                "`title` is one line of 1 to 80 characters, such as `Calculator`".to_owned(),
            );
            return None;
        }
        Some(trimmed.to_owned())
    }
}
