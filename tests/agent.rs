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
use toolhost::agent::{self, AgentConfig, Budget, ModelEndpoint, RetryPolicy, StopReason};
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
        Some(Script::Reply(content)) => reply(&body, &cut(content), None, state.omit_usage),
        Some(Script::Reasoning(content, reasoning)) => {
            reply(&body, &cut(content), Some(reasoning), state.omit_usage)
        }
        Some(Script::Echo(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let last = body["messages"].as_array().unwrap().last().unwrap()["content"]
                .as_str()
                .unwrap()
                .to_owned();
            reply(&body, &format!("answer to {last}"), None, state.omit_usage)
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
        None => (StatusCode::INTERNAL_SERVER_ERROR, "script exhausted").into_response(),
    }
}

fn reply(body: &Value, content: &str, reasoning: Option<&str>, omit_usage: bool) -> Response {
    let prompt = body["messages"].to_string().len() as u64 / 4;
    let mut message = json!({ "role": "assistant", "content": content });
    if let Some(r) = reasoning {
        message["reasoning_content"] = json!(r);
    }
    let reply = json!({
        "id": "x", "object": "chat.completion", "model": body["model"],
        "choices": [{ "index": 0, "message": message, "finish_reason": "stop" }],
        "usage": { "prompt_tokens": prompt, "completion_tokens": 10, "total_tokens": prompt + 10 }
    });
    let mut reply = reply;
    if omit_usage {
        reply.as_object_mut().unwrap().remove("usage");
    }
    ([("content-type", "application/json")], reply.to_string()).into_response()
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
        }
    }
}

fn dispatcher() -> Dispatcher {
    Dispatcher::new(
        ToolRegistry::builtin(),
        DispatcherOptions {
            cache_dir: Some(shared_cache_dir()),
            scripts: None,
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
            .contains(r#"=> ['bayesopt', 'calc', 'data', 'echo', 'mcmc', 'plot_sixel', 'render_math', 'stats', 'web_fetch']"#),
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
        "What is 6 times 7?".into(),
    ])
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "42.0\n");
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
