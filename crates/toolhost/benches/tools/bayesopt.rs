//! bayesopt: median simple regret (best found minus the global minimum) and median time
//! per run over seeds 1..=10, on Branin (30 evaluations), Hartmann-6 (60) and Ackley-5 (60),
//! with the tool's default settings.

use serde_json::{Value, json};

use super::Bench;
use super::stats::median;

#[path = "../../../../plugins/bayesopt/tests/common/problems.rs"]
mod problems;
use problems::{BRANIN, BRANIN_MIN, HARTMANN6_MIN, ackley, hartmann6, unit_bounds};

struct Problem {
    name: &'static str,
    objective: String,
    bounds: Value,
    n_calls: usize,
    minimum: f64,
    /// scikit-optimize gp_minimize on this machine: median regret and seconds per run.
    skopt: (f64, f64),
}

fn measure(bench: &Bench, p: &Problem) {
    let (mut regrets, mut seconds) = (Vec::new(), Vec::new());
    for seed in 1..=10u64 {
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
    let (regret, secs) = (median(regrets), median(seconds));
    let (goal_regret, skopt_secs) = p.skopt;
    let met = regret <= goal_regret && secs <= skopt_secs / 10.0;
    println!(
        "{:<11} {:>2} evaluations: median regret {regret:.4} (goal {goal_regret}), median \
         {secs:.3} s per run (goal {:.1} s) — {}",
        p.name,
        p.n_calls,
        skopt_secs / 10.0,
        if met { "met" } else { "MISSED" }
    );
}

pub fn run(bench: &Bench) {
    println!("median over seeds 1..=10, default settings");
    let problems = [
        Problem {
            name: "Branin",
            objective: BRANIN.to_owned(),
            bounds: json!({"x": [-5, 10], "y": [0, 15]}),
            n_calls: 30,
            minimum: BRANIN_MIN,
            skopt: (0.0042, 7.0),
        },
        Problem {
            name: "Hartmann-6",
            objective: hartmann6(),
            bounds: unit_bounds(6, 0.0, 1.0),
            n_calls: 60,
            minimum: HARTMANN6_MIN,
            skopt: (0.104, 23.0),
        },
        Problem {
            name: "Ackley-5",
            objective: ackley(5),
            bounds: unit_bounds(5, -32.768, 32.768),
            n_calls: 60,
            minimum: 0.0,
            skopt: (4.72, 21.0),
        },
    ];
    for p in &problems {
        measure(bench, p);
    }
}
