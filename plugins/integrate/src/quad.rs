//! `quad`: ∫ f(x) dx over a finite or infinite interval by adaptive Gauss–Kronrod
//! quadrature, as scipy.integrate.quad does it (QUADPACK QAGS on a finite interval, QAGI
//! on an infinite one), with an error estimate and the number of evaluations.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_sdk::{ToolError, Value, json};

use toolhost_quadrature::{MIN_EPSREL, Outcome, Status, Tolerance, ToleranceError, integrate};

use crate::expression;
use crate::plot::{self, Canvas, PlotRequest};
use crate::report::{Report, num};

/// scipy's default tolerances (√ of double precision's ε, rounded).
const DEFAULT_TOL: f64 = 1.49e-8;
const DEFAULT_LIMIT: u32 = 50;
/// Subintervals at most: 21·(2·limit − 1) evaluations, about 0.4 million at this bound.
pub const MAX_LIMIT: u32 = 10_000;

/// Integrate an expression in one variable over an interval.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct QuadInput {
    /// The integrand, an expression in the variable of integration and the parameters,
    /// e.g. "exp(-x^2) * cos(k*x)". Functions: sin, cos, tan, exp, ln (log), sqrt, abs,
    /// erf, gamma, …; constants pi, e, inf.
    pub f: String,
    /// The variable of integration. Default: the one name in `f` that is not a parameter
    /// (or "x").
    #[serde(default)]
    pub var: Option<String>,
    /// Lower limit: a number, or an expression in the parameters such as "-inf" or "pi/2".
    pub a: Bound,
    /// Upper limit: a number, or an expression in the parameters such as "inf" or "2*pi".
    pub b: Bound,
    /// Named constants that `f`, `a` and `b` may use.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Absolute error goal. Default 1.49e-8, as scipy's.
    #[serde(default = "default_tol")]
    #[schemars(range(min = 0.0))]
    pub epsabs: f64,
    /// Relative error goal. Default 1.49e-8, as scipy's. The result aims at
    /// |error| ≤ max(epsabs, epsrel·|value|).
    #[serde(default = "default_tol")]
    #[schemars(range(min = 0.0))]
    pub epsrel: f64,
    /// The most subintervals the interval may be cut into. Default 50, as scipy's.
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 10000))]
    pub limit: u32,
    /// Draw the integrand over the interval (on an infinite one, over the window holding
    /// 99 % of ∫|f|): true for an 800×600 PNG, or {"format": "png" | "svg", "width": px,
    /// "height": px}. The picture comes beside the JSON result.
    #[serde(default)]
    pub plot: PlotRequest,
}

fn default_tol() -> f64 {
    DEFAULT_TOL
}

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

/// An integration limit as the user wrote it.
#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(untagged)]
pub enum Bound {
    Number(f64),
    Expression(String),
}

/// The integrand as a function of x, counting evaluations that are not finite.
struct Integrand<'a> {
    program: &'a toolhost_expr::Program,
    scratch: toolhost_expr::Scratch,
    point: Vec<f64>,
    /// The first x where f was NaN or infinite.
    first_bad: Option<(f64, f64)>,
}

impl Integrand<'_> {
    fn at(&mut self, x: f64) -> f64 {
        self.point[0] = x;
        let v = self.program.eval_with(&self.point, &mut self.scratch);
        if !v.is_finite() && self.first_bad.is_none() {
            self.first_bad = Some((x, v));
        }
        v
    }
}

pub fn run(input: &QuadInput) -> Result<Report, ToolError> {
    let expr = expression::parse(&input.f, "/f")?;
    let var = variable(input, &expr)?;
    let mut names = vec![var.clone()];
    names.extend(input.params.keys().cloned());
    let program = expression::compile(&expr, "/f", &names)?;
    let a = bound(&input.a, "/a", input)?;
    let b = bound(&input.b, "/b", input)?;
    let tol = tolerance(input)?;
    let canvas = Canvas::from_request(&input.plot)?;

    let mut point = vec![0.0; names.len()];
    for (slot, value) in point[1..].iter_mut().zip(input.params.values()) {
        *slot = *value;
    }
    let mut integrand = Integrand {
        scratch: program.scratch(),
        program: &program,
        point,
        first_bad: None,
    };
    let outcome = integrate(|x| integrand.at(x), a, b, tol);
    if !outcome.value.is_finite() {
        let at = match integrand.first_bad {
            Some((x, v)) => format!(" ({var} = {x} gives {v})"),
            None => String::new(),
        };
        return Err(ToolError::new(
            "not_finite",
            format!(
                "/f: the integral came out as {}: the integrand is not finite at some point it was evaluated{at}; \
                 an integrable singularity must be at an endpoint (split the interval there)",
                outcome.value
            ),
        )
        .with_details(json!({ "pointer": "/f" })));
    }
    let mut report = report(input, &var, a, b, &outcome);
    if let Some(canvas) = canvas {
        let mut f = |x: f64| integrand.at(x);
        let (from, to) = plot::integrand_window(a, b, &mut f);
        let (x, y) = plot::sample(from, to, plot::INTEGRAND_SAMPLES, &mut f);
        let series = vec![toolhost_plot::Series {
            label: Some(input.f.clone()),
            x: Some(x),
            y: Some(y),
            ..toolhost_plot::Series::default()
        }];
        let title = format!(
            "∫ {} d{var} from {} to {} = {}",
            input.f,
            limit_text(a),
            limit_text(b),
            num(outcome.value)
        );
        report.picture = Some(canvas.draw(title, &var, None, series)?);
    }
    Ok(report)
}

fn variable(input: &QuadInput, expr: &toolhost_expr::Expr) -> Result<String, ToolError> {
    if let Some(var) = &input.var {
        if input.params.contains_key(var) {
            return Err(ToolError::invalid_input(format!(
                "/var: '{var}' is also a parameter; the variable of integration must be another name"
            ))
            .at("/var"));
        }
        return Ok(var.clone());
    }
    let free: Vec<&str> = expr
        .variables()
        .into_iter()
        .filter(|n| !input.params.contains_key(*n))
        .collect();
    match free.as_slice() {
        [] => Ok("x".to_owned()),
        [one] => Ok((*one).to_owned()),
        many => Err(ToolError::invalid_input(format!(
            "/var: f uses {} names that are not parameters ({}); say which is the variable of \
             integration in `var` and give the others in `params`",
            many.len(),
            many.join(", ")
        ))
        .at("/var")),
    }
}

fn bound(b: &Bound, pointer: &str, input: &QuadInput) -> Result<f64, ToolError> {
    let value = match b {
        Bound::Number(v) => *v,
        Bound::Expression(src) => {
            let expr = expression::parse(src, pointer)?;
            let names: Vec<String> = input.params.keys().cloned().collect();
            let program = expression::compile(&expr, pointer, &names)?;
            let values: Vec<f64> = input.params.values().copied().collect();
            program.eval(&values)
        }
    };
    if value.is_nan() {
        return Err(ToolError::invalid_input(format!(
            "{pointer}: the limit is NaN; expected a number or ±inf"
        ))
        .at(pointer));
    }
    Ok(value)
}

fn tolerance(input: &QuadInput) -> Result<Tolerance, ToolError> {
    let limit_error = || {
        ToolError::invalid_input(format!(
            "/limit: expected 1 to {MAX_LIMIT} subintervals, got {}",
            input.limit
        ))
        .at("/limit")
    };
    let tol = Tolerance::new(input.epsabs, input.epsrel, input.limit as usize).map_err(|e| {
        let (pointer, message) = match e {
            ToleranceError::EpsAbs(_) => ("/epsabs", "expected a finite number ≥ 0".to_owned()),
            ToleranceError::EpsRel(_) => ("/epsrel", "expected a finite number ≥ 0".to_owned()),
            ToleranceError::EpsRelBelowPrecision(_) => (
                "/epsrel",
                format!(
                    "with epsabs 0 the relative goal must be at least {MIN_EPSREL:e} (50 ε); \
                     a smaller one is below what double precision can deliver"
                ),
            ),
            ToleranceError::Limit => return limit_error(),
        };
        ToolError::invalid_input(format!("{pointer}: {message}")).at(pointer)
    })?;
    if input.limit > MAX_LIMIT {
        return Err(limit_error());
    }
    Ok(tol)
}

fn limit_json(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else if x > 0.0 {
        json!("inf")
    } else {
        json!("-inf")
    }
}

fn limit_text(x: f64) -> String {
    if x.is_finite() {
        num(x)
    } else if x > 0.0 {
        "∞".to_owned()
    } else {
        "−∞".to_owned()
    }
}

fn status_message(status: Status) -> &'static str {
    match status {
        Status::Converged => "the requested accuracy was reached",
        Status::SubdivisionLimit => {
            "the subdivision limit was reached before the requested accuracy: raise `limit`, \
             or split the interval at any difficult points inside it"
        }
        Status::Roundoff => {
            "round-off error keeps the requested accuracy out of reach: the error estimate \
             may be too small"
        }
        Status::BadIntegrand => {
            "the integrand behaves badly inside the interval (a singularity or jump away \
             from the endpoints): split the interval there"
        }
        Status::ExtrapolationRoundoff => {
            "round-off in the extrapolation table: the result is the best reached, and the \
             requested accuracy was probably not"
        }
        Status::Divergent => "the integral probably diverges, or converges too slowly",
    }
}

fn report(input: &QuadInput, var: &str, a: f64, b: f64, o: &Outcome) -> Report {
    let message = status_message(o.status);
    let mut text = format!(
        "∫ {} d{var} from {} to {} = {} ± {:.2e} ({} evaluations, {} subintervals)",
        input.f,
        limit_text(a),
        limit_text(b),
        num(o.value),
        o.abserr,
        o.neval,
        o.intervals
    );
    let mut warnings = Vec::new();
    if o.status != Status::Converged {
        text.push_str(&format!("\nwarning: {message}"));
        warnings.push(message);
    }
    let json = json!({
        "value": o.value,
        "abserr": o.abserr,
        "neval": o.neval,
        "intervals": o.intervals,
        "status": o.status.name(),
        "ier": o.status.code(),
        "message": message,
        "variable": var,
        "a": limit_json(a),
        "b": limit_json(b),
        "warnings": warnings,
    });
    Report {
        text,
        json,
        picture: None,
    }
}
