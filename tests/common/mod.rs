//! Shared helpers for the end-to-end tests: registries written to temp dirs that point at
//! the real components built by host/build.rs.
#![allow(dead_code)]

pub mod mcp_client;

use std::path::{Path, PathBuf};
use toolhost::registry::{self, ToolRegistry};
use toolhost::{Dispatcher, DispatcherOptions};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(toolhost::core::TEST_FIXTURES_DIR).join(format!("{name}.wasm"))
}

/// A temp dir holding `tool_registry.yaml` with `yaml` (where `{hostile}` is replaced by
/// the hostile fixture's path).
pub struct TestRegistry {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestRegistry {
    pub fn new(yaml: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("tool_registry.yaml");
        let yaml = yaml.replace("{hostile}", &fixture("hostile").display().to_string());
        std::fs::write(&path, yaml).expect("write registry");
        TestRegistry { dir, path }
    }

    pub fn load(&self) -> ToolRegistry {
        registry::load_file(&self.path).unwrap_or_else(|e| panic!("registry should load:\n{e}"))
    }

    pub fn dispatcher(&self) -> Dispatcher {
        Dispatcher::new(
            self.load(),
            DispatcherOptions {
                cache_dir: Some(shared_cache_dir()),
                compile_watcher: None,
                remote_components: None,
            },
        )
        .expect("dispatcher")
    }
}

/// One compile cache for the whole test run: compiling the same components in every test
/// would only make the suite slow.
pub fn shared_cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolhost-test-cache")
}

/// Whether a record from `source` mentions `needle`.
pub fn logged(logs: &[toolhost::LogRecord], source: toolhost::LogSource, needle: &str) -> bool {
    logs.iter()
        .any(|r| r.source == source && r.message.contains(needle))
}

/// A finished run of the toolhost binary, with its peak resident memory.
pub struct Measured {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The process's peak resident set (its VmHWM), in bytes, as last seen before it exited.
    pub peak_rss: u64,
}

impl Measured {
    pub fn stdout_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(2000)]),
                String::from_utf8_lossy(&self.stderr)
            )
        })
    }
}

/// Run `toolhost ARGS` (with the tests' compile cache) and measure its peak memory: its
/// VmHWM, read from /proc every millisecond until it exits. (`wait4`'s `ru_maxrss` would
/// not do: Linux folds the spawning process's own peak, this test binary's, into it.)
pub fn run_measured(args: &[&str], env: &[(&str, &str)]) -> Measured {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args(args)
        .envs(env.iter().copied())
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run toolhost");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).map(|_| bytes)
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr.read_to_end(&mut bytes).map(|_| bytes)
    });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_rss = 0;
    let status = loop {
        // The high-water mark only grows: the last reading is the peak so far.
        if let Some(kb) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| vm_hwm_kb(&s))
        {
            peak_rss = peak_rss.max(kb * 1024);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    assert!(peak_rss > 0, "no VmHWM was read for {args:?}");
    Measured {
        code: status.code(),
        stdout: out.join().unwrap().unwrap(),
        stderr: err.join().unwrap().unwrap(),
        peak_rss,
    }
}

fn vm_hwm_kb(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A copy of the hostile fixture made distinct by a custom section: same behaviour,
/// another sha256, so it is compiled and described as a component of its own.
pub fn hostile_variant(dir: &Path, n: usize) -> PathBuf {
    let mut bytes = std::fs::read(fixture("hostile")).expect("read the hostile fixture");
    let name = b"toolhost-test-variant";
    let payload = n.to_le_bytes();
    bytes.push(0); // custom section
    bytes.push((1 + name.len() + payload.len()) as u8);
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(&payload);
    let path = dir.join(format!("hostile-{n}.wasm"));
    std::fs::write(&path, bytes).expect("write a hostile variant");
    path
}

pub const MIB: u64 = 1 << 20;

/// A program a test drives, installed by .ci/run under the target directory; a missing one
/// fails the test saying how to install it.
pub fn installed(relative: &str, how: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir")
        .join(relative);
    assert!(
        path.exists(),
        "{} is not installed; install it as .ci/run does:\n  {how}",
        path.display()
    );
    path
}
