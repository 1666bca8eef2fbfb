//! bayesopt: median simple regret (best found minus the global minimum) and median time
//! per run over seeds 1..=10, on Branin (30 evaluations), Hartmann-6 (60) and Ackley-5 (60),
//! with the tool's default settings.

use serde_json::{Map, Value, json};

use super::Bench;
use super::stats::median;

const BRANIN: &str = "(y - 5.1/(4*pi^2)*x^2 + 5/pi*x - 6)^2 + 10*(1 - 1/(8*pi))*cos(x) + 10";
const BRANIN_MIN: f64 = 0.397_887_357_729_738;
const HARTMANN6_MIN: f64 = -3.322_368_011_415_515;

/// Hartmann-6 on [0, 1]^6.
fn hartmann6() -> String {
    let alpha = [1.0, 1.2, 3.0, 3.2];
    let a = [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ];
    let p = [
        [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ];
    let terms: Vec<String> = (0..4)
        .map(|i| {
            let inner: Vec<String> = (0..6)
                .map(|j| format!("{}*(x{}-{})^2", a[i][j], j + 1, p[i][j]))
                .collect();
            format!("{}*exp(-({}))", alpha[i], inner.join(" + "))
        })
        .collect();
    format!("-({})", terms.join(" + "))
}

/// Ackley in `d` dimensions, minimum 0 at the origin.
fn ackley(d: usize) -> String {
    let sq: Vec<String> = (1..=d).map(|i| format!("x{i}^2")).collect();
    let cs: Vec<String> = (1..=d).map(|i| format!("cos(2*pi*x{i})")).collect();
    format!(
        "-20*exp(-0.2*sqrt(({})/{d})) - exp(({})/{d}) + 20 + e",
        sq.join(" + "),
        cs.join(" + ")
    )
}

fn box_bounds(d: usize, low: f64, high: f64) -> Value {
    let map: Map<String, Value> = (1..=d)
        .map(|i| (format!("x{i}"), json!([low, high])))
        .collect();
    Value::Object(map)
}

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
            bounds: box_bounds(6, 0.0, 1.0),
            n_calls: 60,
            minimum: HARTMANN6_MIN,
            skopt: (0.104, 23.0),
        },
        Problem {
            name: "Ackley-5",
            objective: ackley(5),
            bounds: box_bounds(5, -32.768, 32.768),
            n_calls: 60,
            minimum: 0.0,
            skopt: (4.72, 21.0),
        },
    ];
    for p in &problems {
        measure(bench, p);
    }
}
