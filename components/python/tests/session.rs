//! The session against a fake host: what Python code sees, without a sandbox.

use serde_json::{Value, json};
use std::time::Duration;
use toolhost_python::{
    Config, Failure, Host, Image, LogLevel, Outcome, Session, ToolDetails, ToolEntry, ToolResult,
};

#[derive(Default)]
struct FakeHost {
    calls: Vec<(String, Value)>,
    saved: Vec<String>,
    described: Vec<String>,
}

impl Host for FakeHost {
    fn call_tool(&mut self, name: &str, arguments: &Value) -> Result<ToolResult, Failure> {
        self.calls.push((name.to_owned(), arguments.clone()));
        match name {
            "calc" => match arguments.get("expr").and_then(Value::as_str) {
                Some("2^10") => Ok(ToolResult {
                    value: json!({"value": 1024}),
                    images: vec![],
                }),
                Some(e) if e.ends_with('+') => Err(Failure {
                    code: "invalid_input".into(),
                    message: "expr: expected an operand".into(),
                    details: Some(json!({"pointer": "/expr"})),
                    tool: Some("calc".into()),
                }),
                _ => Ok(ToolResult {
                    value: json!({"value": 1}),
                    images: vec![],
                }),
            },
            "echo" => Ok(ToolResult {
                value: arguments.get("text").cloned().unwrap_or(Value::Null),
                images: vec![],
            }),
            "plot" => Ok(ToolResult {
                value: json!("a line plot"),
                images: vec![Image {
                    mime_type: "image/png".into(),
                    data: vec![137, 80, 78, 71],
                }],
            }),
            _ => Err(Failure::new("not_found", format!("no tool named '{name}'"))),
        }
    }

    fn call_batch(&mut self, calls: &[(String, Value)]) -> Vec<Result<ToolResult, Failure>> {
        calls.iter().map(|(n, a)| self.call_tool(n, a)).collect()
    }

    fn list_tools(&mut self) -> Vec<(String, String)> {
        vec![("calc".into(), "Evaluate expressions".into())]
    }

    fn describe_tool(&mut self, name: &str) -> Result<ToolDetails, Failure> {
        self.described.push(name.to_owned());
        Ok(details(&["size"]))
    }

    fn help_text(&mut self, name: &str) -> Result<String, Failure> {
        Ok(format!("{name}(expr: str) — help text"))
    }

    fn run_script(&mut self, name: &str, arguments: &Value) -> Result<Value, Failure> {
        Ok(json!({ "script": name, "args": arguments }))
    }

    fn llm_query(&mut self, prompt: &str) -> Result<String, String> {
        Ok(format!("answer to {prompt}"))
    }

    fn llm_batch(&mut self, prompts: &[String]) -> Vec<Result<String, String>> {
        prompts.iter().map(|p| Ok(p.to_uppercase())).collect()
    }

    fn save_image(&mut self, _mime: &str, data: &[u8], file_name: &str) -> Result<String, String> {
        if file_name.contains('/') {
            return Err("file names only".into());
        }
        self.saved.push(file_name.to_owned());
        Ok(format!("/images/{file_name} ({} bytes)", data.len()))
    }

    fn log(&mut self, _level: LogLevel, _message: &str) {}
}

fn tool(name: &str, parameters: &[&str]) -> ToolEntry {
    ToolEntry {
        name: name.into(),
        python_identifier: true,
        // The plot tool starts without details, as a tool the host had not loaded.
        details: (name != "plot").then(|| details(parameters)),
    }
}

fn details(parameters: &[&str]) -> ToolDetails {
    ToolDetails {
        parameters: parameters.iter().map(|s| s.to_string()).collect(),
        required_parameters: 1.min(parameters.len()),
        signature: "(...)".to_owned(),
        summary: String::new(),
    }
}

fn session() -> (Session, FakeHost) {
    session_with(Config::default())
}

fn session_with(mut config: Config) -> (Session, FakeHost) {
    config.tools = vec![
        tool("calc", &["expr", "vars"]),
        tool("echo", &["text"]),
        tool("plot", &[]),
    ];
    config.language_model = true;
    (Session::new(config), FakeHost::default())
}

fn run(s: &mut Session, h: &mut FakeHost, code: &str) -> Outcome {
    s.eval(h, code)
}

fn ok(s: &mut Session, h: &mut FakeHost, code: &str) -> Outcome {
    let o = run(s, h, code);
    assert!(
        o.error.is_none(),
        "{code}: {:?}\noutput: {}",
        o.error,
        o.output
    );
    o
}

#[test]
fn variables_functions_and_classes_persist() {
    let (mut s, mut h) = session();
    ok(
        &mut s,
        &mut h,
        "x = 41\ndef inc(v):\n    return v + 1\nclass Box:\n    def __init__(self, v):\n        self.v = v\n",
    );
    let o = ok(&mut s, &mut h, "Box(inc(x)).v");
    assert_eq!(o.value_repr.as_deref(), Some("42"));
    assert_eq!(o.value_json, Some(json!(42)));
}

#[test]
fn tools_are_functions_of_keyword_arguments_and_positional_required_ones() {
    let (mut s, mut h) = session();
    let o = ok(&mut s, &mut h, "calc(expr=\"2^10\")[\"value\"]");
    assert_eq!(o.value_json, Some(json!(1024)));
    ok(&mut s, &mut h, "calc(\"2^10\", vars={\"a\": 1})");
    assert_eq!(
        h.calls.last().unwrap().1,
        json!({"expr": "2^10", "vars": {"a": 1}})
    );
    let e = run(&mut s, &mut h, "calc(\"2^10\", {\"a\": 1})")
        .error
        .unwrap();
    assert!(
        e.message
            .contains("takes 1 positional argument and 2 given"),
        "{}",
        e.message
    );
    let o = ok(&mut s, &mut h, "TOOL(\"echo\", {\"text\": \"hi\"})");
    assert_eq!(o.value_repr.as_deref(), Some("'hi'"));
}

#[test]
fn a_failed_call_raises_tool_error_with_its_details() {
    let (mut s, mut h) = session();
    let o = ok(
        &mut s,
        &mut h,
        "try:\n    calc(expr=\"1 +\")\nexcept ToolError as e:\n    print(e.code, e.tool, e.details)\n    caught = e.message\ncaught",
    );
    assert_eq!(o.output, "invalid_input calc {'pointer': '/expr'}\n");
    assert_eq!(o.value_json, Some(json!("expr: expected an operand")));
    let o = run(&mut s, &mut h, "calc(expr=\"1 +\")");
    let e = o.error.unwrap();
    assert_eq!(
        (e.code.as_str(), e.kind.as_str()),
        ("script_error", "ToolError")
    );
    assert_eq!(e.message, "calc: [invalid_input] expr: expected an operand");
    assert!(e.traceback.contains("line 1"), "{}", e.traceback);
}

#[test]
fn tracebacks_point_at_typed_lines_after_an_inserted_conversion() {
    let (mut s, mut h) = session();
    let o = run(
        &mut s,
        &mut h,
        "try:\n    calc(expr=\"1 +\")\nexcept ToolError as e:\n    if e.code:\n        1/0\n",
    );
    let e = o.error.unwrap();
    assert_eq!(e.kind, "ZeroDivisionError");
    assert!(e.traceback.contains("line 5"), "{}", e.traceback);
    assert!(!e.traceback.contains("__toolhost"), "{}", e.traceback);
    let e = run(&mut s, &mut h, "class C:\n    pass\n1 / 0")
        .error
        .unwrap();
    assert!(
        e.traceback.ends_with("    1 / 0\n    ~~~~~"),
        "{}",
        e.traceback
    );
}

#[test]
fn tool_batch_keeps_good_results_when_one_fails() {
    let (mut s, mut h) = session();
    let o = ok(
        &mut s,
        &mut h,
        "tool_batch([{\"tool\": \"calc\", \"args\": {\"expr\": \"2^10\"}}, (\"calc\", {\"expr\": \"1 +\"}), (\"echo\", {\"text\": \"hi\"})])",
    );
    assert_eq!(
        o.value_json,
        Some(
            json!([{"value": 1024}, {"error": {"code": "invalid_input", "message": "expr: expected an operand"}}, "hi"])
        )
    );
}

#[test]
fn print_and_the_last_value_are_returned() {
    let (mut s, mut h) = session();
    let o = ok(&mut s, &mut h, "print('a', 1)\n[1, (2, 3), None]");
    assert_eq!(o.output, "a 1\n");
    assert_eq!(o.value_repr.as_deref(), Some("[1, (2, 3), None]"));
    assert_eq!(o.value_json, Some(json!([1, [2, 3], null])));
    let o = ok(&mut s, &mut h, "x = None\nx");
    assert_eq!(o.value_repr, None);
    let o = ok(&mut s, &mut h, "{1, 2}");
    assert_eq!(
        (o.value_repr.as_deref(), o.value_json),
        (Some("{1, 2}"), None)
    );
}

#[test]
fn files_and_the_os_are_refused_with_a_helpful_message() {
    let (mut s, mut h) = session();
    for code in [
        "import os",
        "from os import path",
        "import subprocess",
        "open('x')",
        "import numpy",
    ] {
        let o = run(&mut s, &mut h, code);
        let e = o.error.unwrap_or_else(|| panic!("{code} should fail"));
        assert!(e.message.contains("TOOLS()"), "{code}: {}", e.message);
    }
    let e = run(&mut s, &mut h, "open('x')").error.unwrap();
    assert_eq!(e.kind, "PermissionError");
    let e = run(&mut s, &mut h, "import os").error.unwrap();
    assert_eq!(e.kind, "ModuleNotFoundError");
    ok(
        &mut s,
        &mut h,
        "import json, math, re\njson.dumps([math.pi])",
    );
}

#[test]
fn final_ends_the_input_with_the_answer() {
    let (mut s, mut h) = session();
    let o = ok(
        &mut s,
        &mut h,
        "x = 2\nFINAL({'answer': x})\nprint('not reached')",
    );
    assert_eq!(o.final_answer, Some(json!({"answer": 2})));
    assert_eq!(o.output, "");
    let o = ok(
        &mut s,
        &mut h,
        "try:\n    FINAL(3)\nexcept BaseException:\n    print('caught')\n",
    );
    assert_eq!(o.final_answer, Some(json!(3)));
    let o = ok(&mut s, &mut h, "result = [1, 2]\nFINAL_VAR('result')");
    assert_eq!(o.final_answer, Some(json!([1, 2])));
}

#[test]
fn empty_answers_are_refused_with_an_exception() {
    let (mut s, mut h) = session();
    let o = run(&mut s, &mut h, "FINAL(None)");
    assert!(o.final_answer.is_none());
    let e = o.error.unwrap();
    assert_eq!(e.kind, "ValueError");
    assert!(e.message.contains("None"), "{}", e.message);
    let o = ok(
        &mut s,
        &mut h,
        "try:\n    FINAL('  ')\nexcept ValueError as e:\n    print('refused')\n",
    );
    assert_eq!(o.output, "refused\n");
    let e = run(&mut s, &mut h, "FINAL_VAR('missing')").error.unwrap();
    assert_eq!(e.kind, "NameError");
}

#[test]
fn final_waits_for_exploration_when_required() {
    let (mut s, mut h) = session_with(Config {
        require_exploration_before_final: true,
        ..Config::default()
    });
    let e = run(&mut s, &mut h, "FINAL(1)").error.unwrap();
    assert!(e.message.contains("explore"), "{}", e.message);
    ok(&mut s, &mut h, "TOOLS()");
    assert_eq!(ok(&mut s, &mut h, "FINAL(1)").final_answer, Some(json!(1)));
}

#[test]
fn user_reprs_are_python_and_a_failing_one_is_an_error() {
    let (mut s, mut h) = session();
    let o = ok(
        &mut s,
        &mut h,
        "class A:\n    def __repr__(self):\n        return 'A!'\n[A()]",
    );
    assert_eq!(o.value_repr.as_deref(), Some("[A!]"));
    let o = run(
        &mut s,
        &mut h,
        "class B:\n    def __repr__(self):\n        raise ValueError('no repr')\nB()",
    );
    assert_eq!(o.error.unwrap().kind, "ValueError");
    assert_eq!(ok(&mut s, &mut h, "1 + 1").value_repr.as_deref(), Some("2"));
}

#[test]
fn images_are_objects_that_save_through_the_host() {
    let (mut s, mut h) = session();
    let o = ok(
        &mut s,
        &mut h,
        "img = plot()\n(img.mime, img.size, img.data[:4], img.save('p.png'))",
    );
    assert_eq!(
        o.value_repr.as_deref(),
        Some("('image/png', 4, b'\\x89PNG', '/images/p.png (4 bytes)')")
    );
    let e = run(&mut s, &mut h, "img.save('../x.png')").error.unwrap();
    assert_eq!(e.kind, "PermissionError");
    // Keyword-only calls need no details; a positional one asks for them, once.
    assert!(h.described.is_empty());
    ok(&mut s, &mut h, "plot(1); plot(2)");
    assert_eq!(h.described, ["plot"]);
}

#[test]
fn help_prints_and_tools_lists() {
    let (mut s, mut h) = session();
    let o = ok(&mut s, &mut h, "help(calc)");
    assert_eq!(o.output, "calc(expr: str) — help text\n");
    assert_eq!(o.value_repr, None);
    assert!(ok(&mut s, &mut h, "help()").output.contains("TOOLS()"));
    assert_eq!(
        ok(&mut s, &mut h, "TOOLS()").value_json,
        Some(json!([{"name": "calc", "summary": "Evaluate expressions"}]))
    );
}

#[test]
fn tool_calls_per_input_are_bounded() {
    let (mut s, mut h) = session_with(Config {
        max_tool_calls_per_input: 50,
        ..Config::default()
    });
    let o = run(
        &mut s,
        &mut h,
        "n = 0\nwhile True:\n    try:\n        echo(text='x')\n    except BaseException:\n        pass\n    n += 1\n",
    );
    let e = o.error.unwrap();
    assert_eq!(e.code, "denied");
    assert_eq!(h.calls.len(), 50);
    assert_eq!(ok(&mut s, &mut h, "n").value_json, Some(json!(50)));
}

#[test]
fn output_is_capped() {
    let (mut s, mut h) = session_with(Config {
        max_output_bytes: 1000,
        ..Config::default()
    });
    let o = ok(
        &mut s,
        &mut h,
        "for i in range(10000):\n    print('x' * 99)\n",
    );
    assert!(o.output.len() < 1200, "{}", o.output.len());
    assert!(
        o.output.contains("bytes were dropped"),
        "{}",
        &o.output[900..]
    );
}

#[test]
fn runaway_loops_stop_near_the_limit_and_the_session_lives() {
    let (mut s, mut h) = session_with(Config {
        input_timeout: Duration::from_millis(300),
        ..Config::default()
    });
    ok(&mut s, &mut h, "kept = 1");
    let started = std::time::Instant::now();
    let e = run(&mut s, &mut h, "while True:\n    pass\n")
        .error
        .unwrap();
    assert_eq!(e.code, "timeout");
    assert!(
        started.elapsed() < Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ok(&mut s, &mut h, "kept").value_json, Some(json!(1)));
}

#[test]
fn deep_source_and_recursion_are_python_errors() {
    let (mut s, mut h) = session();
    let e = run(&mut s, &mut h, &"(".repeat(100_000)).error.unwrap();
    assert_eq!(e.kind, "SyntaxError");
    let e = run(&mut s, &mut h, "def f(n):\n    return f(n + 1)\nf(0)")
        .error
        .unwrap();
    assert_eq!(e.kind, "RecursionError");
    ok(&mut s, &mut h, "1");
}

#[test]
fn define_binds_a_global_from_json() {
    let (mut s, mut h) = session();
    s.define(&mut h, "ARGS", &json!({"data": [1, 2, 3]}))
        .unwrap();
    assert_eq!(
        ok(&mut s, &mut h, "sum(ARGS['data'])").value_json,
        Some(json!(6))
    );
    assert!(s.define(&mut h, "not a name", &json!(1)).is_err());
}

#[test]
fn scripts_and_language_models() {
    let (mut s, mut h) = session();
    let o = ok(&mut s, &mut h, "SCRIPT('zscores', {'data': [1]}, scale=2)");
    assert_eq!(
        o.value_json,
        Some(json!({"script": "zscores", "args": {"data": [1], "scale": 2}}))
    );
    assert_eq!(
        ok(&mut s, &mut h, "llm_batch(['a', 'b'])").value_json,
        Some(json!(["A", "B"]))
    );
    let (mut s, mut h) = (Session::new(Config::default()), FakeHost::default());
    let e = run(&mut s, &mut h, "llm_query('hi')").error.unwrap();
    assert!(e.message.contains("language model"), "{}", e.message);
}
