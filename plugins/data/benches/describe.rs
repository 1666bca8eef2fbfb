//! `describe` of the two 1,000,000-row CSVs read from a file, natively:
//! medians of reading the file, reading and parsing it, and describing it.
//! The sandbox's figure is `cargo bench -p toolhost --bench tools -- data`.
//!
//! `cargo bench -p tool-data --bench describe`

#[path = "../tests/common/bench_csv.rs"]
mod bench_csv;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tool_data::DataTool;
use toolhost_sdk::{json, testing};

const RUNS: usize = 10;

type Writer = fn(&std::path::Path, usize) -> std::io::Result<()>;

fn bench_file(name: &str, write: Writer) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("databench");
    let path = dir.join(name);
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        write(&path, bench_csv::ROWS).unwrap();
    }
    path
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e3
}

fn time(mut f: impl FnMut()) -> f64 {
    f();
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let files: [(&str, Writer); 2] = [
        ("bench.csv", bench_csv::write),
        ("compact.csv", bench_csv::write_compact),
    ];
    for (name, write) in files {
        let path = bench_file(name, write);
        let path = path.to_str().unwrap();
        let bytes = std::fs::metadata(path).unwrap().len();

        let read = time(|| {
            std::hint::black_box(std::fs::read(path).unwrap());
        });
        // head n=1 reads and parses everything, then keeps one row.
        let load = time(|| {
            let out = testing::call::<DataTool>(
                json!({ "path": path, "ops": [{ "op": "head", "n": 1 }] }),
            );
            std::hint::black_box(out.unwrap());
        });
        let describe = time(|| {
            let out = testing::call::<DataTool>(json!({ "path": path }));
            std::hint::black_box(out.unwrap());
        });
        let out = testing::call::<DataTool>(json!({ "path": path })).unwrap();
        println!("{}", out.first_text().unwrap());
        println!(
            "{name}: {} rows, {:.1} MB: medians of {RUNS} runs: read whole {read:.1} ms, read+parse {load:.1} ms, read+parse+describe {describe:.1} ms\n",
            bench_csv::ROWS,
            bytes as f64 / 1e6
        );
    }
}
