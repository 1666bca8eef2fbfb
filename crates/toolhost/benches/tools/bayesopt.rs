//! bayesopt against Optuna's GPSampler, in one run: median simple regret (best found minus
//! the global minimum) and median seconds per run over seeds 1..=10, on Branin (30
//! evaluations), Hartmann-6 (60) and Ackley-5 (60), with both tools' default settings
//! (10 initial points each). Ours is the whole `Dispatcher::call` in the sandbox; Optuna's
//! is `study.optimize` in `plugins/bayesopt/benches/optuna_reference.py`. The goal
//! (issue 20): our regret at most Optuna's on every problem, at most 1 s per run.
//!
//! Optuna runs from a venv the bench never creates (not in CI): see the top of
//! `plugins/bayesopt/benches/support/optuna.rs`.

use serde_json::{Value, json};

use super::Bench;
use super::stats::median;

#[path = "../../../../plugins/bayesopt/tests/common/problems.rs"]
mod problems;
use problems::{BRANIN, BRANIN_MIN, HARTMANN6_MIN, ackley, hartmann6, unit_bounds};

#[path = "../../../../plugins/bayesopt/benches/support/optuna.rs"]
mod optuna;

const SEEDS: u64 = 10;
/// The time goal per run, in seconds.
const SECONDS_GOAL: f64 = 1.0;

struct Problem {
    /// As `optuna_reference.py` names it.
    name: &'static str,
    objective: String,
    bounds: Value,
    n_calls: usize,
    minimum: f64,
}

/// Median regret and median seconds per run of ours, in the sandbox.
fn ours(bench: &Bench, p: &Problem) -> (f64, f64) {
    let (mut regrets, mut seconds) = (Vec::new(), Vec::new());
    for seed in 1..=SEEDS {
        let input = json!({
            "objective": p.objective,
            "bounds": p.bounds,
            "n_calls": p.n_calls,
            "seed": seed,
        });
        let (out, took) = bench.call("bayesopt", &input);
        let best = out.first_json().expect("bayesopt answers JSON")["best"]["y"]
            .as_f64()
            .expect("best.y");
        regrets.push(best - p.minimum);
        seconds.push(took.as_secs_f64());
    }
    (median(regrets), median(seconds))
}

pub fn run(bench: &Bench) {
    let problems = [
        Problem {
            name: "Branin",
            objective: BRANIN.to_owned(),
            bounds: json!({"x": [-5, 10], "y": [0, 15]}),
            n_calls: 30,
            minimum: BRANIN_MIN,
        },
        Problem {
            name: "Hartmann-6",
            objective: hartmann6(),
            bounds: unit_bounds(6, 0.0, 1.0),
            n_calls: 60,
            minimum: HARTMANN6_MIN,
        },
        Problem {
            name: "Ackley-5",
            objective: ackley(5),
            bounds: unit_bounds(5, -32.768, 32.768),
            n_calls: 60,
            minimum: 0.0,
        },
    ];
    let measured: Vec<(f64, f64)> = problems.iter().map(|p| ours(bench, p)).collect();
    // After ours, so that the two never share the cores.
    let anchor = optuna::runs(1..=SEEDS, &[]);
    match &anchor {
        Ok(runs) => println!(
            "median over seeds 1..={SEEDS}, default settings; Optuna {} GPSampler",
            runs.values().next().map_or("?", |r| r.version.as_str())
        ),
        Err(why) => println!(
            "median over seeds 1..={SEEDS}, default settings; no Optuna anchor ({why}): see \
             the top of plugins/bayesopt/benches/support/optuna.rs"
        ),
    }
    println!(
        "{:<11} {:>5} {:>12} {:>9} {:>14} {:>11} {:>13} {:>9}",
        "problem",
        "evals",
        "ours: regret",
        "s/run",
        "Optuna: regret",
        "s/run",
        "regret ratio",
        "goal"
    );
    for (p, &(regret, secs)) in problems.iter().zip(&measured) {
        let theirs = anchor.as_ref().ok().and_then(|runs| runs.get(p.name));
        let (their_regret, their_secs, ratio, met) = match theirs {
            Some(t) => {
                let (r, s) = (median(t.regrets.clone()), median(t.seconds.clone()));
                let met = regret <= r && secs <= SECONDS_GOAL;
                (
                    format!("{r:.4}"),
                    format!("{s:.3}"),
                    format!("{:.2}", regret / r),
                    if met { "met" } else { "MISSED" },
                )
            }
            None => ("-".into(), "-".into(), "-".into(), "no anchor"),
        };
        println!(
            "{:<11} {:>5} {regret:>12.4} {secs:>9.3} {their_regret:>14} {their_secs:>11} \
             {ratio:>13} {met:>9}",
            p.name, p.n_calls,
        );
    }
}
