//! The agent loop against a real HTTP server on loopback that speaks the chat-completions
//! protocol and replays scripted answers.

mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use common::shared_cache_dir;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use toolhost::agent::{
    self, AgentConfig, Budget, ModelEndpoint, Protocol, RetryPolicy, StopReason,
};
use toolhost::registry::ToolRegistry;
use toolhost::repl::PythonLimits;
use toolhost::{Dispatcher, DispatcherOptions};

/// One scripted behaviour of the fake model server.
#[derive(Clone)]
enum Script {
    Reply(&'static str),
    /// A reply with a `reasoning_content` field (as DeepSeek-style servers send).
    Reasoning(&'static str, &'static str),
    /// After this many milliseconds, "answer to <the last message>".
    Echo(u64),
    Status(u16, Option<&'static str>),
    Hang,
    Malformed,
    /// A streamed reply cut off after its first chunks (no finish_reason, no [DONE]).
    CutStream,
    /// A streamed reply that sends its first chunks, then nothing more, never ending.
    StallStream,
    /// A reply with `tool_calls`: (id, arguments JSON text), after this content.
    Calls(&'static str, Vec<(&'static str, String)>),
}

/// A `python` tool call's arguments.
fn code(code: &str) -> String {
    json!({ "code": code }).to_string()
}

#[derive(Default)]
struct FakeState {
    script: Mutex<VecDeque<Script>>,
    /// Every request body received, in order.
    requests: Mutex<Vec<Value>>,
    /// Cut each reply at the first of the request's stop strings and drop it, as
    /// llama-server, vLLM and OpenAI do.
    honour_stop: bool,
    /// Answer any request carrying `stop` with a 400 naming it, as some OpenAI models do.
    reject_stop: bool,
    /// Send no `usage` (as some servers do).
    omit_usage: bool,
    /// Answer `stream: true` with a 400 naming it.
    refuse_stream: bool,
    /// Answer `stream: true` with a whole JSON reply, as servers that ignore it do.
    ignore_stream: bool,
    /// A context window of this many tokens, reported on `/props` (as llama-server does)
    /// and enforced: a request whose prompt (JSON characters of its messages / 3.5) plus
    /// `max_tokens` does not fit is refused with llama-server's 400.
    context: Option<u64>,
    /// Report the context on `/v1/models` as vLLM does (`max_model_len` per model id)
    /// instead of on `/props`.
    context_on_models: bool,
}

/// Tokens the fake server counts for a request's messages.
fn fake_prompt_tokens(body: &Value) -> u64 {
    (body["messages"].to_string().len() as f64 / 3.5).ceil() as u64
}

/// What OpenAI, vLLM and llama-server check of a conversation with tool calls: a `tool`
/// message answers a call of the assistant message before it (only `tool` messages in
/// between), and every call of an assistant message is answered before anything else.
fn tool_replies_answer_calls(messages: &Value) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    for (i, m) in messages.as_array().into_iter().flatten().enumerate() {
        if m["role"] == "tool" {
            let id = m["tool_call_id"].as_str().unwrap_or_default();
            let Some(at) = open.iter().position(|c| c == id) else {
                return Err(format!(
                    "messages[{i}]: a tool message must answer a tool_call of the preceding assistant message; no call has id '{id}'"
                ));
            };
            open.remove(at);
            continue;
        }
        if !open.is_empty() {
            return Err(format!(
                "messages[{i}]: the tool_calls {open:?} of the preceding assistant message were not answered"
            ));
        }
        open = m["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
            .collect();
    }
    Ok(())
}

async fn completions(
    State(state): State<Arc<FakeState>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    state.requests.lock().unwrap().push(json!({ "body": body, "auth": headers.get("authorization").map(|v| v.to_str().unwrap().to_owned()) }));
    if state.reject_stop && body.get("stop").is_some() {
        return (
            StatusCode::BAD_REQUEST,
            r#"{"error": {"message": "Unsupported parameter: 'stop' is not supported with this model.", "type": "invalid_request_error", "param": "stop", "code": "unsupported_parameter"}}"#,
        )
            .into_response();
    }
    if let Err(why) = tool_replies_answer_calls(&body["messages"]) {
        return (
            StatusCode::BAD_REQUEST,
            json!({ "error": { "code": 400, "message": why, "type": "invalid_request_error" } })
                .to_string(),
        )
            .into_response();
    }
    if let Some(n_ctx) = state.context {
        let needed = fake_prompt_tokens(&body) + body["max_tokens"].as_u64().unwrap_or(0);
        if needed > n_ctx {
            return (
                StatusCode::BAD_REQUEST,
                format!(r#"{{"error":{{"code":400,"message":"the request exceeds the available context size, try increasing it ({needed} > {n_ctx})","type":"exceed_context_size_error"}}}}"#),
            )
                .into_response();
        }
    }
    let streamed = body["stream"] == true;
    if state.refuse_stream && streamed {
        return (
            StatusCode::BAD_REQUEST,
            r#"{"error": {"message": "stream is not supported by this server", "param": "stream"}}"#,
        )
            .into_response();
    }
    let sse = streamed && !state.ignore_stream;
    let next = state.script.lock().unwrap().pop_front();
    let cut = |content: &'static str| -> String {
        let stops = body["stop"].as_array().cloned().unwrap_or_default();
        let at = stops
            .iter()
            .filter_map(|s| content.find(s.as_str().unwrap()))
            .min()
            .filter(|_| state.honour_stop);
        content[..at.unwrap_or(content.len())].to_owned()
    };
    match next {
        Some(Script::Reply(content)) => {
            reply(&body, &cut(content), None, &[], state.omit_usage, sse)
        }
        Some(Script::Reasoning(content, reasoning)) => reply(
            &body,
            &cut(content),
            Some(reasoning),
            &[],
            state.omit_usage,
            sse,
        ),
        Some(Script::Calls(content, calls)) => {
            reply(&body, content, None, &calls, state.omit_usage, sse)
        }
        Some(Script::Echo(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let last = body["messages"].as_array().unwrap().last().unwrap()["content"]
                .as_str()
                .unwrap()
                .to_owned();
            reply(
                &body,
                &format!("answer to {last}"),
                None,
                &[],
                state.omit_usage,
                sse,
            )
        }
        Some(Script::Status(code, retry_after)) => {
            let mut r = (
                StatusCode::from_u16(code).unwrap(),
                format!("{{\"error\": \"scripted {code}\"}}"),
            )
                .into_response();
            if let Some(after) = retry_after {
                r.headers_mut()
                    .insert("retry-after", after.parse().unwrap());
            }
            r
        }
        Some(Script::Hang) => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Script::Malformed) => {
            (StatusCode::OK, "{\"choices\": [ this is not json").into_response()
        }
        Some(Script::CutStream) => (
            [("content-type", "text/event-stream")],
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"```python\\nFINAL(\"}}]}\n\n",
        )
            .into_response(),
        Some(Script::StallStream) => {
            let first: Vec<Result<String, std::io::Error>> = ["Let me ", "think about ", "this"]
                .iter()
                .map(|c| {
                    let delta = json!({ "choices": [{ "index": 0, "delta": { "content": c } }] });
                    Ok(format!("data: {delta}\n\n"))
                })
                .collect();
            let stalled = futures::StreamExt::chain(
                futures::stream::iter(first),
                futures::stream::pending(),
            );
            (
                [("content-type", "text/event-stream")],
                axum::body::Body::from_stream(stalled),
            )
                .into_response()
        }
        None => (StatusCode::INTERNAL_SERVER_ERROR, "script exhausted").into_response(),
    }
}

async fn models(State(state): State<Arc<FakeState>>) -> Response {
    match state.context.filter(|_| state.context_on_models) {
        Some(n_ctx) => (
            [("content-type", "application/json")],
            json!({ "object": "list", "data": [
                { "id": "other", "max_model_len": 131072 },
                { "id": "default", "max_model_len": n_ctx },
            ]})
            .to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn props(State(state): State<Arc<FakeState>>) -> Response {
    match state.context.filter(|_| !state.context_on_models) {
        Some(n_ctx) => (
            [("content-type", "application/json")],
            json!({ "default_generation_settings": { "n_ctx": n_ctx }, "total_slots": 1 })
                .to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn reply(
    body: &Value,
    content: &str,
    reasoning: Option<&str>,
    calls: &[(&str, String)],
    omit_usage: bool,
    sse: bool,
) -> Response {
    let prompt = fake_prompt_tokens(body);
    let usage =
        json!({ "prompt_tokens": prompt, "completion_tokens": 10, "total_tokens": prompt + 10 });
    let finish = if calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    };
    if sse {
        return event_stream(
            content,
            reasoning,
            calls,
            finish,
            (!omit_usage).then_some(usage),
        );
    }
    let mut message = json!({ "role": "assistant", "content": content });
    if let Some(r) = reasoning {
        message["reasoning_content"] = json!(r);
    }
    if !calls.is_empty() {
        if content.is_empty() {
            message["content"] = Value::Null;
        }
        message["tool_calls"] = calls
            .iter()
            .map(|(id, args)| json!({ "id": id, "type": "function", "function": { "name": "python", "arguments": args } }))
            .collect();
    }
    let mut reply = json!({
        "id": "x", "object": "chat.completion", "model": body["model"],
        "choices": [{ "index": 0, "message": message, "finish_reason": finish }],
        "usage": usage
    });
    if omit_usage {
        reply.as_object_mut().unwrap().remove("usage");
    }
    ([("content-type", "application/json")], reply.to_string()).into_response()
}

/// Pieces of at most `n` characters.
fn pieces(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

/// The reply as an OpenAI-style SSE stream: content and reasoning in small deltas, each
/// call's arguments in fragments (interleaved between calls), usage in a last chunk
/// without choices; sent in 16-byte network chunks, so events arrive split.
fn event_stream(
    content: &str,
    reasoning: Option<&str>,
    calls: &[(&str, String)],
    finish: &str,
    usage: Option<Value>,
) -> Response {
    let delta = |d: Value| json!({ "id": "x", "object": "chat.completion.chunk", "choices": [{ "index": 0, "delta": d, "finish_reason": null }] });
    let mut events = vec![delta(json!({ "role": "assistant", "content": "" }))];
    for r in pieces(reasoning.unwrap_or(""), 6) {
        events.push(delta(json!({ "reasoning_content": r })));
    }
    for c in pieces(content, 5) {
        events.push(delta(json!({ "content": c })));
    }
    for (i, (id, _)) in calls.iter().enumerate() {
        events.push(delta(json!({ "tool_calls": [{ "index": i, "id": id, "type": "function", "function": { "name": "python", "arguments": "" } }] })));
    }
    let fragments: Vec<Vec<String>> = calls.iter().map(|(_, a)| pieces(a, 7)).collect();
    let longest = fragments.iter().map(Vec::len).max().unwrap_or(0);
    for k in 0..longest {
        for (i, f) in fragments.iter().enumerate() {
            if let Some(piece) = f.get(k) {
                events.push(delta(
                    json!({ "tool_calls": [{ "index": i, "function": { "arguments": piece } }] }),
                ));
            }
        }
    }
    events.push(
        json!({ "id": "x", "choices": [{ "index": 0, "delta": {}, "finish_reason": finish }] }),
    );
    if let Some(u) = usage {
        events.push(json!({ "id": "x", "choices": [], "usage": u }));
    }
    let mut text: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    text.push_str("data: [DONE]\n\n");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = text
        .into_bytes()
        .chunks(16)
        .map(|c| Ok(c.to_vec()))
        .collect();
    (
        [("content-type", "text/event-stream")],
        axum::body::Body::from_stream(futures::stream::iter(chunks)),
    )
        .into_response()
}

struct FakeModel {
    state: Arc<FakeState>,
    base_url: String,
}

impl FakeModel {
    async fn start(script: Vec<Script>) -> Self {
        Self::start_with(FakeState {
            script: Mutex::new(script.into()),
            ..FakeState::default()
        })
        .await
    }

    async fn start_with(state: FakeState) -> Self {
        let state = Arc::new(state);
        let app = axum::Router::new()
            .route("/v1/chat/completions", axum::routing::post(completions))
            .route("/props", axum::routing::get(props))
            .route("/v1/models", axum::routing::get(models))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeModel {
            state,
            base_url: format!("http://{addr}/v1"),
        }
    }

    fn requests(&self) -> Vec<Value> {
        self.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r["body"].clone())
            .collect()
    }

    /// The last user message of request `i` (what the host fed back).
    fn feedback(&self, i: usize) -> String {
        let req = &self.requests()[i];
        let msgs = req["messages"].as_array().unwrap();
        msgs.last().unwrap()["content"].as_str().unwrap().to_owned()
    }

    fn config(&self) -> AgentConfig {
        AgentConfig {
            primary: ModelEndpoint {
                base_url: self.base_url.clone(),
                model: "small".into(),
                api_key: Some("sk-test".into()),
                temperature: Some(0.0),
                max_tokens: Some(512),
                stop: agent::default_stop(),
            },
            escalation: None,
            sub_query: None,
            role_prices: Default::default(),
            context_tokens: None,
            retry: RetryPolicy {
                request_timeout: Duration::from_secs(10),
                max_retries: 3,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(50),
            },
            budget: Budget {
                max_steps: 6,
                ..Budget::default()
            },
            require_exploration: false,
            max_depth: 1,
            output_budget: 4000,
            trajectory: None,
            run_id: None,
            python_limits: PythonLimits::default(),
            on_event: None,
            protocol: Protocol::Fences,
            stream: false,
        }
    }
}

fn dispatcher() -> Dispatcher {
    Dispatcher::new(
        ToolRegistry::builtin(),
        DispatcherOptions {
            cache_dir: Some(shared_cache_dir()),
            compile_watcher: None,
            remote_components: None,
        },
    )
    .unwrap()
}

const EXPLORE: &str = "Let me look.\n```python\n[t[\"name\"] for t in TOOLS()]\n```";
const BROKEN_CALL: &str = "```python\nr = calc(expr=\"6*\")\n```";
const FIXED_CALL: &str = "```python\nr = calc(expr=\"6*7\")\nprint(f\"six times seven is {r['value']}\")\nFINAL(r[\"value\"])\n```";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explores_hits_an_error_fixes_it_and_answers() {
    let model = FakeModel::start(vec![
        Script::Reply(EXPLORE),
        Script::Reply(BROKEN_CALL),
        Script::Reply(FIXED_CALL),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = model.config();
    config.trajectory = Some(dir.path().join("run.jsonl"));
    let report = agent::run("What is 6 times 7?", config, dispatcher())
        .await
        .unwrap();
    assert_eq!(report.stop_reason, StopReason::Final);
    assert_eq!(report.final_value, Some(json!(42.0)));
    assert_eq!(report.steps, 3);
    assert_eq!(report.calls.len(), 3);
    assert_eq!(report.usage.completion_tokens, 30);

    let reqs = model.requests();
    // The protocol: system prompt with the tools, stop at the closing fence, the key sent.
    let system = reqs[0]["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("calc(") && system.contains("expr") && system.contains("FINAL(answer)"),
        "{system}"
    );
    assert!(reqs[0].get("stop").is_none(), "no stop strings by default");
    assert_eq!(
        model.state.requests.lock().unwrap()[0]["auth"],
        "Bearer sk-test"
    );
    assert_eq!(reqs[0]["messages"][1]["content"], "What is 6 times 7?");
    assert!(
        model
            .feedback(1)
            .contains(r#"=> ['bayesopt', 'calc', 'data', 'echo', 'integrate', 'linalg', 'mcmc', 'optimize', 'plot_sixel', 'render_math', 'stats', 'web_fetch']"#),
        "{}",
        model.feedback(1)
    );
    assert!(
        model.feedback(2).contains("ToolError") && model.feedback(2).contains("invalid_input"),
        "{}",
        model.feedback(2)
    );

    let lines: Vec<Value> = std::fs::read_to_string(dir.path().join("run.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["start", "step", "step", "step", "end"]);
    assert!(lines.iter().all(|l| l["run_id"] == report.run_id.as_str()));
    assert_eq!(lines[2]["tool_calls"][0]["error_code"], "invalid_input");
    assert_eq!(
        lines[3]["tool_calls"][0]["arguments"],
        json!({ "expr": "6*7" })
    );
    assert_eq!(lines[3]["output"], "six times seven is 42.0\n");
    assert_eq!(lines[4]["final_value"], json!(42.0));

    // Replay: the same code gives the same tool results and answer, with no model.
    let path = dir.path().join("run.jsonl");
    let replayed = agent::replay(&path, dispatcher()).await.unwrap();
    assert!(replayed.matches(), "{:?}", replayed.mismatches);
    assert_eq!(
        (replayed.steps_replayed, replayed.tool_calls_checked),
        (3, 2)
    );
    // A tampered record is caught.
    let tampered = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"value\":42.0", "\"value\":41.0");
    std::fs::write(&path, tampered).unwrap();
    let replayed = agent::replay(&path, dispatcher()).await.unwrap();
    assert!(!replayed.matches());
}

/// Tools go into the prompt as one-line Python signatures (details through help()), so
/// the first request fits the 4k/8k contexts local servers default to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_request_for_the_built_in_registry_is_at_most_8000_characters() {
    let model = FakeModel::start(vec![Script::Reply("```python\nFINAL(1)\n```")]).await;
    let report = agent::run("What is 6 times 7?", model.config(), dispatcher())
        .await
        .unwrap();
    assert_eq!(report.stop_reason, StopReason::Final);
    let first = &model.requests()[0];
    let messages = first["messages"].as_array().unwrap();
    let chars: usize = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap().chars().count())
        .sum();
    let system = messages[0]["content"].as_str().unwrap();
    // Every built-in tool is there, as a signature.
    for tool in [
        "bayesopt(",
        "calc(",
        "data(",
        "echo(",
        "mcmc(",
        "plot_sixel(",
        "render_math(",
        "stats(",
        "web_fetch(",
    ] {
        assert!(system.contains(tool), "{tool} missing:\n{system}");
    }
    println!("first request: {chars} characters");
    assert!(chars <= 8000, "{chars} characters:\n{system}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_that_never_writes_code_is_told_why_and_stopped_by_the_step_budget() {
    let model = FakeModel::start(vec![
        Script::Reply("The answer is 4."),
        Script::Reply("FINAL(4)"),
        Script::Reply("```javascript\nprint(4)\n```"),
    ])
    .await;
    let mut config = model.config();
    config.budget.max_steps = 3;
    let report = agent::run("2+2?", config, dispatcher()).await.unwrap();
    assert_eq!(report.stop_reason, StopReason::MaxSteps);
    assert_eq!(report.final_value, None);
    assert!(model.feedback(1).contains("No code block found"));
    assert!(model.feedback(2).contains("FINAL(...) in prose"));
    assert_eq!(model.requests().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_faults_are_retried_and_client_faults_fail_fast() {
    // 500 then success; malformed JSON then success; 429 with Retry-After then success.
    let model = FakeModel::start(vec![
        Script::Status(500, None),
        Script::Reply("```python\na = 1\n```"),
        Script::Malformed,
        Script::Reply("```python\nb = 2\n```"),
        Script::Status(429, Some("1")),
        Script::Reply("```python\nFINAL(a + b)\n```"),
    ])
    .await;
    let started = Instant::now();
    let report = agent::run("add", model.config(), dispatcher())
        .await
        .unwrap();
    assert_eq!(report.final_value, Some(json!(3)));
    assert_eq!(model.requests().len(), 6);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );

    let model = FakeModel::start(vec![
        Script::Status(401, None),
        Script::Reply("```python\nFINAL(1)\n```"),
    ])
    .await;
    let report = agent::run("x", model.config(), dispatcher()).await.unwrap();
    match &report.stop_reason {
        StopReason::Backend(why) => assert!(why.contains("401"), "{why}"),
        other => panic!("expected a backend stop, got {other:?}"),
    }
    assert_eq!(model.requests().len(), 1, "401 must not be retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_request_hits_the_timeout_and_is_retried() {
    let model = FakeModel::start(vec![
        Script::Hang,
        Script::Reply("```python\nFINAL(\"ok\")\n```"),
    ])
    .await;
    let mut config = model.config();
    config.retry.request_timeout = Duration::from_millis(300);
    // Load (and on a fresh machine, compile) the tools and the interpreter first: only the
    // model call is timed.
    let d = dispatcher();
    d.describe_all().await;
    d.python_session(Default::default()).await.unwrap();
    let started = Instant::now();
    let report = agent::run("x", config, d).await.unwrap();
    assert_eq!(report.final_value, Some(json!("ok")));
    // The hung request would have held the run for 30 s.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    let model = FakeModel::start(vec![Script::Hang, Script::Hang]).await;
    let mut config = model.config();
    config.retry.request_timeout = Duration::from_millis(200);
    config.retry.max_retries = 1;
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    match &report.stop_reason {
        StopReason::Backend(why) => assert!(why.contains("timed out"), "{why}"),
        other => panic!("expected a backend stop, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_query_depth_is_limited_outside_the_code() {
    // Depth 0: llm_query is refused, whatever the code does.
    let model = FakeModel::start(vec![
        Script::Reply("```python\na = llm_query(\"hi\")\n```"),
        Script::Reply("```python\nFINAL(\"gave up\")\n```"),
    ])
    .await;
    let mut config = model.config();
    config.max_depth = 0;
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!("gave up")));
    assert!(
        model.feedback(1).contains("llm_query"),
        "{}",
        model.feedback(1)
    );
    assert_eq!(model.requests().len(), 2, "no sub-call may reach the model");

    // Depth 2: the top code's sub-call is a sub-agent with its own REPL; its own sub-call
    // is a plain completion (the deepest level).
    let model = FakeModel::start(vec![
        Script::Reply("```python\ninner = llm_query(\"what is 2+3?\")\nFINAL(f\"top got {inner}\")\n```"),
        Script::Reply("```python\nplain = llm_query(\"say five\")\nFINAL(f\"{calc(expr='2+3')['value']} and {plain}\")\n```"),
        Script::Reply("five"),
    ])
    .await;
    let mut config = model.config();
    config.max_depth = 2;
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!("top got 5.0 and five")));
    let reqs = model.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[1]["messages"][1]["content"], "what is 2+3?");
    assert_eq!(
        reqs[2]["messages"].as_array().unwrap().len(),
        1,
        "the deepest call is a plain completion"
    );
    assert!(reqs[2]["stop"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stronger_model_takes_over_after_failed_steps() {
    let model = FakeModel::start(vec![
        Script::Reply("hmm"),
        Script::Reply("```python\nboom(\n```"),
        Script::Reply("```python\nFINAL(TOOL(\"calc\", {\"expr\": \"1+1\"})[\"value\"])\n```"),
    ])
    .await;
    let mut config = model.config();
    let mut strong = config.primary.clone();
    strong.model = "strong".into();
    config.escalation = Some((strong, 2));
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!(2.0)));
    let models: Vec<String> = model
        .requests()
        .iter()
        .map(|r| r["model"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(models, ["small", "small", "strong"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_budget_stops_the_run_with_its_reason() {
    let model = FakeModel::start(vec![Script::Reply("```python\nx = 1\n```"); 5]).await;
    let mut config = model.config();
    config.budget.max_total_tokens = Some(1);
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.stop_reason, StopReason::MaxTokens);
    assert_eq!(model.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_runs_a_task_and_replays_its_trajectory() {
    let model = FakeModel::start(vec![Script::Reply(FIXED_CALL)]).await;
    let dir = tempfile::tempdir().unwrap();
    let trajectory = dir.path().join("cli.jsonl");
    let run = |args: Vec<String>| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"));
        cmd.args(args)
            .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
            .env_remove("OPENAI_API_KEY")
            .current_dir(dir.path());
        cmd.output()
    };
    let out = run(vec![
        "agent".into(),
        "--base-url".into(),
        model.base_url.clone(),
        "--model".into(),
        "tiny".into(),
        "--trajectory".into(),
        trajectory.display().to_string(),
        "--view".into(),
        "What is 6 times 7?".into(),
    ])
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "42.0\n");
    // --view: the run's page next to its trajectory, its path said on stderr.
    let page = dir.path().join("cli.html");
    assert!(
        stderr.contains(&format!("page: {}", page.display())),
        "{stderr}"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("What is 6 times 7?") && html.contains("the code called FINAL"));
    assert!(
        stderr.contains("the code called FINAL after 1 steps") && stderr.contains("tokens:"),
        "{stderr}"
    );
    assert_eq!(model.requests()[0]["model"], "tiny");

    let out = run(vec![
        "agent".into(),
        "--replay".into(),
        trajectory.display().to_string(),
    ])
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("all match"));
}

/// Only the first python/untagged block outside reasoning spans runs; prose after it (an
/// invented output, a FINAL in words) and later blocks are ignored, and dropped from the
/// history; `reasoning_content` is never read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_first_block_outside_reasoning_runs() {
    let model = FakeModel::start(vec![
        Script::Reply(
            "<think>\nMaybe:\n```python\nFINAL(\"from thinking\")\n```\n</think>\nHere:\n```python\nx = 6*7\nprint(x)\n```\nOutput: 41\nFINAL(41)\n```python\nFINAL(\"second block\")\n```",
        ),
        Script::Reasoning(
            "```python\nFINAL(x)\n```",
            "```python\nFINAL(\"from reasoning_content\")\n```",
        ),
    ])
    .await;
    let report = agent::run("6*7?", model.config(), dispatcher())
        .await
        .unwrap();
    assert_eq!(report.final_value, Some(json!(42)));
    assert_eq!(report.steps, 2);
    let reqs = model.requests();
    let system = reqs[0]["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("only the first block runs"), "{system}");
    assert!(
        model.feedback(1).starts_with("42\n"),
        "{}",
        model.feedback(1)
    );
    let history = reqs[1]["messages"][2]["content"].as_str().unwrap();
    assert_eq!(history, "Here:\n```python\nx = 6*7\nprint(x)\n```");
}

/// A server that cuts at the first stop string must not lose a bare-fenced block: no
/// default stop string can match an opening fence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_fence_survives_a_server_that_cuts_at_stop_strings() {
    const BARE: &str = "Let me compute.\n```\nFINAL(6*7)\n```\nThe output is 42.";
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(vec![Script::Reply(BARE)].into()),
        honour_stop: true,
        ..FakeState::default()
    })
    .await;
    let report = agent::run("6*7?", model.config(), dispatcher())
        .await
        .unwrap();
    assert_eq!(report.final_value, Some(json!(42)));
    assert!(model.requests()[0].get("stop").is_none());

    // The old default, "\n```\n", cut this reply to its first line.
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(vec![Script::Reply(BARE)].into()),
        honour_stop: true,
        ..FakeState::default()
    })
    .await;
    let mut config = model.config();
    config.primary.stop = vec!["\n```\n".into()];
    config.budget.max_steps = 1;
    let report = agent::run("6*7?", config, dispatcher()).await.unwrap();
    assert_eq!(report.stop_reason, StopReason::MaxSteps);
}

/// A server that refuses `stop` gets the same request again without it, and no later
/// request of the run carries it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_refusing_stop_is_asked_again_without_it() {
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(
            vec![
                Script::Reply("```python\nx = 2\n```"),
                Script::Reply("```python\nFINAL(x * 21)\n```"),
            ]
            .into(),
        ),
        reject_stop: true,
        ..FakeState::default()
    })
    .await;
    let mut config = model.config();
    config.primary.stop = vec!["\n```output".into()];
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!(42)));
    let reqs = model.requests();
    let stops: Vec<bool> = reqs.iter().map(|r| r.get("stop").is_some()).collect();
    assert_eq!(stops, [true, false, false]);
    assert_eq!(reqs[0]["messages"], reqs[1]["messages"]);
}

/// FINAL(None), FINAL(""), FINAL([]) and FINAL({}) are refused with a message back to the
/// model (None and "" by the interpreter, empty containers by the agent), and the run goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_final_answers_are_refused_and_the_model_is_told() {
    let model = FakeModel::start(vec![
        Script::Reply("```python\nFINAL(None)\n```"),
        Script::Reply("```python\nFINAL(\"\")\n```"),
        Script::Reply("```python\nFINAL([])\n```"),
        Script::Reply("```python\nFINAL({})\n```"),
        Script::Reply("```python\nFINAL([1])\n```"),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = model.config();
    config.trajectory = Some(dir.path().join("run.jsonl"));
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!([1])));
    assert_eq!(report.steps, 5);
    for (i, what) in [
        (1, "None"),
        (2, "empty string"),
        (3, "empty list"),
        (4, "empty dict"),
    ] {
        let fb = model.feedback(i);
        assert!(fb.contains("refused") && fb.contains(what), "{i}: {fb}");
    }
    let replayed = agent::replay(&dir.path().join("run.jsonl"), dispatcher())
        .await
        .unwrap();
    assert!(replayed.matches(), "{:?}", replayed.mismatches);
}

/// A server that sends no `usage`: tokens are estimated (chars/4), the trajectory says so,
/// and the token and cost budgets still stop the run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_fire_when_the_server_sends_no_usage() {
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(vec![Script::Reply("```python\nx = 1\n```"); 5].into()),
        omit_usage: true,
        ..FakeState::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = model.config();
    config.trajectory = Some(dir.path().join("run.jsonl"));
    config.budget.max_total_tokens = Some(100);
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.stop_reason, StopReason::MaxTokens);
    assert_eq!(model.requests().len(), 1);
    // "```python\nx = 1\n```" is 19 characters: 5 tokens.
    assert_eq!(report.usage.completion_tokens, 5);
    assert!(report.usage.prompt_tokens > 100, "{:?}", report.usage);
    let text = std::fs::read_to_string(dir.path().join("run.jsonl")).unwrap();
    let step: Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(step["usage_estimated"], true);

    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(vec![Script::Reply("```python\nx = 1\n```"); 5].into()),
        omit_usage: true,
        ..FakeState::default()
    })
    .await;
    let mut config = model.config();
    config.budget.max_cost = Some(0.0005);
    config.budget.prices = Some(agent::Prices {
        prompt_per_million: 1.0,
        completion_per_million: 1.0,
    });
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.stop_reason, StopReason::MaxCost);
    assert!(report.cost.unwrap() >= 0.0005);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_cost_without_prices_is_a_usage_error() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args([
            "agent",
            "--max-cost",
            "1",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "x",
        ])
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--price-prompt"));
}

/// A wrong argument name comes back to the model naming it and the accepted ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_argument_is_named_with_the_accepted_ones() {
    let model = FakeModel::start(vec![
        Script::Reply("```python\ncalc(expression=\"6*7\")\n```"),
        Script::Reply("```python\nFINAL(calc(expr=\"6*7\")[\"value\"])\n```"),
    ])
    .await;
    let report = agent::run("6*7?", model.config(), dispatcher())
        .await
        .unwrap();
    assert_eq!(report.final_value, Some(json!(42.0)));
    let fb = model.feedback(1);
    assert!(
        fb.contains("unknown argument 'expression' for calc; accepted: ") && fb.contains("expr,"),
        "{fb}"
    );
}

/// Each request is stored once: the first step holds it whole, later steps only the
/// messages added since, so five steps stay small; replay still works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_steps_make_a_small_trajectory_that_still_replays() {
    let model = FakeModel::start(vec![
        Script::Reply("```python\na = 1\n```"),
        Script::Reply("```python\nb = calc(expr=\"2+3\")[\"value\"]\n```"),
        Script::Reply("```python\nc = a + b\n```"),
        Script::Reply("```python\nprint(c)\n```"),
        Script::Reply("```python\nFINAL(c)\n```"),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let mut config = model.config();
    config.trajectory = Some(path.clone());
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!(6.0)));
    assert_eq!(report.steps, 5);
    assert_eq!(report.trajectory_error, None);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.len() < 40_000, "{} bytes", text.len());
    let steps: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["type"] == "step")
        .collect();
    assert_eq!(steps.len(), 5);
    assert_eq!(steps[0]["extends"], 0);
    assert_eq!(steps[0]["request"].as_array().unwrap().len(), 2);
    for (i, s) in steps.iter().enumerate().skip(1) {
        assert_eq!(s["extends"], 2 * i as u64);
        assert_eq!(s["request"].as_array().unwrap().len(), 2);
    }
    // The stored pieces put together are the request the server got.
    let mut whole: Vec<Value> = Vec::new();
    for s in &steps {
        whole.extend(s["request"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(Value::Array(whole), model.requests()[4]["messages"]);
    let replayed = agent::replay(&path, dispatcher()).await.unwrap();
    assert!(replayed.matches(), "{:?}", replayed.mismatches);
    assert_eq!(replayed.steps_replayed, 5);
}

/// A trajectory that cannot be written is reported, not silently dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trajectory_write_error_is_reported() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let model = FakeModel::start(vec![Script::Reply("```python\nFINAL(1)\n```")]).await;
    let mut config = model.config();
    config.trajectory = Some("/dev/full".into());
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!(1)));
    let e = report.trajectory_error.expect("the write error");
    assert!(e.contains("cannot write the trajectory"), "{e}");
}

/// Two runs started together write two files: the default name holds the run id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_in_the_same_second_write_two_trajectories() {
    let model = FakeModel::start(vec![Script::Reply("```python\nFINAL(1)\n```"); 2]).await;
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"))
            .args(["agent", "--base-url", &model.base_url, "x"])
            .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
            .env_remove("OPENAI_API_KEY")
            .current_dir(dir.path())
            .output()
    };
    let (a, b) = tokio::join!(run(), run());
    for out in [a.unwrap(), b.unwrap()] {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let files: Vec<_> = std::fs::read_dir(dir.path().join("toolhost-runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.contains("-run-")), "{files:?}");
}

/// Replay serves each llm_batch prompt its own recorded answer, though the concurrent
/// calls finished (and were recorded) in another order; and a depth-2 run's sub-agent
/// answer is served back too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_serves_batch_answers_by_prompt_and_sub_agent_answers() {
    let model = FakeModel::start(vec![
        Script::Reply("```python\nr = llm_batch([\"slow\", \"fast\"])\nFINAL(\"|\".join(r))\n```"),
        Script::Echo(400),
        Script::Echo(0),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.jsonl");
    let mut config = model.config();
    config.trajectory = Some(path.clone());
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(
        report.final_value,
        Some(json!("answer to slow|answer to fast"))
    );
    let replayed = agent::replay(&path, dispatcher()).await.unwrap();
    assert!(replayed.matches(), "{:?}", replayed.mismatches);

    let model = FakeModel::start(vec![
        Script::Reply("```python\ninner = llm_query(\"what is 2+3?\")\nFINAL(f\"top got {inner}\")\n```"),
        Script::Reply("```python\nplain = llm_query(\"say five\")\nFINAL(f\"{calc(expr='2+3')['value']} and {plain}\")\n```"),
        Script::Reply("five"),
    ])
    .await;
    let path = dir.path().join("depth2.jsonl");
    let mut config = model.config();
    config.max_depth = 2;
    config.trajectory = Some(path.clone());
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!("top got 5.0 and five")));
    let replayed = agent::replay(&path, dispatcher()).await.unwrap();
    assert!(replayed.matches(), "{:?}", replayed.mismatches);
}

/// `--live` serves the run's page on loopback while it goes on, says where, and writes the
/// static page at the end; a non-loopback address is refused before any model request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_serves_the_page_during_the_run_and_writes_it_at_the_end() {
    let model = FakeModel::start(vec![Script::Reply(FIXED_CALL)]).await;
    let dir = tempfile::tempdir().unwrap();
    let common = [
        "--base-url",
        &model.base_url,
        "--model",
        "tiny",
        "--trajectory",
        "live.jsonl",
    ];
    let refused = [&common[..], &["--live=0.0.0.0:0", "What is 6 times 7?"]].concat();
    let (out, _) = run_cli(dir.path(), &refused).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("loopback only"), "{stderr}");
    assert!(model.requests().is_empty());

    let live = [&common[..], &["--live", "What is 6 times 7?"]].concat();
    let (out, _) = run_cli(dir.path(), &live).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("live page: http://127.0.0.1:"), "{stderr}");
    let page = std::fs::read_to_string(dir.path().join("live.html")).unwrap();
    assert!(page.contains("the code called FINAL"));
    assert!(
        !page.contains("data-live"),
        "the saved page is the static one"
    );
}

/// `toolhost agent ARGS` run in `dir`: its output and how long it took from spawn.
async fn run_cli(dir: &std::path::Path, args: &[&str]) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .arg("agent")
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .env_remove("OPENAI_API_KEY")
        .env_remove("TOOLHOST_LLM_API_KEY")
        .env_remove("TOOLHOST_LLM_BASE_URL")
        .env_remove("TOOLHOST_LLM_MODEL")
        .current_dir(dir)
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    (out, started.elapsed())
}

fn read_trajectory(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `--protocol tools`: the request offers one function, python(code); each call of a
/// reply runs in order and is answered by a `tool` message with its id; the assistant
/// message stays in the history as sent; a reply with no call and no code is nudged; FINAL
/// inside a call ends the run; the trajectory records the protocol and the call ids, and
/// replays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tools_protocol_runs_python_calls_and_answers_each_by_id() {
    let first = vec![
        (
            "call_a",
            code("x = calc(expr=\"6*7\")[\"value\"]\nprint(\"x is\", x)"),
        ),
        ("call_b", code("x + 1")),
    ];
    let model = FakeModel::start(vec![
        Script::Calls("", first.clone()),
        Script::Reply("I think the answer is 42."),
        Script::Calls("Done.", vec![("call_c", code("FINAL(x)"))]),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = run_cli(
        dir.path(),
        &[
            "--base-url",
            &model.base_url,
            "--protocol",
            "tools",
            "--no-stream",
            "--trajectory",
            "t.jsonl",
            "--json",
            "6*7?",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["final_value"], json!(42.0));
    assert_eq!(report["steps"], 3);

    let reqs = model.requests();
    assert_eq!(reqs.len(), 3);
    let tools = reqs[0]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 1, "exactly one function: {tools:?}");
    assert_eq!(tools[0]["type"], "function");
    assert_eq!(tools[0]["function"]["name"], "python");
    assert_eq!(
        tools[0]["function"]["parameters"]["required"],
        json!(["code"])
    );
    assert!(
        tools[0]["function"]["description"]
            .as_str()
            .unwrap()
            .contains("FINAL(answer)")
    );
    assert!(reqs[0].get("stream").is_none(), "--no-stream");
    let system = reqs[0]["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("calling the python function"), "{system}");
    assert!(!system.contains("```"), "no fence instructions:\n{system}");

    // The reply with its calls, kept as sent; each call answered by id, in order.
    let history = reqs[1]["messages"].as_array().unwrap();
    assert_eq!(history.len(), 5);
    let sent: Vec<Value> = first
        .iter()
        .map(|(id, args)| json!({ "id": id, "type": "function", "function": { "name": "python", "arguments": args } }))
        .collect();
    assert_eq!(history[2]["role"], "assistant");
    assert_eq!(history[2]["tool_calls"], Value::Array(sent));
    assert_eq!(history[3]["role"], "tool");
    assert_eq!(history[3]["tool_call_id"], "call_a");
    assert_eq!(history[3]["content"], "x is 42.0\n");
    assert_eq!(history[4]["tool_call_id"], "call_b");
    assert_eq!(history[4]["content"], "=> 43.0\n");
    assert!(history[1].get("tool_calls").is_none() && history[1].get("tool_call_id").is_none());
    // No call and no code: told to call python.
    let nudge = model.feedback(2);
    assert!(
        nudge.contains("No python call found") && nudge.contains("python(code="),
        "{nudge}"
    );

    let lines = read_trajectory(&dir.path().join("t.jsonl"));
    assert_eq!(lines[0]["type"], "start");
    assert_eq!(lines[0]["protocol"], "tools");
    let ids: Vec<&str> = lines[1]["python_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["call_a", "call_b"]);
    assert_eq!(lines[1]["python_calls"][0]["tool_calls"][0]["tool"], "calc");
    assert_eq!(lines[3]["python_calls"][0]["id"], "call_c");

    let (out, _) = run_cli(dir.path(), &["--replay", "t.jsonl", "--json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replayed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(replayed["mismatches"], json!([]));
    assert_eq!(replayed["steps_replayed"], 2);
    assert_eq!(replayed["tool_calls_checked"], 1);

    // A tampered call record is caught.
    let path = dir.path().join("t.jsonl");
    let tampered = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"value\":42.0", "\"value\":41.0");
    std::fs::write(&path, tampered).unwrap();
    let (out, _) = run_cli(dir.path(), &["--replay", "t.jsonl"]).await;
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Streamed tool calls: argument fragments of two calls arrive interleaved across SSE
/// deltas (and split across network chunks) and are joined by index; the usage of the
/// last chunk is used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_tool_calls_are_joined_by_index_and_run_in_order() {
    let calls = vec![
        (
            "call_1",
            code("words = ['alpha', 'beta', 'gamma']\nprint(len(words))"),
        ),
        ("call_2", code("total = sum(len(w) for w in words)\ntotal")),
    ];
    let model = FakeModel::start(vec![
        Script::Calls("Counting.", calls.clone()),
        Script::Calls("", vec![("call_3", code("FINAL(total * 2)"))]),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = run_cli(
        dir.path(),
        &[
            "--base-url",
            &model.base_url,
            "--protocol",
            "tools",
            "--trajectory",
            "t.jsonl",
            "--json",
            "x",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["final_value"], json!(28));
    // The server's own usage (10 completion tokens a reply), not an estimate.
    assert_eq!(report["usage"]["completion_tokens"], 20);

    let reqs = model.requests();
    assert_eq!(reqs[0]["stream"], true);
    assert_eq!(reqs[0]["stream_options"]["include_usage"], true);
    let history = reqs[1]["messages"].as_array().unwrap();
    assert_eq!(history[2]["content"], "Counting.");
    let joined: Vec<(&str, &str)> = history[2]["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["function"]["arguments"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(&str, &str)> = calls.iter().map(|(i, a)| (*i, a.as_str())).collect();
    assert_eq!(joined, expected);
    assert_eq!(history[3]["content"], "3\n");
    assert_eq!(
        (
            history[4]["tool_call_id"].as_str(),
            history[4]["content"].as_str()
        ),
        (Some("call_2"), Some("=> 14\n"))
    );

    let steps: Vec<Value> = read_trajectory(&dir.path().join("t.jsonl"))
        .into_iter()
        .filter(|l| l["type"] == "step")
        .collect();
    assert!(
        steps
            .iter()
            .all(|s| s["streamed"] == true && s.get("usage_estimated").is_none())
    );
}

/// SSE streaming of fenced replies: reasoning deltas never run; a server that sends no
/// usage gets estimated tokens (and the trajectory says so).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_replies_ignore_reasoning_and_estimate_missing_usage() {
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(
            vec![
                Script::Reasoning(
                    "Let me compute.\n```python\nx = 6*7\n```",
                    "```python\nFINAL(\"from reasoning\")\n```",
                ),
                Script::Reply(
                    "<think>\n```python\nFINAL(0)\n```\n</think>\n```python\nFINAL(x)\n```",
                ),
            ]
            .into(),
        ),
        omit_usage: true,
        ..FakeState::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = run_cli(
        dir.path(),
        &[
            "--base-url",
            &model.base_url,
            "--trajectory",
            "t.jsonl",
            "x",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "42\n");
    let reqs = model.requests();
    assert!(reqs.iter().all(|r| r["stream"] == true));
    assert_eq!(
        reqs[1]["messages"][2]["content"],
        "Let me compute.\n```python\nx = 6*7\n```"
    );
    let steps: Vec<Value> = read_trajectory(&dir.path().join("t.jsonl"))
        .into_iter()
        .filter(|l| l["type"] == "step")
        .collect();
    assert_eq!(steps.len(), 2);
    assert!(
        steps
            .iter()
            .all(|s| s["streamed"] == true && s["usage_estimated"] == true)
    );
    // "Let me compute.\n```python\nx = 6*7\n```" is 37 characters: 10 tokens.
    assert_eq!(steps[0]["usage"]["completion_tokens"], 10);
}

/// A server that refuses `stream` (a 400 naming it) is asked again without it, and one
/// that answers a stream request with a whole reply has that reply used; either way no
/// later request of the run asks for a stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_that_do_not_stream_get_whole_reply_requests() {
    let script = || {
        Mutex::new(
            vec![
                Script::Reply("```python\nx = 2\n```"),
                Script::Reply("```python\nFINAL(x * 21)\n```"),
            ]
            .into(),
        )
    };
    for (refuse_stream, ignore_stream, expected) in [
        (true, false, vec![true, false, false]),
        (false, true, vec![true, false]),
    ] {
        let model = FakeModel::start_with(FakeState {
            script: script(),
            refuse_stream,
            ignore_stream,
            ..FakeState::default()
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let (out, _) = run_cli(dir.path(), &["--base-url", &model.base_url, "x"]).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "42\n");
        let reqs = model.requests();
        let streamed: Vec<bool> = reqs.iter().map(|r| r["stream"] == true).collect();
        assert_eq!(
            streamed, expected,
            "refuse {refuse_stream}, ignore {ignore_stream}"
        );
        if refuse_stream {
            assert_eq!(reqs[0]["messages"], reqs[1]["messages"]);
        }
    }

    // A bad whole answer to a stream request is retried as a whole-reply request.
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(
            vec![Script::Malformed, Script::Reply("```python\nFINAL(1)\n```")].into(),
        ),
        ignore_stream: true,
        ..FakeState::default()
    })
    .await;
    let mut config = model.config();
    config.stream = true;
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!(1)));
    let streamed: Vec<bool> = model
        .requests()
        .iter()
        .map(|r| r["stream"] == true)
        .collect();
    assert_eq!(streamed, [true, false]);
}

/// `--progress always` shows the steps on stderr even off a terminal: each step's
/// number, the tools its code called, the tokens and cost so far; stdout keeps only the
/// JSON report. Off a terminal the default draws nothing, and --quiet turns it off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_goes_to_stderr_and_json_keeps_stdout_clean() {
    let script = || {
        vec![
            Script::Reply("```python\nr = calc(expr=\"6*7\")\n```"),
            Script::Reply("```python\nFINAL(r[\"value\"])\n```"),
        ]
    };
    let dir = tempfile::tempdir().unwrap();
    let model = FakeModel::start(script()).await;
    let (out, _) = run_cli(
        dir.path(),
        &[
            "--base-url",
            &model.base_url,
            "--progress",
            "always",
            "--price-prompt",
            "1",
            "--price-completion",
            "2",
            "--json",
            "x",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("step 1: calc; "), "{stderr}");
    assert!(stderr.contains("step 2: no tool calls; "), "{stderr}");
    assert!(stderr.contains("tokens so far, $0.0"), "{stderr}");
    // Off a terminal the lines are plain: no spinner, no cursor codes.
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "{stderr:?}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["final_value"], json!(42.0));

    for quiet in [
        &["--progress", "auto"][..],
        &["--quiet", "--progress", "always"][..],
    ] {
        let model = FakeModel::start(script()).await;
        let mut args = vec!["--base-url", model.base_url.as_str()];
        args.extend_from_slice(quiet);
        args.push("x");
        let (out, _) = run_cli(dir.path(), &args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("step 1"), "{quiet:?}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "42.0\n");
    }
}

/// Streamed requests are retried like whole ones: a 500 before the stream, and a stream
/// cut off before its end (whose partial reply is never run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_requests_are_retried_after_a_fault_or_a_cut_stream() {
    let model = FakeModel::start(vec![
        Script::Status(500, None),
        Script::CutStream,
        Script::Reply("```python\nFINAL(\"whole\")\n```"),
    ])
    .await;
    let mut config = model.config();
    config.stream = true;
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!("whole")));
    assert_eq!(report.steps, 1);
    let reqs = model.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| r["stream"] == true));

    let model = FakeModel::start(vec![Script::CutStream, Script::CutStream]).await;
    let mut config = model.config();
    config.stream = true;
    config.retry.max_retries = 1;
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    match &report.stop_reason {
        StopReason::Backend(why) => assert!(why.contains("stream ended"), "{why}"),
        other => panic!("expected a backend stop, got {other:?}"),
    }
}

/// A python call without usable code is answered with what is accepted (a failed step,
/// the session goes on); an accepted FINAL ends the reply's calls there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_python_calls_are_answered_and_final_ends_the_calls() {
    let model = FakeModel::start(vec![
        Script::Calls(
            "",
            vec![
                ("c1", json!({ "source": "x = 1" }).to_string()),
                ("c2", "x = 1".to_owned()),
                ("c3", code("y = 5")),
            ],
        ),
        Script::Calls(
            "",
            vec![
                ("c4", code("FINAL(y)")),
                ("c5", code("print('never runs')")),
            ],
        ),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = model.config();
    config.protocol = Protocol::Tools;
    config.trajectory = Some(dir.path().join("t.jsonl"));
    let report = agent::run("x", config, dispatcher()).await.unwrap();
    assert_eq!(report.final_value, Some(json!(5)));
    let history = model.requests()[1]["messages"].as_array().unwrap().clone();
    let answers: Vec<(&str, &str)> = history[3..]
        .iter()
        .map(|m| {
            (
                m["tool_call_id"].as_str().unwrap(),
                m["content"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(answers.len(), 3);
    assert!(
        answers[0]
            .1
            .contains("no 'code' string; accepted arguments: code"),
        "{answers:?}"
    );
    assert!(
        answers[1].1.contains("must be a JSON object"),
        "{answers:?}"
    );
    assert_eq!(
        answers[2],
        (
            "c3",
            "(no output; print values or end with an expression to see them)\n"
        )
    );
    let steps: Vec<Value> = read_trajectory(&dir.path().join("t.jsonl"))
        .into_iter()
        .filter(|l| l["type"] == "step")
        .collect();
    assert_eq!(steps[0]["failed"], true);
    assert_eq!(steps[0]["python_calls"][0]["code"], Value::Null);
    let ran: Vec<&str> = steps[1]["python_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ran, ["c4"], "the call after FINAL does not run");
    let replayed = agent::replay(&dir.path().join("t.jsonl"), dispatcher())
        .await
        .unwrap();
    assert!(replayed.matches(), "{:?}", replayed.mismatches);
}

/// Load (and on a fresh machine, compile) the tools and the interpreter into the shared
/// cache first, so the timed runs below start as they would on a warm machine.
async fn warm_the_cache() {
    let d = dispatcher();
    d.describe_all().await;
    d.python_session(Default::default()).await.unwrap();
}

/// The process must be gone this soon after its deadline (the issue's bound)...
const AFTER_DEADLINE: Duration = Duration::from_secs(1);
/// ...plus this, from spawn to the run's start (the deadline counts from there).
const START_UP: Duration = Duration::from_millis(1500);

/// Checks the end of a run the wall-time budget stopped: exit 6, the message, a final
/// trajectory record with the elapsed time and what was cut off, and the process gone
/// within 1 s of the deadline.
fn assert_stopped_by_wall_time(
    out: &std::process::Output,
    took: Duration,
    trajectory: &std::path::Path,
    deadline: Duration,
    in_flight: &str,
) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("the wall-time budget ran out after")
            && stderr.contains(in_flight)
            && stderr.contains("stopped because the wall-time budget ran out"),
        "{stderr}"
    );
    assert!(
        took < deadline + AFTER_DEADLINE + START_UP,
        "the process took {took:?} for a {deadline:?} budget"
    );
    let records = read_trajectory(trajectory);
    let end = records.last().unwrap();
    assert_eq!(end["type"], "end", "{records:?}");
    assert_eq!(end["stop_reason"], "the wall-time budget ran out");
    let elapsed = end["elapsed_ms"].as_f64().unwrap();
    assert!(
        elapsed >= deadline.as_secs_f64() * 1e3
            && elapsed < (deadline + AFTER_DEADLINE).as_secs_f64() * 1e3,
        "{end}"
    );
    assert!(
        end["interrupted"].as_str().unwrap().contains(in_flight),
        "{end}"
    );
    println!(
        "{in_flight}: the process ended {took:?} after spawn; the run, {elapsed:.0} ms after it started"
    );
}

/// A model request slower than the budget is cancelled at the deadline, and so is a
/// retry's backoff sleep (a 503 asking to come back in 30 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wall_time_cancels_a_slow_model_request_and_a_backoff() {
    warm_the_cache().await;
    let dir = tempfile::tempdir().unwrap();
    for (name, script) in [
        ("slow", Script::Hang),
        ("backoff", Script::Status(503, Some("30"))),
    ] {
        let model = FakeModel::start(vec![script]).await;
        stopped_at_two_seconds(
            dir.path(),
            name,
            &model,
            &[],
            "waiting for the model at step 1",
        )
        .await;
        assert_eq!(model.requests().len(), 1, "{name}: the request was made");
    }
}

/// Python stuck in a loop, a tool call that outlives the budget, and a sub-agent whose
/// model hangs are all cancelled at the deadline; nothing waits for the interpreter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wall_time_cancels_python_tool_calls_and_sub_agents() {
    warm_the_cache().await;
    let dir = tempfile::tempdir().unwrap();
    const LOOP: &str = "```python\nn = 0\nwhile True:\n    n += 1\n```";
    // Eight long samplers at once: each alone takes seconds.
    const TOOL: &str = "```python\nr = tool_batch([{\"tool\": \"mcmc\", \"args\": {\"log_density\": \"-x^2/2\", \"parameters\": [\"x\"], \"chains\": 1, \"draws\": 1000000, \"warmup\": 1000000, \"seed\": i}} for i in range(8)])\n```";
    const SUB: &str = "```python\na = llm_query(\"are you there?\")\n```";
    for (name, script) in [
        ("loop", vec![Script::Reply(LOOP)]),
        ("tool", vec![Script::Reply(TOOL)]),
        ("sub-agent", vec![Script::Reply(SUB), Script::Hang]),
    ] {
        let model = FakeModel::start(script).await;
        stopped_at_two_seconds(
            dir.path(),
            name,
            &model,
            &[],
            "running the step's code at step 1",
        )
        .await;
    }
}

/// Run task "x" against `model` with `--wall-time 2` (and `extra` flags), its trajectory
/// in `dir/NAME.jsonl`, and check it was stopped there while `stage`.
async fn stopped_at_two_seconds(
    dir: &std::path::Path,
    name: &str,
    model: &FakeModel,
    extra: &[&str],
    stage: &str,
) {
    let trajectory = dir.join(format!("{name}.jsonl"));
    let mut args = vec!["--base-url", &model.base_url];
    args.extend_from_slice(extra);
    args.extend([
        "--wall-time",
        "2",
        "--trajectory",
        trajectory.to_str().unwrap(),
        "x",
    ]);
    let (out, took) = run_cli(dir, &args).await;
    assert_stopped_by_wall_time(&out, took, &trajectory, Duration::from_secs(2), stage);
}

/// A streamed reply that stops coming mid-stream (the connection open, no more chunks)
/// is cancelled at the deadline like any request in flight, with `--protocol tools` and
/// the progress display on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wall_time_cancels_a_streamed_reply_that_stalls_mid_stream() {
    warm_the_cache().await;
    let dir = tempfile::tempdir().unwrap();
    let model = FakeModel::start(vec![Script::StallStream]).await;
    stopped_at_two_seconds(
        dir.path(),
        "stalled",
        &model,
        &["--protocol", "tools", "--progress", "always"],
        "receiving the model's streamed reply at step 1",
    )
    .await;
    let reqs = model.requests();
    assert_eq!(reqs.len(), 1, "the stalled stream was not retried");
    assert_eq!(reqs[0]["stream"], true);
    assert_eq!(reqs[0]["tools"][0]["function"]["name"], "python");
}

/// A server with a 4k context (reported on /props as llama-server does, enforced with
/// llama-server's 400) gets a request that fits at every step of a long run with large
/// outputs: older outputs are cut, then old steps summarised, and the trajectory says
/// when. The REPL keeps every variable, so the answer still uses the first step's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4k_context_server_gets_a_valid_request_at_every_step() {
    long_run_within_a_4k_context(false).await;
}

/// The same, with the context reported on /v1/models per model (vLLM's max_model_len).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_context_reported_on_the_models_endpoint_is_kept_too() {
    long_run_within_a_4k_context(true).await;
}

async fn long_run_within_a_4k_context(context_on_models: bool) {
    const STEPS: usize = 14;
    let mut script: Vec<Script> = (0..STEPS)
        .map(|i| {
            let code: &'static str = Box::leak(
                format!(
                    "Step {i}.\n```python\nv{i} = {i}\nprint(\"{i}:\" + \"abcdefghij\" * 300)\n```"
                )
                .into_boxed_str(),
            );
            Script::Reply(code)
        })
        .collect();
    let total: usize = (0..STEPS).sum();
    script.push(Script::Reply(
        "```python\nFINAL(v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11 + v12 + v13)\n```",
    ));
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(script.into()),
        context: Some(4096),
        context_on_models,
        ..FakeState::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let trajectory = dir.path().join("ctx.jsonl");
    let (out, _) = run_cli(
        dir.path(),
        &[
            "--base-url",
            &model.base_url,
            "--max-tokens",
            "512",
            "--max-steps",
            "20",
            "--trajectory",
            trajectory.to_str().unwrap(),
            "Define v0..v13 and answer their sum.",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        total.to_string()
    );
    let reqs = model.requests();
    assert_eq!(reqs.len(), STEPS + 1, "no request was refused");
    for (i, r) in reqs.iter().enumerate() {
        let needed = fake_prompt_tokens(r) + 512;
        assert!(needed <= 4096, "request {i} needs {needed} tokens");
        let msgs = r["messages"].as_array().unwrap();
        assert_eq!(msgs[0], reqs[0]["messages"][0], "the system prompt is kept");
        assert!(
            msgs[1]["content"]
                .as_str()
                .unwrap()
                .starts_with("Define v0..v13 and answer their sum.")
        );
    }
    let first_chars: usize = reqs[0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap().chars().count())
        .sum();
    println!(
        "first request at 4k: {first_chars} characters, {} tokens as the server counts",
        fake_prompt_tokens(&reqs[0])
    );
    let last = reqs.last().unwrap()["messages"][1]["content"]
        .as_str()
        .unwrap();
    assert!(
        last.contains("were compacted to fit the model's context"),
        "{last}"
    );
    assert!(
        last.contains("- step 1: ran `v0 = 0` (+1 lines) -> 0:abcdefghij"),
        "{last}"
    );
    let records = read_trajectory(&trajectory);
    let compactions: Vec<&Value> = records
        .iter()
        .filter(|r| r["type"] == "compaction")
        .collect();
    assert!(!compactions.is_empty());
    println!(
        "{} compactions over {} requests; the largest request needed {} of 4096 tokens",
        compactions.len(),
        reqs.len(),
        reqs.iter()
            .map(|r| fake_prompt_tokens(r) + 512)
            .max()
            .unwrap()
    );
    for c in &compactions {
        assert!(
            c["compaction"]["after_tokens"].as_u64() <= c["compaction"]["budget_tokens"].as_u64(),
            "{c}"
        );
        // The step after a compaction records its whole request.
        let step = records
            .iter()
            .find(|r| r["type"] == "step" && r["step"] == c["step"])
            .unwrap();
        assert_eq!(step["extends"], 0, "{step}");
    }
    let replayed = agent::replay(&trajectory, dispatcher()).await.unwrap();
    assert!(replayed.matches(), "{:?}", replayed.mismatches);
}

/// A server whose context is smaller than `--context-tokens` claims refuses a request
/// with llama-server's 400; the agent learns the window is smaller, compacts, and the run
/// goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_context_refusal_shrinks_the_window_and_the_run_goes_on() {
    let mut script: Vec<Script> = (0..6)
        .map(|i| {
            let code: &'static str = Box::leak(
                format!("```python\nv{i} = {i}\nprint(\"{i}:\" + \"abcdefghij\" * 300)\n```")
                    .into_boxed_str(),
            );
            Script::Reply(code)
        })
        .collect();
    script.push(Script::Reply("```python\nFINAL(v0 + v5)\n```"));
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(script.into()),
        context: Some(4096),
        ..FakeState::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let trajectory = dir.path().join("refused.jsonl");
    let (out, _) = run_cli(
        dir.path(),
        &[
            "--base-url",
            &model.base_url,
            "--context-tokens",
            "16000",
            "--max-tokens",
            "512",
            "--trajectory",
            trajectory.to_str().unwrap(),
            "x",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5");
    let reqs = model.requests();
    let refused = reqs
        .iter()
        .filter(|r| fake_prompt_tokens(r) + 512 > 4096)
        .count();
    assert!(refused >= 1, "the claimed 16k was never tested");
    assert_eq!(reqs.len() - refused, 7, "every step got an answer");
    let records = read_trajectory(&trajectory);
    assert!(records.iter().any(|r| r["type"] == "compaction"));
}

/// `--protocol tools` with streamed replies against a server that enforces a 4k context
/// and refuses a `tool` message not answering a call of the assistant message before it
/// (as OpenAI, vLLM and llama-server do). Each step makes two calls with large outputs, so
/// the conversation is compacted several times; every request still fits and keeps each
/// call with its reply, and the REPL keeps the first step's variables for the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_tool_calls_stay_paired_through_compaction_at_4k() {
    const STEPS: usize = 8;
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut script: Vec<Script> = (0..STEPS)
        .map(|i| {
            Script::Calls(
                "",
                vec![
                    (
                        leak(format!("call_{i}_a")),
                        code(&format!(
                            "v{i} = {i}\nprint(\"{i}:\" + \"abcdefghij\" * 150)"
                        )),
                    ),
                    (
                        leak(format!("call_{i}_b")),
                        code(&format!("print(\"{i}b:\" + \"klmnopqrst\" * 150)")),
                    ),
                ],
            )
        })
        .collect();
    let sum: Vec<String> = (0..STEPS).map(|i| format!("v{i}")).collect();
    script.push(Script::Calls(
        "Adding them up.",
        vec![("call_final", code(&format!("FINAL({})", sum.join(" + "))))],
    ));
    let model = FakeModel::start_with(FakeState {
        script: Mutex::new(script.into()),
        context: Some(4096),
        ..FakeState::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let trajectory = dir.path().join("tools-4k.jsonl");
    let (out, _) = run_cli(
        dir.path(),
        &[
            "--base-url",
            &model.base_url,
            "--protocol",
            "tools",
            "--max-tokens",
            "512",
            "--max-steps",
            "20",
            "--trajectory",
            trajectory.to_str().unwrap(),
            "Define v0..v7 and answer their sum.",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let total: usize = (0..STEPS).sum();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        total.to_string()
    );
    let reqs = model.requests();
    assert_eq!(reqs.len(), STEPS + 1, "no request was refused");
    for (i, r) in reqs.iter().enumerate() {
        assert_eq!(r["stream"], true, "request {i} asks for a stream");
        assert_eq!(r["tools"][0]["function"]["name"], "python");
        let needed = fake_prompt_tokens(r) + 512;
        assert!(needed <= 4096, "request {i} needs {needed} tokens");
        tool_replies_answer_calls(&r["messages"]).unwrap_or_else(|e| panic!("request {i}: {e}"));
    }
    // The last request: the summary of compacted steps names their calls, and the step
    // before FINAL is there whole, both calls answered by id.
    let last = reqs.last().unwrap()["messages"].as_array().unwrap();
    let task = last[1]["content"].as_str().unwrap();
    assert!(
        task.contains("were compacted to fit the model's context")
            && task.contains(
                "- step 1: ran `v0 = 0` (+1 lines) and 1 more python calls -> 0:abcdefghij"
            ),
        "{task}"
    );
    let answered: Vec<&str> = last
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["tool_call_id"].as_str().unwrap())
        .collect();
    let latest = STEPS - 1;
    assert!(
        answered.ends_with(&[&format!("call_{latest}_a"), &format!("call_{latest}_b")]),
        "{answered:?}"
    );
    let records = read_trajectory(&trajectory);
    let compactions = records.iter().filter(|r| r["type"] == "compaction").count();
    assert!(compactions >= 2, "{compactions} compactions");
    let steps: Vec<&Value> = records.iter().filter(|r| r["type"] == "step").collect();
    assert_eq!(steps.len(), STEPS + 1);
    assert!(steps.iter().all(|s| s["streamed"] == true));
    assert!(
        steps[..STEPS]
            .iter()
            .all(|s| s["python_calls"].as_array().unwrap().len() == 2)
    );
    println!(
        "tools protocol at 4k: {compactions} compactions over {} requests; the largest needed {} of 4096 tokens",
        reqs.len(),
        reqs.iter()
            .map(|r| fake_prompt_tokens(r) + 512)
            .max()
            .unwrap()
    );
    let replayed = agent::replay(&trajectory, dispatcher()).await.unwrap();
    assert!(replayed.matches(), "{:?}", replayed.mismatches);
}

const ROLES_REGISTRY: &str = "tools:\n  - { name: calc, component: builtin:calc }\nagent:\n  root:\n    base_url: {root}\n    model: small\n    api_key_env: ROLES_TEST_ROOT_KEY\n    prices: { input: 1.0, output: 2.0 }\n  sub_query:\n    base_url: {other}\n    model: helper\n    api_key_env: ROLES_TEST_OTHER_KEY\n    max_tokens: 64\n  escalation:\n    base_url: {other}\n    model: big\n    api_key_env: ROLES_TEST_OTHER_KEY\n  escalate_after: 2\n";

/// Roles from the registry's `agent:` section: the root model fails twice, the escalation
/// role (another server) takes over, and its code's llm_query goes to the sub_query role;
/// each role's key goes only to its own server, flags override the root, and the
/// trajectory says which role answered each step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_send_each_step_to_its_model() {
    let root = FakeModel::start(vec![
        Script::Reply("I think the answer is 4."),
        Script::Reply("```python\nboom(\n```"),
    ])
    .await;
    let other = FakeModel::start(vec![
        Script::Reply("```python\nh = llm_query(\"say hi\")\nFINAL(f\"{h} {calc(expr='2+2')['value']}\")\n```"),
        Script::Reply("hi"),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("tool_registry.yaml");
    std::fs::write(
        &registry,
        ROLES_REGISTRY
            .replace("{root}", &root.base_url)
            .replace("{other}", &other.base_url),
    )
    .unwrap();
    let trajectory = dir.path().join("roles.jsonl");
    let started = Instant::now();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(["--registry", registry.to_str().unwrap(), "agent"])
        .args([
            "--temperature",
            "0.5",
            "--trajectory",
            trajectory.to_str().unwrap(),
        ])
        .arg("2+2, and greet")
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .env("ROLES_TEST_ROOT_KEY", "sk-root")
        .env("ROLES_TEST_OTHER_KEY", "sk-other")
        .env_remove("OPENAI_API_KEY")
        .env_remove("TOOLHOST_LLM_BASE_URL")
        .env_remove("TOOLHOST_LLM_MODEL")
        .current_dir(dir.path())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stderr} ({:?})",
        started.elapsed()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hi 4.0");
    assert!(stderr.contains("switching from small to big"), "{stderr}");

    let asked = |m: &FakeModel| -> Vec<(String, Value, Value)> {
        m.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["body"]["model"].as_str().unwrap().to_owned(),
                    r["auth"].clone(),
                    r["body"]["temperature"].clone(),
                )
            })
            .collect()
    };
    let bearer = |k: &str| json!(format!("Bearer {k}"));
    assert_eq!(
        asked(&root),
        vec![
            ("small".into(), bearer("sk-root"), json!(0.5)),
            ("small".into(), bearer("sk-root"), json!(0.5)),
        ]
    );
    // The escalation role inherits the root's temperature (the flag's); sub_query too.
    assert_eq!(
        asked(&other),
        vec![
            ("big".into(), bearer("sk-other"), json!(0.5)),
            ("helper".into(), bearer("sk-other"), json!(0.5)),
        ]
    );
    assert_eq!(other.requests()[1]["max_tokens"], 64);

    let records = read_trajectory(&trajectory);
    let roles: Vec<(u64, String, String)> = records
        .iter()
        .filter(|r| r["type"] == "step")
        .map(|r| {
            (
                r["depth"].as_u64().unwrap(),
                r["role"].as_str().unwrap().to_owned(),
                r["model"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(u64, String, String)> = [
        (0, "root", "small"),
        (0, "root", "small"),
        (1, "sub_query", "helper"),
        (0, "escalation", "big"),
    ]
    .into_iter()
    .map(|(d, r, m)| (d, r.to_owned(), m.to_owned()))
    .collect();
    assert_eq!(roles, expected);
    // Cost at each role's prices: only the root has prices, so the others fall back to
    // them; the report prints it.
    assert!(stderr.contains("cost $"), "{stderr}");
}

/// `--agent-config` with an unknown key: a usage error naming the key, where it is, and
/// the accepted ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_role_key_is_named_with_the_accepted_ones() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roles.yaml");
    std::fs::write(&config, "root:\n  model: small\nsubquery:\n  model: tiny\n").unwrap();
    let (out, _) = run_cli(
        dir.path(),
        &["--agent-config", config.to_str().unwrap(), "x"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("roles.yaml:3:1")
            && stderr.contains("unknown field `subquery`")
            && stderr.contains("`root`, `sub_query`, `escalation`, `escalate_after`"),
        "{stderr}"
    );
    // In the registry, the same mistake is a registry error with its line and column.
    let registry = dir.path().join("tool_registry.yaml");
    std::fs::write(
        &registry,
        "tools:\n  - { name: calc, component: builtin:calc }\nagent:\n  root:\n    modle: small\n",
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(["--registry", registry.to_str().unwrap(), "agent", "x"])
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("tool_registry.yaml:5:")
            && stderr.contains("unknown field `modle`")
            && stderr.contains("`api_key_env`"),
        "{stderr}"
    );
}
