//! Times one call of the tool natively on a CSV file, with the pipeline given
//! as JSON: medians of several calls, and the tool's own split of the last
//! (open, read and parse, ops, render). For profiling what the sandbox runs.
//!
//! `cargo run --release -p tool-data --example time_ops -- FILE '[{"op": "describe"}]' [RUNS]`

use std::time::Instant;

use tool_data::{Input, run};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(ops)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: time_ops FILE OPS_JSON [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args
        .get(3)
        .map_or(7, |r| r.parse().expect("RUNS is a number"));
    let ops: serde_json::Value = serde_json::from_str(ops).expect("OPS_JSON is JSON");
    let input: Input = serde_json::from_value(serde_json::json!({ "path": path, "ops": ops }))
        .expect("a valid input");
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let (_, text) = run(&input).unwrap_or_else(|e| panic!("{e}"));
            std::hint::black_box(text);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "median {:.1} ms (min {:.1}, max {:.1}) over {runs} calls",
        times[runs / 2],
        times[0],
        times[runs - 1]
    );
}
