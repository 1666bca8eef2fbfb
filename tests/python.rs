//! Python sessions: what a user of the REPL or the agent relies on, and hostile Python
//! that must end one input (or one session), never the host.

mod common;

use common::TestRegistry;
use serde_json::{Value, json};
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use toolhost::core::python::{
    EvalOutcome, ModelBridge, PythonLimits, PythonOptions, PythonSession,
};
use toolhost::{Dispatcher, ErrorCode};

/// One registry and dispatcher for the whole file: the interpreter and the tools are
/// loaded once (compiled once ever, into the shared test cache).
fn dispatcher() -> &'static Dispatcher {
    static SHARED: OnceLock<(TestRegistry, Dispatcher)> = OnceLock::new();
    &SHARED
        .get_or_init(|| {
            let fixtures =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scripts-py");
            let yaml = std::fs::read_to_string(fixtures.join("tool_registry.yaml"))
                .unwrap()
                .replace("file: ", &format!("file: {}/", fixtures.display()));
            let reg = TestRegistry::new(&yaml);
            let d = reg.dispatcher();
            (reg, d)
        })
        .1
}

/// Tests that time inputs, or load both cores, take turns.
static CPU_HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn session_with(limits: PythonLimits) -> PythonSession {
    dispatcher()
        .python_session(PythonOptions {
            limits,
            ..PythonOptions::default()
        })
        .await
        .expect("a Python session starts")
}

async fn session() -> PythonSession {
    session_with(PythonLimits::default()).await
}

/// Limits for hostile inputs: small enough that the suite stays fast.
fn tight() -> PythonLimits {
    PythonLimits {
        input_timeout: Duration::from_secs(5),
        memory_bytes: 64 << 20,
        max_output_bytes: 64 << 10,
        max_tool_calls_per_input: 200,
    }
}

async fn ok(s: &mut PythonSession, code: &str) -> EvalOutcome {
    let o = s.eval(code).await;
    assert!(
        o.error.is_none(),
        "{code}\n=> {}\noutput: {}",
        o.error.unwrap(),
        o.output
    );
    o
}

async fn failed(s: &mut PythonSession, code: &str) -> toolhost::core::python::PythonError {
    let o = s.eval(code).await;
    o.error
        .unwrap_or_else(|| panic!("{code} should fail; output: {}", o.output))
}

/// The host's resident and peak memory, in MiB (VmRSS, VmHWM).
fn host_memory_mib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The host stayed small: the sandbox, not the host, held what the code asked for.
fn assert_host_memory_bounded() {
    let (rss, peak) = host_memory_mib();
    assert!(
        rss < 1024 && peak < 1536,
        "host memory: VmRSS {rss} MiB, VmHWM {peak} MiB"
    );
}

async fn still_works(s: &mut PythonSession) {
    let o = ok(s, "21 * 2").await;
    assert_eq!(o.value_json, Some(json!(42)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variables_functions_and_classes_persist_across_inputs() {
    let mut s = session().await;
    ok(&mut s, "total = 40").await;
    ok(&mut s, "def add(a, b=1):\n    return a + b\n").await;
    ok(&mut s, "class Counter:\n    def __init__(self):\n        self.n = 0\n    def tick(self):\n        self.n += 1\n        return self.n\n").await;
    ok(&mut s, "c = Counter()\nc.tick()").await;
    let o = ok(&mut s, "add(total, c.tick())").await;
    assert_eq!(o.value.as_deref(), Some("42"));
    assert_eq!(o.value_json, Some(json!(42)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calc_is_a_python_function_returning_its_json() {
    let mut s = session().await;
    let o = ok(&mut s, "r = calc(expr=\"2^10\")\nr[\"value\"] == 1024, r").await;
    assert_eq!(
        o.value_json,
        Some(json!([true, {"expr": "2^10", "value": 1024.0}]))
    );
    assert_eq!(o.tool_calls.len(), 1);
    let call = &o.tool_calls[0];
    assert_eq!(
        (call.tool.as_str(), &call.arguments),
        ("calc", &json!({"expr": "2^10"}))
    );
    assert_eq!(call.result["value"], json!(1024.0));
    let o = ok(
        &mut s,
        "calc(expr=\"hypot(x, y)\", vars={\"x\": 3, \"y\": 4})[\"value\"]",
    )
    .await;
    assert_eq!(o.value_json, Some(json!(5.0)));
    // calc has no required argument, so nothing is positional; the error says how to call.
    let e = failed(&mut s, "calc(\"1+1\")").await;
    assert_eq!(e.kind, "TypeError");
    assert!(e.message.contains("keyword arguments"), "{}", e.message);
    let o = ok(&mut s, "TOOL(\"echo\", {\"text\": \"hi\"})").await;
    assert_eq!(o.value_json, Some(json!("hi")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_argument_raises_tool_error_with_its_code() {
    let mut s = session().await;
    let o = ok(
        &mut s,
        "try:\n    calc(expr=\"1 +\")\nexcept ToolError as e:\n    caught = (e.code, e.tool, e.message)\ncaught",
    )
    .await;
    let caught = o.value_json.unwrap();
    assert_eq!(caught[0], "invalid_input");
    assert_eq!(caught[1], "calc");
    assert!(caught[2].as_str().unwrap().contains("expr"), "{caught}");
    let e = failed(&mut s, "calc(expr=1, nonsense=True)").await;
    assert_eq!(
        (e.code, e.kind.as_str()),
        (ErrorCode::ScriptError, "ToolError")
    );
    assert!(
        e.message.starts_with("calc: [invalid_input]"),
        "{}",
        e.message
    );
    assert!(e.traceback.contains("line 1"), "{}", e.traceback);
    let e = failed(&mut s, "TOOL(\"calk\", {})").await;
    assert!(e.message.contains("did you mean 'calc'"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_batch_keeps_the_good_results_when_one_fails() {
    let mut s = session().await;
    let o = ok(
        &mut s,
        "tool_batch([{\"tool\": \"calc\", \"args\": {\"expr\": \"1+1\"}}, (\"calc\", {\"expr\": \"1 +\"}), (\"echo\", {\"text\": \"hi\"})])",
    )
    .await;
    let results = o.value_json.unwrap();
    assert_eq!(results[0]["value"], json!(2.0));
    assert_eq!(results[1]["error"]["code"], "invalid_input");
    assert_eq!(results[2], json!("hi"));
    assert_eq!(o.tool_calls.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_runs_its_calls_in_parallel() {
    let _turn = CPU_HEAVY.lock().await;
    let mut s = session().await;
    ok(
        &mut s,
        "echo(text='warm'); TOOL('hostile', {'action': 'counter'})",
    )
    .await;
    // Each call spins until its 300 ms limit: in series the batch would take 600 ms.
    let started = Instant::now();
    let o = ok(&mut s, "tool_batch([('hostile', {'action': 'spin'})] * 2)").await;
    let took = started.elapsed();
    let results = o.value_json.unwrap();
    assert_eq!(results[0]["error"]["code"], "timeout");
    assert_eq!(results[1]["error"]["code"], "timeout");
    assert!(took < Duration::from_millis(550), "the batch took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_and_the_last_value_are_returned() {
    let mut s = session().await;
    let o = ok(
        &mut s,
        "print('hello', 42)\nprint('second line')\n{'a': [1, 2.5, None], 'b': (True,)}",
    )
    .await;
    assert_eq!(o.output, "hello 42\nsecond line\n");
    assert_eq!(
        o.value.as_deref(),
        Some("{'a': [1, 2.5, None], 'b': (True,)}")
    );
    assert_eq!(
        o.value_json,
        Some(json!({"a": [1, 2.5, null], "b": [true]}))
    );
    let o = ok(&mut s, "x = None\nx").await;
    assert_eq!((o.value, o.value_json), (None, None));
    let o = ok(&mut s, "{1, 2}").await;
    assert_eq!((o.value.as_deref(), o.value_json), (Some("{1, 2}"), None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_processes_and_the_network_are_refused_with_a_helpful_message() {
    let mut s = session().await;
    let e = failed(&mut s, "import os").await;
    assert_eq!(e.kind, "ModuleNotFoundError");
    assert!(
        e.message.contains("TOOLS()") && e.message.contains("json"),
        "{}",
        e.message
    );
    let e = failed(&mut s, "open(\"x\")").await;
    assert_eq!(e.kind, "PermissionError");
    assert!(
        e.message.contains("no file system") && e.message.contains("TOOLS()"),
        "{}",
        e.message
    );
    let e = failed(&mut s, "import subprocess").await;
    assert!(e.message.contains("no files or processes"), "{}", e.message);
    let e = failed(&mut s, "import urllib.request").await;
    assert!(e.message.contains("web_fetch"), "{}", e.message);
    ok(
        &mut s,
        "import json, math, re, datetime\njson.dumps({'pi': round(math.pi, 2)})",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn final_and_final_var_end_the_input_with_the_answer() {
    let mut s = session().await;
    let o = ok(
        &mut s,
        "r = calc(expr='6*7')['value']\nFINAL({'answer': r})\nprint('never printed')",
    )
    .await;
    assert_eq!(o.final_value, Some(json!({"answer": 42.0})));
    assert_eq!(o.output, "");
    let o = ok(&mut s, "result = [1, 'two']\nFINAL_VAR('result')").await;
    assert_eq!(o.final_value, Some(json!([1, "two"])));
    // FINAL cannot be caught: the answer ends the input.
    let o = ok(
        &mut s,
        "try:\n    FINAL(1)\nexcept BaseException:\n    print('caught')\n",
    )
    .await;
    assert_eq!((o.final_value, o.output.as_str()), (Some(json!(1)), ""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_answer_is_refused_with_an_exception_saying_why() {
    let mut s = session().await;
    let o = s.eval("FINAL(None)").await;
    assert_eq!(o.final_value, None);
    let e = o.error.unwrap();
    assert_eq!(e.kind, "ValueError");
    assert!(e.message.contains("None"), "{}", e.message);
    let o = ok(
        &mut s,
        "try:\n    FINAL('')\nexcept ValueError as e:\n    print('refused:', e)\n",
    )
    .await;
    assert!(
        o.output.starts_with("refused: FINAL(...) is refused"),
        "{}",
        o.output
    );
    let e = failed(&mut s, "nothing = None\nFINAL_VAR('nothing')").await;
    assert!(e.message.contains("None"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn final_waits_for_exploration_when_required() {
    let mut s = dispatcher()
        .python_session(PythonOptions {
            require_exploration_before_final: true,
            ..PythonOptions::default()
        })
        .await
        .unwrap();
    let e = failed(&mut s, "FINAL(1)").await;
    assert!(e.message.contains("explore first"), "{}", e.message);
    let o = ok(&mut s, "len(TOOLS())").await;
    assert_eq!(o.value_json, Some(json!(5)));
    assert_eq!(ok(&mut s, "FINAL(1)").await.final_value, Some(json!(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_shows_a_tools_signature_arguments_and_examples_as_python() {
    let mut s = session().await;
    let o = ok(&mut s, "help(calc)").await;
    assert!(
        o.output.starts_with("calc(at: dict | None = None, "),
        "{}",
        o.output
    );
    assert!(
        o.output.contains(", expr: str | None = None, "),
        "{}",
        o.output
    );
    assert!(
        o.output
            .contains("\n  expr: str | None (default None)\n      One expression"),
        "{}",
        o.output
    );
    assert!(
        o.output.contains("  calc(expr=\"2^10 + sqrt(2)\")"),
        "{}",
        o.output
    );
    assert_eq!(o.value, None);
    assert_eq!(
        s.tool_names(),
        ["calc", "echo", "plot_sixel", "hostile", "hostile_slow"]
    );
    assert!(s.parameter_names("calc").contains(&"vars".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_run_in_a_session_of_their_own_with_args() {
    let mut s = session().await;
    let o = ok(&mut s, "SCRIPT('zscores', {'data': [1, 2, 3]})").await;
    assert_eq!(o.value_json, Some(json!([-1.0, 0.0, 1.0])));
    // The script's own tool call is part of the input's record.
    assert!(
        o.tool_calls.iter().any(|c| c.tool == "calc"),
        "{:?}",
        o.tool_calls
    );
    let o = ok(&mut s, "SCRIPT('last_value', xs=[1, 2])").await;
    assert_eq!(o.value_json, Some(json!({"sum": 3, "args": ["xs"]})));
    let e = failed(&mut s, "SCRIPT('zscores', {'numbers': [1]})").await;
    assert!(
        e.message.contains("no parameter `numbers`"),
        "{}",
        e.message
    );
    let o = ok(&mut s, "try:\n    SCRIPT('failing', {'x': -1})\nexcept ToolError as e:\n    print(e.code, e.message)\n").await;
    assert!(
        o.output
            .starts_with("script_error script `failing` failed: ValueError: negative: -1"),
        "{}",
        o.output
    );
    let e = failed(&mut s, "SCRIPT('recurse')").await;
    assert!(e.message.contains("8 deep"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_are_objects_saved_where_the_host_allows() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = dispatcher()
        .python_session(PythonOptions {
            image_dir: Some(dir.path().to_owned()),
            ..PythonOptions::default()
        })
        .await
        .unwrap();
    let o = ok(
        &mut s,
        "img = plot_sixel(kind='line', series=[{'y': [1, 3, 2]}], format='png')\n(img.mime, img.data[:4], img.save('plot.png'))",
    )
    .await;
    let v = o.value_json.unwrap_or_default();
    assert_eq!(v, Value::Null, "bytes have no JSON form");
    assert!(
        o.value
            .as_deref()
            .unwrap()
            .starts_with("('image/png', b'\\x89PNG'"),
        "{:?}",
        o.value
    );
    assert!(
        std::fs::read(dir.path().join("plot.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    assert_eq!(o.images.len(), 1);
    let e = failed(&mut s, "img.save('../escape.png')").await;
    assert_eq!(e.kind, "PermissionError");
    let mut no_dir = session().await;
    ok(
        &mut no_dir,
        "img = plot_sixel(kind='line', series=[{'y': [1, 2]}], format='png')",
    )
    .await;
    let e = failed(&mut no_dir, "img.save('p.png')").await;
    assert!(e.message.contains("not enabled"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integrate_returns_its_json_or_with_plot_its_picture() {
    // A registry of its own: the shared one holds exactly the tools other tests count.
    let reg = TestRegistry::new("builtins: [integrate]\ntools: []\n");
    let d = reg.dispatcher();
    let mut s = d
        .python_session(PythonOptions::default())
        .await
        .expect("a Python session starts");
    let o = ok(
        &mut s,
        "r = integrate(op='ode', method='dop853', rhs={'y': '-y'}, y0={'y': 1}, t_span=[0, 2], t_eval=[2], rtol=1e-10, atol=1e-12)\n(r['method'], r['y']['y'][0])",
    )
    .await;
    let v = o.value.unwrap_or_default();
    let end: f64 = v
        .trim_start_matches("('dop853', ")
        .trim_end_matches(')')
        .parse()
        .unwrap_or_else(|_| panic!("{v}"));
    assert!((end - (-2f64).exp()).abs() < 1e-9, "{v}");
    let o = ok(
        &mut s,
        "img = integrate(op='quad', f='exp(-x^2)', a='-inf', b='inf', plot={'width': 320, 'height': 240})\n(img.mime, img.data[:4])",
    )
    .await;
    assert_eq!(
        o.value.as_deref(),
        Some("('image/png', b'\\x89PNG')"),
        "{:?}",
        o.value
    );
    assert_eq!(o.images.len(), 1);
    assert_eq!(o.images[0].mime_type, "image/png");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_line_input_continues_as_in_cpython() {
    let mut s = session().await;
    assert!(s.needs_more_input("def f(x):").await);
    assert!(s.needs_more_input("def f(x):\n    return x\n").await);
    assert!(!s.needs_more_input("def f(x):\n    return x\n\n").await);
    assert!(s.needs_more_input("xs = [1,").await);
    assert!(!s.needs_more_input("xs = [1,\n 2]").await);
    assert!(!s.needs_more_input("x = = 1").await);
}

/// A model that shouts back; an empty prompt fails. (`ModelBridge` is an `async_trait`,
/// written out here as the boxed futures that macro makes.)
struct Shouting;

type Answer<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl ModelBridge for Shouting {
    fn query<'s, 'a>(&'s self, prompt: String) -> Answer<'a, Result<String, String>>
    where
        's: 'a,
    {
        Box::pin(async move { Ok(prompt.to_uppercase()) })
    }

    fn batch<'s, 'a>(&'s self, prompts: Vec<String>) -> Answer<'a, Vec<Result<String, String>>>
    where
        's: 'a,
    {
        Box::pin(async move {
            prompts
                .into_iter()
                .map(|p| {
                    if p.is_empty() {
                        Err("empty prompt".to_owned())
                    } else {
                        Ok(p.to_uppercase())
                    }
                })
                .collect()
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_calls_reach_the_model_and_say_so_without_one() {
    let mut s = dispatcher()
        .python_session(PythonOptions {
            model: Some(Arc::new(Shouting)),
            ..PythonOptions::default()
        })
        .await
        .unwrap();
    let o = ok(&mut s, "llm_query('hi'), llm_batch(['a', ''])").await;
    assert_eq!(
        o.value_json,
        Some(json!(["HI", ["A", {"error": "empty prompt"}]]))
    );
    let mut without = session().await;
    let e = failed(&mut without, "llm_query('hi')").await;
    assert!(
        e.message.contains("needs a language model"),
        "{}",
        e.message
    );
    let o = ok(&mut without, "[s['name'] for s in SCRIPTS()]").await;
    assert_eq!(
        o.value_json,
        Some(json!(["zscores", "last_value", "failing", "recurse"]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_moves_between_tasks() {
    let mut s = session().await;
    ok(&mut s, "n = 1").await;
    // Front ends run sessions on tasks of their own: the session and its futures are Send.
    let (mut s, o) = tokio::spawn(async move {
        let o = s.eval("n + 1").await;
        (s, o)
    })
    .await
    .unwrap();
    assert_eq!(o.value_json, Some(json!(2)));
    still_works(&mut s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn define_binds_a_global_from_json() {
    let mut s = session().await;
    s.define("data", &json!({"xs": [1, 2, 3]})).await.unwrap();
    assert_eq!(
        ok(&mut s, "sum(data['xs'])").await.value_json,
        Some(json!(6))
    );
    assert!(s.define("not valid", &json!(1)).await.is_err());
}

// Hostile Python. Each is followed by a check that the next input still works, and that
// the host's memory stayed bounded.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_recursion_is_a_recursion_error() {
    let mut s = session_with(tight()).await;
    ok(&mut s, "kept = 1").await;
    let e = failed(&mut s, "def f(n):\n    return f(n + 1)\nf(0)").await;
    assert_eq!(
        (e.code, e.kind.as_str()),
        (ErrorCode::ScriptError, "RecursionError")
    );
    let o = ok(&mut s, "kept").await;
    assert!(!o.session_restarted);
    still_works(&mut s).await;
    assert_host_memory_bounded();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_bomb_is_stopped_and_the_host_stays_small() {
    let mut s = session_with(tight()).await;
    ok(&mut s, "kept = 1").await;
    let e = failed(&mut s, "x = 'a' * 10**9").await;
    assert_eq!(e.code, ErrorCode::OutOfMemory, "{e}");
    // Beyond a 32-bit interpreter's sizes it is refused before any memory is asked for.
    let e = failed(&mut s, "x = 'a' * 10**10").await;
    assert_eq!(e.kind, "OverflowError", "{e}");
    let e = failed(
        &mut s,
        "def grow():\n    xs = []\n    while True:\n        xs.append('x' * 100000)\ngrow()",
    )
    .await;
    assert_eq!(e.code, ErrorCode::OutOfMemory, "{e}");
    // Python's own limit stopped both: the session and its variables live on.
    let o = ok(&mut s, "kept").await;
    assert!(!o.session_restarted);
    still_works(&mut s).await;
    assert_host_memory_bounded();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runaway_loop_is_stopped_near_its_timeout() {
    let _turn = CPU_HEAVY.lock().await;
    let mut s = session_with(PythonLimits {
        input_timeout: Duration::from_millis(500),
        ..tight()
    })
    .await;
    ok(&mut s, "kept = 1").await;
    let started = Instant::now();
    let e = failed(&mut s, "while True:\n    pass\n").await;
    let took = started.elapsed();
    assert_eq!(e.code, ErrorCode::Timeout, "{e}");
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(900),
        "stopped after {took:?}"
    );
    assert_eq!(ok(&mut s, "kept").await.value_json, Some(json!(1)));
    still_works(&mut s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_stuck_in_a_tool_past_its_deadline_ends_the_session() {
    let _turn = CPU_HEAVY.lock().await;
    let mut s = session_with(PythonLimits {
        input_timeout: Duration::from_millis(400),
        ..tight()
    })
    .await;
    ok(&mut s, "kept = 1").await;
    let started = Instant::now();
    let e = failed(&mut s, "hostile_slow(action='spin')").await;
    assert_eq!(e.code, ErrorCode::Timeout, "{e}");
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert!(e.message.contains("fresh one"), "{}", e.message);
    // The next input runs in a fresh session, and says so.
    let o = s.eval("kept").await;
    assert!(o.session_restarted);
    assert_eq!(o.error.unwrap().kind, "NameError");
    let o = ok(&mut s, "21 * 2").await;
    assert!(!o.session_restarted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_print_flood_is_capped() {
    let mut s = session_with(tight()).await;
    // 1 GB of output, 1 MB at a time.
    let o = ok(
        &mut s,
        "line = 'x' * 10**6\nfor _ in range(1000):\n    print(line)\n",
    )
    .await;
    assert!(
        o.output.len() < (64 << 10) + 1024,
        "{} bytes came back",
        o.output.len()
    );
    assert!(
        o.output.contains("bytes were dropped"),
        "{}",
        &o.output[o.output.len() - 200..]
    );
    still_works(&mut s).await;
    assert_host_memory_bounded();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_tool_calls_are_stopped_by_the_per_input_limit() {
    let mut s = session_with(tight()).await;
    let e = failed(&mut s, "for i in range(10**6):\n    echo(text='x')\n").await;
    assert_eq!(
        (e.code, e.kind.as_str()),
        (ErrorCode::Denied, "tool_call_limit")
    );
    assert!(e.message.contains("200"), "{}", e.message);
    // The limit cannot be caught and retried around.
    let e = failed(&mut s, "for i in range(10**6):\n    try:\n        echo(text='x')\n    except BaseException:\n        pass\n").await;
    assert_eq!(e.code, ErrorCode::Denied);
    still_works(&mut s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exception_in_the_last_values_repr_is_reported() {
    let mut s = session_with(tight()).await;
    let o = ok(
        &mut s,
        "class Nice:\n    def __repr__(self):\n        return 'Nice!'\n[Nice()]",
    )
    .await;
    assert_eq!(o.value.as_deref(), Some("[Nice!]"));
    let e = failed(
        &mut s,
        "class Bad:\n    def __repr__(self):\n        raise RuntimeError('no repr for you')\nBad()",
    )
    .await;
    assert_eq!(e.kind, "RuntimeError");
    assert!(e.message.contains("no repr for you"));
    still_works(&mut s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_source_is_a_syntax_error() {
    let mut s = session_with(tight()).await;
    let e = failed(&mut s, &"(".repeat(100_000)).await;
    assert_eq!(e.kind, "SyntaxError");
    let e = failed(
        &mut s,
        &format!("x = {}1{}", "[".repeat(5000), "]".repeat(5000)),
    )
    .await;
    assert_eq!(e.kind, "SyntaxError");
    still_works(&mut s).await;
    assert_host_memory_bounded();
}

/// A session's interpreter takes one of the pool's 256 sandbox slots like any call, and
/// keeps it while it lives: calls made while a session lives wait for a slot instead of
/// failing in a full pool, and a session started while every slot is taken waits for one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_takes_a_sandbox_slot_like_any_call() {
    let _turn = CPU_HEAVY.lock().await;
    let reg = TestRegistry::new(
        "tools:\n  - name: hostile\n    component: {hostile}\n    limits: {timeout_ms: 10000}\n  - name: calc\n    component: builtin:calc\n",
    );
    let d = reg.dispatcher();
    d.call("hostile", json!({ "action": "counter" }))
        .await
        .unwrap();
    let options = || PythonOptions {
        limits: tight(),
        ..PythonOptions::default()
    };
    let first = d.python_session(options()).await.unwrap();
    // 256 calls holding their slot for 1.5 s: with the session's slot taken, the last
    // one waits for a free slot.
    let sleepers: Vec<_> = (0..256)
        .map(|_| {
            let d = d.clone();
            tokio::spawn(async move {
                d.call("hostile", json!({ "action": "sleep", "ms": 1500 }))
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut second = d
        .python_session(options())
        .await
        .expect("a session started while every slot is taken waits for one");
    let o = ok(&mut second, "calc(expr='1+1')['value']").await;
    assert_eq!(
        o.value_json.as_ref().and_then(Value::as_f64),
        Some(2.0),
        "{o:?}"
    );
    for (i, s) in sleepers.into_iter().enumerate() {
        s.await
            .unwrap()
            .unwrap_or_else(|e| panic!("call {i} while a session lives: {e}"));
    }
    drop(first);
}

/// What an input records of its tool calls (for trajectories and replays) is bounded by
/// bytes: 40 results of 4 MB each raise the host's peak memory by far less than the
/// 160 MB they add up to. Measured on the binary's code mode against one such call.
#[test]
fn the_record_of_an_inputs_tool_calls_is_bounded_by_bytes() {
    let reg = TestRegistry::new(
        "tools:\n  - name: hostile\n    component: {hostile}\n    limits: {max_output_bytes: 8388608}\n",
    );
    let run = |calls: usize| {
        let code = format!(
            "for i in range({calls}):\n    hostile(action='big_output', bytes=4000000)\n{calls}"
        );
        let input = json!({ "code": code }).to_string();
        let m = common::run_measured(
            &[
                "--registry",
                reg.path.to_str().unwrap(),
                "--json",
                "run",
                "python",
                &input,
            ],
            &[],
        );
        assert_eq!(m.code, Some(0), "{}", String::from_utf8_lossy(&m.stderr));
        m.peak_rss
    };
    let one = run(1);
    let forty = run(40);
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    eprintln!(
        "peak with 1 call {:.1} MiB, with 40 calls {:.1} MiB",
        mib(one),
        mib(forty)
    );
    assert!(
        forty < one + (48 << 20),
        "40 calls of 4 MB: {:.1} MiB, one: {:.1} MiB",
        mib(forty),
        mib(one)
    );
}
