//! The sandbox's promises, each proven by a hostile component that tries to break it.

mod common;

use common::{MIB, TestRegistry, logged};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use toolhost::{CallObserver, ErrorCode, LogRecord, LogSource};

fn hostile(limits: &str, grants: &str) -> TestRegistry {
    TestRegistry::new(&format!(
        "tools:\n  - name: hostile\n    component: {{hostile}}\n    limits: {limits}\n    grants: {grants}\n"
    ))
}

/// Tests that time calls, or load both cores, take turns: a timing promise measured while
/// another test spins four tools on a 2-core machine would measure the scheduler.
static CPU_HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn plain() -> TestRegistry {
    hostile(
        "{timeout_ms: 5000, memory_mb: 64, max_output_bytes: 65536}",
        "{}",
    )
}

/// How long a call of `hostile` on `input` took to end as a timeout naming the tool.
async fn time_to_timeout(d: &toolhost::Dispatcher, input: serde_json::Value) -> Duration {
    let started = Instant::now();
    let err = d.call("hostile", input).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.code, ErrorCode::Timeout, "{err}");
    assert_eq!(err.tool.as_deref(), Some("hostile"));
    elapsed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runaway_loop_is_stopped_near_its_timeout_and_the_host_serves_the_next_call() {
    let _turn = CPU_HEAVY.lock().await;
    let reg = hostile("{timeout_ms: 200}", "{}");
    let d = reg.dispatcher();
    d.call("hostile", json!({ "action": "counter" }))
        .await
        .unwrap(); // loaded, warm
    let mut overshoots = Vec::new();
    for _ in 0..5 {
        let elapsed = time_to_timeout(&d, json!({ "action": "spin" })).await;
        assert!(
            elapsed >= Duration::from_millis(200),
            "stopped early: {elapsed:?}"
        );
        overshoots.push(elapsed - Duration::from_millis(200));
    }
    overshoots.sort();
    // The median is the promise; the worst case only has to be sane on a loaded machine.
    assert!(
        overshoots[2] <= Duration::from_millis(10),
        "median overshoot {:?} (all: {overshoots:?})",
        overshoots[2]
    );
    assert!(
        overshoots[4] <= Duration::from_millis(100),
        "worst overshoot {overshoots:?}"
    );
    let out = d
        .call("hostile", json!({ "action": "echo", "value": 7 }))
        .await
        .unwrap();
    assert_eq!(out.first_json(), Some(&json!(7)));
}

/// A tool asleep in a WASI call runs no code for the epoch to stop: the host's timer must.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_asleep_in_a_host_call_is_stopped_near_its_timeout() {
    let reg = hostile("{timeout_ms: 300}", "{}");
    let d = reg.dispatcher();
    d.call("hostile", json!({ "action": "counter" }))
        .await
        .unwrap(); // loaded, warm
    let elapsed = time_to_timeout(&d, json!({ "action": "sleep", "ms": 20_000 })).await;
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
        "stopped after {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spinning_tool_does_not_block_other_calls() {
    let _turn = CPU_HEAVY.lock().await;
    let reg = hostile("{timeout_ms: 1500}", "{}");
    let d = reg.dispatcher();
    d.call("hostile", json!({ "action": "counter" }))
        .await
        .unwrap();
    let spinners: Vec<_> = (0..4)
        .map(|_| {
            let d = d.clone();
            tokio::spawn(async move { d.call("hostile", json!({ "action": "spin" })).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let out = d
        .call("hostile", json!({ "action": "echo", "value": "quick" }))
        .await
        .unwrap();
    assert_eq!(out.first_json(), Some(&json!("quick")));
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "quick call waited {:?}",
        started.elapsed()
    );
    for s in spinners {
        assert_eq!(s.await.unwrap().unwrap_err().code, ErrorCode::Timeout);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_allocation_ends_with_out_of_memory() {
    let reg = hostile("{memory_mb: 32}", "{}");
    let err = reg
        .dispatcher()
        .call("hostile", json!({ "action": "allocate" }))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::OutOfMemory, "{err}");
    assert!(err.message.contains("32 MiB"), "{}", err.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_unreachable_without_a_grant() {
    let d = plain().dispatcher();
    for path in ["/etc/passwd", "/", ".", "../", "/proc/self/environ"] {
        let err = d
            .call("hostile", json!({ "action": "read_file", "path": path }))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ToolError, "{path}: {err}");
        assert_eq!(
            err.details.as_ref().unwrap()["tool_code"],
            "io_failed",
            "{path}"
        );
        let err = d
            .call("hostile", json!({ "action": "list_dir", "path": path }))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ToolError, "{path}: {err}");
    }
    let err = d
        .call(
            "hostile",
            json!({ "action": "write_file", "path": "/tmp/toolhost-escape", "text": "x" }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolError);
    assert!(!std::path::Path::new("/tmp/toolhost-escape").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_grant_allows_reading_and_refuses_writing() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("in.txt"), "granted content").unwrap();
    let reg = hostile(
        "{}",
        &format!(
            "{{dirs: [{{host: '{}', guest: /data, mode: read-only}}]}}",
            data.path().display()
        ),
    );
    let d = reg.dispatcher();
    let out = d
        .call(
            "hostile",
            json!({ "action": "read_file", "path": "/data/in.txt" }),
        )
        .await
        .unwrap();
    assert_eq!(out.first_json().unwrap()["content"], "granted content");
    let err = d
        .call(
            "hostile",
            json!({ "action": "write_file", "path": "/data/out.txt", "text": "no" }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolError, "{err}");
    assert!(!data.path().join("out.txt").exists());
    // The grant does not widen to the rest of the file system.
    let err = d
        .call(
            "hostile",
            json!({ "action": "read_file", "path": "/data/../../etc/passwd" }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolError, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_write_grant_allows_writing_inside_it() {
    let data = tempfile::tempdir().unwrap();
    let reg = hostile(
        "{}",
        &format!(
            "{{dirs: [{{host: '{}', guest: /work, mode: rw}}]}}",
            data.path().display()
        ),
    );
    let d = reg.dispatcher();
    d.call(
        "hostile",
        json!({ "action": "write_file", "path": "/work/out.txt", "text": "written" }),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(data.path().join("out.txt")).unwrap(),
        "written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_vars_are_invisible_unless_granted() {
    // SAFETY: set before any thread of this test reads the environment.
    unsafe {
        std::env::set_var("TOOLHOST_TEST_GRANTED", "yes");
        std::env::set_var("TOOLHOST_TEST_SECRET", "hunter2");
    }
    let d = plain().dispatcher();
    let out = d
        .call(
            "hostile",
            json!({ "action": "env", "name": "TOOLHOST_TEST_SECRET" }),
        )
        .await
        .unwrap();
    assert_eq!(
        out.first_json().unwrap(),
        &json!({ "value": null, "visible": 0 })
    );
    let out = d
        .call("hostile", json!({ "action": "env", "name": "PATH" }))
        .await
        .unwrap();
    assert_eq!(out.first_json().unwrap()["value"], json!(null));

    let d = hostile("{}", "{env: [TOOLHOST_TEST_GRANTED]}").dispatcher();
    let out = d
        .call(
            "hostile",
            json!({ "action": "env", "name": "TOOLHOST_TEST_GRANTED" }),
        )
        .await
        .unwrap();
    assert_eq!(
        out.first_json().unwrap(),
        &json!({ "value": "yes", "visible": 1 })
    );
    let out = d
        .call(
            "hostile",
            json!({ "action": "env", "name": "TOOLHOST_TEST_SECRET" }),
        )
        .await
        .unwrap();
    assert_eq!(out.first_json().unwrap()["value"], json!(null));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_are_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let err = plain()
        .dispatcher()
        .call(
            "hostile",
            json!({ "action": "connect", "address": address }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolError, "{err}");
    listener.set_nonblocking(true).unwrap();
    assert!(
        listener.accept().is_err(),
        "a connection reached the listener"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_becomes_trap_naming_the_tool_and_the_panic() {
    let err = plain()
        .dispatcher()
        .call(
            "hostile",
            json!({ "action": "panic", "message": "boom at step 3" }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Trap, "{err}");
    assert_eq!(err.tool.as_deref(), Some("hostile"));
    assert!(err.message.contains("boom at step 3"), "{}", err.message);
    assert!(logged(&err.logs, LogSource::Stderr, "boom"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runaway_recursion_becomes_a_stack_overflow_trap() {
    let err = plain()
        .dispatcher()
        .call("hostile", json!({ "action": "recurse" }))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Trap, "{err}");
    // Either the engine's own stack guard or the guest's shadow stack running out of
    // memory catches it; the message says stack overflow in both cases.
    assert!(err.message.contains("stack overflow"), "{}", err.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_inside_a_grant_cannot_lead_out_of_it() {
    let data = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/etc/passwd", data.path().join("passwd")).unwrap();
    std::os::unix::fs::symlink("/etc", data.path().join("etc")).unwrap();
    let reg = hostile(
        "{}",
        &format!(
            "{{dirs: [{{host: '{}', guest: /data, mode: read-only}}]}}",
            data.path().display()
        ),
    );
    let d = reg.dispatcher();
    for path in ["/data/passwd", "/data/etc/passwd"] {
        let err = d
            .call("hostile", json!({ "action": "read_file", "path": path }))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ToolError, "{path}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_output_is_refused() {
    let d = plain().dispatcher();
    let ok = d
        .call("hostile", json!({ "action": "big_output", "bytes": 65536 }))
        .await
        .unwrap();
    assert_eq!(ok.first_text().unwrap().len(), 65536);
    let err = d
        .call("hostile", json!({ "action": "big_output", "bytes": 65537 }))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::OutputTooLarge, "{err}");
    assert!(
        err.message.contains("65537") && err.message.contains("65536"),
        "{}",
        err.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_stdout_and_stderr_are_captured_and_bounded() {
    let d = plain().dispatcher();
    let out = d
        .call("hostile", json!({ "action": "print", "bytes": 10 }))
        .await
        .unwrap();
    let stdout: Vec<&LogRecord> = out
        .logs
        .iter()
        .filter(|r| r.source == LogSource::Stdout)
        .collect();
    assert_eq!(stdout.len(), 1);
    assert_eq!(stdout[0].message, "oooooooooo");
    // A flood far past the capture bound still succeeds; the excess is counted, not kept.
    let out = d
        .call("hostile", json!({ "action": "print", "bytes": 5_000_000 }))
        .await
        .unwrap();
    let kept: usize = out
        .logs
        .iter()
        .filter(|r| r.source == LogSource::Stdout)
        .map(|r| r.message.len())
        .sum();
    assert!(kept <= 65536, "kept {kept} bytes");
    assert!(logged(&out.logs, LogSource::Host, "dropped"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_gets_a_fresh_instance() {
    let d = plain().dispatcher();
    for _ in 0..3 {
        let out = d
            .call("hostile", json!({ "action": "counter" }))
            .await
            .unwrap();
        assert_eq!(out.first_json().unwrap()["calls"], 1);
    }
}

#[derive(Default)]
struct Recorder {
    logs: Mutex<Vec<String>>,
    progress: Mutex<Vec<(u64, u64)>>,
}

impl CallObserver for Recorder {
    fn on_log(&self, _tool: &str, record: &LogRecord) {
        self.logs.lock().unwrap().push(record.message.clone());
    }
    fn on_progress(&self, _tool: &str, done: u64, total: u64, _message: &str) {
        self.progress.lock().unwrap().push((done, total));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_and_progress_reach_the_observer_and_are_bounded() {
    let d = plain().dispatcher();
    let recorder = Arc::new(Recorder::default());
    let out = d
        .call_observed(
            "hostile",
            json!({ "action": "chatter", "count": 5 }),
            Some(recorder.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        recorder.progress.lock().unwrap().as_slice(),
        &[(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    );
    assert_eq!(recorder.logs.lock().unwrap().len(), 5);
    assert_eq!(
        out.logs
            .iter()
            .filter(|r| r.source == LogSource::Log)
            .count(),
        5
    );
    let out = d
        .call("hostile", json!({ "action": "chatter", "count": 5000 }))
        .await
        .unwrap();
    assert_eq!(
        out.logs
            .iter()
            .filter(|r| r.source == LogSource::Log)
            .count(),
        1000
    );
    assert!(logged(&out.logs, LogSource::Host, "4000 further"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_at_concurrency_32_each_get_their_own_result() {
    let _turn = CPU_HEAVY.lock().await;
    let d = plain().dispatcher();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(32));
    let tasks: Vec<_> = (0..1000u64)
        .map(|i| {
            let d = d.clone();
            let semaphore = semaphore.clone();
            tokio::spawn(async move {
                let _permit = semaphore.acquire().await.unwrap();
                let value = json!({ "i": i, "square": i * i, "tag": format!("call-{i}") });
                let out = d
                    .call("hostile", json!({ "action": "echo", "value": value }))
                    .await;
                (value, out)
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let (sent, out) = t.await.unwrap();
        assert_eq!(out.unwrap().first_json(), Some(&sent));
        ok += 1;
    }
    assert_eq!(ok, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_arguments_name_the_json_pointer_before_the_tool_runs() {
    let reg = TestRegistry::new("tools:\n  - name: echo\n    component: builtin:echo\n");
    let d = reg.dispatcher();
    let err = d
        .call("echo", json!({ "text": 5, "json": "yes" }))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err}");
    let pointers: Vec<String> = err.details.as_ref().unwrap()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        pointers.contains(&"/text".to_owned()) && pointers.contains(&"/json".to_owned()),
        "{pointers:?}"
    );
    assert!(err.message.contains("at /text"), "{}", err.message);
    let err = d.call("ecoh", json!({})).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(
        err.message.contains("did you mean 'echo'"),
        "{}",
        err.message
    );
}

/// The host keeps a finished call's memory pages and wipes them for the next call instead
/// of handing them back to the kernel. Whatever a call wrote there must be gone for the
/// next one: a call stashes a secret in 48 MiB, and the next, in the same slot, grows its
/// memory past that much and searches all of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_cannot_read_what_the_last_one_left_in_memory() {
    let d = hostile("{timeout_ms: 20000, memory_mb: 128}", "{}").dispatcher();
    // Spelled at run time, so that the component's data cannot hold it.
    let secret = format!("secret-{}-{}", std::process::id(), "left behind");
    for _ in 0..2 {
        let out = d
            .call(
                "hostile",
                json!({ "action": "stash", "secret": secret, "megabytes": 48 }),
            )
            .await
            .unwrap();
        assert_eq!(out.first_json().unwrap()["stashed"], 48 << 20);
        let out = d
            .call(
                "hostile",
                json!({ "action": "snoop", "secret": secret, "megabytes": 64 }),
            )
            .await
            .unwrap();
        assert_eq!(out.first_json().unwrap()["found"], false);
    }
    // The search finds what its own call left.
    let out = d
        .call(
            "hostile",
            json!({ "action": "snoop", "secret": secret, "megabytes": 8, "plant": true }),
        )
        .await
        .unwrap();
    assert_eq!(out.first_json().unwrap()["found"], true);
}

// ---- Hostile promises about the host's own memory, time and slots (issue #17) ----

/// Run the hostile tool once in its own `toolhost` process: its JSON result and peak RSS.
fn measured_run(reg: &TestRegistry, input: serde_json::Value) -> common::Measured {
    common::run_measured(
        &[
            "--registry",
            reg.path.to_str().unwrap(),
            "--json",
            "run",
            "hostile",
            &input.to_string(),
        ],
        &[],
    )
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB as f64
}

/// Log spam of any shape (huge records, many records, huge progress messages, floods of
/// stdout/stderr, a flood of newlines) raises the host's peak memory by no more than
/// `max_output_bytes` and a small constant over a run that makes the same allocation in
/// the guest and spams nothing.
#[test]
fn log_spam_raises_host_rss_by_at_most_the_output_cap() {
    let _turn = CPU_HEAVY.blocking_lock();
    let cap = MIB;
    let reg = hostile(
        &format!("{{timeout_ms: 60000, memory_mb: 128, max_output_bytes: {cap}}}"),
        "{}",
    );
    let spam = |count: u64, bytes: u64, channels: &[&str], newlines: bool| {
        json!({ "action": "spam", "count": count, "bytes": bytes, "channels": channels,
                "newlines": newlines })
    };
    let all = ["log", "progress", "stdout", "stderr"];
    // Twice: the first run may compile the component, which costs memory of its own.
    measured_run(&reg, spam(0, 16 * MIB, &all, false));
    let baseline = measured_run(&reg, spam(0, 16 * MIB, &all, false));
    assert_eq!(baseline.code, Some(0));
    let shapes = [
        (
            "40 log records of 16 MiB",
            spam(40, 16 * MIB, &["log"], false),
        ),
        (
            "40 progress reports of 16 MiB",
            spam(40, 16 * MIB, &["progress"], false),
        ),
        (
            "16 MiB to stdout and stderr, 4 times",
            spam(4, 16 * MIB, &["stdout", "stderr"], false),
        ),
        (
            "200,000 log records of 100 bytes",
            spam(200_000, 100, &["log"], false),
        ),
        (
            "16 MiB of newlines to stdout and stderr",
            spam(1, 16 * MIB, &["stdout", "stderr"], true),
        ),
    ];
    let mut report = Vec::new();
    for (shape, input) in shapes {
        let run = measured_run(&reg, input);
        assert_eq!(
            run.code,
            Some(0),
            "{shape}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let raised = run.peak_rss.saturating_sub(baseline.peak_rss);
        report.push(format!("{shape}: +{:.1} MiB", mib(raised)));
        assert!(
            raised <= cap + 8 * MIB,
            "{shape} raised the host's peak RSS by {:.1} MiB (baseline {:.1} MiB, cap {:.1} \
             MiB): {report:?}",
            mib(raised),
            mib(baseline.peak_rss),
            mib(cap)
        );
    }
    eprintln!("baseline {:.1} MiB; {report:?}", mib(baseline.peak_rss));
}

/// An output of any size ends `output_too_large`, past 128 MiB too (wasmtime's own limit
/// once made that a trap), and the host never copies more of it than the cap: its peak
/// memory is that of a run making the same allocation in the guest, plus the cap.
#[test]
fn an_output_of_any_size_is_output_too_large_with_host_memory_bounded_by_the_cap() {
    let _turn = CPU_HEAVY.blocking_lock();
    let cap = 4 * MIB;
    let reg = hostile("{timeout_ms: 60000, memory_mb: 512}", "{}");
    measured_run(&reg, json!({ "action": "counter" }));
    for megabytes in [127u64, 200] {
        let same_guest_memory = measured_run(
            &reg,
            json!({ "action": "stash", "secret": "s", "megabytes": megabytes }),
        );
        assert_eq!(same_guest_memory.code, Some(0));
        let run = measured_run(
            &reg,
            json!({ "action": "big_output", "bytes": megabytes * MIB }),
        );
        let out = run.stdout_json();
        assert_eq!(
            out["error"]["code"], "output_too_large",
            "{megabytes} MiB: {out}"
        );
        let raised = run.peak_rss.saturating_sub(same_guest_memory.peak_rss);
        eprintln!(
            "{megabytes} MiB output: peak {:.1} MiB, same guest memory {:.1} MiB, +{:.1} MiB",
            mib(run.peak_rss),
            mib(same_guest_memory.peak_rss),
            mib(raised)
        );
        assert!(
            raised <= cap + 8 * MIB,
            "a {megabytes} MiB output raised the host's peak RSS by {:.1} MiB",
            mib(raised)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_empty_output_items_is_output_too_large() {
    let d = hostile("{timeout_ms: 30000, memory_mb: 512}", "{}").dispatcher();
    let err = d
        .call(
            "hostile",
            json!({ "action": "many_items", "count": 1_000_000 }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::OutputTooLarge, "{err}");
    assert!(
        err.message.contains("1000000 output items"),
        "{}",
        err.message
    );
}

/// A tool's own error is bounded like its output: a 100 MiB message and 100 MiB of
/// details come back cut, and the host never holds them whole.
#[test]
fn a_tools_own_error_is_bounded_like_its_output() {
    let _turn = CPU_HEAVY.blocking_lock();
    let reg = hostile("{timeout_ms: 60000, memory_mb: 1024}", "{}");
    measured_run(&reg, json!({ "action": "counter" }));
    let same_guest_memory = measured_run(
        &reg,
        json!({ "action": "huge_error", "bytes": 100 * MIB, "fail": false }),
    );
    assert_eq!(same_guest_memory.code, Some(0));
    let run = measured_run(&reg, json!({ "action": "huge_error", "bytes": 100 * MIB }));
    assert_eq!(
        run.code,
        Some(4),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        run.stdout.len() <= 160 * 1024,
        "{} bytes of error JSON",
        run.stdout.len()
    );
    let out = run.stdout_json();
    let error = &out["error"];
    assert_eq!(error["code"], "tool_error");
    assert_eq!(error["details"]["tool_code"], "huge");
    let message = error["message"].as_str().unwrap();
    assert!(message.len() <= 64 * 1024 + 100, "{} bytes", message.len());
    assert!(
        message.ends_with("[truncated: 104857600 bytes in all]"),
        "…{}",
        &message[message.len() - 60..]
    );
    assert!(
        error["details"]["details"]["dropped"]
            .as_str()
            .unwrap()
            .contains("over the 65536-byte limit"),
        "{error}"
    );
    let raised = run.peak_rss.saturating_sub(same_guest_memory.peak_rss);
    eprintln!(
        "huge error: peak {:.1} MiB, same guest memory {:.1} MiB",
        mib(run.peak_rss),
        mib(same_guest_memory.peak_rss)
    );
    assert!(raised <= 16 * MIB, "+{:.1} MiB", mib(raised));
}

/// Every invalid input, however large or wrong, gets an error of at most 64 KB within a
/// second, naming the first fields at fault (here: 17 MB inputs to the built-in tools
/// with an error in every element).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_invalid_input_gets_a_short_error_quickly_naming_the_first_fields() {
    let _turn = CPU_HEAVY.lock().await;
    let reg = TestRegistry::new(
        "tools:\n  - name: data\n    component: builtin:data\n  - name: calc\n    component: builtin:calc\n  - name: plot_sixel\n    component: builtin:plot_sixel\n  - name: bayesopt\n    component: builtin:bayesopt\n  - name: hostile\n    component: {hostile}\n",
    );
    let d = reg.dispatcher();
    let long = "x".repeat(60);
    let cases = [
        (
            "data",
            json!({ "text": "a\n1", "ops": vec![json!({ "op": "nope", "column": long }); 200_000] }),
            "/ops/0",
        ),
        (
            "calc",
            json!({ "expr": "x", "vars": (0..1_000_000).map(|i| (format!("v{i}"), json!(["s"]))).collect::<serde_json::Map<_, _>>() }),
            "/vars/",
        ),
        (
            "plot_sixel",
            json!({ "kind": "line", "series": [{ "x": [0], "y": vec![long.as_str(); 250_000] }] }),
            "/series",
        ),
        (
            "bayesopt",
            json!({ "objective": "x", "bounds": (0..500_000).map(|i| (format!("x{i}"), json!(long))).collect::<serde_json::Map<_, _>>() }),
            "/bounds",
        ),
        (
            "hostile",
            json!({ "action": "spam", "count": 1, "bytes": 1, "channels": vec![long.as_str(); 250_000] }),
            "/",
        ),
    ];
    let mut report = Vec::new();
    for (tool, input, first) in cases {
        d.describe(tool).await.unwrap(); // loaded: only the check is timed
        let size = input.to_string().len();
        let started = Instant::now();
        let err = d.call(tool, input).await.unwrap_err();
        let elapsed = started.elapsed();
        let error_bytes = serde_json::to_string(&err).unwrap().len();
        report.push(format!(
            "{tool}: {:.1} MB in, {error_bytes} B of error in {elapsed:?}",
            size as f64 / 1e6
        ));
        assert_eq!(err.code, ErrorCode::InvalidInput, "{tool}: {}", err.message);
        let pointer = err.details.as_ref().unwrap()["errors"][0]["pointer"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            pointer.starts_with(first),
            "{tool}: first error at {pointer}"
        );
        assert!(err.message.contains(&pointer), "{tool}: {}", err.message);
        assert!(error_bytes <= 64 * 1024, "{report:?}");
        assert!(elapsed <= Duration::from_secs(1), "{report:?}");
    }
    eprintln!("{report:?}");
}

/// mcmc with 100,000 parameters is refused within 100 ms (the schema bounds the count,
/// so the host refuses it before the tool runs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_mcmc_input_is_refused_within_100_ms() {
    let _turn = CPU_HEAVY.lock().await;
    let reg = TestRegistry::new("tools:\n  - name: mcmc\n    component: builtin:mcmc\n");
    let d = reg.dispatcher();
    d.describe("mcmc").await.unwrap();
    let names: Vec<String> = (0..100_000).map(|i| format!("p{i}")).collect();
    let input = json!({ "log_density": "p0", "parameters": names });
    let started = Instant::now();
    let err = d.call("mcmc", input).await.unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("refused in {elapsed:?}");
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err}");
    assert!(err.message.contains("/parameters"), "{}", err.message);
    assert!(elapsed <= Duration::from_millis(100), "{elapsed:?}");
}

/// Sleeping calls that take every sandbox slot of `d` (the pool holds 256).
fn fill_every_slot(
    d: &toolhost::Dispatcher,
    tool: &str,
    ms: u64,
) -> Vec<tokio::task::JoinHandle<Result<toolhost::ToolOutput, toolhost::ToolError>>> {
    (0..256)
        .map(|_| {
            let d = d.clone();
            let tool = tool.to_owned();
            tokio::spawn(async move { d.call(&tool, json!({ "action": "sleep", "ms": ms })).await })
        })
        .collect()
}

/// A tool's first use (its `describe`) waits in line for a slot like any call: while 256
/// calls hold every slot, 20 first calls of another tool wait and then succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_use_waits_for_a_free_slot_like_any_call() {
    let reg = TestRegistry::new(
        "tools:\n  - name: hostile\n    component: {hostile}\n    limits: {timeout_ms: 10000}\n  - name: echo\n    component: builtin:echo\n",
    );
    let d = reg.dispatcher();
    d.call("hostile", json!({ "action": "counter" }))
        .await
        .unwrap();
    let sleepers = fill_every_slot(&d, "hostile", 1500);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first_uses: Vec<_> = (0..20)
        .map(|i| {
            let d = d.clone();
            tokio::spawn(async move { d.call("echo", json!({ "text": format!("hi {i}") })).await })
        })
        .collect();
    for (i, call) in first_uses.into_iter().enumerate() {
        let out = call
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("first use {i}: {e}"));
        assert_eq!(out.first_text(), Some(format!("hi {i}").as_str()));
    }
    for s in sleepers {
        s.await.unwrap().unwrap();
    }
}

/// A call that waits its whole `timeout_ms` for a slot gets `busy`, which says so; never
/// a trap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_finds_no_slot_in_time_is_busy() {
    let reg = TestRegistry::new(
        "tools:\n  - name: hostile\n    component: {hostile}\n    limits: {timeout_ms: 10000}\n  - name: quick\n    component: {hostile}\n    limits: {timeout_ms: 300}\n  - name: echo\n    component: builtin:echo\n    limits: {timeout_ms: 300}\n",
    );
    let d = reg.dispatcher();
    d.call("quick", json!({ "action": "counter" }))
        .await
        .unwrap();
    let sleepers = fill_every_slot(&d, "hostile", 3000);
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (tool, input) in [
        ("quick", json!({ "action": "counter" })),
        ("echo", json!({ "text": "x" })), // its first use
    ] {
        let started = Instant::now();
        let err = d.call(tool, input).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Busy, "{tool}: {err}");
        assert!(err.code.is_retryable());
        assert!(err.message.contains("256 sandbox slots"), "{}", err.message);
        assert!(started.elapsed() >= Duration::from_millis(300), "{tool}");
        assert!(started.elapsed() < Duration::from_millis(2500), "{tool}");
    }
    for s in sleepers {
        s.await.unwrap().unwrap();
    }
}

/// Load on the instance pool: 512 concurrent calls to 8 tools (8 distinct components).
/// 256 calls to 4 loaded tools fill every slot; while they run, 256 more are the first
/// uses of the other 4. Each call succeeds or is `busy`; none is a trap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_calls_to_eight_tools_half_first_uses_succeed_or_are_busy() {
    let _turn = CPU_HEAVY.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from("tools:\n");
    for n in 0..8 {
        let path = common::hostile_variant(dir.path(), n);
        yaml.push_str(&format!(
            "  - name: t{n}\n    component: {}\n    limits: {{timeout_ms: 20000}}\n",
            path.display()
        ));
    }
    let reg = TestRegistry::new(&yaml);
    let d = reg.dispatcher();
    for n in 0..4 {
        d.describe(&format!("t{n}")).await.unwrap(); // loaded; t4..t7 stay unused
    }
    let spawn = |tool: String, ms: u64| {
        let d = d.clone();
        tokio::spawn(async move {
            let out = d.call(&tool, json!({ "action": "sleep", "ms": ms })).await;
            (tool, out)
        })
    };
    let mut calls: Vec<_> = (0..256)
        .map(|i| spawn(format!("t{}", i % 4), 800))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    calls.extend((0..256).map(|i| spawn(format!("t{}", 4 + i % 4), 100)));
    let (mut ok, mut busy) = (0, 0);
    for call in calls {
        match call.await.unwrap() {
            (_, Ok(out)) => {
                assert_eq!(out.first_text(), Some("slept"));
                ok += 1;
            }
            (_, Err(e)) if e.code == ErrorCode::Busy => busy += 1,
            (tool, Err(e)) => panic!("{tool}: {e}"),
        }
    }
    eprintln!("{ok} succeeded, {busy} busy");
    assert_eq!(ok + busy, 512);
}

/// A read-write grant may not leave symlinks for other programs to follow (a relative one
/// pointing out of the grant, say) unless the grant says `symlinks: true`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_write_grant_refuses_symlinks_unless_it_allows_them() {
    let data = tempfile::tempdir().unwrap();
    let grant = |extra: &str| {
        hostile(
            "{}",
            &format!(
                "{{dirs: [{{host: '{}', guest: /work, mode: read-write{extra}}}]}}",
                data.path().display()
            ),
        )
    };
    let link =
        json!({ "action": "symlink", "target": "../../../../etc/passwd", "path": "/work/passwd" });
    let err = grant("")
        .dispatcher()
        .call("hostile", link.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolError, "{err}");
    assert!(
        std::fs::symlink_metadata(data.path().join("passwd")).is_err(),
        "a symlink was left in the grant"
    );
    // The grant still writes files.
    grant("")
        .dispatcher()
        .call(
            "hostile",
            json!({ "action": "write_file", "path": "/work/f", "text": "x" }),
        )
        .await
        .unwrap();
    // With the grant's permission the link is made.
    grant(", symlinks: true")
        .dispatcher()
        .call("hostile", link)
        .await
        .unwrap();
    assert!(
        std::fs::symlink_metadata(data.path().join("passwd"))
            .unwrap()
            .is_symlink()
    );
}

/// A tool that describes itself with a 50 MB schema is refused when it loads, with an
/// error that says why, and the host never holds the schema.
#[test]
fn a_huge_schema_is_refused_at_load() {
    let _turn = CPU_HEAVY.blocking_lock();
    let reg = hostile(
        "{memory_mb: 512, timeout_ms: 60000}",
        "{env: [HOSTILE_SCHEMA_BYTES]}",
    );
    let describe = |bytes: &str| {
        common::run_measured(
            &[
                "--registry",
                reg.path.to_str().unwrap(),
                "--json",
                "describe",
                "hostile",
            ],
            &[("HOSTILE_SCHEMA_BYTES", bytes)],
        )
    };
    describe("0");
    let small = describe("1000");
    assert_eq!(
        small.code,
        Some(0),
        "{}",
        String::from_utf8_lossy(&small.stderr)
    );
    let huge = describe("50000000");
    let out = huge.stdout_json();
    assert_eq!(out["error"]["code"], "contract_mismatch", "{out}");
    let message = out["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("schema") && message.contains("1048576"),
        "{message}"
    );
    eprintln!(
        "describe: 1 KB schema peak {:.1} MiB, 50 MB schema peak {:.1} MiB",
        mib(small.peak_rss),
        mib(huge.peak_rss)
    );
    // The guest builds the schema and its JSON text itself (about 150 MiB of its own
    // memory); the host adds no copy of it.
    assert!(
        huge.peak_rss <= small.peak_rss + 200 * MIB,
        "{:.1} MiB",
        mib(huge.peak_rss)
    );
}
