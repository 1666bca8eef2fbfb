//! `curve_fit` (a model expression fitted to data arrays, with scipy's covariance
//! convention) and `least_squares` (a list of residual expressions), both by
//! Levenberg–Marquardt with the exact Jacobian from reverse mode.

use std::collections::BTreeMap;

use faer::Mat;
use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_expr::{Program, Scratch};
use toolhost_sdk::{ToolError, Value, json};

use crate::expression;
use crate::levenberg_marquardt::{self, Residuals, Settings, Solution};
use crate::report::{Report, assignments, by_name, finite, num};
use crate::variables::{Variables, at};

/// Data points at most: one reverse pass per point per Jacobian.
pub const MAX_POINTS: usize = 100_000;

/// Fit a model y ≈ model(x; params) to data.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct CurveFitInput {
    /// The model, an expression in the independent variable (var, default "x"), the
    /// fitted parameters (the names in p0) and fixed constants (params), e.g.
    /// "a*exp(-b*x) + c".
    pub model: String,
    /// The independent variable's name in the model. Default "x".
    #[serde(default)]
    pub var: Option<String>,
    /// Values of the independent variable.
    pub x: Vec<f64>,
    /// Observed values, one per x.
    pub y: Vec<f64>,
    /// The fitted parameters and their starting values, e.g. {"a": 1, "b": 1, "c": 0}.
    pub p0: BTreeMap<String, f64>,
    /// Standard deviation of each y (weights 1/sigma²). Default: all equal.
    #[serde(default)]
    pub sigma: Option<Vec<f64>>,
    /// If true, sigma is absolute and the covariance is (JᵀJ)⁻¹; if false (default, as
    /// scipy's), it is scaled by the reduced chi-square Σr²/(m − n).
    #[serde(default)]
    pub absolute_sigma: bool,
    /// Named constants that the model may use.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Residual evaluations at most. Default 10000.
    #[serde(default)]
    #[schemars(range(min = 1, max = 1000000))]
    pub max_nfev: Option<u32>,
    /// Stop when a step reduces the cost by at most ftol relative. Default 1e-12.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub ftol: Option<f64>,
    /// Stop when a step changes the parameters by at most xtol relative. Default 1e-12.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub xtol: Option<f64>,
}

/// Minimise ½ Σ rᵢ(x)² for residual expressions rᵢ.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct LeastSquaresInput {
    /// The residuals, expressions in the unknowns and params, e.g.
    /// ["10*(y - x^2)", "1 - x"].
    #[schemars(length(min = 1))]
    pub residuals: Vec<String>,
    /// The unknowns and their starting values.
    pub x0: BTreeMap<String, f64>,
    /// Named constants that the residuals may use.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Residual evaluations at most. Default 10000.
    #[serde(default)]
    #[schemars(range(min = 1, max = 1000000))]
    pub max_nfev: Option<u32>,
    /// Stop when a step reduces the cost by at most ftol relative. Default 1e-12.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub ftol: Option<f64>,
    /// Stop when a step changes x by at most xtol relative. Default 1e-12.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub xtol: Option<f64>,
}

fn settings(max_nfev: Option<u32>, ftol: Option<f64>, xtol: Option<f64>) -> Settings {
    Settings {
        max_nfev: max_nfev.unwrap_or(10_000) as usize,
        ftol: ftol.unwrap_or(1e-12),
        xtol: xtol.unwrap_or(1e-12),
    }
}

/// (model(xᵢ) − yᵢ)/σᵢ for every data point.
struct ModelResiduals<'a> {
    program: &'a Program,
    scratch: Scratch,
    /// Parameters, constants, then the independent variable.
    point: Vec<f64>,
    grad: Vec<f64>,
    fitted: usize,
    x: &'a [f64],
    y: &'a [f64],
    weight: Vec<f64>,
}

impl Residuals for ModelResiduals<'_> {
    fn len(&self) -> usize {
        self.x.len()
    }

    fn residuals(&mut self, p: &[f64], r: &mut [f64]) {
        self.point[..self.fitted].copy_from_slice(p);
        let last = self.point.len() - 1;
        for i in 0..self.x.len() {
            self.point[last] = self.x[i];
            let v = self.program.eval_with(&self.point, &mut self.scratch);
            r[i] = (v - self.y[i]) * self.weight[i];
        }
    }

    fn jacobian(&mut self, p: &[f64], jac: &mut Mat<f64>) {
        self.point[..self.fitted].copy_from_slice(p);
        let last = self.point.len() - 1;
        for i in 0..self.x.len() {
            self.point[last] = self.x[i];
            self.program
                .eval_grad(&self.point, &mut self.grad, &mut self.scratch);
            for j in 0..self.fitted {
                jac[(i, j)] = self.grad[j] * self.weight[i];
            }
        }
    }
}

pub fn curve_fit(input: &CurveFitInput) -> Result<Report, ToolError> {
    let vars = Variables::read("p0", &input.p0, &input.params)?;
    let var = input.var.clone().unwrap_or_else(|| "x".to_owned());
    if vars.unknowns.contains(&var) || vars.params.contains(&var) {
        return Err(at(
            "/var",
            format!("/var: {var} is the independent variable and cannot also be in p0 or params"),
        ));
    }
    let m = input.x.len();
    if m == 0 {
        return Err(at("/x", "/x: give at least one data point".to_owned()));
    }
    if m > MAX_POINTS {
        return Err(at(
            "/x",
            format!("/x: {m} points, more than the {MAX_POINTS} allowed"),
        ));
    }
    if input.y.len() != m {
        return Err(at(
            "/y",
            format!(
                "/y: {} values for {m} x values; give one y per x",
                input.y.len()
            ),
        ));
    }
    let weight = match &input.sigma {
        None => vec![1.0; m],
        Some(s) => {
            if s.len() != m {
                return Err(at(
                    "/sigma",
                    format!(
                        "/sigma: {} values for {m} points; give one sigma per point",
                        s.len()
                    ),
                ));
            }
            if let Some(i) = s.iter().position(|v| !(*v > 0.0 && v.is_finite())) {
                let p = format!("/sigma/{i}");
                return Err(at(
                    &p,
                    format!("{p}: sigma must be positive and finite, got {}", s[i]),
                ));
            }
            s.iter().map(|v| 1.0 / v).collect()
        }
    };
    let mut names = vars.names();
    names.push(var.clone());
    let expr = expression::parse(&input.model, "/model")?;
    let program = expression::compile(
        &expr,
        "/model",
        &names,
        "a fitted parameter (in p0), a constant (in params) or the variable (var)",
    )?;
    let n = vars.unknowns.len();
    let mut point = vars.x0.clone();
    point.extend(&vars.param_values);
    point.push(0.0);
    let mut problem = ModelResiduals {
        scratch: program.scratch(),
        grad: vec![0.0; point.len()],
        point,
        fitted: n,
        program: &program,
        x: &input.x,
        y: &input.y,
        weight,
    };
    check_start(&mut problem, &vars.x0, "/p0", "model")?;
    let sol = levenberg_marquardt::solve(
        &mut problem,
        &vars.x0,
        settings(input.max_nfev, input.ftol, input.xtol),
    );
    let dof = m as f64 - n as f64;
    let chi2 = 2.0 * sol.cost;
    let mut warning = None;
    let cov = match levenberg_marquardt::jtj_pseudo_inverse(&sol.jacobian) {
        Some(p) if input.absolute_sigma => Mat::from_fn(n, n, |a, b| p[(a, b)]),
        Some(p) if dof > 0.0 => Mat::from_fn(n, n, |a, b| p[(a, b)] * chi2 / dof),
        Some(_) => {
            warning = Some(format!(
                "{m} points for {n} parameters: no degrees of freedom to estimate the variance, so the covariance is unknown (null)"
            ));
            Mat::from_fn(n, n, |_, _| f64::INFINITY)
        }
        None => Mat::from_fn(n, n, |_, _| f64::NAN),
    };
    let stderr: Vec<f64> = (0..n).map(|j| cov[(j, j)].sqrt()).collect();
    let cov_json: Vec<Vec<Value>> = (0..n)
        .map(|a| (0..n).map(|b| finite(cov[(a, b)])).collect())
        .collect();
    let mut json = json!({
        "op": "curve_fit",
        "params": by_name(&vars.unknowns, &sol.x),
        "stderr": by_name(&vars.unknowns, &stderr),
        "cov": cov_json,
        "cov_order": vars.unknowns,
        "residual_norm": finite((2.0 * sol.cost).sqrt()),
        "chi2": finite(chi2),
        "dof": dof,
        "absolute_sigma": input.absolute_sigma,
    });
    add_common(&mut json, &sol);
    if let Some(w) = &warning {
        json["warning"] = json!(w);
    }
    let shown: Vec<String> = vars
        .unknowns
        .iter()
        .zip(&sol.x)
        .zip(&stderr)
        .map(|((name, v), e)| format!("{name} = {} ± {}", num(*v), num(*e)))
        .collect();
    let mut text = format!(
        "{}\n{}\nresidual norm {}, {} evaluations",
        if sol.status.is_success() {
            "fit"
        } else {
            "best fit found"
        },
        shown.join("\n"),
        num((2.0 * sol.cost).sqrt()),
        sol.nfev
    );
    if !sol.status.is_success() {
        text.push_str(&format!("\n{}", sol.status.message()));
    }
    if let Some(w) = warning {
        text.push_str(&format!("\n{w}"));
    }
    Ok(Report { text, json })
}

/// Residual expressions over the unknowns.
struct ExpressionResiduals {
    programs: Vec<Program>,
    scratch: Scratch,
    point: Vec<f64>,
    grad: Vec<f64>,
    unknowns: usize,
}

impl Residuals for ExpressionResiduals {
    fn len(&self) -> usize {
        self.programs.len()
    }

    fn residuals(&mut self, x: &[f64], r: &mut [f64]) {
        self.point[..self.unknowns].copy_from_slice(x);
        for (ri, p) in r.iter_mut().zip(&self.programs) {
            *ri = p.eval_with(&self.point, &mut self.scratch);
        }
    }

    fn jacobian(&mut self, x: &[f64], jac: &mut Mat<f64>) {
        self.point[..self.unknowns].copy_from_slice(x);
        for (i, p) in self.programs.iter().enumerate() {
            p.eval_grad(&self.point, &mut self.grad, &mut self.scratch);
            for j in 0..self.unknowns {
                jac[(i, j)] = self.grad[j];
            }
        }
    }
}

pub fn least_squares(input: &LeastSquaresInput) -> Result<Report, ToolError> {
    let vars = Variables::read("x0", &input.x0, &input.params)?;
    if input.residuals.is_empty() {
        return Err(at(
            "/residuals",
            "/residuals: give at least one residual expression".to_owned(),
        ));
    }
    let names = vars.names();
    let programs = expression::compile_each(
        input
            .residuals
            .iter()
            .enumerate()
            .map(|(i, src)| (format!("/residuals/{i}"), src.as_str())),
        &names,
    )?;
    let mut point = vars.x0.clone();
    point.extend(&vars.param_values);
    let mut problem = ExpressionResiduals {
        scratch: programs[0].scratch(),
        grad: vec![0.0; point.len()],
        point,
        unknowns: vars.unknowns.len(),
        programs,
    };
    check_start(&mut problem, &vars.x0, "/x0", "residual")?;
    let sol = levenberg_marquardt::solve(
        &mut problem,
        &vars.x0,
        settings(input.max_nfev, input.ftol, input.xtol),
    );
    let mut json = json!({
        "op": "least_squares",
        "x": by_name(&vars.unknowns, &sol.x),
        "cost": finite(sol.cost),
        "residuals": sol.residuals.iter().map(|r| finite(*r)).collect::<Vec<_>>(),
    });
    add_common(&mut json, &sol);
    let text = format!(
        "{} at {}\ncost ½Σr² = {}, {} evaluations\n{}",
        if sol.status.is_success() {
            "least squares"
        } else {
            "best point found"
        },
        assignments(&vars.unknowns, &sol.x),
        num(sol.cost),
        sol.nfev,
        sol.status.message()
    );
    Ok(Report { text, json })
}

fn add_common(json: &mut Value, sol: &Solution) {
    json["grad_norm"] = finite(sol.grad_norm());
    json["iterations"] = json!(sol.iterations);
    json["nfev"] = json!(sol.nfev);
    json["njev"] = json!(sol.njev);
    json["status"] = json!(sol.status.code());
    json["message"] = json!(sol.status.message());
    json["success"] = json!(sol.status.is_success());
}

/// The residuals must be finite at the start; say which one is not.
fn check_start(
    problem: &mut impl Residuals,
    x0: &[f64],
    pointer: &str,
    what: &str,
) -> Result<(), ToolError> {
    let mut r = vec![0.0; problem.len()];
    problem.residuals(x0, &mut r);
    if let Some(i) = r.iter().position(|v| !v.is_finite()) {
        return Err(ToolError::new(
            "not_finite",
            format!(
                "{pointer}: the {what} is not finite at the starting values (residual {i} is {}); start where it is defined",
                r[i]
            ),
        )
        .with_details(json!({ "pointer": pointer, "index": i })));
    }
    Ok(())
}
