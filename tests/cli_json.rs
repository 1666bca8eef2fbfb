//! `--json` gives JSON on stdout for every command, on success and on failure, so scripts
//! never have to parse text.

mod common;

use common::{TestRegistry, shared_cache_dir};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn json_of(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .arg("--json")
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .env_remove("TOOLHOST_LLM_API_KEY")
        .env_remove("OPENAI_API_KEY")
        .current_dir(dir)
        .output()
        .expect("run toolhost");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "`toolhost --json {}` printed no JSON ({e}):\n{stdout}\nstderr: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code(), value)
}

#[test]
fn every_command_answers_in_json() {
    let reg = TestRegistry::new(
        "tools:\n  - name: calc\n    component: builtin:calc\nscripts:\n  - name: double\n    file: double.py\n    description: Twice x.\n    params:\n      x: a number\n",
    );
    std::fs::write(reg.dir.path().join("double.py"), "ARGS[\"x\"] * 2\n").unwrap();
    let r = reg.path.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let (code, v) = json_of(d, &["--registry", r, "list"]);
    assert_eq!(code, Some(0), "{v}");
    // The file's calc replaces the built-in one; the other built-ins come in too.
    let calc = v["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "calc");
    assert_eq!(
        calc.map(|t| &t["source"]),
        Some(&Value::from("overrides_builtin")),
        "{v}"
    );
    let (code, v) = json_of(d, &["--registry", r, "describe", "calc"]);
    assert_eq!((code, &v["name"]), (Some(0), &Value::from("calc")), "{v}");
    let (code, v) = json_of(d, &["--registry", r, "run", "calc", r#"{"expr":"2+3"}"#]);
    assert_eq!((code, v["ok"].as_bool()), (Some(0), Some(true)), "{v}");
    let (code, v) = json_of(d, &["--registry", r, "run-script", "double", r#"{"x": 4}"#]);
    assert_eq!(code, Some(0), "{v}");
    assert!(v.to_string().contains('8'), "{v}");
    let (code, v) = json_of(d, &["--registry", r, "run-script", "nosuch"]);
    assert_eq!((code, v["ok"].as_bool()), (Some(2), Some(false)), "{v}");
    let (code, v) = json_of(d, &["--registry", r, "check"]);
    assert_eq!(code, Some(0), "{v}");
    let (code, v) = json_of(
        d,
        &[
            "--registry",
            r,
            "bench",
            "--calls",
            "20",
            "--warmup",
            "2",
            "--processes",
            "0",
        ],
    );
    assert_eq!(code, Some(0), "{v}");
    assert!(v.get("per_call").is_some(), "{v}");
    let (code, v) = json_of(d, &["--registry", r, "pin", "calc"]);
    assert!(v.get("ok").is_some(), "{code:?} {v}");
    let (code, v) = json_of(d, &["new", "word_count"]);
    assert_eq!((code, v["ok"].as_bool()), (Some(0), Some(true)), "{v}");
    let (code, v) = json_of(d, &["build", "no_such_crate"]);
    assert_eq!((code, v["ok"].as_bool()), (Some(2), Some(false)), "{v}");
    let (code, v) = json_of(d, &["agent", "--replay", "no_such_trajectory.jsonl"]);
    assert_eq!((code, v["ok"].as_bool()), (Some(2), Some(false)), "{v}");
    let (code, v) = json_of(d, &["agent", "--max-cost", "1", "add 2 and 2"]);
    assert_eq!(
        (code, &v["error"]["code"]),
        (Some(2), &Value::from("usage")),
        "{v}"
    );
}

#[test]
fn list_never_cuts_a_summary_mid_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let (code, list) = json_of(dir.path(), &["list"]);
    assert_eq!(code, Some(0), "{list}");
    let tools = list["tools"].as_array().unwrap();
    assert!(tools.len() >= 5, "{list}");
    for tool in tools {
        let name = tool["name"].as_str().unwrap();
        let summary = tool["summary"].as_str().unwrap();
        let (_, d) = json_of(dir.path(), &["describe", name]);
        // The first paragraph, as one line.
        let paragraph = d["description"]
            .as_str()
            .unwrap()
            .split("\n\n")
            .next()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let whole_sentence = summary.ends_with(['.', '!', '?']) && paragraph.starts_with(summary);
        let marked_cut = summary.ends_with('…')
            && paragraph.starts_with(summary.trim_end_matches('…'))
            && paragraph[summary.trim_end_matches('…').len()..].starts_with(' ');
        assert!(
            summary == paragraph || whole_sentence || marked_cut,
            "{name}: summary {summary:?} of {paragraph:?}"
        );
    }
}
