//! `toolhost add`: a new entry appended to the registry's `tools:` list in the file's own
//! text (after its last entry, at its entries' indentation), so comments, order and layout
//! stay as they were; and the pins of an existing remote entry rewritten in place.

use super::ToolEntry;
use super::pins::{self, PinEdit, PinError};

/// The fields of an entry `add` writes, in the order they are written.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub name: String,
    pub component: String,
    pub digest: Option<String>,
    pub sha256: String,
    /// `verify: { key: … }`, as it should be written (relative to the registry file).
    pub verify_key: Option<String>,
}

/// Why an entry could not be added in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    #[error(
        "the registry's `tools:` is a flow list (`tools: [...]`); write the entry by hand:\n{0}"
    )]
    FlowList(String),
}

/// `text` with `entry` appended to its `tools:` list (which is created when missing).
pub fn append(text: &str, entry: &NewEntry) -> Result<String, AppendError> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if let Some(last) = lines.last_mut()
        && !last.ends_with('\n')
    {
        last.push_str(newline);
    }
    let Some(tools) = lines.iter().position(|l| is_key_line(l, "tools")) else {
        lines.push(format!("tools:{newline}"));
        lines.push(render(entry, "  ", newline));
        return Ok(lines.concat());
    };
    let after_key = strip_comment(&lines[tools]["tools:".len()..])
        .trim()
        .to_owned();
    match after_key.as_str() {
        "" => {}
        "[]" => lines[tools] = format!("tools:{newline}"),
        _ => return Err(AppendError::FlowList(render(entry, "  ", "\n"))),
    }
    // The list runs until the next line at column 0 that is not an item, a comment or blank.
    let mut last_content = tools;
    let mut indent: Option<String> = None;
    for (i, line) in lines.iter().enumerate().skip(tools + 1) {
        let trimmed = line.trim_start();
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let starts_at_zero = !line.starts_with([' ', '\t']);
        if starts_at_zero && !trimmed.starts_with('-') {
            break;
        }
        if indent.is_none() && trimmed.starts_with('-') {
            indent = Some(line[..line.len() - trimmed.len()].to_owned());
        }
        last_content = i;
    }
    let indent = indent.unwrap_or_else(|| "  ".to_owned());
    lines.insert(last_content + 1, render(entry, &indent, newline));
    Ok(lines.concat())
}

/// `text` with the remote entry's `digest:` and `sha256:` pins replaced in place.
pub fn repin(
    text: &str,
    entry: &ToolEntry,
    digest: Option<&str>,
    sha256: &str,
) -> Result<String, PinError> {
    let text = match (digest, entry.positions.digest) {
        (Some(digest), Some(at)) if entry.digest.is_some() => {
            pins::replace_scalar_at(text, at, digest.trim_start_matches("sha256:"))
        }
        _ => text.to_owned(),
    };
    pins::rewrite(
        &text,
        &[PinEdit {
            entry,
            sha256: sha256.to_owned(),
        }],
    )
}

fn is_key_line(line: &str, key: &str) -> bool {
    line.strip_prefix(key)
        .is_some_and(|rest| rest.starts_with(':'))
}

fn strip_comment(text: &str) -> &str {
    match text.find(" #") {
        Some(i) => &text[..i],
        None if text.trim_start().starts_with('#') => "",
        None => text,
    }
}

/// JSON strings are YAML double-quoted scalars: a URL or path with `#` or `: ` stays one.
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

fn render(entry: &NewEntry, indent: &str, newline: &str) -> String {
    let mut out = format!("{indent}- name: {}{newline}", entry.name);
    let field = |out: &mut String, key: &str, value: &str| {
        out.push_str(&format!("{indent}  {key}: {value}{newline}"));
    };
    field(&mut out, "component", &quoted(&entry.component));
    if let Some(digest) = &entry.digest {
        field(&mut out, "digest", digest);
    }
    field(&mut out, "sha256", &entry.sha256);
    if let Some(key) = &entry.verify_key {
        field(&mut out, "verify", &format!("{{ key: {} }}", quoted(key)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::parse_str;

    fn entry(name: &str) -> NewEntry {
        NewEntry {
            name: name.to_owned(),
            component: "oci://127.0.0.1:5000/tools/echo:1.0".to_owned(),
            digest: Some(format!("sha256:{}", "1".repeat(64))),
            sha256: "2".repeat(64),
            verify_key: None,
        }
    }

    #[test]
    fn entries_go_after_the_last_tool_at_its_indentation_and_the_rest_stays() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.wasm"), "x").unwrap();
        let file = dir.path().join("tool_registry.yaml");
        let text = "# my tools\nbuiltins: none\ntools:\n    - name: a   # first\n      component: a.wasm\n\n# the python section\npython:\n  limits: { timeout_ms: 5 }\n";
        let new = append(text, &entry("echo")).unwrap();
        assert_eq!(
            new,
            format!(
                "# my tools\nbuiltins: none\ntools:\n    - name: a   # first\n      component: a.wasm\n    - name: echo\n      component: \"oci://127.0.0.1:5000/tools/echo:1.0\"\n      digest: sha256:{}\n      sha256: {}\n\n# the python section\npython:\n  limits: {{ timeout_ms: 5 }}\n",
                "1".repeat(64),
                "2".repeat(64)
            )
        );
        let registry = parse_str(&new, Some(&file)).unwrap();
        assert_eq!(registry.names(), ["a", "echo"]);
    }

    #[test]
    fn a_registry_without_tools_gets_the_list() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tool_registry.yaml");
        for text in ["builtins: none", "builtins: none\ntools: []\n", ""] {
            let new = append(text, &entry("echo")).unwrap();
            let registry = parse_str(&new, Some(&file)).unwrap();
            assert!(registry.get("echo").is_some(), "{new}");
        }
        assert!(matches!(
            append("tools: [{name: a, component: a.wasm}]\n", &entry("echo")),
            Err(AppendError::FlowList(_))
        ));
    }

    #[test]
    fn repinning_replaces_both_pins_where_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tool_registry.yaml");
        let text = append("builtins: none\n", &entry("echo")).unwrap();
        let registry = parse_str(&text, Some(&file)).unwrap();
        let new_digest = format!("sha256:{}", "3".repeat(64));
        let new = repin(
            &text,
            registry.get("echo").unwrap(),
            Some(&new_digest),
            &"4".repeat(64),
        )
        .unwrap();
        let again = parse_str(&new, Some(&file)).unwrap();
        let echo = again.get("echo").unwrap();
        assert_eq!(echo.digest.as_deref(), Some(new_digest.as_str()));
        assert_eq!(echo.sha256.as_deref(), Some("4".repeat(64).as_str()));
        assert_eq!(new.lines().count(), text.lines().count());
    }
}
