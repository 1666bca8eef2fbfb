//! The `toolhost` binary as a person or a script uses it: output, errors and exit codes.

mod common;

use common::{TestRegistry, shared_cache_dir};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn toolhost(args: &[&str]) -> Output {
    toolhost_with_stdin(args, None)
}

fn toolhost_with_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        // Run outside the repo so ./tool_registry.yaml is not picked up by accident.
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run toolhost");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_calc_prints_the_value_and_exits_0() {
    let o = toolhost(&["run", "calc", r#"{"expr": "2+2"}"#]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "4");
}

#[test]
fn input_from_stdin_and_arg_shortcuts() {
    let o = toolhost_with_stdin(&["run", "echo", "-"], Some(r#"{"text": "from stdin"}"#));
    assert_eq!(stdout(&o).trim(), "from stdin", "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.json");
    std::fs::write(&file, r#"{"text": "from a file"}"#).unwrap();
    let o = toolhost(&["run", "echo", &format!("@{}", file.display())]);
    assert_eq!(stdout(&o).trim(), "from a file", "{}", stderr(&o));
    let o = toolhost(&["run", "echo", "@/no/such/input.json"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("/no/such/input.json"), "{}", stderr(&o));
    let o = toolhost(&[
        "--json",
        "run",
        "echo",
        "--arg",
        "text=from args",
        "--arg",
        "json=true",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["content"][0]["text"], "from args");
    assert_eq!(
        v["content"][1]["json"],
        serde_json::json!({ "text": "from args" })
    );
}

#[test]
fn json_mode_is_machine_readable_for_success_and_failure() {
    let o = toolhost(&["--json", "run", "echo", r#"{"text":"hi"}"#]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(
        v["content"][0],
        serde_json::json!({ "type": "text", "text": "hi" })
    );
    let o = toolhost(&["--json", "run", "echo", r#"{"text": 1}"#]);
    assert_eq!(o.status.code(), Some(3));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["code"], "invalid_input");
    assert_eq!(v["error"]["details"]["errors"][0]["pointer"], "/text");
}

#[test]
fn exit_codes_distinguish_usage_input_tool_and_host_errors() {
    let o = toolhost(&["run", "nosuchtool", "{}"]);
    assert_eq!(o.status.code(), Some(2), "unknown tool is a usage error");
    assert!(stderr(&o).contains("not_found"), "{}", stderr(&o));
    let o = toolhost(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = toolhost(&["run", "echo", "not json"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("not valid JSON"), "{}", stderr(&o));
    let o = toolhost(&["run", "echo", r#"{"text": []}"#]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("at /text"), "{}", stderr(&o));

    let reg = TestRegistry::new(
        "tools:\n  - name: hostile\n    component: {hostile}\n    limits: {timeout_ms: 100}\n",
    );
    let r = reg.path.to_str().unwrap();
    let o = toolhost(&[
        "--registry",
        r,
        "run",
        "hostile",
        r#"{"action":"panic","message":"kaput"}"#,
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[trap]") && stderr(&o).contains("kaput"),
        "{}",
        stderr(&o)
    );
    let o = toolhost(&["--registry", r, "run", "hostile", r#"{"action":"spin"}"#]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("error[timeout]"), "{}", stderr(&o));

    let bad = TestRegistry::new(
        "tools:\n  - name: x\n    component: builtin:echo\n    limits: {timeout: 5}\n",
    );
    let o = toolhost(&["--registry", bad.path.to_str().unwrap(), "list"]);
    assert_eq!(o.status.code(), Some(1));
    let expected = format!(
        "{}:4:14: tools[0].limits: unknown field `timeout`",
        bad.path.display()
    );
    assert!(stderr(&o).contains(&expected), "{}", stderr(&o));
}

#[test]
fn guest_output_never_reaches_the_host_stdout() {
    let reg = TestRegistry::new("tools:\n  - name: hostile\n    component: {hostile}\n");
    let o = toolhost(&[
        "--registry",
        reg.path.to_str().unwrap(),
        "run",
        "hostile",
        r#"{"action":"print","bytes":100}"#,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "printed\n");
    let o = toolhost(&[
        "--registry",
        reg.path.to_str().unwrap(),
        "run",
        "-v",
        "hostile",
        r#"{"action":"print","bytes":3}"#,
    ]);
    assert!(stderr(&o).contains("[Stdout Info] ooo"), "{}", stderr(&o));
}

#[test]
fn list_describe_and_check_the_builtin_registry() {
    let o = toolhost(&["list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("calc ")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("echo ")), "{out}");
    let o = toolhost(&["describe", "calc"]);
    let out = stdout(&o);
    assert!(
        out.contains("Input schema:") && out.contains("\"expr\""),
        "{out}"
    );
    assert!(out.contains("Limits: timeout_ms="), "{out}");
    assert!(out.contains("Grants: none"), "{out}");
    let o = toolhost(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ok    calc"), "{}", stdout(&o));
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let o = toolhost(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("toolhost run calc") && out.contains("Exit codes"),
        "{out}"
    );
    // 5 is `busy`; the agent's wall time is 6, in the help and in the README alike.
    assert!(out.contains("6 `agent --wall-time` ran out"), "{out}");
    let readme = include_str!("../README.md");
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains("`6` `agent --wall-time` ran out"),
        "the README's exit-code table disagrees with --help"
    );
}

#[test]
fn repl_eval_and_python_files_run_tools_and_report_errors_by_exit_code() {
    let o = toolhost(&[
        "repl",
        "-e",
        "r = calc(expr=\"6*7\")\nprint(f\"got {r['value']}\")\nr['value'] / 2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "got 42.0\n21.0\n");
    let o = toolhost(&["repl", "-e", r#"calc(expr="6*")"#]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("ToolError"), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid_input"), "{}", stderr(&o));

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("sum.py");
    std::fs::write(
        &script,
        "def sq(x):\n    return calc(expr=\"x^2\", vars={\"x\": x})[\"value\"]\n\ntotal = 0.0\nfor i in range(1, 4):\n    total += sq(i)\nprint(total)\n",
    )
    .unwrap();
    let o = toolhost(&["repl", script.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "14.0\n");
    std::fs::write(&script, "x = [1, 2\n").unwrap();
    let o = toolhost(&["repl", script.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("SyntaxError"), "{}", stderr(&o));
}

#[test]
fn code_mode_runs_a_snippet_with_the_tools_as_functions() {
    let o = toolhost(&[
        "--json",
        "run",
        "python",
        r#"{"code": "xs = [calc(expr=f'{i}^2')['value'] for i in range(4)]\nprint(len(xs))\nsum(xs)"}"#,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["content"][0],
        serde_json::json!({ "type": "text", "text": "4\n" })
    );
    assert_eq!(
        v["content"][1],
        serde_json::json!({ "type": "json", "json": 14.0 })
    );
    let o = toolhost(&["run", "python", r#"{"code": "1/0"}"#]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("ZeroDivisionError"), "{}", stderr(&o));
    let o = toolhost(&["run", "python", r#"{"cod": "1"}"#]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("unknown argument 'cod'"),
        "{}",
        stderr(&o)
    );
}

/// On a terminal, `run` shows a tool's text without the escape sequences in it: a tool
/// cannot clear the screen, retitle the window, write the clipboard (OSC 52) or colour
/// and hide text. Piped, the text is left as the tool wrote it.
#[test]
fn tool_text_on_a_terminal_carries_no_control_sequences() {
    let reg = TestRegistry::new("tools:\n  - name: hostile\n    component: {hostile}\n");
    let text =
        "one\u{1b}]52;c;aGk=\u{7}two\u{1b}[2J\u{1b}[8mthree\u{1b}]0;title\u{7}\u{9b}31mfour\rfive";
    let input = serde_json::json!({ "action": "say", "text": text }).to_string();
    let args = [
        "--registry",
        reg.path.to_str().unwrap(),
        "run",
        "hostile",
        &input,
    ];
    let (code, shown) = run_on_a_terminal(&args);
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        !shown.contains(['\u{1b}', '\u{7}', '\u{9b}']) && shown.contains("onetwothreefourfive"),
        "{shown:?}"
    );
    let piped = toolhost(&args);
    assert_eq!(stdout(&piped).trim_end_matches('\n'), text);
}

/// The same in the REPL: a tool's text printed by Python is shown, not obeyed, on a
/// terminal, and left as written when piped.
#[test]
fn python_output_on_a_terminal_carries_no_control_sequences() {
    let reg = TestRegistry::new("tools:\n  - name: hostile\n    component: {hostile}\n");
    let code = r#"print(hostile(action="say", text="one\x1b]52;c;aGk=\x07two\x1b[2J\x1b[8mthree\x1b]0;title\x07\x9b31mfour\rfive"))"#;
    let args = ["--registry", reg.path.to_str().unwrap(), "repl", "-e", code];
    let (status, shown) = run_on_a_terminal(&args);
    assert_eq!(status, Some(0), "{shown}");
    assert!(
        !shown.contains(['\u{1b}', '\u{7}', '\u{9b}']) && shown.contains("onetwothreefourfive"),
        "{shown:?}"
    );
    let piped = toolhost(&args);
    assert!(
        stdout(&piped).contains("\u{1b}]52;c;aGk=\u{7}two"),
        "{:?}",
        stdout(&piped)
    );
}

/// Run toolhost with its stdout on a pseudo-terminal; what the terminal received.
fn run_on_a_terminal(args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    let (mut controller, mut terminal) = (0, 0);
    // SAFETY: openpty writes two new descriptors; the null arguments are allowed.
    let opened = unsafe {
        libc::openpty(
            &mut controller,
            &mut terminal,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors are ours alone from here on.
    let (controller, terminal) = unsafe {
        (
            std::fs::File::from_raw_fd(controller),
            std::fs::File::from_raw_fd(terminal),
        )
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(terminal)
        .stderr(Stdio::piped())
        .spawn()
        .expect("run toolhost");
    let reader = std::thread::spawn(move || {
        let mut controller = controller;
        let mut shown = Vec::new();
        // Reading ends with EIO once the child (the last holder of the terminal) exits.
        let _ = controller.read_to_end(&mut shown);
        shown
    });
    let status = child.wait().unwrap();
    let shown = reader.join().unwrap();
    (status.code(), String::from_utf8_lossy(&shown).into_owned())
}

#[test]
fn run_mcmc_samples_a_kinked_density_with_the_ensemble_in_the_sandbox() {
    // A Laplace density: NUTS would step over its kink, so the gradient-free
    // ensemble runs, and the answer says so and why.
    let o = toolhost(&[
        "--json",
        "run",
        "mcmc",
        r#"{"log_density": "-abs(x - 1)", "parameters": ["x"], "draws": 2000, "seed": 7}"#,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let text = v["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("Ensemble (stretch move)"), "{text}");
    let out = &v["content"][1]["json"];
    assert_eq!(out["sampler"]["name"], "ensemble");
    assert_eq!(out["sampler"]["walkers"], 32);
    assert!(
        out["sampler"]["chosen_because"]
            .as_str()
            .unwrap()
            .contains("kink")
    );
    // Mean 1, sd sqrt(2), within four Monte Carlo standard errors.
    let x = &out["parameters"]["x"];
    let (mean, mcse) = (
        x["mean"].as_f64().unwrap(),
        x["mcse_mean"].as_f64().unwrap(),
    );
    assert!((mean - 1.0).abs() < 4.0 * mcse, "{x}");
    let (sd, mcse_sd) = (x["sd"].as_f64().unwrap(), x["mcse_sd"].as_f64().unwrap());
    assert!((sd - 2f64.sqrt()).abs() < 4.0 * mcse_sd, "{x}");
    assert!(x["rhat"].as_f64().unwrap() < 1.05, "{x}");
}
