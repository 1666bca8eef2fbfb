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
            scripts: None,
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
        Some(
            r#"["bayesopt","calc","data","echo","mcmc","plot_sixel","render_math","stats","web_fetch"]"#
        )
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

/// A session whose registry (the built-in tools) lists `scripts`, each (name, params, code).
fn session_with_scripts(
    scripts: &[(&str, Option<&str>, &str)],
    options: ReplOptions,
) -> (ReplSession, tokio::runtime::Runtime, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = crate::registry::BUILTIN_REGISTRY_YAML.to_owned();
    yaml.push_str("\nscripts:\n");
    for (name, params, code) in scripts {
        std::fs::write(dir.path().join(format!("{name}.rhai")), code).unwrap();
        yaml.push_str(&format!(
            "  - name: {name}\n    file: {name}.rhai\n    description: test script {name}\n"
        ));
        if let Some(params) = params {
            yaml.push_str(&format!("    params: {params}\n"));
        }
    }
    let path = dir.path().join("tool_registry.yaml");
    std::fs::write(&path, yaml).unwrap();
    let registry = crate::registry::load_file(&path).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dispatcher = Dispatcher::new(
        registry,
        DispatcherOptions {
            cache_dir: Some(std::env::temp_dir().join("toolhost-repl-test-cache")),
            scripts: None,
        },
    )
    .unwrap();
    let session = ReplSession::new(dispatcher, runtime.handle().clone(), options);
    (session, runtime, dir)
}

const SUM_OF_SQUARES: &str = r#"
    let total = 0.0;
    for x in ARGS.xs { total += TOOL("calc", #{expr: "x^2", vars: #{x: x}}).value; }
    total
"#;

#[test]
fn scripts_take_args_call_tools_and_return_their_value_or_final() {
    let (mut s, _rt, _dir) = session_with_scripts(
        &[
            (
                "sumsq",
                Some("{xs: numbers to square and add}"),
                SUM_OF_SQUARES,
            ),
            ("early", None, "FINAL(#{answer: ARGS.n * 2}); 0"),
        ],
        ReplOptions::default(),
    );
    let out = s.eval(r#"SCRIPT("sumsq", #{xs: [1, 2, 3]}) + 1"#);
    assert_eq!(out.value.as_deref(), Some("15.0"), "{out:?}");
    assert_eq!(out.tool_calls.len(), 3);
    // FINAL ends the script with its value; the caller's input goes on.
    let out = s.eval(r#"let r = SCRIPT("early", #{n: 21}); print("after"); r.answer"#);
    assert_eq!(out.value.as_deref(), Some("42"), "{out:?}");
    assert_eq!(out.output, "after\n");
    assert_eq!(out.final_value, None);
    let listed = s.eval("SCRIPTS().map(|s| s.name)").value;
    assert_eq!(listed.as_deref(), Some(r#"["sumsq","early"]"#));
}

#[test]
fn a_script_sees_its_args_not_the_callers_variables_and_errors_name_its_file() {
    let (mut s, _rt, dir) = session_with_scripts(
        &[
            ("peek", None, "let a = 1;\nsecret + a"),
            ("broken", None, "let x = ;"),
        ],
        ReplOptions::default(),
    );
    let file = dir.path().join("peek.rhai").display().to_string();
    let err = s.eval("let secret = 7; SCRIPT(\"peek\")").error.unwrap();
    assert!(
        err.starts_with("script_error error from script peek"),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:2:1")), "{err}");
    assert!(err.contains("secret"), "{err}");
    let out = s.eval(
        r#"let r = (); try { SCRIPT("broken") } catch (e) { r = `${e.code} ${e.message}` } r"#,
    );
    let caught = out.value.unwrap();
    assert!(caught.starts_with("script_error "), "{caught}");
    assert!(caught.contains("broken.rhai:1:"), "{caught}");
}

#[test]
fn unknown_scripts_and_undeclared_parameters_are_refused_by_name() {
    let (mut s, _rt, _dir) = session_with_scripts(
        &[("sumsq", Some("{xs: numbers}"), SUM_OF_SQUARES)],
        ReplOptions::default(),
    );
    let err = s.eval(r#"SCRIPT("sumsqq", #{xs: []})"#).error.unwrap();
    assert!(err.starts_with("not_found"), "{err}");
    assert!(err.contains("did you mean `sumsq`?"), "{err}");
    let err = s.eval(r#"SCRIPT("sumsq", #{ys: [1]})"#).error.unwrap();
    assert!(err.starts_with("invalid_input"), "{err}");
    assert!(
        err.contains("/ys") && err.contains("parameters are: xs"),
        "{err}"
    );
}

#[test]
fn scripts_calling_each_other_are_bounded_and_the_session_survives() {
    let (mut s, _rt, _dir) = session_with_scripts(
        &[
            ("ping", None, r#"SCRIPT("pong", ARGS)"#),
            ("pong", None, r#"SCRIPT("ping", ARGS)"#),
            (
                "countdown",
                None,
                r#"if ARGS.n == 0 { "done" } else { SCRIPT("countdown", #{n: ARGS.n - 1}) }"#,
            ),
        ],
        ReplOptions::default(),
    );
    let err = s.eval(r#"SCRIPT("ping")"#).error.unwrap();
    assert!(err.starts_with("script_depth"), "{err}");
    assert!(
        err.contains("deeper than 8 levels: ping → pong → ping → pong"),
        "{err}"
    );
    // Recursion that stops within the bound is fine, and the session is still usable.
    let out = s.eval(r#"SCRIPT("countdown", #{n: 7})"#);
    assert_eq!(out.value.as_deref(), Some("done"), "{out:?}");
    let err = s.eval(r#"SCRIPT("countdown", #{n: 8})"#).error.unwrap();
    assert!(err.starts_with("script_depth"), "{err}");
}

#[test]
fn a_runaway_script_stops_at_the_repl_limits() {
    let mut options = ReplOptions::default();
    options.limits.max_operations = 100_000;
    let (mut s, _rt, _dir) = session_with_scripts(
        &[
            ("spin", None, "loop { }"),
            ("deep", None, "fn f(n) { f(n + 1) } f(0)"),
        ],
        options,
    );
    let err = s.eval(r#"SCRIPT("spin")"#).error.unwrap();
    assert!(err.contains("operations limit"), "{err}");
    let err = s.eval(r#"SCRIPT("deep")"#).error.unwrap();
    assert!(err.to_lowercase().contains("stack overflow"), "{err}");
    assert_eq!(s.eval("1 + 1").value.as_deref(), Some("2"));
}

#[test]
fn run_script_gives_the_result_as_json() {
    let (mut s, _rt, _dir) =
        session_with_scripts(&[("sumsq", None, SUM_OF_SQUARES)], ReplOptions::default());
    let out = s.run_script("sumsq", serde_json::json!({ "xs": [3, 4] }));
    assert_eq!(out.error, None);
    assert_eq!(out.final_value, Some(serde_json::json!(25.0)));
}

/// The files the notes of `output` say images were saved to.
fn saved_paths(output: &str) -> Vec<std::path::PathBuf> {
    output
        .lines()
        .filter_map(|l| l.split(" saved to ").nth(1))
        .map(|p| std::path::PathBuf::from(p.trim_end_matches(']')))
        .collect()
}

#[test]
fn plot_images_are_saved_and_named_in_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _rt) = session_with(ReplOptions {
        images: ImageMode::Save(Some(dir.path().to_path_buf())),
        ..ReplOptions::default()
    });
    let out = s.eval(
        r#"TOOL("plot_sixel", #{format: "png", width: 320, height: 200,
                 series: [#{y: [1, 3, 2, 5]}]})"#,
    );
    assert_eq!(out.error, None, "{}", out.output);
    let paths = saved_paths(&out.output);
    assert_eq!(paths.len(), 1, "{}", out.output);
    assert!(paths[0].starts_with(dir.path()) && paths[0].extension().unwrap() == "png");
    let png = std::fs::read(&paths[0]).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // PNG IHDR: width and height, big-endian, at bytes 16..24.
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 320);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 200);
}

#[test]
fn sixel_without_a_terminal_is_saved_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _rt) = session_with(ReplOptions {
        images: ImageMode::Save(Some(dir.path().to_path_buf())),
        ..ReplOptions::default()
    });
    let out = s.eval(r#"TOOL("plot_sixel", #{series: [#{y: [1, 3, 2, 5]}]})"#);
    assert_eq!(out.error, None, "{}", out.output);
    let paths = saved_paths(&out.output);
    assert_eq!(paths.len(), 1, "{}", out.output);
    assert_eq!(paths[0].extension().unwrap(), "six");
    let sixel = std::fs::read_to_string(&paths[0]).unwrap();
    assert!(sixel.starts_with("\x1bP") && sixel.ends_with("\x1b\\"));
}
