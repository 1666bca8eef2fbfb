//! Median simple regret (best found minus the global minimum) and median
//! seconds per run over seeds 1..=10, natively, through the tool's own input,
//! on Branin (30 evaluations), Hartmann-6 (60) and Ackley-5 (60), each with
//! 10 design points; beside them, in the same run, Optuna's GPSampler on the
//! same problems when its venv exists (see `support/optuna.rs`). The
//! sandbox's figure is `cargo bench -p toolhost --bench tools -- bayesopt`.
//!
//! `cargo bench -p tool-bayesopt --bench regret [-- Branin Hartmann-6 Ackley-5]`
//! (`--no-optuna` skips the anchor; `BAYESOPT_EXTRA='{"xi": 0.01}'` adds
//! settings to every call, to compare them on the same seeds;
//! `BAYESOPT_SEEDS=11-20` takes other seeds than 1-10, for both)

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/optuna.rs"]
mod optuna;

use std::time::Instant;

use common::*;
use toolhost_sdk::{Value, json};

/// Seeds 1..=10, or `BAYESOPT_SEEDS` ("A-B").
fn seeds() -> std::ops::RangeInclusive<u64> {
    let spec = std::env::var("BAYESOPT_SEEDS").unwrap_or_else(|_| "1-10".into());
    let (a, b) = spec
        .split_once('-')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .expect("BAYESOPT_SEEDS is A-B");
    a..=b
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

fn rounded(v: &[f64]) -> Vec<f64> {
    v.iter().map(|r| (r * 1e4).round() / 1e4).collect()
}

/// Median regret and seconds per run over the seeds, printing every seed's regret.
fn bench(name: &str, objective: &str, bounds: Value, n_calls: usize, minimum: f64) -> (f64, f64) {
    let (mut regrets, mut seconds) = (Vec::new(), Vec::new());
    for seed in seeds() {
        let mut input = json!({
            "objective": objective, "bounds": bounds, "n_calls": n_calls,
            "n_initial": 10, "seed": seed,
        });
        if let Ok(extra) = std::env::var("BAYESOPT_EXTRA") {
            let extra: Value = toolhost_sdk::serde_json::from_str(&extra).unwrap();
            for (k, v) in extra.as_object().unwrap() {
                input[k] = v.clone();
            }
        }
        let start = Instant::now();
        let out = call(input).unwrap();
        seconds.push(start.elapsed().as_secs_f64());
        regrets.push(best_y(&out) - minimum);
    }
    let (regret, secs) = (median(regrets.clone()), median(seconds));
    println!(
        "{name:<11} {n_calls:>3} evaluations: median regret {regret:.4}, median {secs:.3} s per \
         run (regrets {:?})",
        rounded(&regrets)
    );
    (regret, secs)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| *o == name);
    let mut ours = Vec::new();
    if wanted("Branin") {
        let r = bench(
            "Branin",
            BRANIN,
            json!({"x": [-5, 10], "y": [0, 15]}),
            30,
            BRANIN_MIN,
        );
        ours.push(("Branin", r));
    }
    if wanted("Hartmann-6") {
        let r = bench(
            "Hartmann-6",
            &hartmann6(),
            unit_bounds(6, 0.0, 1.0),
            60,
            HARTMANN6_MIN,
        );
        ours.push(("Hartmann-6", r));
    }
    if wanted("Ackley-5") {
        let r = bench(
            "Ackley-5",
            &ackley(5),
            unit_bounds(5, -32.768, 32.768),
            60,
            0.0,
        );
        ours.push(("Ackley-5", r));
    }
    if args.iter().any(|a| a == "--no-optuna") {
        return;
    }
    let names: Vec<&str> = ours.iter().map(|(name, _)| *name).collect();
    let runs = match optuna::runs(seeds(), &names) {
        Ok(runs) => runs,
        Err(why) => {
            println!("no Optuna anchor ({why}): see benches/support/optuna.rs");
            return;
        }
    };
    for (name, (regret, secs)) in ours {
        let Some(t) = runs.get(name) else { continue };
        let (r, s) = (median(t.regrets.clone()), median(t.seconds.clone()));
        println!(
            "{name:<11} Optuna {} GPSampler: median regret {r:.4}, median {s:.3} s per run \
             (regrets {:?}); ours/Optuna: regret {:.2}, time {:.3}",
            t.version,
            rounded(&t.regrets),
            regret / r,
            secs / s
        );
    }
}
