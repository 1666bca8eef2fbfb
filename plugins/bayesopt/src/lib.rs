//! `bayesopt`: Bayesian optimisation over a box of real, integer and
//! categorical variables, of an expression evaluated here or, by ask/tell,
//! of an objective the caller evaluates elsewhere.
//!
//! The model is a GP with an ARD Matérn-5/2 kernel on the unit-box
//! encoding (see [`space`]), standardised outputs and a fitted noise term
//! ([`gp`]), its hyperparameters fitted by maximum a posteriori under a
//! length-scale prior ([`prior`]); points are chosen by EI, UCB or PI
//! ([`acquisition`]) minimised by multi-start L-BFGS ([`optimize`]) inside
//! a trust region around the best point ([`trust`]), after a scrambled
//! Sobol (or maximin Latin hypercube) design ([`design`]). The algorithms
//! are plain Rust modules, tested natively; only [`BayesOpt`]'s `Tool` impl
//! and `export_tool!` belong to the plugin.

pub mod acquisition;
pub mod design;
pub mod engine;
pub mod gp;
pub mod input;
pub mod kernel;
pub mod lbfgs;
pub mod linalg;
pub mod optimize;
pub mod prior;
pub mod space;
pub mod trust;

use serde_json::Value;
use toolhost_sdk::{Output, Tool, ToolError, ToolInfo, json};

use crate::engine::{Evaluation, Model};
use crate::input::{Goal, Input, Mode, Problem};
use crate::space::Space;
use toolhost_rng::Rng;

pub struct BayesOpt;

impl Tool for BayesOpt {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "bayesopt",
            env!("CARGO_PKG_VERSION"),
            "Minimise or maximise an expensive objective over a box with few evaluations \
             (Bayesian optimisation: a Gaussian process with an ARD Matérn-5/2 kernel, \
             expected improvement by default searched in a trust region around the best \
             point, after a scrambled Sobol design).\n\n\
             Either give `objective`, an expression over the variables of `bounds`, and \
             `n_calls`; or evaluate the objective yourself: pass `observations` (the x, y \
             pairs so far, possibly none) and get `next`, the q points to evaluate next, \
             then call again with the new observations added. Variables are real \
             ([low, high]), integer ({\"type\": \"integer\", \"low\", \"high\"}) or \
             categorical ({\"type\": \"categorical\", \"values\": [...]}).",
        )
        .example(
            "Minimise the Branin function in 30 evaluations",
            json!({
                "objective": "(y - 5.1/(4*pi^2)*x^2 + 5/pi*x - 6)^2 + 10*(1 - 1/(8*pi))*cos(x) + 10",
                "bounds": { "x": [-5, 10], "y": [0, 15] },
                "n_calls": 30,
                "seed": 1,
            }),
        )
        .example(
            "Maximise over a real, an integer and a categorical variable",
            json!({
                "objective": "-(x - 1)^2 - (k - 3)^2 + if(c == 1, 2, 0)",
                "bounds": {
                    "x": [-2, 2],
                    "k": { "type": "integer", "low": 1, "high": 5 },
                    "c": { "type": "categorical", "values": ["off", "on"] },
                },
                "goal": "maximize",
                "n_calls": 20,
            }),
        )
        .example(
            "Ask for the next two points to evaluate after three evaluations done elsewhere",
            json!({
                "bounds": { "lr": [0.0001, 0.1], "depth": { "type": "integer", "low": 2, "high": 8 } },
                "observations": [
                    { "x": { "lr": 0.01, "depth": 4 }, "y": 0.31 },
                    { "x": { "lr": 0.05, "depth": 6 }, "y": 0.27 },
                    { "x": { "lr": 0.001, "depth": 3 }, "y": 0.45 },
                ],
                "n_initial": 3,
                "q": 2,
            }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let problem = input::validate(&input)?;
        match &problem.mode {
            Mode::Objective { program, n_calls } => optimise(&problem, program, *n_calls),
            Mode::AskTell { observed, q } => Ok(ask(&problem, observed, *q)),
        }
    }
}

toolhost_sdk::export_tool!(BayesOpt);

fn sign(goal: Goal) -> f64 {
    if goal == Goal::Maximize { -1.0 } else { 1.0 }
}

fn goal_name(goal: Goal) -> &'static str {
    if goal == Goal::Maximize {
        "maximize"
    } else {
        "minimize"
    }
}

fn point_text(space: &Space, values: &[f64]) -> String {
    match space.to_json(values) {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Mode 1: run the whole loop on the expression.
fn optimise(
    p: &Problem,
    program: &toolhost_expr::Program,
    n_calls: usize,
) -> Result<Output, ToolError> {
    let s = sign(p.goal);
    let mut scratch = program.scratch();
    let space = &p.space;
    let mut objective = |values: &[f64]| {
        let y = program.eval_with(&space.expression_values(values), &mut scratch);
        if y.is_finite() {
            Ok(s * y)
        } else {
            Err(ToolError::invalid_input(format!(
                "the objective is {y} at {}: it must be finite over the whole box",
                point_text(space, values)
            ))
            .at("/objective"))
        }
    };
    let mut report = |i: usize, e: &Evaluation, best: f64| {
        let msg = format!(
            "evaluation {} of {n_calls}: y = {}, best {}",
            i + 1,
            s * e.y,
            s * best
        );
        toolhost_sdk::progress(i as u64 + 1, n_calls as u64, &msg);
    };
    let run = engine::run(
        space,
        &mut objective,
        n_calls,
        p.n_initial,
        p.seed,
        &p.settings,
        &mut report,
    )?;
    let best = &run.history[run.best];
    let (mean, sd) = run.prediction_at_best;
    let history: Vec<Value> = run
        .history
        .iter()
        .map(|e| {
            json!({
                "x": space.to_json(&e.values),
                "y": s * e.y,
                "source": if e.from_model { "model" } else { "design" },
            })
        })
        .collect();
    let json = json!({
        "goal": goal_name(p.goal),
        "best": { "x": space.to_json(&best.values), "y": s * best.y, "evaluation": run.best + 1 },
        "prediction_at_best": { "mean": s * mean, "sd": sd },
        "n_evaluations": run.history.len(),
        "history": history,
    });
    let text = format!(
        "best y = {} at {} (evaluation {} of {}); the GP predicts {} ± {} there",
        s * best.y,
        point_text(space, &best.values),
        run.best + 1,
        run.history.len(),
        number(s * mean),
        number(sd),
    );
    Ok(Output::text(text).and_json(&json))
}

fn number(v: f64) -> String {
    format!("{v:.6}")
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_owned()
}

/// Mode 2: the next q points after the observations.
fn ask(p: &Problem, observed: &[(Vec<f64>, f64)], q: usize) -> Output {
    let space = &p.space;
    let s = sign(p.goal);
    let n = observed.len();
    let best = (0..n).min_by(|a, b| observed[*a].1.total_cmp(&observed[*b].1));
    type Predictions = Option<Vec<(f64, f64)>>;
    let (next, predictions, source): (Vec<Vec<f64>>, Predictions, &str) = if n < p.n_initial {
        // Still in the seeded design: successive calls walk through it.
        let design = engine::initial_design(space, p.settings.design, p.n_initial, p.seed);
        let mut next: Vec<Vec<f64>> = design.into_iter().skip(n).take(q).collect();
        let mut rng = Rng::stream(p.seed, 2);
        while next.len() < q {
            let unit: Vec<f64> = (0..space.dims.len()).map(|_| rng.uniform()).collect();
            next.push(space.from_unit(&unit));
        }
        (next, None, "design")
    } else {
        toolhost_sdk::progress(0, 2, "fitting the Gaussian process");
        let x: Vec<Vec<f64>> = observed.iter().map(|(v, _)| space.encode(v)).collect();
        let y: Vec<f64> = observed.iter().map(|(_, y)| *y).collect();
        // A stream per history length, so repeated calls explore afresh.
        let mut rng = Rng::stream(p.seed ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15), 1);
        let model = Model::fit(&x, &y, None, &mut rng);
        toolhost_sdk::progress(1, 2, "choosing the next points");
        let chosen = engine::suggest(space, &model, &x, &y, p.n_initial, q, &p.settings, &mut rng);
        let predictions = chosen.iter().map(|u| model.predict(u)).collect();
        (
            chosen.iter().map(|u| space.decode(u)).collect(),
            Some(predictions),
            "model",
        )
    };
    toolhost_sdk::progress(2, 2, "done");
    let json = json!({
        "goal": goal_name(p.goal),
        "next": next.iter().map(|v| space.to_json(v)).collect::<Vec<_>>(),
        "source": source,
        "predictions": predictions.as_ref().map(|ps| ps.iter().map(|(m, sd)| json!({ "mean": s * m, "sd": sd })).collect::<Vec<_>>()),
        "best": best.map(|i| json!({ "x": space.to_json(&observed[i].0), "y": s * observed[i].1 })),
        "n_observations": n,
    });
    let mut text = format!(
        "next point{} to evaluate ({source}):",
        if next.len() == 1 { "" } else { "s" }
    );
    for v in &next {
        text.push_str(&format!("\n  {}", point_text(space, v)));
    }
    if next.len() < q {
        text.push_str(&format!(
            "\nonly {} unseen point(s) remain in the space",
            next.len()
        ));
    }
    if let Some(i) = best {
        text.push_str(&format!(
            "\nbest so far: y = {} at {}",
            s * observed[i].1,
            point_text(space, &observed[i].0)
        ));
    }
    Output::text(text).and_json(&json)
}

#[cfg(test)]
mod tests;
