use super::*;
use crate::DispatcherOptions;
use crate::registry::ToolRegistry;

fn session_with(options: ReplOptions) -> (ReplSession, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cache = std::env::temp_dir().join("toolhost-repl-test-cache");
    let dispatcher = Dispatcher::new(
        ToolRegistry::builtin(),
        DispatcherOptions {
            cache_dir: Some(cache),
        },
    )
    .unwrap();
    (
        ReplSession::new(dispatcher, runtime.handle().clone(), options),
        runtime,
    )
}

fn session() -> (ReplSession, tokio::runtime::Runtime) {
    session_with(ReplOptions::default())
}

#[test]
fn variables_and_functions_persist_across_inputs() {
    let (mut s, _rt) = session();
    assert_eq!(s.eval("let x = 20; fn double(n) { n * 2 }").error, None);
    assert_eq!(s.eval("double(x) + 2").value.as_deref(), Some("42"));
    // A failing input keeps what was defined before it.
    assert!(s.eval("let y = undefined_thing;").error.is_some());
    assert_eq!(s.eval("x").value.as_deref(), Some("20"));
}

#[test]
fn tool_results_are_rhai_values() {
    let (mut s, _rt) = session();
    let out = s.eval(r#"let r = TOOL("calc", #{expr: "x^2", vars: #{x: 12}}); r.value + 1"#);
    assert_eq!(out.error, None, "{}", out.output);
    assert_eq!(out.value.as_deref(), Some("145.0"));
    assert_eq!(out.tool_calls.len(), 1);
    assert_eq!(out.tool_calls[0].tool, "calc");
    assert_eq!(
        out.tool_calls[0].arguments,
        serde_json::json!({ "expr": "x^2", "vars": { "x": 12 } })
    );
    // A tool whose only output is text gives a string.
    assert_eq!(
        s.eval(r#"TOOL("echo", #{text: "hi"})"#).value.as_deref(),
        Some("hi")
    );
}

#[test]
fn tool_errors_are_catchable_with_their_code() {
    let (mut s, _rt) = session();
    let out = s.eval(r#"let r = (); try { TOOL("calc", #{expr: "1 +"}) } catch (e) { r = `${e.code}: ${e.tool}` } r"#);
    assert_eq!(out.value.as_deref(), Some("invalid_input: calc"), "{out:?}");
    let out = s.eval(r#"TOOL("calc", #{exprr: "1"})"#);
    let err = out.error.unwrap();
    assert!(err.starts_with("invalid_input error from calc"), "{err}");
    assert_eq!(
        out.tool_calls[0].error_code.as_deref(),
        Some("invalid_input")
    );
    let out = s.eval(r#"TOOL("nosuch")"#);
    assert!(out.error.unwrap().starts_with("not_found"));
}

#[test]
fn batch_runs_calls_together_and_keeps_order_and_failures() {
    let (mut s, _rt) = session();
    let out = s.eval(
        r#"let r = TOOL_BATCH([#{tool: "calc", args: #{expr: "1+1"}}, ["echo", #{text: "b"}], #{tool: "calc", args: #{expr: "("}}]);
           [r[0].value, r[1], r[2].error.code]"#,
    );
    assert_eq!(
        out.value.as_deref(),
        Some(r#"[2.0,"b","invalid_input"]"#),
        "{out:?}"
    );
    assert_eq!(out.tool_calls.len(), 3);
}

#[test]
fn tools_and_help_explore_the_registry() {
    let (mut s, _rt) = session();
    let out = s.eval("TOOLS().map(|t| t.name)");
    assert_eq!(
        out.value.as_deref(),
        Some(r#"["bayesopt","calc","echo","mcmc","plot_sixel","render_math","web_fetch"]"#)
    );
    let help = s.eval(r#"HELP("calc")"#).value.unwrap();
    assert!(
        help.contains("Input schema") && help.contains("\"expr\""),
        "{help}"
    );
    assert!(
        help.contains(r#"TOOL("calc", #{expr: "2^10 + sqrt(2)"})"#),
        "{help}"
    );
}

#[test]
fn print_and_debug_are_collected() {
    let (mut s, _rt) = session();
    let out = s.eval(r#"print("one"); debug(2); print(`three ${1+2}`);"#);
    let lines: Vec<&str> = out.output.lines().collect();
    assert_eq!(lines[0], "one");
    assert!(
        lines[1].starts_with("[debug") && lines[1].ends_with("] 2"),
        "{lines:?}"
    );
    assert_eq!(lines[2], "three 3");
}

#[test]
fn runaway_inputs_stop_and_the_session_survives() {
    let mut options = ReplOptions::default();
    options.limits.max_operations = 100_000;
    let (mut s, _rt) = session_with(options);
    s.eval("let kept = 7;");
    let err = s.eval("loop { }").error.unwrap();
    assert!(err.contains("operations limit"), "{err}");
    let err = s.eval(r#"let t = "x"; loop { t += t; }"#).error.unwrap();
    assert!(err.to_lowercase().contains("length of string"), "{err}");
    let err = s.eval("fn f(n) { f(n + 1) } f(0)").error.unwrap();
    assert!(
        err.to_lowercase().contains("stack overflow") || err.contains("call"),
        "{err}"
    );
    assert_eq!(s.eval("kept").value.as_deref(), Some("7"));
}

#[test]
fn wall_time_stops_a_long_input() {
    let mut options = ReplOptions::default();
    options.limits.max_operations = 0;
    options.limits.wall_time = std::time::Duration::from_millis(200);
    let (mut s, _rt) = session_with(options);
    let started = std::time::Instant::now();
    let err = s.eval("let n = 0; loop { n += 1; }").error.unwrap();
    assert!(err.contains("wall-time limit"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(s.eval("1 + 1").value.as_deref(), Some("2"));
}

#[test]
fn final_ends_the_input_and_is_not_catchable() {
    let (mut s, _rt) = session();
    let out =
        s.eval(r#"try { FINAL(#{answer: 42}); } catch (e) { print("caught"); } print("after");"#);
    assert_eq!(out.final_value, Some(serde_json::json!({ "answer": 42 })));
    assert_eq!(out.output, "");
    assert_eq!(out.error, None);
}

#[test]
fn final_can_require_exploration_first() {
    let options = ReplOptions {
        require_exploration_before_final: true,
        ..ReplOptions::default()
    };
    let (mut s, _rt) = session_with(options);
    let out = s.eval("FINAL(1)");
    assert!(out.final_value.is_none());
    assert!(out.error.unwrap().contains("FINAL refused"));
    s.eval("TOOLS()");
    assert_eq!(s.eval("FINAL(1)").final_value, Some(serde_json::json!(1)));
}

#[test]
fn llm_functions_need_the_agent() {
    let (mut s, _rt) = session();
    assert!(
        s.eval(r#"llm_query("hi")"#)
            .error
            .unwrap()
            .contains("only available inside `toolhost agent`")
    );
}

#[test]
fn incomplete_input_is_recognised_for_multi_line_editing() {
    assert!(is_incomplete("fn f(x) {"));
    assert!(is_incomplete("let m = #{a: 1,"));
    assert!(is_incomplete("let v = [1,\n 2,"));
    assert!(!is_incomplete("let x = 1;"));
    assert!(!is_incomplete("let x = ;"));
}
