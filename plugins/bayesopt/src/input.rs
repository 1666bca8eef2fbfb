//! The tool's input, its JSON Schema, and its validation into a problem.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use toolhost_expr::Program;
use toolhost_sdk::{NameScope, ToolError, expr_field_error};

use crate::acquisition::Kind;
use crate::design::Design;
use crate::engine::Settings;
use crate::space::{Category, Dim, Space};

pub const MAX_CALLS: usize = 500;
pub const MAX_OBSERVATIONS: usize = 1000;
pub const MAX_BATCH: usize = 50;
/// Coordinates of the encoded box (a categorical counts one per value).
pub const MAX_ENCODED: usize = 50;

/// Minimise or maximise an objective over a box: an expression evaluated
/// here (give `objective`), or an external one step by step (give
/// `observations`, get the next points to evaluate).
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The objective as an expression over the variables named in `bounds`,
    /// e.g. `(y - 5.1/(4*pi^2)*x^2 + 5/pi*x - 6)^2 + 10*(1 - 1/(8*pi))*cos(x) + 10`.
    /// A categorical variable is its value when numeric, else its 0-based
    /// index. Give either this or `observations`.
    #[serde(default)]
    pub objective: Option<String>,
    /// The search space: for each variable, `[low, high]` (real), or
    /// `{"type": "real" | "integer", "low": a, "high": b}`, or
    /// `{"type": "categorical", "values": ["a", "b", 3]}`.
    pub bounds: BTreeMap<String, Bound>,
    /// Ask/tell mode: the evaluations so far, each `{"x": {name: value},
    /// "y": number}`; the answer is the next point(s) to evaluate. May be
    /// empty. Nothing is remembered between calls, so pass them all.
    #[serde(default)]
    pub observations: Option<Vec<Observation>>,
    /// Ask/tell mode: how many points to propose (1 to 50), chosen jointly
    /// by the kriging believer. Default 1.
    #[serde(default = "default_q")]
    pub q: usize,
    /// Objective mode: evaluations in all, design included (1 to 500). Default 30.
    #[serde(default = "default_calls")]
    pub n_calls: usize,
    /// Evaluations from the space-filling design before the model chooses.
    /// Default 10 (at most `n_calls`). In ask/tell mode, with fewer
    /// observations than this the next points are the next entries of the
    /// seeded design.
    #[serde(default)]
    pub n_initial: Option<usize>,
    /// The space-filling design of the first `n_initial` evaluations:
    /// "sobol" (default) an Owen-scrambled Sobol sequence, or "lhs" a
    /// maximin Latin hypercube.
    #[serde(default)]
    pub design: Design,
    /// Search for the next point in a trust region around the best point
    /// so far, which grows while the search improves and shrinks while it
    /// stalls (true, the default); false searches the whole box every time.
    #[serde(default = "default_trust_region")]
    pub trust_region: bool,
    /// Seed of the design and of the random restarts: the same input and
    /// seed give the same result on every platform. Default 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// "minimize" (default) or "maximize".
    #[serde(default)]
    pub goal: Goal,
    /// Acquisition function: "ei" expected improvement (default), "ucb"
    /// confidence bound, "pi" probability of improvement.
    #[serde(default)]
    pub acquisition: Kind,
    /// EI and PI: the improvement sought beyond the best value, in the
    /// objective's units; larger explores more. Default 0 (plain EI, as
    /// Optuna's and BoTorch's): any margin in the objective's units stops
    /// the end of a run from polishing an optimum more finely than it.
    #[serde(default = "default_xi")]
    pub xi: f64,
    /// UCB: weight of the predictive sd; larger explores more. Default 1.96.
    #[serde(default = "default_kappa")]
    pub kappa: f64,
}

fn default_q() -> usize {
    1
}
fn default_calls() -> usize {
    30
}
fn default_seed() -> u64 {
    1
}
fn default_trust_region() -> bool {
    true
}
fn default_xi() -> f64 {
    0.0
}
fn default_kappa() -> f64 {
    1.96
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    #[default]
    Minimize,
    Maximize,
}

/// One variable's range.
#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(untagged)]
pub enum Bound {
    /// `[low, high]`: a real variable.
    Range(Vec<f64>),
    Typed(Typed),
}

#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Typed {
    /// A real variable in [low, high].
    Real { low: f64, high: f64 },
    /// An integer variable in low..=high.
    Integer { low: i64, high: i64 },
    /// One of a list of values (strings or numbers).
    Categorical { values: Vec<Category> },
}

/// One evaluation of the objective.
#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The point: a value for every variable of `bounds`.
    pub x: BTreeMap<String, Value>,
    /// The objective's value there: a finite number.
    pub y: Value,
}

pub enum Mode {
    Objective {
        program: Program,
        n_calls: usize,
    },
    AskTell {
        observed: Vec<(Vec<f64>, f64)>,
        q: usize,
    },
}

pub struct Problem {
    pub space: Space,
    pub mode: Mode,
    pub n_initial: usize,
    pub seed: u64,
    pub goal: Goal,
    pub settings: Settings,
}

fn bad(message: impl Into<String>, at: &str) -> ToolError {
    ToolError::invalid_input(message).at(at)
}

/// JSON-pointer escaping of a key.
fn key(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

pub fn validate(input: &Input) -> Result<Problem, ToolError> {
    let space = space(&input.bounds)?;
    if !(input.xi.is_finite() && input.xi >= 0.0) {
        return Err(bad("`xi` must be a finite number ≥ 0", "/xi"));
    }
    if !(input.kappa.is_finite() && input.kappa >= 0.0) {
        return Err(bad("`kappa` must be a finite number ≥ 0", "/kappa"));
    }
    let settings = Settings {
        design: input.design,
        trust_region: input.trust_region,
        acquisition: input.acquisition,
        xi: input.xi,
        kappa: input.kappa,
    };
    let (mode, cap) = match (&input.objective, &input.observations) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "give either `objective` (evaluate an expression here) or `observations` (ask/tell), not both",
                "/observations",
            ));
        }
        (None, None) => {
            return Err(bad(
                "missing `objective`: give an expression to optimise, or `observations` (possibly empty) to be told the next point to evaluate",
                "/objective",
            ));
        }
        (Some(src), None) => {
            if !(1..=MAX_CALLS).contains(&input.n_calls) {
                return Err(bad(
                    format!("`n_calls` must be between 1 and {MAX_CALLS}"),
                    "/n_calls",
                ));
            }
            let program = toolhost_expr::compile(src, &space.names).map_err(|e| {
                let scope = NameScope::new("a dimension (a key of `bounds`)")
                    .names("known here", &space.names);
                expr_field_error(&e, src, "/objective", Some(&scope))
            })?;
            (
                Mode::Objective {
                    program,
                    n_calls: input.n_calls,
                },
                input.n_calls,
            )
        }
        (None, Some(obs)) => {
            if !(1..=MAX_BATCH).contains(&input.q) {
                return Err(bad(format!("`q` must be between 1 and {MAX_BATCH}"), "/q"));
            }
            if obs.len() > MAX_OBSERVATIONS {
                return Err(bad(
                    format!("at most {MAX_OBSERVATIONS} observations"),
                    "/observations",
                ));
            }
            let observed = obs
                .iter()
                .enumerate()
                .map(|(i, o)| observation(&space, o, i, input.goal))
                .collect::<Result<Vec<_>, _>>()?;
            (
                Mode::AskTell {
                    observed,
                    q: input.q,
                },
                MAX_OBSERVATIONS,
            )
        }
    };
    let n_initial = match input.n_initial {
        None => cap.min(10),
        Some(n) if n >= 1 && n <= cap => n,
        Some(_) => {
            return Err(bad(
                format!("`n_initial` must be between 1 and {}", cap),
                "/n_initial",
            ));
        }
    };
    Ok(Problem {
        space,
        mode,
        n_initial,
        seed: input.seed,
        goal: input.goal,
        settings,
    })
}

fn space(bounds: &BTreeMap<String, Bound>) -> Result<Space, ToolError> {
    if bounds.is_empty() {
        return Err(bad(
            "`bounds` is empty: give at least one variable, e.g. {\"x\": [0, 1]}",
            "/bounds",
        ));
    }
    let mut names = Vec::new();
    let mut dims = Vec::new();
    for (name, bound) in bounds {
        let at = format!("/bounds/{}", key(name));
        if toolhost_expr::compile("0", &[name.as_str()]).is_err() || name.is_empty() {
            return Err(bad(format!("'{name}' is not a valid variable name"), &at));
        }
        let dim = match bound {
            Bound::Range(v) if v.len() != 2 => {
                return Err(bad(
                    format!(
                        "bounds of '{name}' must be [low, high], got {} numbers",
                        v.len()
                    ),
                    &at,
                ));
            }
            Bound::Range(v) => real(name, v[0], v[1], &at)?,
            Bound::Typed(Typed::Real { low, high }) => real(name, *low, *high, &at)?,
            Bound::Typed(Typed::Integer { low, high }) => {
                if low > high {
                    return Err(bad(
                        format!("bounds of '{name}' are inverted: low {low} > high {high}"),
                        &at,
                    ));
                }
                if high.abs_diff(*low) > 1 << 40 {
                    return Err(bad(
                        format!("the integer range of '{name}' is too wide: use a real variable"),
                        &at,
                    ));
                }
                Dim::Integer {
                    low: *low,
                    high: *high,
                }
            }
            Bound::Typed(Typed::Categorical { values }) => {
                if values.is_empty() {
                    return Err(bad(
                        format!("categorical '{name}' has no values"),
                        &format!("{at}/values"),
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    if values[..i].contains(v) {
                        return Err(bad(
                            format!("categorical '{name}' lists a value twice"),
                            &format!("{at}/values/{i}"),
                        ));
                    }
                    if matches!(v, Category::Number(x) if !x.is_finite()) {
                        return Err(bad(
                            "categorical values must be finite",
                            &format!("{at}/values/{i}"),
                        ));
                    }
                }
                Dim::Categorical {
                    values: values.clone(),
                }
            }
        };
        names.push(name.clone());
        dims.push(dim);
    }
    let space = Space { names, dims };
    if space.encoded_len() > MAX_ENCODED {
        return Err(bad(
            format!(
                "the space has {} coordinates (one per real or integer, one per categorical value); at most {MAX_ENCODED}",
                space.encoded_len()
            ),
            "/bounds",
        ));
    }
    Ok(space)
}

fn real(name: &str, low: f64, high: f64, at: &str) -> Result<Dim, ToolError> {
    if !(low.is_finite() && high.is_finite()) {
        return Err(bad(format!("bounds of '{name}' must be finite"), at));
    }
    if low >= high {
        let what = if low == high { "empty" } else { "inverted" };
        return Err(bad(
            format!("bounds of '{name}' are {what}: low {low} must be below high {high}"),
            at,
        ));
    }
    Ok(Dim::Real { low, high })
}

/// An observation as values of the space and the value to minimise.
fn observation(
    space: &Space,
    o: &Observation,
    i: usize,
    goal: Goal,
) -> Result<(Vec<f64>, f64), ToolError> {
    let at = format!("/observations/{i}");
    let Some(y) = o.y.as_f64().filter(|y| y.is_finite()) else {
        return Err(bad(
            format!("observation {i}: y must be a finite number, got {}", o.y),
            &format!("{at}/y"),
        ));
    };
    if let Some(extra) = o.x.keys().find(|k| !space.names.contains(k)) {
        return Err(bad(
            format!(
                "observation {i}: '{extra}' is not a variable of `bounds` (expected {})",
                space.names.join(", ")
            ),
            &format!("{at}/x/{}", key(extra)),
        ));
    }
    let mut values = Vec::with_capacity(space.dims.len());
    for (name, dim) in space.names.iter().zip(&space.dims) {
        let vat = format!("{at}/x/{}", key(name));
        let Some(v) = o.x.get(name) else {
            return Err(bad(
                format!("observation {i}: x has no value for '{name}'"),
                &format!("{at}/x"),
            ));
        };
        let value = match dim {
            Dim::Real { low, high } => match v.as_f64() {
                Some(x) if x.is_finite() && *low <= x && x <= *high => x,
                _ => {
                    return Err(bad(
                        format!(
                            "observation {i}: '{name}' must be a number in [{low}, {high}], got {v}"
                        ),
                        &vat,
                    ));
                }
            },
            Dim::Integer { low, high } => match v.as_f64() {
                Some(x) if x.fract() == 0.0 && (*low as f64) <= x && x <= *high as f64 => x,
                _ => {
                    return Err(bad(
                        format!(
                            "observation {i}: '{name}' must be an integer in {low}..={high}, got {v}"
                        ),
                        &vat,
                    ));
                }
            },
            Dim::Categorical { values } => {
                let found = values.iter().position(|c| match (c, v) {
                    (Category::Text(s), Value::String(t)) => s == t,
                    (Category::Number(a), Value::Number(b)) => Some(*a) == b.as_f64(),
                    _ => false,
                });
                match found {
                    Some(k) => k as f64,
                    None => {
                        return Err(bad(
                            format!(
                                "observation {i}: '{name}' must be one of its categorical values, got {v}"
                            ),
                            &vat,
                        ));
                    }
                }
            }
        };
        values.push(value);
    }
    let sign = if goal == Goal::Maximize { -1.0 } else { 1.0 };
    Ok((values, sign * y))
}
