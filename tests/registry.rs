//! Registry errors name the file, line and column and what was expected; pins are enforced.

mod common;

use common::{TestRegistry, fixture};
use serde_json::json;
use sha2::{Digest, Sha256};
use toolhost::registry::{self, RegistryError};
use toolhost::{Dispatcher, DispatcherOptions, ErrorCode};

fn load_err(yaml: &str) -> (RegistryError, std::path::PathBuf, TestRegistry) {
    let reg = TestRegistry::new(yaml);
    let err = registry::load_file(&reg.path).expect_err("registry should be refused");
    let path = reg.path.clone();
    (err, path, reg)
}

fn first(err: &RegistryError) -> (usize, usize, String) {
    let p = &err.problems[0];
    let pos = p.position.expect("a position");
    (pos.line, pos.column, p.message.clone())
}

#[test]
fn unknown_key_is_located_and_lists_the_expected_keys() {
    let (err, path, _r) =
        load_err("tools:\n  - name: echo\n    component: builtin:echo\n    limts: {}\n");
    let (line, col, msg) = first(&err);
    assert_eq!((line, col), (4, 5), "{err}");
    assert!(
        msg.contains("unknown field `limts`") && msg.contains("`limits`"),
        "{msg}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("{}:4:5: ", path.display())),
        "{err}"
    );
}

#[test]
fn wrong_type_is_located() {
    let (err, _, _r) = load_err(
        "tools:\n  - name: echo\n    component: builtin:echo\n    limits:\n      timeout_ms: soon\n",
    );
    let (line, col, msg) = first(&err);
    assert_eq!((line, col), (5, 19), "{err}");
    assert!(
        msg.contains("invalid type") && msg.contains("timeout_ms"),
        "{msg}"
    );
}

#[test]
fn missing_component_file_is_located_at_the_component_value() {
    let (err, _, _r) = load_err("tools:\n  - name: gone\n    component: ./nowhere/gone.wasm\n");
    let (line, col, msg) = first(&err);
    assert_eq!((line, col), (3, 16), "{err}");
    assert!(
        msg.contains("gone.wasm") && msg.contains("cannot be read"),
        "{msg}"
    );
}

#[test]
fn all_semantic_problems_are_reported_together() {
    let yaml = "tools:\n  - name: echo\n    component: builtin:ecoh\n  - name: echo\n    component: builtin:echo\n    limits: {memory_mb: 0}\n    grants: {network: ['ftp://x'], dirs: [{host: /nonexistent-dir}]}\n";
    let (err, _, _r) = load_err(yaml);
    let text = err.to_string();
    assert_eq!(err.problems.len(), 5, "{text}");
    assert!(
        text.contains(
            ":3:16: unknown built-in component `builtin:ecoh` (did you mean `builtin:echo`?)"
        ),
        "{text}"
    );
    assert!(
        text.contains(":4:11: duplicate tool name `echo` (first defined at line 2)"),
        "{text}"
    );
    assert!(
        text.contains("`memory_mb` must be between 1 and 4096, not 0"),
        "{text}"
    );
    assert!(text.contains("unsupported scheme `ftp`"), "{text}");
    assert!(text.contains("/nonexistent-dir"), "{text}");
}

#[test]
fn network_limits_and_grants_are_checked_with_their_position() {
    let (err, _, _r) = load_err(
        "defaults:\n  limits: {max_response_bytes: 0}\ntools:\n  - name: echo\n    component: builtin:echo\n    limits:\n      max_response_bytes: 2000000000\n    grants:\n      network: [ok.example.com, 'https://x.org/path']\n",
    );
    let text = err.to_string();
    assert_eq!(err.problems.len(), 3, "{text}");
    assert!(
        text.contains(":2:32: `max_response_bytes` must be between 1 and 1073741824, not 0"),
        "{text}"
    );
    assert!(
        text.contains(
            ":7:27: `max_response_bytes` must be between 1 and 1073741824, not 2000000000"
        ),
        "{text}"
    );
    assert!(
        text.contains(":9:33: `https://x.org/path` has a path"),
        "{text}"
    );
    let reg = TestRegistry::new(
        "tools:\n  - name: echo\n    component: builtin:echo\n    limits: {max_response_bytes: 1024}\n",
    )
    .load();
    assert_eq!(reg.get("echo").unwrap().limits.max_response_bytes, 1024);
}

#[test]
fn bad_tool_name_and_bad_pin_format_are_refused() {
    let (err, _, _r) =
        load_err("tools:\n  - name: Bad Name\n    component: builtin:echo\n    sha256: abc\n");
    let text = err.to_string();
    assert!(
        text.contains(":2:11: invalid tool name `Bad Name`"),
        "{text}"
    );
    assert!(text.contains(":4:13: invalid sha256 pin"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_sha256_refuses_that_tool_with_pin_mismatch_and_keeps_the_others() {
    let bytes = std::fs::read(fixture("hostile")).unwrap();
    let actual = hex::encode(Sha256::digest(&bytes));
    let wrong = "0".repeat(64);
    let reg = TestRegistry::new(&format!(
        "tools:\n  - name: pinned\n    component: {{hostile}}\n    sha256: {wrong}\n  - name: good\n    component: {{hostile}}\n    sha256: {actual}\n"
    ));
    let d = reg.dispatcher();
    let err = d
        .call("pinned", json!({ "action": "counter" }))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::PinMismatch, "{err}");
    assert!(
        err.message.contains(&actual) && err.message.contains(&wrong),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("tool_registry.yaml:4:13"),
        "{}",
        err.message
    );
    let out = d
        .call("good", json!({ "action": "counter" }))
        .await
        .unwrap();
    assert_eq!(out.first_json().unwrap()["calls"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_a_component_is_refused_with_contract_mismatch() {
    let reg = TestRegistry::new("tools:\n  - name: junk\n    component: junk.wasm\n");
    std::fs::write(reg.dir.path().join("junk.wasm"), b"not wasm at all").unwrap();
    let d = reg.dispatcher();
    let err = d.call("junk", json!({})).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ContractMismatch, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compile_cache_is_reused_and_a_corrupt_entry_is_recompiled() {
    let cache = tempfile::tempdir().unwrap();
    // Only this tool: the cache must hold its entry alone.
    let reg =
        TestRegistry::new("builtins: none\ntools:\n  - name: hostile\n    component: {hostile}\n");
    let options = DispatcherOptions {
        cache_dir: Some(cache.path().to_owned()),
        compile_watcher: None,
        remote_components: None,
    };
    let cache_of = |options: &DispatcherOptions| {
        let d = Dispatcher::new(reg.load(), options.clone()).unwrap();
        async move { d.check().await.remove(0).cache.unwrap() }
    };
    assert_eq!(cache_of(&options).await, "compiled");
    assert_eq!(cache_of(&options).await, "hit");
    let entry = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .unwrap();
    let mut bytes = std::fs::read(&entry).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&entry, &bytes).unwrap();
    let outcome = cache_of(&options).await;
    assert!(outcome.starts_with("replaced (corrupt entry"), "{outcome}");
    assert_eq!(cache_of(&options).await, "hit");
    // A foreign entry (another engine's, or garbage with a valid checksum) is not trusted.
    let body = b"definitely not a compiled component";
    let mut sum = b"THCSUM2\0".to_vec();
    sum.extend_from_slice(&crc32(body).to_le_bytes());
    sum.extend_from_slice(&(body.len() as u64).to_le_bytes());
    std::fs::write(&entry, body).unwrap();
    std::fs::write(entry.with_extension("sum"), sum).unwrap();
    let outcome = cache_of(&options).await;
    assert!(
        outcome.starts_with("replaced (incompatible entry"),
        "{outcome}"
    );
    let d = Dispatcher::new(reg.load(), options).unwrap();
    assert_eq!(
        d.call("hostile", json!({ "action": "counter" }))
            .await
            .unwrap()
            .first_json()
            .unwrap()["calls"],
        1
    );
}

/// CRC-32 (IEEE), as the cache's sidecar records it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_repository_registry_is_valid() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tool_registry.yaml");
    let reg = registry::load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(reg.get("calc").is_some() && reg.get("echo").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_built_against_another_contract_version_is_refused_naming_both() {
    let path = fixture("future-contract");
    let reg = TestRegistry::new(&format!(
        "tools:\n  - name: future\n    component: {}\n",
        path.display()
    ));
    let err = reg
        .dispatcher()
        .call("future", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ContractMismatch, "{err}");
    assert!(
        err.message.contains("toolhost:tool@0.2.0") && err.message.contains("toolhost:tool@0.1.0"),
        "{}",
        err.message
    );
}

/// 100,000 nested `[` once took 40 s to reject; nesting past 64 levels is refused before
/// parsing, at the line and column where it passed the bound.
#[test]
fn deeply_nested_yaml_is_refused_at_once_with_its_line_and_column() {
    for (yaml, line, column) in [
        (format!("tools: {}", "[".repeat(100_000)), 1, 71),
        (
            format!("tools:\n  - name: a\n    x: {}\n", "{a: ".repeat(100_000)),
            3,
            252,
        ),
        (format!("tools:\n{}x\n", "- ".repeat(100_000)), 2, 127),
    ] {
        let started = std::time::Instant::now();
        let (err, path, _r) = load_err(&yaml);
        eprintln!("refused in {:?}", started.elapsed());
        let (l, c, msg) = first(&err);
        assert_eq!((l, c), (line, column), "{err}");
        assert!(msg.contains("more than 64 levels"), "{msg}");
        assert!(
            err.to_string()
                .starts_with(&format!("{}:{line}:{column}: ", path.display())),
            "{err}"
        );
    }
}

/// The interpreter is built in: a component-file limit under `python:` is refused at
/// its position rather than silently ignored.
#[test]
fn a_component_file_limit_under_python_is_refused() {
    let (err, _, _r) = load_err("tools: []\npython:\n  limits: {max_component_mb: 512}\n");
    let (line, _, msg) = first(&err);
    assert_eq!(line, 3, "{err}");
    assert!(msg.contains("max_component_mb applies to tools"), "{msg}");
}

/// A component file is refused by its size before it is read: 256 MiB unless the entry
/// raises `limits.max_component_mb`; a file that grows after the registry was checked is
/// still refused before it is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_component_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.wasm");
    // Sparse: 300 MiB on paper, nothing on disk.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(300 << 20)
        .unwrap();
    let yaml = |limits: &str| {
        format!(
            "tools:\n  - name: big\n    component: {}\n    limits: {{{limits}}}\n",
            big.display()
        )
    };
    let (err, _, _r) = load_err(&yaml(""));
    let (line, col, msg) = first(&err);
    assert_eq!((line, col), (3, 16), "{err}");
    assert!(
        msg.contains("314572800 bytes") && msg.contains("256 MiB limit"),
        "{msg}"
    );
    assert!(msg.contains("max_component_mb"), "{msg}");
    // Raised, the file is read (and refused for what it is, not for its size).
    let raised = TestRegistry::new(&yaml("max_component_mb: 512"));
    let err = raised.dispatcher().describe("big").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ContractMismatch, "{err}");
    // Small when the registry is checked, large when the tool loads.
    let grows = dir.path().join("grows.wasm");
    std::fs::copy(fixture("hostile"), &grows).unwrap();
    let reg = TestRegistry::new(&format!(
        "tools:\n  - name: grows\n    component: {}\n",
        grows.display()
    ));
    let d = reg.dispatcher();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&grows)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let started = std::time::Instant::now();
    let err = d.describe("grows").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Registry, "{err}");
    assert!(
        err.message.contains("over the 256 MiB limit"),
        "{}",
        err.message
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

/// 5,000 entries of a few distinct components: `check` compiles and describes each
/// component once and stays under 1 GB; `list` marks none unavailable.
#[test]
fn five_thousand_entries_of_a_few_components_check_in_under_a_gigabyte() {
    let dir = tempfile::tempdir().unwrap();
    let variants: Vec<_> = (0..4)
        .map(|n| common::hostile_variant(dir.path(), 100 + n))
        .collect();
    // Only the 5,000 entries: the built-in tools are left out.
    let mut yaml = String::from("builtins: none\ntools:\n");
    for i in 0..5000 {
        let component = match i % 6 {
            4 => "builtin:echo".to_owned(),
            5 => "builtin:calc".to_owned(),
            n => variants[n].display().to_string(),
        };
        yaml.push_str(&format!("  - name: t{i}\n    component: {component}\n"));
    }
    let path = dir.path().join("tool_registry.yaml");
    std::fs::write(&path, yaml).unwrap();
    let path = path.to_str().unwrap();
    let started = std::time::Instant::now();
    let check = common::run_measured(&["--registry", path, "--json", "check"], &[]);
    let elapsed = started.elapsed();
    let out = check.stdout_json();
    assert_eq!(
        out["ok"],
        true,
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(out["tools"].as_array().unwrap().len(), 5000);
    eprintln!(
        "check: 5,000 entries in {elapsed:?}, peak RSS {:.0} MiB",
        check.peak_rss as f64 / (1 << 20) as f64
    );
    assert!(check.peak_rss <= 1 << 30, "{} bytes", check.peak_rss);
    let list = common::run_measured(&["--registry", path, "--json", "list"], &[]);
    let out = list.stdout_json();
    let unavailable = out["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t.get("error").is_some())
        .count();
    assert_eq!(unavailable, 0, "{}", out["tools"][0]);
    assert_eq!(out["ok"], true);
}
