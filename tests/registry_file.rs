//! A user's own registry file: it extends the built-in tools (`builtins:`), `toolhost
//! pin` rewrites its pins in place after a rebuild, and a component runs by its path
//! without any entry.

mod common;

use common::{TestRegistry, fixture, shared_cache_dir};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::process::{Command, Output};
use toolhost::registry;

fn toolhost(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        // Outside the repo, so ./tool_registry.yaml is not picked up.
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run toolhost")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn a_registry_file_extends_the_built_ins_and_list_says_where_each_comes_from() {
    let reg = TestRegistry::new(
        "tools:\n  - name: calc\n    component: builtin:calc\n    limits: { timeout_ms: 1234 }\n  - name: mine\n    component: {hostile}\n",
    );
    let r = reg.path.to_str().unwrap();
    let o = toolhost(&["--registry", r, "--json", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let listed = json_of(&o);
    let sources: Vec<(String, String)> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let source = |name: &str| {
        sources
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
    };
    assert_eq!(source("calc"), Some("overrides_builtin"), "{sources:?}");
    assert_eq!(source("mine"), Some("file"));
    for builtin in toolhost::builtins::names() {
        if builtin != "calc" {
            assert_eq!(source(builtin), Some("builtin"), "{sources:?}");
        }
    }
    let o = toolhost(&["--registry", r, "list"]);
    let text = stdout(&o);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in\n{text}"))
            .to_owned()
    };
    assert!(line("calc").contains(" override "), "{text}");
    assert!(line("mine").contains(" file "), "{text}");
    assert!(line("echo").contains(" built-in "), "{text}");

    // The built-ins it did not list work, and the entry of a built-in's name replaced it.
    let o = toolhost(&["--registry", r, "run", "echo", r#"{"text": "still here"}"#]);
    assert_eq!(stdout(&o).trim(), "still here", "{}", stderr(&o));
    let o = toolhost(&["--registry", r, "--json", "describe", "calc"]);
    assert_eq!(json_of(&o)["limits"]["timeout_ms"], 1234);

    // Only some built-ins, or none.
    let some =
        TestRegistry::new("builtins: [echo]\ntools:\n  - name: mine\n    component: {hostile}\n");
    let loaded = some.load();
    assert_eq!(loaded.names(), ["echo", "mine"]);
    let none = TestRegistry::new("builtins: none\n");
    assert!(none.load().tools.is_empty());
    let o = toolhost(&[
        "--registry",
        some.path.to_str().unwrap(),
        "run",
        "calc",
        "{}",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn unknown_built_in_names_are_located_and_get_a_suggestion() {
    let reg = TestRegistry::new("builtins: [calc, ecoh]\n");
    let err = registry::load_file(&reg.path).unwrap_err();
    let p = &err.problems[0];
    assert_eq!(
        p.position.map(|p| (p.line, p.column)),
        Some((1, 18)),
        "{err}"
    );
    assert!(
        p.message.contains("unknown built-in tool `ecoh`")
            && p.message.contains("did you mean `echo`?"),
        "{err}"
    );
    let reg = TestRegistry::new("tools: []\nbuiltins: some\n");
    let err = registry::load_file(&reg.path).unwrap_err();
    assert_eq!(err.problems[0].position.map(|p| p.line), Some(2), "{err}");
    assert!(err.to_string().contains("`all`, `none` or a list"), "{err}");
}

fn sha256_of(path: &std::path::Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn pin_rewrites_the_pins_in_place_after_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("tool.wasm");
    std::fs::copy(fixture("hostile"), &wasm).unwrap();
    let old = "0".repeat(64);
    let original = format!(
        "# my tools\nbuiltins: none\ntools:\n  - name: mine   # the one I build\n    component: tool.wasm\n    sha256: \"{old}\"   # pinned by hand\n    limits: {{ timeout_ms: 5000 }}\n\n  - name: other\n    component: tool.wasm\n"
    );
    let file = dir.path().join("tool_registry.yaml");
    std::fs::write(&file, &original).unwrap();
    let r = file.to_str().unwrap();
    let input = r#"{"action": "echo", "value": 7}"#;

    let o = toolhost(&["--registry", r, "run", "mine", input]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("pin_mismatch"), "{}", stderr(&o));

    let o = toolhost(&["--registry", r, "pin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sha = sha256_of(&wasm);
    assert!(
        stdout(&o).contains(&format!("mine: {old} -> {sha}")),
        "{}",
        stdout(&o)
    );
    let pinned = std::fs::read_to_string(&file).unwrap();
    assert_eq!(pinned, original.replace(&old, &sha), "only the pin changed");
    let o = toolhost(&["--registry", r, "run", "mine", input]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // A rebuild, then pin by name: the pinned entry is rewritten, the other one gains a pin
    // under its component line.
    std::fs::copy(fixture("hostile-http"), &wasm).unwrap();
    let rebuilt = sha256_of(&wasm);
    assert_ne!(rebuilt, sha);
    let o = toolhost(&["--registry", r, "--json", "pin", "mine", "other"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json_of(&o);
    assert_eq!(report["pins"][0]["old"], json!(sha));
    assert_eq!(report["pins"][1]["old"], Value::Null);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text,
        original.replace(&old, &rebuilt).replace(
            "  - name: other\n    component: tool.wasm\n",
            &format!("  - name: other\n    component: tool.wasm\n    sha256: {rebuilt}\n")
        )
    );
    let loaded = registry::load_file(&file).unwrap();
    assert!(
        loaded
            .tools
            .iter()
            .all(|t| t.sha256.as_deref() == Some(rebuilt.as_str()))
    );

    let o = toolhost(&["--registry", r, "pin"]);
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));
    let o = toolhost(&["--registry", r, "pin", "calc"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_component_runs_by_path_with_default_limits_and_no_grants() {
    let path = fixture("hostile");
    let p = path.to_str().unwrap();
    let o = toolhost(&["--json", "run", p, r#"{"action": "env", "name": "HOME"}"#]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = json_of(&o);
    assert_eq!(
        out["content"][0]["json"],
        json!({ "value": null, "visible": 0 })
    );
    let o = toolhost(&["run", p, r#"{"action": "list_dir", "path": "/"}"#]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "no directory is granted: {}",
        stderr(&o)
    );

    let o = toolhost(&["--json", "describe", p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = json_of(&o);
    assert_eq!(d["name"], "hostile");
    assert_eq!(d["limits"]["timeout_ms"], 10000);
    assert_eq!(d["grants"], json!({ "dirs": [], "env": [], "network": [] }));

    let o = toolhost(&[
        "--json",
        "bench",
        "--tool",
        p,
        "--input",
        r#"{"action": "counter"}"#,
        "--calls",
        "20",
        "--warmup",
        "2",
        "--processes",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b = json_of(&o);
    assert_eq!(b["per_call"]["calls"], 20);
    assert_eq!(b["cold_process"]["runs"], 2);

    let o = toolhost(&["run", "./no/such/tool.wasm", "{}"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot read the component"),
        "{}",
        stderr(&o)
    );
}
