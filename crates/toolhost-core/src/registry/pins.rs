//! `toolhost pin`: after a rebuild, the registry's sha256 pins are rewritten in the file's
//! own text, at each pin's place, so its comments, order and layout stay as they were. An
//! entry without a pin gets a `sha256:` line under its `component:` line.

use sha2::{Digest, Sha256};

use super::{ComponentSource, Position, ToolEntry};

/// One pin to write.
#[derive(Debug, Clone)]
pub struct PinEdit<'a> {
    pub entry: &'a ToolEntry,
    pub sha256: String,
}

/// Why a pin could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("cannot read component {path}: {why}")]
    Unreadable { path: String, why: String },
    #[error(
        "'{tool}' is fetched from {origin}: its pins are written by `toolhost add {origin} \
         --update`"
    )]
    Remote { tool: String, origin: String },
    #[error(
        "'{tool}' has no `component:` line of its own to put a `sha256:` line under (a flow \
         mapping?); add `sha256: {sha256}` by hand"
    )]
    NoPlace { tool: String, sha256: String },
}

/// The sha256 (lowercase hex) of the entry's component as it is now.
pub fn component_sha256(entry: &ToolEntry) -> Result<String, PinError> {
    match &entry.component {
        ComponentSource::Builtin(name) => crate::builtins::get(name)
            .map(|b| b.sha256.to_owned())
            .ok_or_else(|| PinError::Unreadable {
                path: format!("builtin:{name}"),
                why: "no such built-in".to_owned(),
            }),
        ComponentSource::File(path) => std::fs::read(path)
            .map(|bytes| hex::encode(Sha256::digest(&bytes)))
            .map_err(|e| PinError::Unreadable {
                path: path.display().to_string(),
                why: e.to_string(),
            }),
        ComponentSource::Oci(origin) | ComponentSource::Url(origin) => Err(PinError::Remote {
            tool: entry.name.clone(),
            origin: origin.clone(),
        }),
    }
}

/// `text` (the registry the entries were parsed from) with every edit applied.
pub fn rewrite(text: &str, edits: &[PinEdit<'_>]) -> Result<String, PinError> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    // Bottom to top, so an inserted line never moves a place still to edit.
    let mut ordered: Vec<&PinEdit> = edits.iter().collect();
    ordered.sort_by_key(|e| {
        std::cmp::Reverse(
            e.entry
                .positions
                .sha256
                .filter(|_| e.entry.sha256.is_some())
                .or(e.entry.positions.component)
                .map(|p| (p.line, p.column)),
        )
    });
    for edit in ordered {
        match (edit.entry.sha256.is_some(), edit.entry.positions.sha256) {
            (true, Some(at)) => replace_scalar(&mut lines, at, &edit.sha256),
            _ => insert_pin(&mut lines, edit)?,
        }
    }
    Ok(lines.concat())
}

/// `text` with the digits of the pin at `at` replaced by `hex` (quotes and any `sha256:`
/// kept).
pub fn replace_scalar_at(text: &str, at: Position, hex: &str) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    replace_scalar(&mut lines, at, hex);
    lines.concat()
}

/// Replaces the pin's digits in the scalar at `at`, keeping its quotes and any `sha256:`.
fn replace_scalar(lines: &mut [String], at: Position, sha256: &str) {
    let Some(line) = lines.get_mut(at.line.saturating_sub(1)) else {
        return;
    };
    let chars: Vec<char> = line.chars().collect();
    let mut start = at.column.saturating_sub(1).min(chars.len());
    // The parser may place a quoted scalar at its quote or just after it.
    let quote = match (chars.get(start), start.checked_sub(1).map(|i| chars[i])) {
        (Some(q @ ('"' | '\'')), _) => {
            start += 1;
            Some(*q)
        }
        (_, Some(q @ ('"' | '\''))) => Some(q),
        _ => None,
    };
    let mut end = start;
    while end < chars.len() {
        let c = chars[end];
        let stop = match quote {
            Some(q) => c == q,
            None => c.is_whitespace() || c == ',' || c == '}' || c == '#',
        };
        if stop {
            break;
        }
        end += 1;
    }
    let old: String = chars[start..end].iter().collect();
    let mut rebuilt: String = chars[..start].iter().collect();
    if old.starts_with("sha256:") {
        rebuilt.push_str("sha256:");
    }
    rebuilt.push_str(sha256);
    rebuilt.extend(&chars[end..]);
    *line = rebuilt;
}

/// Adds `sha256: …` under the entry's block-style `component:` line, at its indentation.
fn insert_pin(lines: &mut Vec<String>, edit: &PinEdit<'_>) -> Result<(), PinError> {
    let no_place = || PinError::NoPlace {
        tool: edit.entry.name.clone(),
        sha256: edit.sha256.clone(),
    };
    let at = edit.entry.positions.component.ok_or_else(no_place)?;
    let index = at.line.checked_sub(1).ok_or_else(no_place)?;
    let line = lines.get(index).ok_or_else(no_place)?;
    let key = line.find("component:").ok_or_else(no_place)?;
    let before = &line[..key];
    // `    component: x` or `  - component: x`: the key starts the mapping's line.
    if !before.trim_start_matches([' ', '-']).is_empty() || before.contains('{') {
        return Err(no_place());
    }
    let newline = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
    let indent = " ".repeat(before.chars().count());
    if !line.ends_with('\n') {
        lines[index].push_str(newline);
    }
    lines.insert(
        index + 1,
        format!("{indent}sha256: {}{newline}", edit.sha256),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::parse_str;

    fn with_component(dir: &std::path::Path, yaml: &str) -> String {
        std::fs::write(dir.join("a.wasm"), b"new bytes").unwrap();
        std::fs::write(dir.join("b.wasm"), b"other").unwrap();
        yaml.to_owned()
    }

    #[test]
    fn pins_are_rewritten_in_place_and_comments_stay() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tool_registry.yaml");
        let old = "0".repeat(64);
        let text = with_component(
            dir.path(),
            &format!(
                "builtins: none\ntools:\n  # my tool\n  - name: a\n    component: a.wasm   # built by hand\n    sha256: \"sha256:{old}\"  # pinned\n  - name: b\n    component: b.wasm\n    limits: {{ timeout_ms: 5 }}\n"
            ),
        );
        let registry = parse_str(&text, Some(&file)).unwrap();
        let edits: Vec<PinEdit> = registry
            .tools
            .iter()
            .map(|entry| PinEdit {
                entry,
                sha256: component_sha256(entry).unwrap(),
            })
            .collect();
        let new = rewrite(&text, &edits).unwrap();
        let a = hex::encode(Sha256::digest(b"new bytes"));
        let b = hex::encode(Sha256::digest(b"other"));
        assert_eq!(
            new,
            format!(
                "builtins: none\ntools:\n  # my tool\n  - name: a\n    component: a.wasm   # built by hand\n    sha256: \"sha256:{a}\"  # pinned\n  - name: b\n    component: b.wasm\n    sha256: {b}\n    limits: {{ timeout_ms: 5 }}\n"
            )
        );
        let again = parse_str(&new, Some(&file)).unwrap();
        assert_eq!(again.tools[0].sha256.as_deref(), Some(a.as_str()));
        assert_eq!(again.tools[1].sha256.as_deref(), Some(b.as_str()));
    }
}
