//! linalg: 500×500 `solve` and `eigh` inside the sandbox (through `Dispatcher::call`:
//! schema validation, a fresh instance, JSON in and out; nothing subtracted) against numpy
//! single-threaded (`OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`) on the same matrices, in
//! the same run. The goal: at most 2× numpy's time. numpy is timed on its arrays alone;
//! the sandbox's figure includes shipping 250,000 numbers in as JSON, so a `norm` of the
//! same matrix is timed too, to show that fixed cost, and the host's own share of it (the
//! same schema check and serialisation `Dispatcher::call` makes, timed alone) is printed
//! beside it. faer natively on the same matrices: `cargo bench -p tool-linalg`.
//!
//! numpy comes from the venv the reference script uses (tests/fixtures/numerics):
//! `python3 -m venv target/numerics-venv && target/numerics-venv/bin/pip install numpy`,
//! or set TOOLHOST_BENCH_PYTHON to a python with numpy.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use super::Bench;
use super::stats::{median, millis};

#[path = "../../../../plugins/linalg/benches/support/matrices.rs"]
mod matrices;
use matrices::{GENERAL_SEED, N, SYMMETRIC_SEED, matrix};

const CALLS: usize = 11;
const GOAL_RATIO: f64 = 2.0;

fn python() -> PathBuf {
    std::env::var_os("TOOLHOST_BENCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/numerics-venv/bin/python")
        })
}

/// numpy's median seconds for solve and eigh on the same matrices, single-threaded.
fn numpy_medians(inputs: &Path) -> Option<(f64, f64, String)> {
    const SCRIPT: &str = r#"
import json, statistics, sys, time
import numpy as np
d = json.load(open(sys.argv[1]))
a, b, s = np.array(d["a"]), np.array(d["b"]), np.array(d["s"])
def med(f, calls):
    times = []
    for _ in range(calls):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return statistics.median(times)
calls = int(sys.argv[2])
print(json.dumps({"solve": med(lambda: np.linalg.solve(a, b), calls),
                  "eigh": med(lambda: np.linalg.eigh(s), calls),
                  "numpy": np.__version__}))
"#;
    let out = Command::new(python())
        .args(["-c", SCRIPT])
        .arg(inputs)
        .arg(CALLS.to_string())
        .env("OMP_NUM_THREADS", "1")
        .env("OPENBLAS_NUM_THREADS", "1")
        .env("MKL_NUM_THREADS", "1")
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("numpy failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((
        v["solve"].as_f64()?,
        v["eigh"].as_f64()?,
        v["numpy"].as_str()?.to_owned(),
    ))
}

/// The median of [`CALLS`] calls, and the tool's own account of the last one (its debug
/// log: computation and output building, in the guest).
fn sandbox_median_ms(bench: &Bench, input: &Value) -> (f64, String) {
    bench.call("linalg", input); // compile and warm the cache outside the figure
    let mut inside = String::new();
    let times = (0..CALLS)
        .map(|_| {
            let (out, took) = bench.call("linalg", input);
            inside = out
                .logs
                .iter()
                .map(|l| l.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            millis(took)
        })
        .collect();
    (median(times), inside)
}

/// Medians of the host's two passes over a call's input before the guest runs: the schema
/// check (the validator `Dispatcher::call` compiles from the tool's published schema) and
/// writing the arguments as JSON text for the guest.
fn host_share_ms(bench: &Bench, input: &Value) -> (f64, f64) {
    let schema = bench.describe("linalg").input_schema;
    let validator = jsonschema::validator_for(&schema).expect("linalg's schema compiles");
    let time = |f: &dyn Fn()| {
        median(
            (0..CALLS)
                .map(|_| {
                    let start = Instant::now();
                    f();
                    millis(start.elapsed())
                })
                .collect(),
        )
    };
    let check = time(&|| assert!(validator.is_valid(std::hint::black_box(input))));
    let serialise = time(&|| {
        std::hint::black_box(input.to_string());
    });
    (check, serialise)
}

pub fn run(bench: &Bench) {
    let a = matrix(GENERAL_SEED, false);
    let s = matrix(SYMMETRIC_SEED, true);
    let b: Vec<f64> = (0..N).map(|i| (i as f64).sin()).collect();
    let inputs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("linalg-bench.json");
    std::fs::write(&inputs, json!({ "a": a, "b": b, "s": s }).to_string())
        .expect("write the bench matrices");

    let (solve, solve_inside) = sandbox_median_ms(bench, &json!({ "op": "solve", "a": a, "b": b }));
    let (eigh, eigh_inside) = sandbox_median_ms(bench, &json!({ "op": "eigh", "a": s }));
    let norm_input = json!({ "op": "norm", "a": a });
    let (norm, norm_inside) = sandbox_median_ms(bench, &norm_input);
    let (check, serialise) = host_share_ms(bench, &norm_input);
    // A product of two 500×500 matrices: faer's gemm alone, 0.25 GFlop.
    let (matmul, matmul_inside) =
        sandbox_median_ms(bench, &json!({ "op": "matmul", "a": a, "b": s }));
    println!("sandbox, {N}×{N}, median of {CALLS} calls:");
    println!("  solve  {solve:8.1} ms    in the guest: {solve_inside}");
    println!(
        "  eigh   {eigh:8.1} ms  (eigenvalues and eigenvectors)    in the guest: {eigh_inside}"
    );
    println!(
        "  norm   {norm:8.1} ms  (the cost of the call and its 250,000-number input alone)    in the guest: {norm_inside}"
    );
    println!(
        "    of which the host's schema check {check:.1} ms, its serialisation {serialise:.1} ms"
    );
    println!(
        "  matmul {matmul:8.1} ms  (A·S, two matrices in, one out)    in the guest: {matmul_inside}"
    );
    match numpy_medians(&inputs) {
        Some((np_solve, np_eigh, version)) => {
            let (np_solve, np_eigh) = (np_solve * 1e3, np_eigh * 1e3);
            println!("numpy {version}, one thread, same matrices, median of {CALLS}:");
            for (op, ours, theirs) in [("solve", solve, np_solve), ("eigh", eigh, np_eigh)] {
                let ratio = ours / theirs;
                println!(
                    "  {op:6} {theirs:8.1} ms   sandbox/numpy {ratio:5.2}×  goal ≤ {GOAL_RATIO}×: {}",
                    if ratio <= GOAL_RATIO { "met" } else { "missed" }
                );
            }
        }
        None => println!(
            "numpy not found at {} (set TOOLHOST_BENCH_PYTHON): no comparison",
            python().display()
        ),
    }
}
