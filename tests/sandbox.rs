//! The sandbox's promises, each proven by a hostile component that tries to break it.

mod common;

use common::{TestRegistry, logged};
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
        let started = Instant::now();
        let err = d
            .call("hostile", json!({ "action": "spin" }))
            .await
            .unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(err.code, ErrorCode::Timeout, "{err}");
        assert_eq!(err.tool.as_deref(), Some("hostile"));
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
