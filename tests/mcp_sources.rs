//! Other MCP servers as tool sources (registry entries with `mcp:`): one written here with
//! the MCP Python SDK 2.x (tests/servers/python_tools.py) and one from npm
//! (@modelcontextprotocol/server-everything), both installed by .ci/run. Their tools are
//! listed, filtered and prefixed, described and called like components, under the entry's
//! timeout (the server is told to cancel) and output cap, with crashed servers restarted;
//! `toolhost mcp` offers them beside its own tools, and Python calls them like any tool.

mod common;

use common::mcp_client::call;
use common::{TestRegistry, installed, shared_cache_dir};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use toolhost::{CallObserver, Content, Dispatcher, ErrorCode};

fn python() -> PathBuf {
    installed(
        "mcp-venv/bin/python",
        "python3 -m venv target/mcp-venv && target/mcp-venv/bin/pip install -r tests/clients/requirements.txt",
    )
}

fn python_server_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/servers/python_tools.py")
}

/// `server-everything` run by the node 22 installed beside the Inspector.
fn everything_entry(prefix: &str) -> String {
    let node = installed(
        "mcp-inspector/node_modules/.bin/node",
        "npm install --no-save --prefix target/mcp-inspector @modelcontextprotocol/inspector@2.12.0 node@22",
    );
    let server = installed(
        "mcp-servers/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
        "npm install --no-save --prefix target/mcp-servers @modelcontextprotocol/server-everything@2025.11.25",
    );
    format!(
        "  - name: everything\n    mcp: {{ command: '{}', args: ['{}', stdio] }}\n    prefix: {prefix}\n    limits: {{ timeout_ms: 20000 }}\n",
        node.display(),
        server.display()
    )
}

/// A registry with `calc`, the Python server as `py_*` (without `hidden`, 2 s per call,
/// 4 KiB of output) and again as `two_add` only; `extra` is appended to `tools:`.
struct PythonServer {
    registry: TestRegistry,
    state: tempfile::TempDir,
}

impl PythonServer {
    fn new(extra: &str) -> Self {
        let state = tempfile::tempdir().expect("state dir");
        let stdio = format!(
            "{{ command: '{}', args: ['{}'], env: {{ TOOLS_STATE_DIR: '{}' }} }}",
            python().display(),
            python_server_script().display(),
            state.path().display()
        );
        let yaml = format!(
            "builtins: [calc]\ntools:\n  - name: py\n    mcp: {stdio}\n    prefix: py_\n    exclude: [hidden]\n    limits: {{ timeout_ms: 2000, max_output_bytes: 4096 }}\n  - name: py2\n    mcp: {stdio}\n    prefix: two_\n    include: [add]\n{extra}"
        );
        PythonServer {
            registry: TestRegistry::new(&yaml),
            state,
        }
    }

    fn dispatcher(&self) -> Dispatcher {
        self.registry.dispatcher()
    }

    fn state(&self, file: &str) -> PathBuf {
        self.state.path().join(file)
    }
}

async fn server_pid(d: &Dispatcher) -> u64 {
    let out = d.call("py_pid", json!({})).await.expect("py_pid");
    out.first_json().expect("structured content")["pid"]
        .as_u64()
        .expect("a pid")
}

#[derive(Default)]
struct SeenProgress(Mutex<Vec<(u64, u64, String)>>);

impl CallObserver for SeenProgress {
    fn on_progress(&self, _tool: &str, done: u64, total: u64, message: &str) {
        self.0
            .lock()
            .unwrap()
            .push((done, total, message.to_owned()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_sdk_servers_tools_are_listed_prefixed_filtered_and_called_like_components() {
    let server = PythonServer::new("");
    let d = server.dispatcher();
    let names = d.tool_names().await;
    for name in [
        "calc",
        "py_add",
        "py_pid",
        "py_picture",
        "py_fail",
        "py_sleep",
        "two_add",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    assert!(
        !names.iter().any(|n| n == "py_hidden"),
        "excluded: {names:?}"
    );
    let two: Vec<&String> = names.iter().filter(|n| n.starts_with("two_")).collect();
    assert_eq!(two, ["two_add"], "only the included tool");

    let described = d.describe("py_add").await.expect("describe py_add");
    let origin = described.remote.as_ref().expect("a remote tool");
    assert_eq!(
        (origin.server.as_str(), origin.name.as_str()),
        ("py", "add")
    );
    assert_eq!(described.version, "1.2.3", "the server's version");
    assert_eq!(origin.title.as_deref(), Some("Add two integers"));
    assert_eq!(origin.annotations.as_ref().unwrap()["readOnlyHint"], true);
    assert_eq!(described.input_schema["required"], json!(["a", "b"]));
    assert!(described.output_schema.is_some());

    // Structured content passes through as the JSON item (its text copy is not repeated).
    let out = d
        .call("py_add", json!({"a": 2, "b": 3}))
        .await
        .expect("py_add");
    assert_eq!(
        out.content,
        vec![Content::Json {
            json: json!({"sum": 5})
        }]
    );
    let out = d
        .call("two_add", json!({"a": 1, "b": 1}))
        .await
        .expect("two_add");
    assert_eq!(out.first_json(), Some(&json!({"sum": 2})));

    // The same validator as a component's, before the server sees the call.
    let e = d
        .call("py_add", json!({"a": "two", "b": 3}))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e}");
    assert!(e.message.contains("/a"), "{e}");

    let e = d.call("py_fail", json!({})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ToolError, "{e}");
    assert!(e.message.contains("no such file: /nowhere"), "{e}");

    let e = d.call("py_big", json!({"n": 10_000})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutputTooLarge, "{e}");
    let out = d
        .call("py_big", json!({"n": 100}))
        .await
        .expect("small enough");
    assert_eq!(out.first_json(), Some(&json!({"result": "x".repeat(100)})));

    let out = d.call("py_picture", json!({})).await.expect("py_picture");
    match &out.content[..] {
        [Content::Image { mime_type, data }] => {
            assert_eq!(mime_type, "image/png");
            assert!(data.starts_with(b"\x89PNG"), "the PNG's own bytes");
        }
        other => panic!("one image expected: {other:?}"),
    }

    let e = d.call("py_hidden", json!({})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound, "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_past_its_timeout_is_cancelled_on_the_server_and_reported_as_timeout() {
    let server = PythonServer::new("");
    let d = server.dispatcher();
    server_pid(&d).await; // started, so the timing below is the call's alone
    let started = Instant::now();
    let e = d
        .call("py_sleep", json!({"seconds": 60}))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.code, ErrorCode::Timeout, "{e}");
    assert!(e.message.contains("notifications/cancelled"), "{e}");
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(6),
        "stopped near its 2 s timeout, after {took:?}"
    );
    let cancelled = server.state("cancelled");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cancelled.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(cancelled.exists(), "the server saw notifications/cancelled");
    // The server is still serving.
    let out = d
        .call("py_add", json!({"a": 1, "b": 2}))
        .await
        .expect("py_add");
    assert_eq!(out.first_json(), Some(&json!({"sum": 3})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_server_is_restarted_and_one_that_will_not_start_is_retried_after_a_pause() {
    let server = PythonServer::new("");
    let d = server.dispatcher();
    let first = server_pid(&d).await;
    let e = d.call("py_crash", json!({})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{e}");
    assert!(e.code.is_retryable());
    assert!(e.message.contains("'py'"), "names the server: {e}");
    let second = server_pid(&d).await;
    assert_ne!(first, second, "a new process after the crash");

    // A server that will not start: the error says why (its stderr) and when it is tried
    // again, and calls meanwhile fail at once with the same news.
    std::fs::write(server.state("refuse-start"), "").unwrap();
    let e = d.call("py_crash", json!({})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{e}");
    let e = d.call("py_pid", json!({})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{e}");
    assert!(e.message.contains("refusing to start"), "its stderr: {e}");
    assert!(e.message.contains("tries again in"), "{e}");
    let started = Instant::now();
    let e = d.call("py_pid", json!({})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{e}");
    assert!(e.message.contains("starts it again in"), "{e}");
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "no start was tried"
    );

    std::fs::remove_file(server.state("refuse-start")).unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let third = server_pid(&d).await;
    assert_ne!(second, third);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_from_the_server_reaches_the_callers_observer_before_the_result() {
    let server = PythonServer::new("");
    let d = server.dispatcher();
    let seen = Arc::new(SeenProgress::default());
    let out = d
        .call_observed(
            "py_steps",
            json!({"n": 3}),
            Some(seen.clone() as Arc<dyn CallObserver>),
        )
        .await
        .expect("py_steps");
    assert_eq!(out.first_json(), Some(&json!({"result": "3 steps"})));
    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (1, 3, "step 1".to_owned()),
            (2, 3, "step 2".to_owned()),
            (3, 3, "step 3".to_owned())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_everything_from_npm_is_a_tool_source_with_images_and_progress() {
    let reg = TestRegistry::new(&format!(
        "builtins: none\ntools:\n{}",
        everything_entry("e_")
    ));
    let d = reg.dispatcher();
    let names = d.tool_names().await;
    for name in [
        "e_echo",
        "e_add",
        "e_getTinyImage",
        "e_longRunningOperation",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let out = d
        .call("e_echo", json!({"message": "hi"}))
        .await
        .expect("echo");
    assert_eq!(out.first_text(), Some("Echo: hi"));
    let out = d.call("e_getTinyImage", json!({})).await.expect("image");
    let png = out.content.iter().find_map(|c| match c {
        Content::Image { mime_type, data } => Some((mime_type.clone(), data.clone())),
        _ => None,
    });
    let (mime, data) = png.expect("an image item");
    assert_eq!(mime, "image/png");
    assert!(data.starts_with(b"\x89PNG"));

    let seen = Arc::new(SeenProgress::default());
    d.call_observed(
        "e_longRunningOperation",
        json!({"duration": 1, "steps": 4}),
        Some(seen.clone() as Arc<dyn CallObserver>),
    )
    .await
    .expect("long running operation");
    let done: Vec<u64> = seen.0.lock().unwrap().iter().map(|p| p.0).collect();
    assert_eq!(done, [1, 2, 3, 4], "every progress report, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_server_is_reached_and_reported_unavailable_once_it_is_gone() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let state = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(python())
        .arg(python_server_script())
        .args(["http", &port.to_string()])
        .env("TOOLS_STATE_DIR", state.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the HTTP server");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the HTTP server did not listen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reg = TestRegistry::new(&format!(
        "builtins: none\ntools:\n  - name: web\n    mcp: {{ url: 'http://127.0.0.1:{port}/mcp', headers: {{ X-Home: '${{HOME}}' }} }}\n    limits: {{ timeout_ms: 3000 }}\n"
    ));
    let d = reg.dispatcher();
    let out = d
        .call("add", json!({"a": 40, "b": 2}))
        .await
        .expect("add over HTTP");
    assert_eq!(out.first_json(), Some(&json!({"sum": 42})));
    let out = d.call("add", json!({"a": 1, "b": 2})).await.expect("again");
    assert_eq!(out.first_json(), Some(&json!({"sum": 3})));

    child.kill().await.unwrap();
    let e = d.call("add", json!({"a": 1, "b": 2})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{e}");
}

fn toolhost(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .output()
        .expect("run toolhost")
}

#[test]
fn the_cli_lists_and_runs_another_servers_tools_and_stops_the_server_when_it_exits() {
    let server = PythonServer::new("");
    let reg = server.registry.path.to_str().unwrap();
    let o = toolhost(&["--registry", reg, "--json", "list"]);
    let listed: Value = serde_json::from_slice(&o.stdout).expect("list --json");
    let tools = listed["tools"].as_array().unwrap();
    let add = tools
        .iter()
        .find(|t| t["name"] == "py_add")
        .expect("py_add listed");
    assert_eq!(add["source"], "mcp");
    assert_eq!(add["version"], "1.2.3");

    let o = toolhost(&["--registry", reg, "--json", "run", "py_pid", "{}"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out: Value = serde_json::from_slice(&o.stdout).expect("run --json");
    let pid = out["content"][0]["json"]["pid"]
        .as_u64()
        .expect("the server's pid");
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while proc.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!proc.exists(), "the server stopped with toolhost");

    let o = toolhost(&[
        "--registry",
        reg,
        "--json",
        "run",
        "py_sleep",
        r#"{"seconds": 60}"#,
    ]);
    let out: Value = serde_json::from_slice(&o.stdout).expect("run --json");
    assert_eq!(out["error"]["code"], "timeout", "{out}");
    assert_eq!(o.status.code(), Some(4), "a stopped call exits 4");
}

type Client = RunningService<RoleClient, ()>;

/// Counts the `notifications/tools/list_changed` a client of `toolhost mcp` is sent.
#[derive(Clone, Default)]
struct ListChanges(Arc<tokio::sync::Notify>);

impl rmcp::ClientHandler for ListChanges {
    async fn on_tool_list_changed(&self, _context: rmcp::service::NotificationContext<RoleClient>) {
        self.0.notify_one();
    }
}

/// A server that adds a tool while it runs and says so: toolhost lists it again, calls
/// the new tool, and passes the news on to its own MCP clients.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_tool_list_change_is_followed_and_passed_on() {
    let server = PythonServer::new("");
    let d = server.dispatcher();
    assert!(!d.tool_names().await.iter().any(|n| n == "py_grown"));
    let out = d.call("py_grow", json!({})).await.expect("py_grow");
    assert_eq!(out.first_json(), Some(&json!({"result": "grew"})));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !d.tool_names().await.iter().any(|n| n == "py_grown") {
        assert!(Instant::now() < deadline, "py_grown never listed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = d.call("py_grown", json!({})).await.expect("py_grown");
    assert_eq!(out.first_json(), Some(&json!({"result": "grown"})));

    // Through `toolhost mcp`: its client hears of the change and sees the new tool.
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"));
    cmd.args(["--registry", server.registry.path.to_str().unwrap(), "mcp"])
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .kill_on_drop(true);
    let changes = ListChanges::default();
    let client = changes
        .clone()
        .serve(TokioChildProcess::new(cmd).expect("spawn toolhost mcp"))
        .await
        .expect("initialize");
    let names = |tools: &[rmcp::model::Tool]| -> Vec<String> {
        tools.iter().map(|t| t.name.to_string()).collect()
    };
    let before = client.list_all_tools().await.expect("tools/list");
    assert!(!names(&before).contains(&"py_grown".to_owned()));
    let heard = changes.0.notified();
    client
        .call_tool(call("py_grow", json!({})))
        .await
        .expect("py_grow");
    tokio::time::timeout(Duration::from_secs(10), heard)
        .await
        .expect("tools/list_changed passed on");
    let after = client.list_all_tools().await.expect("tools/list");
    assert!(
        names(&after).contains(&"py_grown".to_owned()),
        "{:?}",
        names(&after)
    );
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toolhost_mcp_aggregates_its_tools_and_other_servers_and_python_calls_them() {
    let server = PythonServer::new(&everything_entry("e_"));
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"));
    cmd.args(["--registry", server.registry.path.to_str().unwrap(), "mcp"])
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .kill_on_drop(true);
    let client: Client =
        ().serve(TokioChildProcess::new(cmd).expect("spawn toolhost mcp"))
            .await
            .expect("initialize");
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for name in [
        "calc",
        "run_python",
        "py_add",
        "two_add",
        "e_echo",
        "e_getTinyImage",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(!names.contains(&"py_hidden"));
    let add = tools.iter().find(|t| t.name == "py_add").unwrap();
    assert_eq!(
        add.title.as_deref(),
        Some("Add two integers"),
        "the server's title"
    );
    let hints = add.annotations.as_ref().expect("the server's hints");
    assert_eq!(hints.read_only_hint, Some(true));

    let result = client
        .call_tool(call("py_add", json!({"a": 20, "b": 22})))
        .await
        .expect("py_add");
    assert_eq!(result.is_error, Some(false));
    assert_eq!(result.structured_content, Some(json!({"sum": 42})));

    let result = client
        .call_tool(call("e_getTinyImage", json!({})))
        .await
        .expect("image");
    let image = result
        .content
        .iter()
        .find_map(|c| c.as_image())
        .expect("an image");
    assert_eq!(image.mime_type, "image/png");

    let result = client
        .call_tool(call("py_fail", json!({})))
        .await
        .expect("a failed call is a result");
    assert_eq!(result.is_error, Some(true));
    let text = result.content[0].as_text().unwrap().text.clone();
    assert!(
        text.starts_with("[tool_error]") && text.contains("no such file"),
        "{text}"
    );

    // Python (run_python) calls another server's tool like any function.
    let result = client
        .call_tool(call(
            "run_python",
            json!({"code": "r = py_add(a=3, b=4)\nprint(r['sum'] * 6)"}),
        ))
        .await
        .expect("run_python");
    let text: String = result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect();
    assert_eq!(result.is_error, Some(false), "{text}");
    assert!(text.contains("42"), "{text}");
    client.cancel().await.ok();
}

#[test]
fn mistakes_in_an_mcp_entry_are_reported_at_their_place() {
    let reg = TestRegistry::new(
        "tools:\n  - name: a\n    mcp: { command: x, url: 'http://h/mcp' }\n  - name: b\n    mcp: { url: 'ftp://h' }\n  - name: c\n    mcp: { command: x }\n    include: [p]\n    exclude: [q]\n    limits: { memory_mb: 10 }\n  - name: d\n    component: builtin:calc\n    prefix: d_\n  - name: e\n    title: E\n",
    );
    let e = toolhost::registry::load_file(&reg.path).unwrap_err();
    let text = e.to_string();
    for (line, needle) in [
        (3, "not both"),
        (5, "not an http:// or https:// URL"),
        (9, "not both"),
        (10, "`memory_mb` does not apply to an MCP server"),
        (13, "applies to an entry with `mcp:`"),
        (14, "needs `component`"),
    ] {
        assert!(
            e.problems
                .iter()
                .any(|p| p.position.map(|p| p.line) == Some(line) && p.message.contains(needle)),
            "line {line}: {needle}\n{text}"
        );
    }
}
