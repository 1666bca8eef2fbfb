//! toolhost as replicas behind a load balancer: health, readiness and metrics without a
//! session, session and call limits, graceful drain on SIGTERM, JSON logs with request
//! and trace ids, and 5,000 calls through HAProxy while one replica drains and another
//! is killed.

mod client;
mod cluster;
#[path = "../common/mod.rs"]
mod common;

use client::{CallError, McpHttp, text_of};
use cluster::{Haproxy, REGISTRY, Replica, calls_by_tool, gauge};
use common::{TestRegistry, shared_cache_dir};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// An mcmc run of about half a second here (NUTS on a standard normal, one chain).
fn mcmc_args(seed: u64) -> Value {
    json!({
        "log_density": "-x^2/2", "parameters": ["x"],
        "chains": 1, "draws": 150000, "warmup": 150000, "seed": seed
    })
}

/// An mcmc run of `draws` (a longer call, to be in flight when something happens).
fn long_mcmc_args(draws: u64) -> Value {
    json!({
        "log_density": "-x^2/2", "parameters": ["x"],
        "chains": 1, "draws": draws, "warmup": draws, "seed": 7
    })
}

async fn replica(name: &str, reg: &TestRegistry, extra: &[&str]) -> Replica {
    let r = Replica::start(name, &reg.path, &shared_cache_dir(), extra).await;
    r.wait_ready().await;
    r
}

/// A replica started with `--drain-timeout drain`, running one long mcmc call (`timeout`
/// is the client's patience): the replica, and the call's task for its answer.
async fn replica_running_a_long_call(
    name: &str,
    reg: &TestRegistry,
    drain: &str,
    timeout: Duration,
) -> (
    Replica,
    tokio::task::JoinHandle<Result<client::Answer, CallError>>,
) {
    let r = replica(name, reg, &["--drain-timeout", drain]).await;
    let mcp = McpHttp::new(&r.mcp_url);
    let (session, _) = mcp.initialize().await.unwrap();
    let call = tokio::spawn(async move {
        mcp.call(&session, 1, "mcmc", long_mcmc_args(1_900_000), timeout)
            .await
    });
    wait_for_metric(&r, "toolhost_calls_in_flight", 1.0).await;
    (r, call)
}

async fn exit_code_within(replica: &mut Replica, limit: Duration) -> Option<i32> {
    let status = tokio::time::timeout(limit, replica.child.wait())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "replica {} still running {limit:?} after SIGTERM; log:\n{}",
                replica.name,
                replica.log_text()
            )
        })
        .unwrap();
    status.code()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_need_no_session_and_count_what_was_served() {
    let reg = TestRegistry::new(REGISTRY);
    let r = replica("solo", &reg, &[]).await;
    assert_eq!(r.admin_get("/healthz").await.unwrap().0, 200);
    let (status, body) = r.admin_get("/readyz").await.unwrap();
    assert_eq!((status, body.trim()), (200, "ready: 3 tools compiled"));

    let mcp = McpHttp::new(&r.mcp_url);
    let (session, _) = mcp.initialize().await.unwrap();
    let t = Duration::from_secs(30);
    for i in 0..5 {
        let a = mcp
            .call(&session, i, "calc", json!({"expr": "1+2"}), t)
            .await
            .unwrap();
        assert_eq!(a.result["isError"], false, "{}", a.result);
    }
    let bad = mcp
        .call(&session, 10, "calc", json!({"expr": 5}), t)
        .await
        .unwrap();
    assert_eq!(bad.result["isError"], true);
    // A name nobody offers is counted under one label, not one per name.
    let _ = mcp.call(&session, 11, "no_such_tool_1", json!({}), t).await;
    let _ = mcp.call(&session, 12, "no_such_tool_2", json!({}), t).await;

    let (status, metrics) = r.admin_get("/metrics").await.unwrap();
    assert_eq!(status, 200);
    for expected in [
        r#"toolhost_calls_total{code="ok",tool="calc"} 5"#,
        r#"toolhost_calls_total{code="invalid_input",tool="calc"} 1"#,
        r#"toolhost_calls_total{code="invalid_params",tool="(unknown)"} 2"#,
        r#"toolhost_call_duration_seconds_count{tool="calc"} 6"#,
        "toolhost_calls_in_flight 0",
        "toolhost_sessions 1",
        "toolhost_sandbox_instances_limit ",
        "toolhost_draining 0",
    ] {
        assert!(metrics.contains(expected), "no `{expected}` in:\n{metrics}");
    }
    assert!(gauge(&metrics, "toolhost_http_request_bytes_total").unwrap() > 500.0);
    assert!(gauge(&metrics, "toolhost_http_response_bytes_total").unwrap() > 500.0);
    assert_eq!(
        gauge(&metrics, "toolhost_sandbox_instances_in_use"),
        Some(0.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_turns_readyz_503_lets_calls_in_flight_finish_and_exits_0() {
    let reg = TestRegistry::new(REGISTRY);
    let (mut r, call) =
        replica_running_a_long_call("draining", &reg, "60", Duration::from_secs(90)).await;
    // The call is running when the signal comes.
    r.signal(libc::SIGTERM);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, body) = r.admin_get("/readyz").await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.starts_with("draining"), "{body}");
    // No new connections once draining.
    let refused = McpHttp::new(&r.mcp_url).initialize().await;
    assert!(
        matches!(refused, Err(CallError::Transport(_))),
        "a draining replica accepted a new session"
    );
    let answer = call.await.unwrap().expect("the call in flight completes");
    assert_eq!(answer.result["isError"], false, "{}", answer.result);
    assert_eq!(
        answer.result["structuredContent"]["parameter_order"],
        json!(["x"])
    );
    assert_eq!(
        exit_code_within(&mut r, Duration::from_secs(30)).await,
        Some(0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_past_the_drain_timeout_is_cancelled_with_a_clear_retryable_error() {
    let reg = TestRegistry::new(REGISTRY);
    let (mut r, call) =
        replica_running_a_long_call("impatient", &reg, "0.5", Duration::from_secs(60)).await;
    let signalled = Instant::now();
    r.signal(libc::SIGTERM);
    let answer = call.await.unwrap().expect("the cancelled call is answered");
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        signalled.elapsed()
    );
    assert_eq!(answer.result["isError"], true);
    let text = text_of(&answer.result);
    assert!(
        text.starts_with("[busy]") && text.contains("shutting down") && text.contains("retry"),
        "{text}"
    );
    assert_eq!(
        answer.result["structuredContent"]["error"]["details"]["retryable"],
        true
    );
    assert_eq!(
        exit_code_within(&mut r, Duration::from_secs(15)).await,
        Some(0)
    );
}

async fn wait_for_metric(r: &Replica, name: &str, value: f64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, metrics) = r.admin_get("/metrics").await.unwrap();
        if gauge(&metrics, name) == Some(value) {
            return;
        }
        assert!(Instant::now() < deadline, "{name} never reached {value}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_past_max_sessions_get_503_and_idle_sessions_expire() {
    let reg = TestRegistry::new(REGISTRY);
    let r = replica(
        "small",
        &reg,
        &["--max-sessions", "2", "--session-idle-timeout", "1"],
    )
    .await;
    let mcp = McpHttp::new(&r.mcp_url);
    let (first, _) = mcp.initialize().await.unwrap();
    let (_second, _) = mcp.initialize().await.unwrap();
    match mcp.initialize().await {
        Err(CallError::Status(503, body)) => {
            assert!(body.contains("--max-sessions"), "{body}");
        }
        other => panic!(
            "a third session must be refused with 503, got {:?}",
            other.err()
        ),
    }
    let retry_after = reqwest::Client::new()
        .post(&r.mcp_url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(retry_after.status(), 503);
    assert_eq!(retry_after.headers()["retry-after"], "1");

    // Unused for longer than the idle timeout, both sessions are closed...
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, metrics) = r.admin_get("/metrics").await.unwrap();
    assert_eq!(gauge(&metrics, "toolhost_sessions"), Some(0.0), "{metrics}");
    // ...a request in one gets MCP's "session not found" (the client re-initialises)...
    let stale = mcp
        .call(&first, 1, "echo", json!({}), Duration::from_secs(10))
        .await;
    assert!(
        matches!(stale, Err(CallError::SessionNotFound)),
        "{:?}",
        stale.err()
    );
    // ...and there is room for new ones.
    let (fresh, _) = mcp.initialize().await.unwrap();
    let a = mcp
        .call(
            &fresh,
            2,
            "calc",
            json!({"expr": "2*3"}),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert_eq!(a.result["isError"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_past_max_concurrent_calls_wait_in_line_then_are_refused_busy() {
    let reg = TestRegistry::new(REGISTRY);
    let r = replica(
        "narrow",
        &reg,
        &["--max-concurrent-calls", "1", "--max-queued-calls", "1"],
    )
    .await;
    let mcp = McpHttp::new(&r.mcp_url);
    let (session, _) = mcp.initialize().await.unwrap();
    let long = |id: u64| {
        let mcp = mcp.clone();
        let session = session.clone();
        tokio::spawn(async move {
            mcp.call(
                &session,
                id,
                "mcmc",
                long_mcmc_args(400_000),
                Duration::from_secs(90),
            )
            .await
        })
    };
    let running = long(1);
    wait_for_metric(&r, "toolhost_calls_in_flight", 1.0).await;
    let queued = long(2);
    wait_for_metric(&r, "toolhost_calls_queued", 1.0).await;
    let refused = mcp
        .call(&session, 3, "echo", json!({}), Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(refused.result["isError"], true);
    let text = text_of(&refused.result);
    assert!(
        text.starts_with("[busy]") && text.contains("--max-concurrent-calls"),
        "{text}"
    );
    assert_eq!(
        refused.result["structuredContent"]["error"]["details"]["retryable"],
        true
    );
    for call in [running, queued] {
        let a = call.await.unwrap().unwrap();
        assert_eq!(a.result["isError"], false, "{}", a.result);
    }
    let (_, metrics) = r.admin_get("/metrics").await.unwrap();
    assert!(
        metrics.contains(r#"toolhost_calls_total{code="busy",tool="echo"} 1"#),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_session_id_and_callers_trace() {
    let reg = TestRegistry::new(REGISTRY);
    // --log-format is a global flag, so it may follow the subcommand.
    let r = Replica::start(
        "logging",
        &reg.path,
        &shared_cache_dir(),
        &["--log-format", "json"],
    )
    .await;
    r.wait_ready().await;
    let mcp = McpHttp::new(&r.mcp_url);
    let (session, _) = mcp.initialize().await.unwrap();
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let body = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": {"name": "calc", "arguments": {"expr": "6*7"}}});
    let answer = mcp
        .request(
            Some(&session),
            &[
                ("traceparent", &format!("00-{trace}-00f067aa0ba902b7-01")),
                ("x-request-id", "job-42"),
            ],
            &body,
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert_eq!(answer.headers["x-request-id"], "job-42");
    let sent_on = answer.headers["traceparent"].to_str().unwrap();
    assert!(
        sent_on.starts_with(&format!("00-{trace}-")) && !sent_on.contains("00f067aa0ba902b7"),
        "{sent_on}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let line = loop {
        let found = r.log.lock().unwrap().iter().find_map(|l| {
            let v: Value = serde_json::from_str(l).ok()?;
            (v["message"] == "tools/call" && v["span"]["request_id"] == "job-42").then_some(v)
        });
        if let Some(v) = found {
            break v;
        }
        assert!(Instant::now() < deadline, "no JSON line:\n{}", r.log_text());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(line["span"]["mcp_session_id"], session.as_str(), "{line}");
    assert_eq!(line["span"]["trace_id"], trace, "{line}");
    assert_eq!(line["tool"], "calc", "{line}");
    assert_eq!(line["code"], "ok", "{line}");
    // Every line is JSON, not only the call's.
    for l in r.log.lock().unwrap().iter() {
        assert!(serde_json::from_str::<Value>(l).is_ok(), "not JSON: {l}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_calls_are_served_by_any_replica_and_sessions_stick_to_theirs() {
    let reg = TestRegistry::new(REGISTRY);
    let (a, b) = tokio::join!(replica("a", &reg, &[]), replica("b", &reg, &[]));
    let haproxy = Haproxy::start(&[&a, &b]).await;
    let mcp = McpHttp::new(&haproxy.url);
    let t = Duration::from_secs(20);
    let mut served_by = BTreeMap::<String, u32>::new();
    for i in 0..12 {
        let answer = mcp
            .stateless_call(i, "calc", json!({"expr": format!("{i}*2")}), t)
            .await
            .unwrap_or_else(|e| panic!("stateless call {i}: {e:?}"));
        assert_eq!(answer.result["isError"], false, "{}", answer.result);
        assert!(text_of(&answer.result).contains(&(i * 2).to_string()));
        assert!(answer.headers.get("mcp-session-id").is_none());
        *served_by.entry(answer.served_by.unwrap()).or_default() += 1;
    }
    assert_eq!(served_by.len(), 2, "both replicas serve: {served_by:?}");

    // A session's calls all go to the replica that made it; its Python state is there.
    let (session, home) = mcp.initialize().await.unwrap();
    let home = home.unwrap();
    let set = mcp
        .call(&session, 1, "run_python", json!({"code": "kept = 41"}), t)
        .await
        .unwrap();
    assert_eq!(set.result["isError"], false, "{}", set.result);
    for i in 2..8 {
        let a = mcp
            .call(&session, i, "run_python", json!({"code": "kept + 1"}), t)
            .await
            .unwrap();
        assert_eq!(a.served_by.as_deref(), Some(home.as_str()));
        assert!(text_of(&a.result).contains("42"), "{}", a.result);
    }
}

/// A new session, as an MCP client makes one: a refusal before any replica took it (the
/// balancer's 503 while it notices a replica is gone, a refused connection, or a 404 for
/// `initialized` when the replica that answered `initialize` went away in between) is
/// retried after a pause; no call ran, so nothing is lost.
async fn initialize_with_retries(mcp: &McpHttp) -> Result<(String, Option<String>), CallError> {
    let mut attempt = 0;
    loop {
        match mcp.initialize().await {
            Err(
                CallError::Status(503, _) | CallError::Transport(_) | CallError::SessionNotFound,
            ) if attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
}

/// What one logical call of the load test ended as.
#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    succeeded: AtomicU64,
    failed: AtomicU64,
    hung: AtomicU64,
    /// Calls sent again in a new session after a 404.
    reinitialised: AtomicU64,
    /// Calls sent again after the balancer's 503.
    retried_503: AtomicU64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_calls_through_haproxy_survive_one_replica_draining_and_one_killed() {
    const CALLS: u64 = 5000;
    const CONCURRENCY: u64 = 32;
    const MCMC_EVERY: u64 = 125;
    let reg = TestRegistry::new(REGISTRY);
    let (r1, r2, r3) = tokio::join!(
        replica("r1", &reg, &["--drain-timeout", "30"]),
        replica("r2", &reg, &["--drain-timeout", "30"]),
        replica("r3", &reg, &["--drain-timeout", "30"]),
    );
    let (mut r2, mut r3) = (r2, r3);
    let haproxy = Haproxy::start(&[&r1, &r2, &r3]).await;
    let mcp = McpHttp::new(&haproxy.url);

    let next = Arc::new(AtomicU64::new(0));
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..CONCURRENCY {
        let (mcp, next, tally) = (mcp.clone(), next.clone(), tally.clone());
        workers.push(tokio::spawn(async move {
            // Successes by replica and tool; failures by the replica of their session.
            let mut served: BTreeMap<(String, String), u64> = BTreeMap::new();
            let mut failed_on: BTreeMap<String, u64> = BTreeMap::new();
            let mut errors: Vec<String> = Vec::new();
            let mut session: Option<(String, String)> = None;
            loop {
                let i = next.fetch_add(1, Ordering::AcqRel);
                if i >= CALLS {
                    break;
                }
                tally.sent.fetch_add(1, Ordering::AcqRel);
                let (tool, args, expect) = if i.is_multiple_of(MCMC_EVERY) {
                    ("mcmc", mcmc_args(i), "NUTS: 1 chains".to_owned())
                } else if i.is_multiple_of(2) {
                    (
                        "calc",
                        json!({"expr": format!("{i}+1")}),
                        format!("{}", i + 1),
                    )
                } else {
                    (
                        "echo",
                        json!({"text": format!("call #{i}# from {worker}")}),
                        format!("#{i}#"),
                    )
                };
                // A session the replica no longer knows (404) is re-made and the call
                // sent again: it never ran. So is a call the balancer answered 503 (no
                // replica ready at that instant: nothing ran), after a pause, as an HTTP
                // client retries a 503. Anything else is the call's outcome.
                let mut unavailable = 0;
                let outcome = loop {
                    if session.is_none() {
                        match initialize_with_retries(&mcp).await {
                            Ok((id, by)) => session = Some((id, by.expect("X-Served-By"))),
                            Err(e) => break Err((e, None)),
                        }
                    }
                    let (id, by) = session.clone().unwrap();
                    let call = mcp.call(&id, i + 1, tool, args.clone(), Duration::from_secs(60));
                    match tokio::time::timeout(Duration::from_secs(75), call).await {
                        Err(_) => break Err((CallError::Transport("hung".into()), Some(by))),
                        Ok(Err(CallError::SessionNotFound)) => {
                            tally.reinitialised.fetch_add(1, Ordering::AcqRel);
                            session = None;
                        }
                        Ok(Err(CallError::Status(503, _))) if unavailable < 10 => {
                            unavailable += 1;
                            tally.retried_503.fetch_add(1, Ordering::AcqRel);
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        Ok(Err(e)) => {
                            session = None;
                            break Err((e, Some(by)));
                        }
                        Ok(Ok(a)) => break Ok((a, by)),
                    }
                };
                match outcome {
                    Ok((a, by)) => {
                        assert_eq!(a.result["isError"], false, "{tool}: {}", a.result);
                        assert!(
                            text_of(&a.result).contains(&expect),
                            "{tool} #{i}: {}",
                            a.result
                        );
                        assert_eq!(a.served_by.as_deref(), Some(by.as_str()), "sticky");
                        tally.succeeded.fetch_add(1, Ordering::AcqRel);
                        *served.entry((by, tool.to_owned())).or_default() += 1;
                    }
                    Err((e, by)) => {
                        if matches!(&e, CallError::Transport(t) if t == "hung") {
                            tally.hung.fetch_add(1, Ordering::AcqRel);
                        }
                        tally.failed.fetch_add(1, Ordering::AcqRel);
                        let by = by.unwrap_or_else(|| "(no session)".to_owned());
                        errors.push(format!("{by}: {tool}: {e:?}"));
                        *failed_on.entry(by).or_default() += 1;
                    }
                }
            }
            (served, failed_on, errors)
        }));
    }

    // Midway: drain r2, and kill r3 while r2 drains.
    let deadline = Instant::now() + Duration::from_secs(60);
    while next.load(Ordering::Acquire) < CALLS / 2 {
        assert!(
            Instant::now() < deadline && !workers.iter().all(|w| w.is_finished()),
            "the load never reached half way"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // r2's final counts: its admin port answers until it exits, and for half a second
    // after its last call ends (drained, nothing in flight) its counts are final.
    let r2_scrapes = tokio::spawn({
        let admin = r2.admin.clone();
        async move {
            let http = reqwest::Client::new();
            let mut last_final = None;
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                let scrape = http
                    .get(format!("http://{admin}/metrics"))
                    .timeout(Duration::from_secs(2))
                    .send()
                    .await;
                let Ok(response) = scrape else { break };
                let m = response.text().await.unwrap_or_default();
                if gauge(&m, "toolhost_draining") == Some(1.0)
                    && gauge(&m, "toolhost_calls_in_flight") == Some(0.0)
                {
                    last_final = Some(m);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            last_final
        }
    });
    r2.signal(libc::SIGTERM);
    tokio::time::sleep(Duration::from_millis(100)).await;
    r3.signal(libc::SIGKILL);

    let mut served: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut failed_on: BTreeMap<String, u64> = BTreeMap::new();
    let mut errors = Vec::new();
    for w in workers {
        let (s, f, e) = w.await.expect("a worker panicked");
        errors.extend(e);
        for (k, v) in s {
            *served.entry(k).or_default() += v;
        }
        for (k, v) in f {
            *failed_on.entry(k).or_default() += v;
        }
    }
    let elapsed = started.elapsed();
    let (sent, ok, failed, hung) = (
        tally.sent.load(Ordering::Acquire),
        tally.succeeded.load(Ordering::Acquire),
        tally.failed.load(Ordering::Acquire),
        tally.hung.load(Ordering::Acquire),
    );
    eprintln!(
        "{sent} calls in {elapsed:.1?}: {ok} ok, {failed} failed {failed_on:?}; {} sent again \
         after a 404, {} after a 503; served {served:?}",
        tally.reinitialised.load(Ordering::Acquire),
        tally.retried_503.load(Ordering::Acquire),
    );
    assert_eq!(sent, CALLS);
    assert_eq!(hung, 0, "calls hung");
    assert_eq!(
        ok + failed,
        sent,
        "every call ends as a success or a reported failure"
    );
    // Only the killed replica's calls fail; the drained replica's all complete.
    assert!(
        failed_on.keys().all(|k| k == "r3"),
        "failures elsewhere than on the killed replica: {errors:#?}"
    );
    assert!(
        failed <= CONCURRENCY,
        "at most one call per connection fails with r3"
    );
    assert!(failed >= 1, "no call was in flight on the killed replica?");
    assert_eq!(
        exit_code_within(&mut r2, Duration::from_secs(30)).await,
        Some(0),
        "the drained replica exits 0"
    );
    assert_eq!(r3.child.wait().await.unwrap().code(), None, "killed");

    // Each surviving replica's /metrics counts exactly the calls it answered.
    let by_replica = |name: &str| -> BTreeMap<String, u64> {
        served
            .iter()
            .filter(|((r, _), _)| r == name)
            .map(|((_, t), n)| (t.clone(), *n))
            .collect()
    };
    let (_, r1_metrics) = r1.admin_get("/metrics").await.unwrap();
    assert_eq!(calls_by_tool(&r1_metrics), by_replica("r1"), "r1");
    let r2_metrics = r2_scrapes
        .await
        .unwrap()
        .expect("no scrape of r2 once drained");
    assert_eq!(calls_by_tool(&r2_metrics), by_replica("r2"), "r2");
    assert!(by_replica("r2").values().sum::<u64>() > 0);
    drop(haproxy);
}
