//! data: `describe` of a 1,000,000-row CSV (10 mixed columns) read from a granted
//! directory, time per call inside the sandbox: the 29 MB shape (the goal), and a
//! 44.5 MB one with a date and longer values. The files are written once, by the
//! generator the data plugin's native bench uses, under the target directory.

use std::path::{Path, PathBuf};

use serde_json::json;
use toolhost::{Dispatcher, DispatcherOptions, registry};

use super::Bench;
use super::stats::{median, millis};

#[path = "../../../../plugins/data/tests/common/bench_csv.rs"]
mod bench_csv;

const CALLS: usize = 10;
const GOAL_MS: f64 = 200.0;

type Writer = fn(&Path, usize) -> std::io::Result<()>;

fn bench_file(dir: &Path, name: &str, write: Writer) -> PathBuf {
    let path = dir.join(name);
    if !path.exists() {
        std::fs::create_dir_all(dir).expect("bench data directory");
        write(&path, bench_csv::ROWS).expect("write the bench CSV");
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
            compile_watcher: None,
            remote_components: None,
        },
    )
    .expect("dispatcher")
}

pub fn run(bench: &Bench) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("databench");
    let files: [(&str, Writer, bool); 2] = [
        ("compact.csv", bench_csv::write_compact, true),
        ("bench.csv", bench_csv::write, false),
    ];
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, write, _)| bench_file(&dir, name, *write))
        .collect();
    let data = dispatcher(&dir);
    for ((name, _, goal), path) in files.iter().zip(&paths) {
        let bytes = std::fs::metadata(path).expect("bench CSV").len();
        let input = json!({ "path": format!("/data/{name}") });
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
        let verdict = if !goal {
            String::new()
        } else if ms <= GOAL_MS {
            format!(" (goal {GOAL_MS:.0}, met)")
        } else {
            format!(" (goal {GOAL_MS:.0}, MISSED)")
        };
        println!(
            "describe {} rows, {:.1} MB CSV ({name}) from a granted file: median {ms:.0} ms per call over {CALLS} calls{verdict}",
            bench_csv::ROWS,
            bytes as f64 / 1e6,
        );
    }
}
