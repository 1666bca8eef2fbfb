//! `toolhost pin [TOOL…]`: write the current sha256 of components into the registry's
//! pins after a rebuild (registry/pins.rs edits the file's text in place).

use clap::Args;
use serde_json::json;

use super::{Cli, ExitCode};
use crate::registry::pins::{self, PinEdit};
use crate::registry::{self, ComponentSource, ToolOrigin, ToolRegistry};

#[derive(Args, Debug)]
pub struct PinArgs {
    /// Tools to pin (an entry without a pin gets one) [default: every entry of the file
    /// that has a pin].
    tools: Vec<String>,
}

pub async fn pin(cli: &Cli, registry: &ToolRegistry, args: &PinArgs) -> ExitCode {
    let fail = |code: ExitCode, message: String| {
        if cli.json {
            println!(
                "{}",
                json!({ "ok": false, "error": { "code": if code == ExitCode::Usage { "usage" } else { "registry" }, "message": message } })
            );
        } else {
            eprintln!("error: {message}");
        }
        code
    };
    let Some(file) = &registry.file else {
        return fail(
            ExitCode::Usage,
            "`pin` edits a registry file: name one with --registry PATH or run it where \
             ./tool_registry.yaml is"
                .to_owned(),
        );
    };
    let own = |name: &str| {
        registry
            .get(name)
            .filter(|e| e.origin != ToolOrigin::Builtin)
    };
    let mut chosen = Vec::new();
    if args.tools.is_empty() {
        chosen.extend(
            registry
                .tools
                .iter()
                // Remote entries are re-pinned by `toolhost add --update`, not from a file.
                .filter(|e| {
                    e.origin != ToolOrigin::Builtin
                        && e.sha256.is_some()
                        && !e.component.is_remote()
                }),
        );
    } else {
        for name in &args.tools {
            match own(name) {
                Some(entry) => chosen.push(entry),
                None if registry.get(name).is_some() => {
                    return fail(
                        ExitCode::Usage,
                        format!(
                            "'{name}' is a built-in tool, not an entry of {}: its component is \
                             part of toolhost and needs no pin",
                            file.display()
                        ),
                    );
                }
                None => {
                    let e = crate::error::ToolError::not_found(name, &registry.names());
                    return fail(ExitCode::Usage, e.message);
                }
            }
        }
    }
    let mut edits = Vec::new();
    let mut report = Vec::new();
    for entry in chosen {
        let sha256 = match pins::component_sha256(entry) {
            Ok(sha) => sha,
            Err(e) => return fail(ExitCode::Host, format!("'{}': {e}", entry.name)),
        };
        let changed = entry.sha256.as_deref() != Some(sha256.as_str());
        report.push(json!({
            "tool": entry.name,
            "component": match &entry.component {
                ComponentSource::File(p) => p.display().to_string(),
                other => other.to_string(),
            },
            "old": entry.sha256,
            "new": sha256,
            "changed": changed,
        }));
        if changed {
            edits.push(PinEdit { entry, sha256 });
        }
    }
    if !edits.is_empty()
        && let Err(message) = write_pins(file, &edits)
    {
        return fail(ExitCode::Host, message);
    }
    if cli.json {
        println!(
            "{}",
            json!({ "ok": true, "registry": file.display().to_string(), "pins": report })
        );
    } else if report.is_empty() {
        println!(
            "no pins in {} (name tools to pin them: toolhost pin TOOL…)",
            file.display()
        );
    } else {
        for r in &report {
            let tool = r["tool"].as_str().unwrap_or("");
            let new = r["new"].as_str().unwrap_or("");
            match (r["changed"].as_bool(), r["old"].as_str()) {
                (Some(false), _) => println!("{tool}: unchanged ({new})"),
                (_, Some(old)) => println!("{tool}: {old} -> {new}"),
                (_, None) => println!("{tool}: pinned {new}"),
            }
        }
        if !edits.is_empty() {
            println!("updated {}", file.display());
        }
    }
    ExitCode::Ok
}

/// Edits the file's text, checks the result still reads as the same registry with the new
/// pins, then replaces the file.
fn write_pins(file: &std::path::Path, edits: &[PinEdit<'_>]) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let new = pins::rewrite(&text, edits).map_err(|e| e.to_string())?;
    let reread = registry::parse_str(&new, Some(file))
        .map_err(|e| format!("the edited registry would not load, so it was not written:\n{e}"))?;
    for edit in edits {
        let pinned = reread
            .get(&edit.entry.name)
            .and_then(|e| e.sha256.as_deref());
        if pinned != Some(edit.sha256.as_str()) {
            return Err(format!(
                "the edit of '{}' did not give the new pin, so nothing was written",
                edit.entry.name
            ));
        }
    }
    // Beside the file, then renamed over it: a reader never sees half a registry.
    let tmp = file.with_extension("yaml.pin-tmp");
    std::fs::write(&tmp, new).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, file).map_err(|e| format!("cannot replace {}: {e}", file.display()))
}
