//! Writing tools, end to end: `toolhost new` → `cargo test` → `toolhost build` →
//! `toolhost run`; and a tool written in Python (examples/stats-py) built with
//! componentize-py and run through the host.
//!
//! Builds go to directories that persist under target/ so reruns are incremental: the
//! scaffold's dependencies (serde, schemars, wit-bindgen) compile once for wasm32.

mod common;

use common::shared_cache_dir;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Instant, SystemTime};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/toolhost sits two levels below the repository root")
        .to_path_buf()
}

/// A directory under target/ that outlives the test run.
fn persistent_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("create a persistent test dir");
    dir
}

fn toolhost(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run toolhost")
}

/// A cargo for builds made from inside a test: none of the outer build's flags (coverage
/// instrumentation, say) apply to a wasm guest.
fn scrub(command: &mut Command) -> &mut Command {
    for key in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
    ] {
        command.env_remove(key);
    }
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
}

#[test]
fn a_new_tool_passes_its_tests_builds_registers_and_runs_in_the_host() {
    let work = tempfile::tempdir().unwrap();
    let crate_dir = work.path().join("wordy");
    let registry = work.path().join("registry/tool_registry.yaml");
    let target = persistent_dir("authoring-scaffold-target");
    let started = Instant::now();
    let o = scrub(&mut Command::new(env!("CARGO_BIN_EXE_toolhost")))
        .args(["new", "wordy", "--dir"])
        .arg(&crate_dir)
        .arg("--register")
        .arg(&registry)
        .arg("--target-dir")
        .arg(&target)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .output()
        .unwrap();
    ok(&o);
    eprintln!(
        "toolhost new --register (scaffold + wasm build): {:?}",
        started.elapsed()
    );
    assert!(
        text(&o.stdout).contains("added wordy to"),
        "{}",
        text(&o.stdout)
    );

    // The scaffold's own unit tests pass as they are.
    let started = Instant::now();
    let o = scrub(&mut Command::new("cargo"))
        .args(["test", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .output()
        .unwrap();
    ok(&o);
    eprintln!(
        "cargo test in the scaffold (native): {:?}",
        started.elapsed()
    );
    assert!(
        text(&o.stdout).contains("test result: ok. 3 passed"),
        "{}",
        text(&o.stdout)
    );
    // And it is formatted as rustfmt wants.
    let o = scrub(&mut Command::new("cargo"))
        .args(["fmt", "--check", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .output()
        .unwrap();
    ok(&o);

    // The registry entry is pinned and the tool runs through the host.
    let reg = registry.to_str().unwrap();
    let o = toolhost(&[
        "--registry",
        reg,
        "run",
        "wordy",
        r#"{"text": "The cat and the hat.", "top": 1}"#,
    ]);
    ok(&o);
    assert_eq!(text(&o.stdout), "5 words, 4 distinct\n");
    let o = toolhost(&[
        "--registry",
        reg,
        "--json",
        "run",
        "wordy",
        r#"{"text": "a b a"}"#,
    ]);
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(
        v["content"][1]["json"],
        json!({ "words": 3, "distinct": 2, "top": [["a", 2], ["b", 1]] })
    );
    let o = toolhost(&[
        "--registry",
        reg,
        "--json",
        "run",
        "wordy",
        r#"{"text": "  "}"#,
    ]);
    assert_eq!(o.status.code(), Some(3));
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(v["error"]["details"]["pointer"], "/text");

    // `toolhost build` gives the same component and pin the registry holds.
    let o = scrub(&mut Command::new(env!("CARGO_BIN_EXE_toolhost")))
        .args(["--json", "build"])
        .arg(&crate_dir)
        .arg("--target-dir")
        .arg(&target)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .output()
        .unwrap();
    ok(&o);
    let built: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(built["tool"], "wordy");
    let pinned = std::fs::read_to_string(&registry).unwrap();
    assert!(
        pinned.contains(&format!("sha256: {}", built["sha256"].as_str().unwrap())),
        "{pinned}"
    );
    assert!(
        built["component"]
            .as_str()
            .unwrap()
            .ends_with("wasm32-wasip2/plugin/wordy.wasm")
    );

    // A crate that does not compile: cargo's error comes through, exit code 4.
    let lib = crate_dir.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(
        &lib,
        source.replace(
            "fn default_top() -> usize {\n    3",
            "fn default_top() -> usize {\n    \"three\"",
        ),
    )
    .unwrap();
    let o = scrub(&mut Command::new(env!("CARGO_BIN_EXE_toolhost")))
        .arg("build")
        .arg(&crate_dir)
        .arg("--target-dir")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("mismatched types") && err.contains("error[build_failed]"),
        "{err}"
    );
}

#[test]
fn new_refuses_bad_names_existing_directories_and_a_missing_sdk() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().to_str().unwrap();
    let o = toolhost(&["new", "Word Count", "--dir", &format!("{dir}/a")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("invalid tool name `Word Count`: expected lowercase"),
        "{}",
        text(&o.stderr)
    );
    let o = toolhost(&["new", "fine", "--dir", dir]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("already exists; toolhost new never overwrites"),
        "{}",
        text(&o.stderr)
    );
    let o = toolhost(&[
        "new",
        "fine",
        "--dir",
        &format!("{dir}/b"),
        "--sdk",
        "/nonexistent/sdk",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("SDK was not found at `/nonexistent/sdk`"),
        "{}",
        text(&o.stderr)
    );
    assert!(!work.path().join("b").exists());
    let o = toolhost(&["build", dir]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no Cargo.toml at"),
        "{}",
        text(&o.stderr)
    );
}

/// componentize-py: $TOOLHOST_COMPONENTIZE_PY, the venv .ci/run makes under target/, or
/// PATH. Missing, the test fails saying how to install it.
fn componentize_py() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir")
        .join("componentize-py-venv/bin/componentize-py");
    let candidates = std::env::var_os("TOOLHOST_COMPONENTIZE_PY")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv, PathBuf::from("componentize-py")]);
    for candidate in candidates {
        let works = Command::new(&candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return candidate;
        }
    }
    panic!(
        "componentize-py is not installed; it builds the Python example tool. Install it \
         as .ci/run does:\n  python3 -m venv target/componentize-py-venv && \
         target/componentize-py-venv/bin/pip install -r examples/stats-py/requirements.txt\n\
         or set TOOLHOST_COMPONENTIZE_PY to a componentize-py executable"
    );
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// The example's component, built with its build.sh unless it is newer than its sources
/// (CPython makes componentizing take ~15 s; an unchanged component is not rebuilt).
fn built_stats_example() -> PathBuf {
    let example = repo_root().join("examples/stats-py");
    let out_dir = persistent_dir("stats-py");
    let wasm = out_dir.join("stats.wasm");
    let tool = componentize_py();
    // componentize-py reads all of wit/, so a file added there (a second package once broke
    // its parse) must rebuild too: the directory's own mtime changes when one is added.
    let wit = repo_root().join("wit");
    let wit_files = std::fs::read_dir(&wit).unwrap().map(|e| e.unwrap().path());
    let sources = [
        example.join("app.py"),
        example.join("build.sh"),
        example.join("requirements.txt"),
        wit.clone(),
    ]
    .into_iter()
    .chain(wit_files);
    let newest = sources.map(|p| modified(&p)).max().unwrap();
    if !wasm.is_file() || modified(&wasm) < newest {
        let started = Instant::now();
        let o = Command::new(example.join("build.sh"))
            .arg(&wasm)
            .env("COMPONENTIZE_PY", &tool)
            .output()
            .unwrap();
        ok(&o);
        eprintln!("componentize-py build of stats: {:?}", started.elapsed());
    }
    for file in ["tool_registry.yaml", "zscores.py"] {
        std::fs::copy(example.join(file), out_dir.join(file)).unwrap();
    }
    out_dir.join("tool_registry.yaml")
}

#[test]
fn the_python_example_builds_with_componentize_py_and_runs_in_the_host() {
    let registry = built_stats_example();
    let reg = registry.to_str().unwrap();

    let started = Instant::now();
    let o = toolhost(&["--registry", reg, "--json", "describe", "stats"]);
    ok(&o);
    eprintln!(
        "first describe of stats (compiles unless cached): {:?}",
        started.elapsed()
    );
    let d: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(d["name"], "stats");
    assert_eq!(d["input_schema"]["required"], json!(["data"]));
    assert_eq!(d["limits"]["memory_mb"], 128);

    let o = toolhost(&[
        "--registry",
        reg,
        "--json",
        "run",
        "stats",
        r#"{"data": [2, 4, 4, 4, 5, 5, 7, 9]}"#,
    ]);
    ok(&o);
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let s = &v["content"][1]["json"];
    assert_eq!(s["n"], 8);
    assert_eq!(s["mean"], 5.0);
    assert_eq!(s["median"], 4.5);
    assert_eq!(s["pstdev"], 2.0);
    assert_eq!(s["modes"], json!([4]));
    assert_eq!(s["quantiles"], json!([4.0, 4.5, 6.5]));
    assert!(
        (s["stdev"].as_f64().unwrap() - 2.138_089_935).abs() < 1e-9,
        "{s}"
    );

    let o = toolhost(&[
        "--registry",
        reg,
        "--json",
        "run",
        "stats",
        r#"{"data": [1, 2, 3, 4], "y": [2.1, 3.9, 6.2, 7.8]}"#,
    ]);
    let line =
        serde_json::from_str::<Value>(&text(&o.stdout)).unwrap()["content"][1]["json"]["line"]
            .clone();
    assert!(
        (line["slope"].as_f64().unwrap() - 1.94).abs() < 1e-9,
        "{line}"
    );
    assert!(
        (line["intercept"].as_f64().unwrap() - 0.15).abs() < 1e-9,
        "{line}"
    );

    // Refused by the host's schema check, and by the tool itself; both name the field.
    let o = toolhost(&[
        "--registry",
        reg,
        "--json",
        "run",
        "stats",
        r#"{"data": []}"#,
    ]);
    assert_eq!(o.status.code(), Some(3));
    let e: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(e["error"]["details"]["errors"][0]["pointer"], "/data");
    let o = toolhost(&[
        "--registry",
        reg,
        "--json",
        "run",
        "stats",
        r#"{"data": [1, 2, 3], "y": [1, 2]}"#,
    ]);
    assert_eq!(o.status.code(), Some(3));
    let e: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(e["error"]["details"]["pointer"], "/y");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`y` has 2 values but `data` has 3")
    );

    // The example registry's script uses the Python tool and calc together.
    let o = toolhost(&[
        "--registry",
        reg,
        "--json",
        "run-script",
        "zscores",
        r#"{"data": [1, 2, 3, 4, 100], "threshold": 1.5}"#,
    ]);
    ok(&o);
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(v["value"]["flagged"], json!([100]));
    assert_eq!(v["tool_calls"], 2);
}

/// The cost of a CPython component in the host: compile cold, load from the compile cache,
/// and per call. `cargo test --release --test authoring -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_python_component_compile_cache_and_calls() {
    let registry = built_stats_example();
    let cold_cache = tempfile::tempdir().unwrap();
    let cache = cold_cache.path().to_str().unwrap();
    let reg = registry.to_str().unwrap();
    let time = |args: &[&str]| {
        let started = Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
            .args(["--registry", reg, "--cache-dir", cache])
            .args(args)
            .output()
            .unwrap();
        ok(&o);
        started.elapsed()
    };
    let input = r#"{"data": [2, 4, 4, 4, 5, 5, 7, 9]}"#;
    eprintln!(
        "cold: compile + one call, one process: {:?}",
        time(&["run", "stats", input])
    );
    let mut warm: Vec<_> = (0..7).map(|_| time(&["run", "stats", input])).collect();
    warm.sort();
    eprintln!(
        "warm compile cache: one call, one process, median of 7: {:?}",
        warm[3]
    );
    let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args([
            "--registry",
            reg,
            "--cache-dir",
            cache,
            "--json",
            "bench",
            "--tool",
            "stats",
            "--input",
            input,
            "--calls",
            "200",
            "--processes",
            "0",
        ])
        .output()
        .unwrap();
    ok(&o);
    eprintln!("in-process per call: {}", text(&o.stdout));
}

#[test]
fn building_a_crate_made_for_another_contract_version_names_both_versions() {
    let fixture = repo_root().join("tests/fixtures/future-contract");
    let o = scrub(&mut Command::new(env!("CARGO_BIN_EXE_toolhost")))
        .arg("build")
        .arg(&fixture)
        .arg("--target-dir")
        .arg(persistent_dir("authoring-scaffold-target"))
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("error[contract_mismatch]"), "{err}");
    assert!(
        err.contains("toolhost:tool@0.2.0") && err.contains("toolhost:tool@0.1.0"),
        "{err}"
    );
}
