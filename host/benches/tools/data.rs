//! data: `describe` of a 1,000,000-row CSV (10 mixed columns) read from a granted
//! directory, time per call inside the sandbox. The file is written once, by the
//! generator the data plugin's native bench uses, under the target directory.

use std::path::{Path, PathBuf};

use serde_json::json;
use toolhost::{Dispatcher, DispatcherOptions, registry};

use super::Bench;
use super::stats::{median, millis};

#[path = "../../../plugins/data/tests/common/bench_csv.rs"]
mod bench_csv;

const CALLS: usize = 10;
const GOAL_MS: f64 = 200.0;

fn bench_file(dir: &Path) -> PathBuf {
    let path = dir.join("bench.csv");
    if !path.exists() {
        std::fs::create_dir_all(dir).expect("bench data directory");
        bench_csv::write(&path, bench_csv::ROWS).expect("write the bench CSV");
    }
    path
}

/// The built-in data tool with `dir` granted read-only at /data.
fn dispatcher(dir: &Path) -> Dispatcher {
    let yaml = format!(
        "tools:\n  - name: data\n    component: builtin:data\n    limits: {{ timeout_ms: 30000, memory_mb: 512, max_output_bytes: 8388608 }}\n    grants:\n      dirs: [ {{ host: {:?}, guest: /data, mode: read-only }} ]\n",
        dir.display().to_string()
    );
    let registry = registry::parse_str(&yaml, None).expect("bench registry");
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolhost-bench-cache");
    Dispatcher::new(
        registry,
        DispatcherOptions {
            cache_dir: Some(cache),
        },
    )
    .expect("dispatcher")
}

pub fn run(bench: &Bench) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("databench");
    let path = bench_file(&dir);
    let bytes = std::fs::metadata(&path).expect("bench CSV").len();
    let data = dispatcher(&dir);
    let input = json!({ "path": "/data/bench.csv" });
    let call = || {
        let start = std::time::Instant::now();
        bench
            .runtime
            .block_on(data.call("data", input.clone()))
            .unwrap_or_else(|e| panic!("data failed: {e}"));
        start.elapsed()
    };
    call();
    let ms = median((0..CALLS).map(|_| millis(call())).collect());
    println!(
        "describe {} rows, {:.1} MB CSV from a granted file: median {ms:.0} ms per call over {CALLS} calls (goal {GOAL_MS:.0}, {})",
        bench_csv::ROWS,
        bytes as f64 / 1e6,
        if ms <= GOAL_MS { "met" } else { "MISSED" },
    );
}
