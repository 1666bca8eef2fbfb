//! The MCP server driven by a real MCP client (rmcp) over stdio and Streamable HTTP.

mod common;

use base64::Engine as _;
use common::TestRegistry;
use common::mcp_client::{call, text_of, toolhost_command};
use rmcp::model::{
    ClientCapabilities, ClientConfig, Implementation, ProgressNotificationParam, ProtocolVersion,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncBufReadExt;
use tokio::sync::Notify;

/// Records what the server tells the client.
#[derive(Clone, Default)]
struct Recorder {
    progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    list_changed: Arc<Notify>,
}

impl ClientHandler for Recorder {
    /// The protocol version today's desktop clients speak. (rmcp's client, at the
    /// 2026 draft version, routes progress to per-request subscriptions instead of
    /// `on_progress`; the server sends the same notifications either way.)
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("toolhost-tests", "0"),
        )
        .with_protocol_version(ProtocolVersion::V_2025_06_18)
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changed.notify_one();
    }
}

fn registry() -> TestRegistry {
    TestRegistry::new(
        "builtins: none\ntools:\n  - name: calc\n    component: builtin:calc\n  - name: echo\n    component: builtin:echo\n  - name: hostile\n    component: {hostile}\n    limits: {timeout_ms: 30000}\n",
    )
}

async fn stdio_client(reg: &TestRegistry, extra: &[&str]) -> Client {
    let mut args = vec!["--registry", reg.path.to_str().unwrap(), "mcp"];
    args.extend_from_slice(extra);
    let transport = TokioChildProcess::new(toolhost_command(&args)).expect("spawn toolhost mcp");
    Recorder::default()
        .serve(transport)
        .await
        .expect("initialize")
}

type Client = RunningService<RoleClient, Recorder>;

async fn check_list_and_calc(client: &Client) {
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["calc", "echo", "hostile", "run_python"]);
    let calc = &tools[0];
    assert!(
        calc.description
            .as_deref()
            .unwrap()
            .starts_with("Evaluate math expressions")
    );
    assert_eq!(calc.input_schema["type"], "object");
    assert!(calc.input_schema["properties"]["expr"].is_object());

    let result = client
        .call_tool(call("calc", json!({ "expr": "6*7" })))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false));
    assert_eq!(
        result.structured_content,
        Some(json!({ "expr": "6*7", "value": 42.0 }))
    );
    assert!(text_of(&result).starts_with("42\n"), "{}", text_of(&result));
}

/// `run_python`: the tools as functions, its description listing them, its state kept
/// between calls of one MCP session.
async fn check_run_python(client: &Client) {
    let tools = client.list_all_tools().await.unwrap();
    let run_python = tools.iter().find(|t| t.name == "run_python").unwrap();
    let description = run_python.description.as_deref().unwrap();
    assert!(
        description.contains("calc(") && description.contains("echo("),
        "{description}"
    );
    let first = client
        .call_tool(call(
            "run_python",
            json!({ "code": "squares = [calc(expr=f'{i}^2')['value'] for i in range(5)]\nprint('made', len(squares))" }),
        ))
        .await
        .unwrap();
    assert_eq!(first.is_error, Some(false), "{}", text_of(&first));
    assert!(text_of(&first).contains("made 5"), "{}", text_of(&first));
    let second = client
        .call_tool(call("run_python", json!({ "code": "sum(squares)" })))
        .await
        .unwrap();
    assert_eq!(second.is_error, Some(false), "{}", text_of(&second));
    assert_eq!(second.structured_content, Some(json!({ "value": 30.0 })));
    assert!(text_of(&second).contains("30"), "{}", text_of(&second));
    let failed = client
        .call_tool(call("run_python", json!({ "code": "echo(txt='hi')" })))
        .await
        .unwrap();
    assert_eq!(failed.is_error, Some(true));
    assert!(
        text_of(&failed).contains("invalid_input"),
        "{}",
        text_of(&failed)
    );
}

async fn check_image(client: &Client) {
    let image = client
        .call_tool(call("hostile", json!({ "action": "image" })))
        .await
        .unwrap();
    let (mime, data) = image
        .content
        .iter()
        .find_map(|c| c.as_image().map(|i| (i.mime_type.clone(), i.data.clone())))
        .expect("an image item");
    assert_eq!(mime, "image/png");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    assert_eq!(bytes, TINY_PNG);
    assert!(text_of(&image).contains("two pixels"));
}

/// The 2x1 PNG the hostile fixture returns.
const TINY_PNG: [u8; 70] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0,
    0, 0, 123, 64, 232, 221, 0, 0, 0, 13, 73, 68, 65, 84, 120, 156, 99, 248, 207, 0, 4, 255, 1, 7,
    0, 1, 255, 226, 35, 158, 89, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

async fn check_failures(client: &Client) {
    let crashed = client
        .call_tool(call(
            "hostile",
            json!({ "action": "panic", "message": "kaboom" }),
        ))
        .await
        .unwrap();
    assert_eq!(crashed.is_error, Some(true));
    let text = text_of(&crashed);
    assert!(
        text.starts_with("[trap]") && text.contains("kaboom"),
        "{text}"
    );
    assert_eq!(
        crashed.structured_content.as_ref().unwrap()["error"]["code"],
        "trap"
    );

    let invalid = client
        .call_tool(call("echo", json!({ "text": 5 })))
        .await
        .unwrap();
    assert_eq!(invalid.is_error, Some(true));
    let text = text_of(&invalid);
    assert!(
        text.starts_with("[invalid_input]") && text.contains("/text"),
        "{text}"
    );

    let unknown = client.call_tool(call("nosuch", json!({}))).await;
    assert!(
        unknown.is_err(),
        "an unknown tool is a protocol error: {unknown:?}"
    );
}

async fn check_progress_then_cancellation(client: &Client) {
    let recorder = client.service().clone();
    // The client gives every request a progress token of its own.
    let params = call(
        "hostile",
        json!({ "action": "progress_forever", "every_ms": 20 }),
    );
    // Dropping the call's future sends notifications/cancelled.
    let abandoned =
        tokio::time::timeout(Duration::from_millis(600), client.call_tool(params)).await;
    assert!(abandoned.is_err(), "the call should still be running");
    let mut progress: Vec<f64> = recorder
        .progress
        .lock()
        .unwrap()
        .iter()
        .map(|p| p.progress)
        .collect();
    assert!(
        progress.len() >= 5,
        "only {} progress notifications",
        progress.len()
    );
    // rmcp's client hands each notification to a task of its own, so they may reach the
    // handler out of order; what the server sent must still be distinct, rising values.
    progress.sort_by(f64::total_cmp);
    assert!(
        progress.windows(2).all(|w| w[1] > w[0]),
        "progress must increase: {progress:?}"
    );
    // Allow the cancellation to arrive, then check that reports have stopped.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after_cancel = recorder.progress.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        recorder.progress.lock().unwrap().len(),
        after_cancel,
        "the call kept running after cancellation"
    );
    // The server is free for the next call.
    let echoed = client
        .call_tool(call("echo", json!({ "text": "still here" })))
        .await
        .unwrap();
    assert_eq!(text_of(&echoed), "still here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_stdio_list_call_image_failures_progress_and_cancellation() {
    let reg = registry();
    let client = stdio_client(&reg, &[]).await;
    check_list_and_calc(&client).await;
    check_run_python(&client).await;
    check_image(&client).await;
    check_failures(&client).await;
    check_progress_then_cancellation(&client).await;
    client.cancel().await.unwrap();
}

/// "Any JSON", as strict clients want it said.
fn any_json() -> Value {
    json!([
        { "type": "object" }, { "type": "array" }, { "type": "string" },
        { "type": "number" }, { "type": "boolean" }, { "type": "null" }
    ])
}

/// `--tools` limits what `run_python`'s code reaches, not only the list: code cannot call
/// a tool the server was told not to serve, and the description does not offer it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_python_reaches_only_the_selected_tools() {
    let reg = TestRegistry::new(
        "builtins: none\ntools:\n  - name: calc\n    component: builtin:calc\n  - name: echo\n    component: builtin:echo\n",
    );
    let client = stdio_client(&reg, &["--tools", "calc,run_python"]).await;
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["calc", "run_python"]);
    let description = tools[1].description.as_deref().unwrap();
    assert!(
        description.contains("calc(") && !description.contains("echo("),
        "{description}"
    );
    let allowed = client
        .call_tool(call(
            "run_python",
            json!({ "code": "calc(expr='6*7')['value']" }),
        ))
        .await
        .unwrap();
    assert_eq!(allowed.structured_content, Some(json!({ "value": 42.0 })));
    // Not a function there, and not reachable by name either.
    let missing = client
        .call_tool(call("run_python", json!({ "code": "echo(text='hi')" })))
        .await
        .unwrap();
    assert_eq!(missing.is_error, Some(true));
    let text = text_of(&missing);
    assert!(text.contains("name 'echo' is not defined"), "{text}");
    let refused = client
        .call_tool(call(
            "run_python",
            json!({ "code": "TOOL('echo', text='hi')" }),
        ))
        .await
        .unwrap();
    assert_eq!(refused.is_error, Some(true));
    let text = text_of(&refused);
    assert!(text.contains("not offered by this server"), "{text}");
    client.cancel().await.unwrap();
}

/// The registry's scripts are tools too: listed as `script_NAME` with their documented
/// arguments as the schema, run as `SCRIPT` runs them, their failures results with isError.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_are_listed_and_called_as_tools() {
    let reg = TestRegistry::new(
        "builtins: none\ntools:\n  - name: calc\n    component: builtin:calc\nscripts:\n  - name: product\n    file: product.py\n    description: The product of a and b, by calc.\n    params:\n      a: a number\n      b: another\n  - name: oops\n    file: oops.py\n    description: Always fails.\n",
    );
    std::fs::write(
        reg.dir.path().join("product.py"),
        "r = calc(expr=f\"{ARGS['a']} * {ARGS['b']}\")\nprint(\"multiplied\")\n{\"product\": r[\"value\"]}\n",
    )
    .unwrap();
    std::fs::write(
        reg.dir.path().join("oops.py"),
        "raise RuntimeError(\"no luck\")\n",
    )
    .unwrap();
    let client = stdio_client(&reg, &[]).await;

    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        ["calc", "run_python", "script_product", "script_oops"]
    );
    let product = &tools[2];
    assert!(
        product
            .description
            .as_deref()
            .unwrap()
            .starts_with("The product of a and b, by calc.")
    );
    assert_eq!(
        Value::Object((*product.input_schema).clone()),
        json!({
            "type": "object",
            "properties": { "a": { "description": "a number", "anyOf": any_json() }, "b": { "description": "another", "anyOf": any_json() } },
            "additionalProperties": false,
        })
    );

    let result = client
        .call_tool(call("script_product", json!({ "a": 6, "b": 7 })))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false));
    assert_eq!(result.structured_content, Some(json!({ "product": 42.0 })));
    assert!(
        text_of(&result).starts_with("multiplied\n"),
        "{}",
        text_of(&result)
    );

    // An argument the script does not take is the client's mistake.
    let err = client
        .call_tool(call("script_product", json!({ "a": 6, "c": 7 })))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no parameter `c`"), "{err}");

    let failed = client
        .call_tool(call("script_oops", json!({})))
        .await
        .unwrap();
    assert_eq!(failed.is_error, Some(true));
    assert!(
        text_of(&failed).starts_with("[script_error]"),
        "{}",
        text_of(&failed)
    );
    assert!(text_of(&failed).contains("no luck"), "{}", text_of(&failed));
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_reloads_the_registry_and_notifies_list_changed() {
    let reg =
        TestRegistry::new("builtins: none\ntools:\n  - name: echo\n    component: builtin:echo\n");
    let client = stdio_client(&reg, &["--watch"]).await;
    assert_eq!(client.list_all_tools().await.unwrap().len(), 2);
    let changed = client.service().list_changed.clone();
    std::fs::write(
        &reg.path,
        "builtins: none\ntools:\n  - name: echo\n    component: builtin:echo\n  - name: calc\n    component: builtin:calc\n",
    )
    .unwrap();
    tokio::time::timeout(Duration::from_secs(10), changed.notified())
        .await
        .expect("tools/list_changed after the registry changed");
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, ["echo", "calc", "run_python"]);
    // A broken registry is not loaded: the last good one keeps serving.
    std::fs::write(&reg.path, "tools: [oops\n").unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(client.list_all_tools().await.unwrap().len(), 3);
    client.cancel().await.unwrap();
}

/// Start `toolhost mcp --http 127.0.0.1:0` and read the address it bound.
async fn http_server(reg: &TestRegistry) -> (tokio::process::Child, String) {
    let mut child = toolhost_command(&[
        "--registry",
        reg.path.to_str().unwrap(),
        "mcp",
        "--http",
        "127.0.0.1:0",
    ])
    .stderr(std::process::Stdio::piped())
    .stdout(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(i) = line.find("http://") {
                return line[i..].to_owned();
            }
        }
        panic!("the server exited without printing its address");
    })
    .await
    .expect("server address");
    // Keep reading: a server whose stderr is closed may fail as it logs.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_the_same_and_foreign_origin_or_host_is_refused() {
    let reg = registry();
    let (_server, url) = http_server(&reg).await;
    let client = Recorder::default()
        .serve(StreamableHttpClientTransport::from_uri(url.clone()))
        .await
        .expect("initialize over HTTP");
    check_list_and_calc(&client).await;
    check_run_python(&client).await;
    check_image(&client).await;
    check_failures(&client).await;
    check_progress_then_cancellation(&client).await;
    client.cancel().await.unwrap();

    // Another MCP session has Python state of its own.
    let other = Recorder::default()
        .serve(StreamableHttpClientTransport::from_uri(url.clone()))
        .await
        .expect("a second session");
    let result = other
        .call_tool(call("run_python", json!({ "code": "squares" })))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true), "{}", text_of(&result));
    assert!(
        text_of(&result).contains("NameError"),
        "{}",
        text_of(&result)
    );
    other.cancel().await.unwrap();

    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let post = |origin: Option<&str>, host: Option<&str>| {
        let mut req = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(init);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(h) = host {
            req = req.header("host", h);
        }
        req.send()
    };
    assert!(post(None, None).await.unwrap().status().is_success());
    assert_eq!(
        post(Some("https://evil.example"), None)
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post(None, Some("evil.example")).await.unwrap().status(),
        403
    );
}

/// Over MCP too, an invalid request of megabytes gets a short error: a 1.5 MB call with an
/// error in every element once got 31 MB back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_request_of_megabytes_gets_a_short_error() {
    let reg = registry();
    let client = stdio_client(&reg, &[]).await;
    let values: Vec<String> = (0..200_000).map(|i| format!("v{i}")).collect();
    let args = json!({ "expr": "x", "vars": { "x": values } });
    assert!(args.to_string().len() > 1_500_000);
    let result = client.call_tool(call("calc", args)).await.unwrap();
    assert_eq!(result.is_error, Some(true));
    let size = serde_json::to_string(&result).unwrap().len();
    assert!(size <= 64 * 1024, "{size} bytes of error");
    let text = text_of(&result);
    assert!(
        text.starts_with("[invalid_input]") && text.contains("/vars/x"),
        "{text}"
    );
    client.cancel().await.unwrap();
}

/// The MCP service checks the first `Host` header only; a request carrying two (the first
/// loopback, the second foreign) is refused before it reaches the service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_a_request_with_two_host_headers_is_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let reg = registry();
    let (_server, url) = http_server(&reg).await;
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_owned();
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let send = |hosts: Vec<String>| {
        let address = address.clone();
        async move {
            let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
            let mut request = String::from("POST /mcp HTTP/1.1\r\n");
            for host in hosts {
                request.push_str(&format!("Host: {host}\r\n"));
            }
            request.push_str(&format!(
                "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{init}",
                init.len()
            ));
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut response = vec![0; 64];
            let n = stream.read(&mut response).await.unwrap();
            String::from_utf8_lossy(&response[..n]).into_owned()
        }
    };
    let one = send(vec![address.clone()]).await;
    assert!(one.starts_with("HTTP/1.1 200"), "{one}");
    let two = send(vec![address.clone(), "evil.example".into()]).await;
    assert!(two.starts_with("HTTP/1.1 400"), "{two}");
}
