//! Every example in the README, in docs/ and in each built-in tool's `describe` runs as
//! shown. Command lines in fenced blocks that start with `toolhost` (or `$ toolhost`) are
//! run with the real binary in an empty directory; the ones that cannot run there say why
//! in the list below or carry a trailing `# not run` (they need a model server, a network,
//! a Rust toolchain building a crate, or files the reader makes first).

mod common;

use common::shared_cache_dir;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Command lines in fenced blocks: `$ ` prompts dropped, continued lines (a trailing `\`
/// or an open single quote, comments aside) joined, never past the fence. Each with its
/// file and line.
fn fenced_commands(file: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut commands = Vec::new();
    let mut in_fence = false;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        let trimmed = line.trim_start();
        let Some(start) = trimmed
            .strip_prefix("$ ")
            .or(Some(trimmed))
            .filter(|l| in_fence && l.starts_with("toolhost "))
        else {
            continue;
        };
        let mut command = start.to_owned();
        loop {
            let (code, open_quote) = shell_code(&command);
            let continued = code.trim_end().ends_with('\\');
            if !(continued || open_quote) {
                break;
            }
            match lines.peek() {
                Some((_, next)) if !next.trim_start().starts_with("```") => {
                    let (_, next) = lines.next().unwrap();
                    if continued {
                        command = code.trim_end().trim_end_matches('\\').to_owned();
                    } else {
                        command.push('\n');
                    }
                    command.push_str(next.trim_start());
                }
                _ => break,
            }
        }
        commands.push((format!("{}:{}", file.display(), n + 1), command));
    }
    commands
}

/// A shell command line without its comments (a `#` after whitespace, outside quotes, to
/// the end of its line), and whether it ends inside a single-quoted string.
fn shell_code(command: &str) -> (String, bool) {
    let (mut single, mut double, mut comment) = (false, false, false);
    let mut code = String::new();
    let mut previous = ' ';
    for c in command.chars() {
        if comment {
            if c == '\n' {
                comment = false;
                code.push(c);
            }
            continue;
        }
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && previous.is_whitespace() => {
                comment = true;
                continue;
            }
            _ => {}
        }
        code.push(c);
        previous = c;
    }
    (code, single)
}

/// Why a command cannot run in an empty directory without a network, or `None`.
fn skip_reason(command: &str) -> Option<&'static str> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let sub = words
        .iter()
        .skip(1)
        .find(|w| !w.starts_with('-') && !w.ends_with(".yaml"))
        .copied()
        .unwrap_or("");
    if command.contains("# not run") {
        return Some("marked");
    }
    // Placeholders the reader fills in: TOOL, NAME, [options], {...}, <id>.
    let code = shell_code(command).0;
    let unquoted: String = code.split('\'').step_by(2).collect();
    if unquoted.contains('[')
        || unquoted.contains('<')
        || code.contains("...")
        || code.contains('…')
        || unquoted
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase()))
    {
        return Some("a template");
    }
    match sub {
        "agent" => return Some("needs a model server"),
        "view" => return Some("needs an agent run's trajectory (tests/viewer.rs runs it)"),
        "mcp" => return Some("a server"),
        "new" | "build" | "bench" | "pin" => return Some("builds crates or takes minutes"),
        "add" | "publish" => return Some("needs an OCI registry or a server (tests/oci.rs)"),
        "repl" if !command.contains(" -e ") => return Some("interactive"),
        _ => {}
    }
    if command.contains("web_fetch") {
        return Some("needs the network");
    }
    if command.contains(".wasm") || command.contains("tool_registry.yaml") {
        return Some("needs a tool the reader builds first");
    }
    None
}

fn run_shell(dir: &Path, command: &str) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_toolhost")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("PATH", path)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .current_dir(dir)
        .output()
        .expect("run sh")
}

#[test]
fn readme_and_docs_command_lines_run_as_shown() {
    let root = repo_root();
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut ran = 0;
    let mut failures = Vec::new();
    for file in &files {
        for (at, command) in fenced_commands(file) {
            if let Some(why) = skip_reason(&command) {
                eprintln!("not run ({why}): {at}: {command}");
                continue;
            }
            let dir = tempfile::tempdir().unwrap();
            let o = run_shell(dir.path(), &command);
            ran += 1;
            if o.status.code() != Some(0) {
                failures.push(format!(
                    "{at}: `{command}` exited {:?}\n{}",
                    o.status.code(),
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
        }
    }
    // A guard on the extraction, not a target: the README shows list, describe, run (plain,
    // --arg, --json, code mode twice), render_math and mcmc as runnable lines. (A comment's
    // apostrophe once joined the rest of the README into one skipped command.)
    assert!(
        ran >= 9,
        "only {ran} examples ran: the extraction is broken"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_template_and_skip_rules_are_what_they_say() {
    assert_eq!(
        skip_reason("toolhost run TOOL '{...}' --out image.png"),
        Some("a template")
    );
    assert_eq!(
        skip_reason("toolhost check [tool_registry.yaml]"),
        Some("a template")
    );
    assert_eq!(
        skip_reason("toolhost agent \"integrate x^2\""),
        Some("needs a model server")
    );
    assert_eq!(skip_reason("toolhost run calc '{\"expr\": \"PI\"}'"), None);
    assert_eq!(
        skip_reason("toolhost run calc '{}'   # not run"),
        Some("marked")
    );
    // A comment's words are not placeholders, nor its apostrophes quotes.
    assert_eq!(
        skip_reason("toolhost run calc --arg expr='x^2'   # --arg KEY=VALUE"),
        None
    );
    assert_eq!(
        shell_code("toolhost run x '{}'   # the tool's input\n"),
        ("toolhost run x '{}'   \n".to_owned(), false)
    );
    assert!(shell_code("toolhost run x '{\"a\":").1);
}

#[test]
fn a_comment_does_not_join_the_lines_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("x.md");
    std::fs::write(
        &md,
        "```\ntoolhost list   # the registry's tools\ntoolhost run calc '{\n  \"expr\": \"1\"}'\ntoolhost describe \\\n  calc\n```\ntoolhost run not_in_a_fence '{}'\n",
    )
    .unwrap();
    let commands: Vec<String> = fenced_commands(&md).into_iter().map(|(_, c)| c).collect();
    assert_eq!(
        commands,
        [
            "toolhost list   # the registry's tools",
            "toolhost run calc '{\n\"expr\": \"1\"}'",
            "toolhost describe calc",
        ]
    );
}

#[test]
fn every_builtin_tools_describe_examples_run() {
    let dir = tempfile::tempdir().unwrap();
    let list = run_shell(dir.path(), "toolhost --json list");
    let list: Value = serde_json::from_slice(&list.stdout).expect("list --json");
    let mut ran = 0;
    let mut failures = Vec::new();
    for tool in list["tools"].as_array().unwrap() {
        let name = tool["name"].as_str().unwrap();
        let described = run_shell(dir.path(), &format!("toolhost --json describe {name}"));
        let d: Value = serde_json::from_slice(&described.stdout).expect("describe --json");
        // Without a network here, a networked tool's examples cannot complete, but they
        // must pass its schema and its grants: they may fail only at the connection (no
        // DNS, or a name resolving to an address no grant by name reaches, as on machines
        // whose resolver answers with a proxy's documentation address).
        let networked = d["grants"]["network"]
            .as_array()
            .is_some_and(|n| !n.is_empty());
        for example in d["examples"].as_array().unwrap() {
            let input = example["input"].to_string();
            let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
                .args(["--json", "run", name, &input])
                .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
                .current_dir(dir.path())
                .output()
                .unwrap();
            ran += 1;
            let error: Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
            let e = &error["error"];
            let offline = networked
                && ((e["code"] == "tool_error" && e["details"]["tool_code"] == "request_failed")
                    || (e["code"] == "denied" && e["details"]["range"].is_string()));
            if o.status.code() != Some(0) && !offline {
                failures.push(format!(
                    "{name}: example {:?} exited {:?}: {}",
                    example["description"],
                    o.status.code(),
                    String::from_utf8_lossy(&o.stdout)
                ));
            }
        }
    }
    assert!(ran >= 10, "only {ran} examples ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
