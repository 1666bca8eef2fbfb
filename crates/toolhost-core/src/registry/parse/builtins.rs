//! `builtins:` — a registry file extends the built-in tools rather than hiding them. `all`
//! (the default) takes in every built-in with the built-in registry's limits and grants,
//! `none` none, a list those named; an entry of the file with a built-in's name replaces it.

use serde::Deserialize;

use super::super::{EntryPositions, ToolEntry, ToolOrigin, ToolRegistry};
use super::{Checker, Seg};

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawBuiltins {
    Word(String),
    Names(Vec<String>),
}

impl Checker {
    /// The registry's tools: the built-ins taken in (in the built-in registry's order, each
    /// replaced by the file's entry of its name), then the file's other entries.
    pub(super) fn with_builtins(
        &mut self,
        raw: Option<RawBuiltins>,
        tools: Vec<ToolEntry>,
        from_file: bool,
    ) -> Vec<ToolEntry> {
        if !from_file {
            if raw.is_some() {
                self.problem(
                    &[Seg::Key("builtins")],
                    "the built-in registry is where built-ins come from; `builtins:` belongs \
                     in a registry file"
                        .to_owned(),
                );
            }
            return tools;
        }
        let builtin = ToolRegistry::builtin().tools;
        let known: Vec<&str> = builtin.iter().map(|t| t.name.as_str()).collect();
        let wanted: Vec<String> = match raw {
            None => known.iter().map(|n| n.to_string()).collect(),
            Some(RawBuiltins::Word(word)) => match word.as_str() {
                "all" => known.iter().map(|n| n.to_string()).collect(),
                "none" => Vec::new(),
                other => {
                    self.problem(
                        &[Seg::Key("builtins")],
                        format!(
                            "`builtins` is `all`, `none` or a list of built-in tool names, not \
                             `{other}`"
                        ),
                    );
                    Vec::new()
                }
            },
            Some(RawBuiltins::Names(names)) => {
                for (i, name) in names.iter().enumerate() {
                    if !known.contains(&name.as_str()) {
                        let hint = crate::suggest::closest(name, known.iter().copied())
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        self.problem(
                            &[Seg::Key("builtins"), Seg::Index(i)],
                            format!(
                                "unknown built-in tool `{name}`{hint}; the built-ins are: {}",
                                known.join(", ")
                            ),
                        );
                    }
                }
                names
            }
        };
        let mut own: Vec<Option<ToolEntry>> = tools.into_iter().map(Some).collect();
        let mut merged = Vec::new();
        for entry in builtin {
            if !wanted.contains(&entry.name) {
                continue;
            }
            let overriding = own
                .iter_mut()
                .find(|t| t.as_ref().is_some_and(|t| t.name == entry.name))
                .and_then(Option::take);
            merged.push(match overriding {
                Some(mut replacement) => {
                    replacement.origin = ToolOrigin::OverridesBuiltin;
                    replacement
                }
                None => ToolEntry {
                    // Its positions are in the built-in registry's text, not in this file.
                    positions: EntryPositions::default(),
                    ..entry
                },
            });
        }
        merged.extend(own.into_iter().flatten());
        merged
    }
}
