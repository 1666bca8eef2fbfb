//! Add a built tool to a registry file: an entry with the component's path (relative to the
//! registry where it can be) and its sha256 pin. The file is edited as text so comments and
//! layout survive, and the result is validated before it is written.

use std::path::{Component, Path, PathBuf};

use super::AuthoringError;
use crate::registry;

/// An entry to add.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub name: String,
    /// The component file (absolute).
    pub component: PathBuf,
    pub sha256: String,
}

/// The entry as YAML list item lines, indented by `indent` spaces, with `component` written
/// as given.
pub fn entry_yaml(name: &str, component: &str, sha256: Option<&str>, indent: usize) -> String {
    let pad = " ".repeat(indent);
    // JSON strings are YAML double-quoted scalars: any path is written safely.
    let mut text = format!(
        "{pad}- name: {name}\n{pad}  component: {}\n",
        serde_json::Value::String(component.to_owned())
    );
    if let Some(sha) = sha256 {
        text.push_str(&format!("{pad}  sha256: {sha}\n"));
    }
    text
}

/// Append `entry` to the `tools:` of the registry at `path` (created if missing).
pub fn append(path: &Path, entry: &NewEntry) -> Result<(), AuthoringError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(AuthoringError::io(format!("read {}", path.display()))(e)),
    };
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(base)
        .map_err(AuthoringError::io(format!("create {}", base.display())))?;
    let component = relative_to(&entry.component, base)
        .unwrap_or_else(|| entry.component.clone())
        .display()
        .to_string();
    let text = match existing {
        None => format!(
            "# toolhost registry (reference: README.md, \"The registry\").\nversion: 1\n\ntools:\n{}",
            entry_yaml(&entry.name, &component, Some(&entry.sha256), 2)
        ),
        Some(text) => insert_tool(&text, &entry.name, &component, &entry.sha256),
    };
    registry::parse_str(&text, Some(path)).map_err(|e| {
        AuthoringError::Registry(format!(
            "{} was not changed: with the new entry it would not load:\n{e}",
            path.display()
        ))
    })?;
    let staging = path.with_extension("yaml.toolhost-new");
    std::fs::write(&staging, &text)
        .map_err(AuthoringError::io(format!("write {}", staging.display())))?;
    std::fs::rename(&staging, path)
        .map_err(AuthoringError::io(format!("replace {}", path.display())))
}

/// `text` with the entry added at the end of its top-level `tools:` block.
fn insert_tool(text: &str, name: &str, component: &str, sha256: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let is_top_level_key =
        |l: &str| !l.is_empty() && !l.starts_with([' ', '\t', '#', '-']) && l.contains(':');
    let Some(start) = lines
        .iter()
        .position(|l| l.starts_with("tools:") && is_top_level_key(l))
    else {
        let mut out = text.trim_end().to_owned();
        out.push_str("\n\ntools:\n");
        out.push_str(&entry_yaml(name, component, Some(sha256), 2));
        return out;
    };
    let after_key = lines[start]["tools:".len()..].trim();
    if after_key.starts_with("[]") {
        // `tools: []`: becomes a block list holding the entry.
        let mut out = String::new();
        for line in &lines[..start] {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("tools:\n");
        out.push_str(&entry_yaml(name, component, Some(sha256), 2));
        for line in &lines[start + 1..] {
            out.push_str(line);
            out.push('\n');
        }
        return out;
    }
    let end = lines[start + 1..]
        .iter()
        .position(|l| is_top_level_key(l))
        .map(|i| start + 1 + i)
        .unwrap_or(lines.len());
    let block = &lines[start + 1..end];
    let indent = block
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(2);
    let last_item_line = block
        .iter()
        .rposition(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|i| start + 1 + i)
        .unwrap_or(start);
    let mut out = String::new();
    for line in &lines[..=last_item_line] {
        out.push_str(line);
        out.push('\n');
    }
    if last_item_line > start {
        out.push('\n');
    }
    out.push_str(&entry_yaml(name, component, Some(sha256), indent));
    for line in &lines[last_item_line + 1..] {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `path` relative to `base`, when both can be resolved.
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path = std::fs::canonicalize(path).ok()?;
    let base = std::fs::canonicalize(base).ok()?;
    let path_parts: Vec<Component> = path.components().collect();
    let base_parts: Vec<Component> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    // Only the root in common: an absolute path says it better.
    if common <= 1 {
        return None;
    }
    let mut relative = PathBuf::new();
    for _ in common..base_parts.len() {
        relative.push("..");
    }
    for part in &path_parts[common..] {
        relative.push(part.as_os_str());
    }
    Some(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn the_entry_goes_at_the_end_of_tools_before_the_next_key_keeping_comments() {
        let text = "# my tools\nversion: 1\ntools:\n  - name: calc   # keep me\n    component: builtin:calc\n\n# scripts below\nscripts: []\n";
        let out = insert_tool(text, "greet", "greet.wasm", SHA);
        assert_eq!(
            out,
            format!(
                "# my tools\nversion: 1\ntools:\n  - name: calc   # keep me\n    component: builtin:calc\n\n  - name: greet\n    component: \"greet.wasm\"\n    sha256: {SHA}\n\n# scripts below\nscripts: []\n"
            )
        );
    }

    #[test]
    fn the_list_indentation_is_followed_and_an_empty_list_is_filled() {
        let out = insert_tool(
            "tools:\n- name: calc\n  component: builtin:calc\n",
            "g",
            "g.wasm",
            SHA,
        );
        assert!(
            out.ends_with(&format!(
                "\n- name: g\n  component: \"g.wasm\"\n  sha256: {SHA}\n"
            )),
            "{out}"
        );
        let out = insert_tool("version: 1\ntools: []\n", "g", "g.wasm", SHA);
        assert!(
            out.starts_with("version: 1\ntools:\n  - name: g\n"),
            "{out}"
        );
        let out = insert_tool("version: 1\n", "g", "g.wasm", SHA);
        assert!(
            out.starts_with("version: 1\n\ntools:\n  - name: g\n"),
            "{out}"
        );
    }

    #[test]
    fn a_duplicate_name_leaves_the_registry_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let wasm = dir.path().join("calc.wasm");
        std::fs::write(&wasm, b"\0asm").unwrap();
        let reg = dir.path().join("tool_registry.yaml");
        let before = "tools:\n  - name: calc\n    component: builtin:calc\n";
        std::fs::write(&reg, before).unwrap();
        let entry = NewEntry {
            name: "calc".into(),
            component: wasm.clone(),
            sha256: SHA.into(),
        };
        let err = append(&reg, &entry).unwrap_err().to_string();
        assert!(err.contains("duplicate tool name `calc`"), "{err}");
        assert_eq!(std::fs::read_to_string(&reg).unwrap(), before);
        let entry = NewEntry {
            name: "mine".into(),
            ..entry
        };
        append(&reg, &entry).unwrap();
        let loaded = registry::load_file(&reg).unwrap();
        let added = loaded.get("mine").unwrap();
        assert_eq!(added.sha256.as_deref(), Some(SHA));
        assert!(
            std::fs::read_to_string(&reg)
                .unwrap()
                .contains("component: \"calc.wasm\"")
        );
    }
}
