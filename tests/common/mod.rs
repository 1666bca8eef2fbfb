//! Shared helpers for the end-to-end tests: registries written to temp dirs that point at
//! the real components built by host/build.rs.
#![allow(dead_code)]

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
                scripts: None,
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
