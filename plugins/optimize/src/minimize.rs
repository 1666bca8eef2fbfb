//! `minimize`: the smallest value of an expression over named unknowns, unconstrained or
//! in a box, by L-BFGS-B, trust-region Newton–CG or Nelder–Mead.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_sdk::{ToolError, json};

use crate::bounds::Bounds;
use crate::expression;
use crate::hessian::HessianVector;
use crate::objective::Objective;
use crate::outcome::Outcome;
use crate::report::{Report, assignments, by_name, finite, num};
use crate::variables::{Variables, at};
use crate::{lbfgsb, nelder_mead, trust_newton};

/// Iterations at most, whatever max_iter asks: bounds the time of one call.
pub const MAX_ITER: u32 = 100_000;

/// Minimise an expression over named unknowns.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct MinimizeInput {
    /// The objective, an expression in the unknowns (the names in x0) and the parameters,
    /// e.g. "(1-x)^2 + 100*(y-x^2)^2".
    pub f: String,
    /// The unknowns and their starting values, e.g. {"x": -1.2, "y": 1}.
    pub x0: BTreeMap<String, f64>,
    /// Bounds by unknown: [lower, upper], null for none, e.g. {"x": [0, null]}; x0 must lie
    /// within them. Only
    /// lbfgsb and nelder_mead take bounds.
    #[serde(default)]
    pub bounds: BTreeMap<String, [Option<f64>; 2]>,
    /// Named constants that f may use.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// "lbfgsb" (default for smooth f), "trust_newton" (exact Hessian-vector products;
    /// unconstrained) or "nelder_mead" (no gradient; chosen by default when f has a kink
    /// or step: abs, min, max, floor, a comparison, if).
    #[serde(default)]
    pub method: Option<Method>,
    /// Iteration cap. Default 15000 (200 per unknown for nelder_mead, at least 1000).
    #[serde(default)]
    #[schemars(range(min = 1, max = 100000))]
    pub max_iter: Option<u32>,
    /// Gradient tolerance: stop when the largest component of the (projected) gradient is
    /// at most this. Default 1e-5, as scipy's L-BFGS-B.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub gtol: Option<f64>,
    /// Relative decrease of f per iteration below which lbfgsb stops (default 2.2e-9, as
    /// scipy's), or nelder_mead's spread of f over the simplex (default 1e-12).
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub ftol: Option<f64>,
    /// lbfgsb: correction pairs kept (scipy's maxcor). Default 10.
    #[serde(default)]
    #[schemars(range(min = 1, max = 100))]
    pub memory: Option<u32>,
    /// nelder_mead: the simplex's size in every coordinate at which it stops (default
    /// 1e-8).
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub xtol: Option<f64>,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Lbfgsb,
    TrustNewton,
    NelderMead,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Lbfgsb => "lbfgsb",
            Method::TrustNewton => "trust_newton",
            Method::NelderMead => "nelder_mead",
        }
    }
}

pub fn run(input: &MinimizeInput) -> Result<Report, ToolError> {
    let vars = Variables::read("x0", &input.x0, &input.params)?;
    let bounds = vars.bounds(&input.bounds)?;
    let expr = expression::parse(&input.f, "/f")?;
    let program =
        expression::compile(&expr, "/f", &vars.names(), expression::UNKNOWN_OR_PARAMETER)?;
    let (method, reason) = choose(input.method, &program)?;
    if method == Method::TrustNewton && bounds.any() {
        return Err(at(
            "/bounds",
            "/bounds: trust_newton is unconstrained; use method \"lbfgsb\" (or \"nelder_mead\") with bounds".to_owned(),
        ));
    }
    let mut objective = Objective::new(&program, vars.unknowns.len(), &vars.param_values);
    let mut start = vars.x0.clone();
    bounds.project(&mut start);
    let f0 = objective.value(&start);
    if !f0.is_finite() {
        return Err(ToolError::new(
            "not_finite",
            format!(
                "/x0: f is {f0} at the starting point ({}); start where f is defined",
                assignments(&vars.unknowns, &start)
            ),
        )
        .with_details(json!({ "pointer": "/x0" })));
    }
    objective.nfev = 0;
    let max_iter = input.max_iter.unwrap_or(match method {
        Method::NelderMead => (200 * vars.unknowns.len()).max(1000) as u32,
        _ => 15_000,
    });
    let max_iter = max_iter.min(MAX_ITER) as usize;
    let max_fev = max_iter.saturating_mul(2).max(15_000);
    let gtol = input.gtol.unwrap_or(1e-5);
    let mut nhev = None;
    let outcome = match method {
        Method::Lbfgsb => {
            let settings = lbfgsb::Settings {
                max_iter,
                max_fev,
                gtol,
                ftol: input.ftol.unwrap_or(lbfgsb::Settings::default().ftol),
                memory: input.memory.map_or(10, |m| m.clamp(1, 100) as usize),
            };
            let mut f = |x: &[f64], g: &mut [f64]| objective.value_grad(x, g);
            lbfgsb::minimize(&mut f, &start, &bounds, settings)
        }
        Method::TrustNewton => {
            let mut hv =
                HessianVector::new(&expr, &vars.unknowns, &vars.params, &vars.param_values)?;
            let settings = trust_newton::Settings {
                max_iter,
                max_fev,
                gtol,
            };
            let mut f = |x: &[f64], g: &mut [f64]| objective.value_grad(x, g);
            let mut product = |x: &[f64], v: &[f64], out: &mut [f64]| hv.product(x, v, out);
            let out = trust_newton::minimize(&mut f, &mut product, &start, settings);
            nhev = Some(hv.count);
            out
        }
        Method::NelderMead => {
            let settings = nelder_mead::Settings {
                max_iter,
                max_fev,
                xatol: input.xtol.unwrap_or(1e-8),
                fatol: input.ftol.unwrap_or(1e-12),
            };
            let mut f = |x: &[f64]| objective.value(x);
            nelder_mead::minimize(&mut f, &start, &bounds, settings)
        }
    };
    Ok(report(&vars, &bounds, method, reason, &outcome, nhev))
}

/// The method asked for, or the one that suits f: Nelder–Mead when f has a kink or a
/// step (its gradient misleads there), L-BFGS-B otherwise.
fn choose(
    asked: Option<Method>,
    program: &toolhost_expr::Program,
) -> Result<(Method, &'static str), ToolError> {
    match asked {
        Some(Method::NelderMead) => Ok((Method::NelderMead, "asked for")),
        Some(m) => {
            if let Err(e) = program.check_smooth() {
                return Err(at(
                    "/method",
                    format!(
                        "/method: {} follows the gradient, but f has a step ({e}) where the gradient is zero or undefined; use \"nelder_mead\"",
                        m.name()
                    ),
                ));
            }
            Ok((m, "asked for"))
        }
        None if !program.is_differentiable() => Ok((
            Method::NelderMead,
            "f has a kink or step (abs, min, max, floor, a comparison, if …), where a gradient misleads",
        )),
        None => Ok((
            Method::Lbfgsb,
            "f is smooth: exact gradients from reverse mode",
        )),
    }
}

fn report(
    vars: &Variables,
    bounds: &Bounds,
    method: Method,
    reason: &str,
    out: &Outcome,
    nhev: Option<usize>,
) -> Report {
    let at_bound: Vec<&String> = vars
        .unknowns
        .iter()
        .enumerate()
        .filter(|&(i, _)| out.x[i] == bounds.lower[i] || out.x[i] == bounds.upper[i])
        .map(|(_, n)| n)
        .collect();
    let mut json = json!({
        "op": "minimize",
        "method": method.name(),
        "method_reason": reason,
        "x": by_name(&vars.unknowns, &out.x),
        "f": finite(out.f),
        "grad_norm": finite(out.grad_norm),
        "iterations": out.iterations,
        "nfev": out.nfev,
        "ngev": out.ngev,
        "status": out.status.code(),
        "message": out.status.message(),
        "success": out.status.is_success(),
        "at_bound": at_bound,
    });
    if let Some(h) = nhev {
        json["nhev"] = json!(h);
    }
    let mut text = format!(
        "{} at {}\nf = {}\n{} ({}) after {} iterations, {} evaluations",
        if out.status.is_success() {
            "minimum"
        } else {
            "best point found"
        },
        assignments(&vars.unknowns, &out.x),
        num(out.f),
        out.status.message(),
        method.name(),
        out.iterations,
        out.nfev,
    );
    if !at_bound.is_empty() {
        text.push_str(&format!(
            "\nat a bound: {}",
            at_bound
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Report { text, json }
}
