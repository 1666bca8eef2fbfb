//! The `scripts:` section: reusable Python scripts, checked like tools (a valid unique name,
//! a readable file) and located by file:line:column when they are not.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

use super::super::{ScriptEntry, ScriptParam};
use super::{Checker, Seg, valid_tool_name};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScript {
    name: String,
    file: String,
    description: String,
    /// Parameter name → what it means. A mapping keeps the file's order.
    params: Option<serde_yaml::Mapping>,
}

impl Checker {
    pub(super) fn scripts(
        &mut self,
        raw: Vec<RawScript>,
        base_dir: &Path,
        from_file: bool,
    ) -> Vec<ScriptEntry> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut scripts = Vec::new();
        for (i, raw_script) in raw.into_iter().enumerate() {
            let at = |key: &'static str| [Seg::Key("scripts"), Seg::Index(i), Seg::Key(key)];
            if !from_file {
                self.problem(
                    &at("file"),
                    "the built-in registry cannot list scripts; list them in a registry file"
                        .to_owned(),
                );
                continue;
            }
            let mut ok = true;
            if !valid_tool_name(&raw_script.name) {
                ok = false;
                self.problem(
                    &at("name"),
                    format!(
                        "invalid script name `{}`: expected lowercase letters, digits, `_` or `-`, \
                         starting with a letter",
                        raw_script.name
                    ),
                );
            }
            if let Some(first) = seen.insert(raw_script.name.clone(), i) {
                ok = false;
                let first_at = self.position(&[Seg::Key("scripts"), Seg::Index(first)]);
                self.problem(
                    &at("name"),
                    format!(
                        "duplicate script name `{}` (first defined at line {})",
                        raw_script.name,
                        first_at.map(|p| p.line).unwrap_or(0)
                    ),
                );
            }
            let file = base_dir.join(&raw_script.file);
            match std::fs::metadata(&file) {
                Ok(m) if m.is_file() => {}
                Ok(_) => {
                    ok = false;
                    self.problem(
                        &at("file"),
                        format!("script `{}` is not a file", file.display()),
                    );
                }
                Err(e) => {
                    ok = false;
                    self.problem(
                        &at("file"),
                        format!(
                            "script file `{}` cannot be read: {e} (paths are relative to the \
                             registry file)",
                            file.display()
                        ),
                    );
                }
            }
            let params = raw_script
                .params
                .map(|mapping| self.script_params(mapping, i, &mut ok));
            if ok {
                scripts.push(ScriptEntry {
                    name: raw_script.name,
                    file,
                    description: raw_script.description,
                    params,
                    position: self.position(&[Seg::Key("scripts"), Seg::Index(i)]),
                });
            }
        }
        scripts
    }

    fn script_params(
        &mut self,
        mapping: serde_yaml::Mapping,
        script: usize,
        ok: &mut bool,
    ) -> Vec<ScriptParam> {
        let at = [Seg::Key("scripts"), Seg::Index(script), Seg::Key("params")];
        let mut params = Vec::new();
        for (key, value) in mapping {
            let (Some(name), Some(description)) = (key.as_str(), value.as_str()) else {
                *ok = false;
                self.problem(
                    &at,
                    "`params` maps each parameter name to a one-line description, \
                     e.g. `n: number of samples`"
                        .to_owned(),
                );
                continue;
            };
            params.push(ScriptParam {
                name: name.to_owned(),
                description: description.to_owned(),
            });
        }
        params
    }
}
