//! Median simple regret (best found minus the global minimum) and median
//! seconds per run over seeds 1..=10, natively, through the tool's own input,
//! on Branin (30 evaluations), Hartmann-6 (60) and Ackley-5 (60), each with
//! 10 design points. The sandbox's figure is
//! `cargo bench -p toolhost --bench tools -- bayesopt`.
//!
//! `cargo bench -p tool-bayesopt --bench regret`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::*;
use toolhost_sdk::{Value, json};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

fn bench(name: &str, objective: &str, bounds: Value, n_calls: usize, minimum: f64) {
    let (mut regrets, mut seconds) = (Vec::new(), Vec::new());
    for seed in 1..=10u64 {
        let start = Instant::now();
        let out = call(json!({
            "objective": objective, "bounds": bounds, "n_calls": n_calls,
            "n_initial": 10, "seed": seed,
        }))
        .unwrap();
        seconds.push(start.elapsed().as_secs_f64());
        regrets.push(best_y(&out) - minimum);
    }
    println!(
        "{name:<11} {n_calls:>3} evaluations: median regret {:.4}, median {:.3} s per run (regrets {:?})",
        median(regrets.clone()),
        median(seconds),
        regrets
            .iter()
            .map(|r| (r * 1e4).round() / 1e4)
            .collect::<Vec<_>>()
    );
}

fn main() {
    bench(
        "Branin",
        BRANIN,
        json!({"x": [-5, 10], "y": [0, 15]}),
        30,
        BRANIN_MIN,
    );
    bench(
        "Hartmann-6",
        &hartmann6(),
        unit_bounds(6, 0.0, 1.0),
        60,
        HARTMANN6_MIN,
    );
    bench(
        "Ackley-5",
        &ackley(5),
        unit_bounds(5, -32.768, 32.768),
        60,
        0.0,
    );
}
