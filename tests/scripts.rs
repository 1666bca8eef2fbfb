//! Registry scripts: located errors in the registry, `toolhost run-script`, `list` and
//! `describe` showing them, and SCRIPT from the REPL's command line.

mod common;

use common::{TestRegistry, shared_cache_dir};
use serde_json::{Value, json};
use std::process::{Command, Output};
use toolhost::registry;

const SUMMARIZE: &str = r#"
# The mean and the spread of ARGS["xs"], computed by calc.
xs = ARGS["xs"]
if len(xs) == 0:
    raise ValueError("xs is empty")
n = len(xs)
mean = sum(xs) / n
variance = sum(x * x for x in xs) / n - mean ** 2
r = calc(exprs=["mean", "sqrt(variance)"], vars={"mean": mean, "variance": variance})
print(f"summarized {n} values")
{"mean": r["results"][0]["value"], "sd": r["results"][1]["value"]}
"#;

/// A registry with the built-in tools and the `summarize` script.
fn with_scripts() -> TestRegistry {
    let reg = TestRegistry::new(
        "tools:\n  - name: calc\n    component: builtin:calc\nscripts:\n  - name: summarize\n    file: summarize.py\n    description: |\n      Mean and standard deviation of a list.\n      Uses calc.\n    params:\n      xs: the numbers\n",
    );
    std::fs::write(reg.dir.path().join("summarize.py"), SUMMARIZE).unwrap();
    reg
}

fn toolhost(reg: &TestRegistry, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .arg("--registry")
        .arg(&reg.path)
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run toolhost")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn script_problems_are_located_missing_file_duplicate_and_unknown_key() {
    let reg = TestRegistry::new(
        "tools: []\nscripts:\n  - name: a\n    file: nowhere.py\n    description: x\n  - name: a\n    file: tool_registry.yaml\n    description: y\n",
    );
    let err = registry::load_file(&reg.path).unwrap_err().to_string();
    let file = reg.path.display().to_string();
    assert!(
        err.contains(&format!("{file}:4:11: script file `"))
            && err.contains("nowhere.py` cannot be read"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:6:11: duplicate script name `a` (first defined at line 3)"
        )),
        "{err}"
    );
    let reg = TestRegistry::new(
        "tools: []\nscripts:\n  - name: a\n    file: tool_registry.yaml\n    description: x\n    parms: {}\n",
    );
    let err = registry::load_file(&reg.path).unwrap_err().to_string();
    assert!(
        err.contains(&format!("{}:6:5: ", reg.path.display()))
            && err.contains("unknown field `parms`")
            && err.contains("`params`"),
        "{err}"
    );
    let reg = TestRegistry::new("tools: []\nscripts:\n  - name: a\n    file: tool_registry.yaml\n");
    let err = registry::load_file(&reg.path).unwrap_err().to_string();
    assert!(err.contains("missing field `description`"), "{err}");
}

#[test]
fn run_script_prints_the_result_and_json_mode_gives_it_as_data() {
    let reg = with_scripts();
    let o = toolhost(
        &reg,
        &[
            "run-script",
            "summarize",
            r#"{"xs": [2, 4, 4, 4, 5, 5, 7, 9]}"#,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("summarized 8 values\n"), "{out}");
    let value: Value = serde_json::from_str(out.split_once('\n').unwrap().1).unwrap();
    assert_eq!(value, json!({ "mean": 5.0, "sd": 2.0 }));

    let o = toolhost(
        &reg,
        &["--json", "run-script", "summarize", r#"{"xs": [1, 3]}"#],
    );
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["value"], json!({ "mean": 2.0, "sd": 1.0 }));
    assert_eq!(v["output"], "summarized 2 values\n");
    assert_eq!(v["tool_calls"], 1);
    assert!(v["duration_ms"].as_f64().unwrap() > 0.0, "{v}");
}

#[test]
fn run_script_exit_codes_unknown_bad_args_and_a_failing_script() {
    let reg = with_scripts();
    let o = toolhost(&reg, &["run-script", "sumarize"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no script named `sumarize` (did you mean `summarize`?)"),
        "{}",
        text(&o.stderr)
    );
    let o = toolhost(&reg, &["run-script", "summarize", r#"{"ys": [1]}"#]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o.stderr).contains("/ys"), "{}", text(&o.stderr));
    let o = toolhost(&reg, &["run-script", "summarize", "{not json"]);
    assert_eq!(o.status.code(), Some(3));
    let o = toolhost(&reg, &["run-script", "summarize", r#"{"xs": []}"#]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        text(&o.stderr).contains("xs is empty"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn list_and_describe_show_scripts_and_the_repl_calls_them() {
    let reg = with_scripts();
    let o = toolhost(&reg, &["list"]);
    let out = text(&o.stdout);
    assert!(
        out.lines().any(|l| l.starts_with("summarize")
            && l.contains("script")
            && l.ends_with("Mean and standard deviation of a list.")),
        "{out}"
    );
    let o = toolhost(&reg, &["--json", "list"]);
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(v["scripts"][0]["name"], "summarize");
    assert_eq!(v["scripts"][0]["params"], json!({ "xs": "the numbers" }));
    let o = toolhost(&reg, &["describe", "summarize"]);
    let out = text(&o.stdout);
    assert!(
        out.contains("summarize (script)") && out.contains("  xs: the numbers"),
        "{out}"
    );

    let o = toolhost(
        &reg,
        &[
            "repl",
            "-e",
            r#"SCRIPT("summarize", {"xs": [1.0, 3.0]})["mean"]"#,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).ends_with("2.0\n"), "{}", text(&o.stdout));
}

#[test]
fn check_parses_every_script_and_locates_a_syntax_error() {
    let reg = with_scripts();
    std::fs::write(reg.dir.path().join("bad.py"), "ok = 1\nx = \n").unwrap();
    let mut yaml = std::fs::read_to_string(&reg.path).unwrap();
    yaml.push_str("  - name: bad\n    file: bad.py\n    description: Does not parse.\n");
    std::fs::write(&reg.path, yaml).unwrap();
    let o = toolhost(&reg, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.contains("  ok    script summarize"), "{out}");
    let bad = reg.dir.path().join("bad.py").display().to_string();
    assert!(
        out.contains(&format!("  FAIL  script bad: {bad}:2:")),
        "{out}"
    );
}

/// The registry's `python:` section sets the interpreter's limits for code mode (and every
/// other Python session); a bad value is located like any registry problem.
#[test]
fn the_registry_sets_the_interpreters_limits() {
    let reg = TestRegistry::new(
        "tools:\n  - name: calc\n    component: builtin:calc\npython:\n  limits:\n    timeout_ms: 700\n  max_tool_calls_per_input: 3\n",
    );
    let started = std::time::Instant::now();
    let o = toolhost(
        &reg,
        &["run", "python", r#"{"code": "while True:\n    pass"}"#],
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("timeout"), "{}", text(&o.stderr));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let o = toolhost(
        &reg,
        &[
            "run",
            "python",
            r#"{"code": "[calc(expr='1') for i in range(5)]"}"#,
        ],
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let o = toolhost(
        &reg,
        &[
            "run",
            "python",
            r#"{"code": "[calc(expr='1')['value'] for i in range(3)]"}"#,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    let reg = TestRegistry::new("tools: []\npython:\n  limits:\n    memory_mb: 0\n");
    let err = registry::load_file(&reg.path).unwrap_err().to_string();
    assert!(err.contains(&format!("{}:4:", reg.path.display())), "{err}");
    assert!(err.contains("memory_mb"), "{err}");
}
