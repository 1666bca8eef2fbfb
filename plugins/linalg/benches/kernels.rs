//! The 500×500 `solve` and `eigh` of the sandbox bench (`cargo bench -p toolhost --bench
//! tools -- linalg`), natively and in parts: parsing the JSON input, faer's kernels alone,
//! writing the JSON output, and the whole call. Medians of 11 runs, in one thread. Set
//! against the sandbox's figures they split the gap into what WebAssembly costs and what
//! faer and the JSON path cost anywhere.
//!
//! `cargo bench -p tool-linalg --bench kernels`

use std::time::{Duration, Instant};

use faer::prelude::Solve;
use faer::{Mat, Side};
use tool_linalg::{Input, Linalg};
use toolhost_sdk::{Content, Tool, Value, json, testing};

#[path = "support/matrices.rs"]
mod matrices;
use matrices::{GENERAL_SEED, N, SYMMETRIC_SEED, matrix};

const RUNS: usize = 21;

/// Median and fastest of [`RUNS`] runs, in ms: on a loaded machine the fastest shows
/// the work itself, the median what a caller sees.
fn median_ms(mut f: impl FnMut()) -> (f64, f64) {
    f();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(times[RUNS / 2]), ms(times[0]))
}

/// Parse, call and serialise as the component does, returning the output's JSON text.
fn whole_call(text: &str) -> String {
    let input: Input = serde_json::from_str(text).expect("the bench input parses");
    let output = Linalg::call(input).expect("the bench call succeeds");
    output
        .content
        .into_iter()
        .map(|c| match c {
            Content::Json(v) => v.to_string(),
            Content::Text(t) => t,
            _ => String::new(),
        })
        .collect()
}

fn main() {
    let a_rows = matrix(GENERAL_SEED, false);
    let s_rows = matrix(SYMMETRIC_SEED, true);
    let b: Vec<f64> = (0..N).map(|i| (i as f64).sin()).collect();
    let solve_text = json!({ "op": "solve", "a": a_rows, "b": b }).to_string();
    let eigh_text = json!({ "op": "eigh", "a": s_rows }).to_string();
    let a = Mat::from_fn(N, N, |i, j| a_rows[i][j]);
    let s = Mat::from_fn(N, N, |i, j| s_rows[i][j]);
    let rhs = Mat::from_fn(N, 1, |i, _| b[i]);

    println!("native, {N}×{N}, median (fastest) of {RUNS} runs, one thread:");
    let row = |what: &str, (median, fastest): (f64, f64)| {
        println!("  {what:50} {median:8.2} ms ({fastest:.2})")
    };
    let a_text = serde_json::to_string(&a_rows).unwrap();
    row(
        "the matrix alone by serde_json (float_roundtrip)",
        median_ms(|| {
            std::hint::black_box(serde_json::from_str::<Vec<Vec<f64>>>(&a_text).unwrap());
        }),
    );
    row(
        "parse the solve input (JSON → Input)",
        median_ms(|| {
            std::hint::black_box(serde_json::from_str::<Input>(&solve_text).unwrap());
        }),
    );
    row(
        "faer LU with partial pivoting and solve",
        median_ms(|| {
            let lu = a.partial_piv_lu();
            std::hint::black_box(lu.solve(&rhs));
        }),
    );
    row(
        "faer self-adjoint eigen (values and vectors)",
        median_ms(|| {
            std::hint::black_box(s.self_adjoint_eigen(Side::Lower).unwrap());
        }),
    );
    row(
        "faer self-adjoint eigenvalues",
        median_ms(|| {
            std::hint::black_box(s.self_adjoint_eigenvalues(Side::Lower).unwrap());
        }),
    );
    row(
        "faer matmul A·A",
        median_ms(|| {
            std::hint::black_box(&a * &a);
        }),
    );
    // The host's passes over a call's JSON, as `Dispatcher::call` makes them.
    let solve_value: Value = serde_json::from_str(&solve_text).unwrap();
    let validator = jsonschema::validator_for(&testing::input_schema::<Linalg>()).unwrap();
    // The check reaches every entry: a string as the last one fails it.
    let mut bad = solve_value.clone();
    bad["a"][N - 1][N - 1] = json!("x");
    assert!(
        !validator.is_valid(&bad),
        "the schema check skipped the matrix"
    );
    row(
        "host: schema check of the solve input",
        median_ms(|| assert!(validator.is_valid(std::hint::black_box(&solve_value)))),
    );
    row(
        "host: the solve input, Value → JSON text",
        median_ms(|| {
            std::hint::black_box(solve_value.to_string());
        }),
    );
    let eigh_output = Linalg::call(serde_json::from_str(&eigh_text).unwrap()).unwrap();
    let Some(Content::Json(eigh_json)) = eigh_output.content.get(1) else {
        panic!("eigh returns text, then JSON");
    };
    row(
        "guest: the eigh output, Value → JSON text",
        median_ms(|| {
            std::hint::black_box(eigh_json.to_string());
        }),
    );
    let eigh_json_text = eigh_json.to_string();
    row(
        "host: the eigh output, JSON text → Value",
        median_ms(|| {
            std::hint::black_box(serde_json::from_str::<Value>(&eigh_json_text).unwrap());
        }),
    );
    row(
        "solve: the whole call (parse, solve, output)",
        median_ms(|| {
            std::hint::black_box(whole_call(&solve_text));
        }),
    );
    row(
        "eigh: the whole call (parse, solve, output)",
        median_ms(|| {
            std::hint::black_box(whole_call(&eigh_text));
        }),
    );
}
