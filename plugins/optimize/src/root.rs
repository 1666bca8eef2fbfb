//! `root`: where an expression is zero (one unknown: Newton's method with the exact
//! derivative, safeguarded by bisection inside a bracket when one is given), or where a
//! system of expressions is zero (Powell's hybrid dogleg trust region with the exact
//! Jacobian).

use std::collections::BTreeMap;

use faer::Mat;
use faer::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_expr::{Program, Scratch};
use toolhost_sdk::{ToolError, json};

use crate::bfgs_matrix::dot;
use crate::expression;
use crate::outcome::Status;
use crate::report::{Report, assignments, by_name, finite, num};
use crate::variables::{Variables, at};

/// Find a zero of one expression or of a system.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct RootInput {
    /// One expression in one unknown, e.g. "cos(x) - x"; or a system, one equation per
    /// unknown: {"e1": "x^2 + y^2 - 4", "e2": "x*y - 1"} (each expression = 0).
    pub f: Equations,
    /// A system's unknowns and starting values, e.g. {"x": 1, "y": 1}; for one equation,
    /// its unknown and start, e.g. {"x": 1} (or give bracket instead).
    #[serde(default)]
    pub x0: Option<BTreeMap<String, f64>>,
    /// One equation: an interval [a, b] where f changes sign; the root found lies inside.
    #[serde(default)]
    pub bracket: Option<[f64; 2]>,
    /// One equation with a bracket: the unknown's name. Default: the one name in f that
    /// is not a parameter.
    #[serde(default)]
    pub var: Option<String>,
    /// Named constants that the expressions may use.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Stop when a step is at most xtol·(|x| + xtol). Default 1e-12.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub xtol: Option<f64>,
    /// Iteration cap. Default 100 for one equation, 200·(unknowns + 1) for a system.
    #[serde(default)]
    #[schemars(range(min = 1, max = 100000))]
    pub max_iter: Option<u32>,
}

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(untagged)]
pub enum Equations {
    One(String),
    System(BTreeMap<String, String>),
}

pub fn run(input: &RootInput) -> Result<Report, ToolError> {
    match &input.f {
        Equations::One(src) => scalar(input, src),
        Equations::System(eqs) => system(input, eqs),
    }
}

/// A residual's size at the end must be this small, relative to the start, to count as a
/// root: a step that stalls at a pole or a minimum of |f| is not one.
fn small_enough(end: f64, start: f64) -> bool {
    end <= f64::EPSILON.sqrt() * start.max(1.0)
}

fn scalar(input: &RootInput, src: &str) -> Result<Report, ToolError> {
    let expr = expression::parse(src, "/f")?;
    let start_map = input.x0.clone().unwrap_or_default();
    if start_map.len() > 1 {
        return Err(at(
            "/x0",
            "/x0: one equation takes one unknown; give a system (f as an object, one equation per unknown) for more".to_owned(),
        ));
    }
    let var = match (start_map.keys().next(), &input.var) {
        (Some(k), Some(v)) if k != v => {
            return Err(at(
                "/var",
                format!("/var: {v} differs from the unknown named in x0 ({k})"),
            ));
        }
        (Some(k), _) => k.clone(),
        (None, Some(v)) => v.clone(),
        (None, None) => {
            let free: Vec<&str> = expr
                .variables()
                .into_iter()
                .filter(|n| !input.params.contains_key(*n))
                .collect();
            match free.as_slice() {
                [one] => (*one).to_owned(),
                [] => {
                    return Err(at(
                        "/f",
                        "/f: f has no unknown; every name is a parameter".to_owned(),
                    ));
                }
                more => {
                    return Err(at(
                        "/var",
                        format!(
                            "/var: f has several unknowns ({}); name the one to solve for in var, and give the others in params",
                            more.join(", ")
                        ),
                    ));
                }
            }
        }
    };
    let start: BTreeMap<String, f64> =
        [(var.clone(), start_map.get(&var).copied().unwrap_or(0.0))].into();
    let vars = Variables::read("x0", &start, &input.params)?;
    let program = expression::compile(
        &expr,
        "/f",
        &vars.names(),
        &format!("the unknown ({var}) or a parameter (in params)"),
    )?;
    let mut f = ScalarFunction {
        program: &program,
        scratch: program.scratch(),
        point: {
            let mut p = vec![0.0];
            p.extend(&vars.param_values);
            p
        },
        grad: vec![0.0; 1 + vars.params.len()],
        nfev: 0,
    };
    let xtol = input.xtol.unwrap_or(1e-12);
    let max_iter = input.max_iter.unwrap_or(100) as usize;
    let (x, fx, iterations, status, method) = match input.bracket {
        Some([a, b]) => {
            if !(a.is_finite() && b.is_finite()) || a == b {
                return Err(at(
                    "/bracket",
                    "/bracket: give two different finite numbers [a, b]".to_owned(),
                ));
            }
            let (fa, _) = f.eval(a);
            let (fb, _) = f.eval(b);
            if !(fa.is_finite() && fb.is_finite()) {
                return Err(ToolError::new(
                    "not_finite",
                    format!("/bracket: f is not finite at an end of the bracket (f({}) = {fa}, f({}) = {fb})", num(a), num(b)),
                )
                .with_details(json!({ "pointer": "/bracket" })));
            }
            if fa * fb > 0.0 {
                return Err(at(
                    "/bracket",
                    format!(
                        "/bracket: f has the same sign at both ends (f({}) = {}, f({}) = {}); give an interval where it changes sign, or x0 instead",
                        num(a),
                        num(fa),
                        num(b),
                        num(fb)
                    ),
                ));
            }
            let (x, fx, it, st) = safeguarded_newton(
                &mut f,
                a.min(b),
                a.max(b),
                fa,
                fb,
                input.x0.as_ref().and_then(|m| m.get(&var).copied()),
                xtol,
                max_iter,
            );
            (x, fx, it, st, "newton_bisection")
        }
        None => {
            if input.x0.is_none() {
                return Err(at(
                    "/x0",
                    "/x0: give a starting value ({\"x\": 1}) or a bracket [a, b]".to_owned(),
                ));
            }
            let x0 = vars.x0[0];
            let (f0, _) = f.eval(x0);
            if !f0.is_finite() {
                return Err(ToolError::new(
                    "not_finite",
                    format!(
                        "/x0: f is {f0} at {var} = {}; start where it is defined",
                        num(x0)
                    ),
                )
                .with_details(json!({ "pointer": "/x0" })));
            }
            let (x, fx, it, st) = newton(&mut f, x0, f0, xtol, max_iter);
            let st = if st.is_success() && !small_enough(fx.abs(), f0.abs()) {
                Status::NoProgress
            } else {
                st
            };
            (x, fx, it, st, "newton")
        }
    };
    let success = status.is_success();
    let json = json!({
        "op": "root",
        "method": method,
        "x": by_name(&vars.unknowns, &[x]),
        "f": finite(fx),
        "iterations": iterations,
        "nfev": f.nfev,
        "status": status.code(),
        "message": status.message(),
        "success": success,
    });
    let text = format!(
        "{} {var} = {}\nf = {}\n{} after {iterations} iterations, {} evaluations",
        if success {
            "root"
        } else {
            "no root found; last point"
        },
        num(x),
        num(fx),
        status.message(),
        f.nfev
    );
    Ok(Report { text, json })
}

struct ScalarFunction<'a> {
    program: &'a Program,
    scratch: Scratch,
    point: Vec<f64>,
    grad: Vec<f64>,
    nfev: usize,
}

impl ScalarFunction<'_> {
    /// f(x) and f'(x).
    fn eval(&mut self, x: f64) -> (f64, f64) {
        self.nfev += 1;
        self.point[0] = x;
        let v = self
            .program
            .eval_grad(&self.point, &mut self.grad, &mut self.scratch);
        (v, self.grad[0])
    }
}

/// Newton's method kept inside [lo, hi] (f(lo)·f(hi) ≤ 0): a Newton step that leaves the
/// bracket, or does not halve the step before last, is replaced by bisection, so it
/// converges whenever bisection would and quadratically near a simple root.
#[allow(clippy::too_many_arguments)]
fn safeguarded_newton(
    f: &mut ScalarFunction,
    mut lo: f64,
    mut hi: f64,
    flo: f64,
    fhi: f64,
    start: Option<f64>,
    xtol: f64,
    max_iter: usize,
) -> (f64, f64, usize, Status) {
    if flo == 0.0 {
        return (lo, 0.0, 0, Status::GradientTolerance);
    }
    if fhi == 0.0 {
        return (hi, 0.0, 0, Status::GradientTolerance);
    }
    // Orient so that f(lo) < 0 < f(hi).
    let flip = flo > 0.0;
    let mut x = start
        .filter(|s| *s > lo && *s < hi)
        .unwrap_or(0.5 * (lo + hi));
    let mut dx_old = hi - lo;
    let mut dx = dx_old;
    let (mut fx, mut dfx) = f.eval(x);
    for it in 1..=max_iter {
        if fx == 0.0 {
            return (x, fx, it - 1, Status::GradientTolerance);
        }
        let newton_leaves = ((x - hi) * dfx - fx) * ((x - lo) * dfx - fx) > 0.0;
        let too_slow = (2.0 * fx).abs() > (dx_old * dfx).abs();
        dx_old = dx;
        if newton_leaves || too_slow || dfx == 0.0 || !dfx.is_finite() {
            dx = 0.5 * (hi - lo);
            x = lo + dx;
        } else {
            dx = fx / dfx;
            x -= dx;
        }
        let (v, d) = f.eval(x);
        fx = v;
        dfx = d;
        if (fx < 0.0) != flip {
            lo = x;
        } else {
            hi = x;
        }
        if dx.abs() <= xtol + 4.0 * f64::EPSILON * x.abs()
            || hi - lo <= xtol + 4.0 * f64::EPSILON * x.abs()
        {
            let status = if fx.is_finite() && small_enough(fx.abs(), flo.abs().max(fhi.abs())) {
                Status::StepTolerance
            } else {
                Status::NoProgress
            };
            return (x, fx, it, status);
        }
    }
    (x, fx, max_iter, Status::MaxIterations)
}

/// Newton's method from x0, halving a step that does not reduce |f|.
fn newton(
    f: &mut ScalarFunction,
    mut x: f64,
    mut fx: f64,
    xtol: f64,
    max_iter: usize,
) -> (f64, f64, usize, Status) {
    let (_, mut dfx) = f.eval(x);
    for it in 1..=max_iter {
        if fx == 0.0 {
            return (x, fx, it - 1, Status::GradientTolerance);
        }
        if dfx == 0.0 || !dfx.is_finite() {
            return (x, fx, it - 1, Status::NoProgress);
        }
        let mut step = fx / dfx;
        let mut accepted = None;
        for _ in 0..40 {
            let (v, d) = f.eval(x - step);
            if v.is_finite() && v.abs() < fx.abs() {
                accepted = Some((v, d));
                break;
            }
            step *= 0.5;
        }
        let Some((v, d)) = accepted else {
            return (x, fx, it, Status::NoProgress);
        };
        x -= step;
        fx = v;
        dfx = d;
        if step.abs() <= xtol * (x.abs() + xtol) {
            return (x, fx, it, Status::StepTolerance);
        }
    }
    (x, fx, max_iter, Status::MaxIterations)
}

/// The system's residuals F(x) and Jacobian, one compiled program per equation.
struct System {
    programs: Vec<Program>,
    scratch: Scratch,
    point: Vec<f64>,
    grad: Vec<f64>,
    n: usize,
    nfev: usize,
    njev: usize,
}

impl System {
    fn residuals(&mut self, x: &[f64], out: &mut [f64]) {
        self.nfev += 1;
        self.point[..self.n].copy_from_slice(x);
        for (o, p) in out.iter_mut().zip(&self.programs) {
            *o = p.eval_with(&self.point, &mut self.scratch);
        }
    }

    fn jacobian(&mut self, x: &[f64]) -> Mat<f64> {
        self.njev += 1;
        self.point[..self.n].copy_from_slice(x);
        let mut jac = Mat::zeros(self.n, self.n);
        for (i, p) in self.programs.iter().enumerate() {
            p.eval_grad(&self.point, &mut self.grad, &mut self.scratch);
            for j in 0..self.n {
                jac[(i, j)] = self.grad[j];
            }
        }
        jac
    }
}

fn system(input: &RootInput, eqs: &BTreeMap<String, String>) -> Result<Report, ToolError> {
    let Some(x0) = &input.x0 else {
        return Err(at(
            "/x0",
            "/x0: a system needs its unknowns and starting values, e.g. {\"x\": 1, \"y\": 1}"
                .to_owned(),
        ));
    };
    if input.bracket.is_some() {
        return Err(at(
            "/bracket",
            "/bracket: a bracket is for one equation; a system starts from x0".to_owned(),
        ));
    }
    let vars = Variables::read("x0", x0, &input.params)?;
    let n = vars.unknowns.len();
    if eqs.len() != n {
        return Err(at(
            "/f",
            format!(
                "/f: {} equations for {n} unknowns ({}); give one equation per unknown (least_squares fits more equations than unknowns)",
                eqs.len(),
                vars.unknowns.join(", ")
            ),
        ));
    }
    let names = vars.names();
    let programs = expression::compile_each(
        eqs.iter()
            .map(|(label, src)| (format!("/f/{label}"), src.as_str())),
        &names,
    )?;
    let mut point = vars.x0.clone();
    point.extend(&vars.param_values);
    let mut sys = System {
        scratch: programs[0].scratch(),
        grad: vec![0.0; point.len()],
        point,
        programs,
        n,
        nfev: 0,
        njev: 0,
    };
    let mut x = vars.x0.clone();
    let mut fx = vec![0.0; n];
    sys.residuals(&x, &mut fx);
    if let Some(i) = fx.iter().position(|v| !v.is_finite()) {
        let label = eqs.keys().nth(i).expect("one label per equation");
        return Err(ToolError::new(
            "not_finite",
            format!("/x0: equation {label} is {} at the start ({}); start where every equation is defined", fx[i], assignments(&vars.unknowns, &x)),
        )
        .with_details(json!({ "pointer": "/x0", "equation": label })));
    }
    let f0 = fx.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let xtol = input.xtol.unwrap_or(1e-12);
    let max_iter = input.max_iter.map_or(200 * (n + 1), |m| m as usize);
    let mut jac = sys.jacobian(&x);
    let mut radius = 100.0 * dot(&x, &x).sqrt().max(1.0);
    let mut iterations = 0;
    let mut f_new = vec![0.0; n];
    let status = loop {
        let norm = dot(&fx, &fx);
        if norm == 0.0 {
            break Status::GradientTolerance;
        }
        if iterations >= max_iter {
            break Status::MaxIterations;
        }
        iterations += 1;
        let p = dogleg(&jac, &fx, radius);
        let step = dot(&p, &p).sqrt();
        let x_new: Vec<f64> = (0..n).map(|j| x[j] + p[j]).collect();
        sys.residuals(&x_new, &mut f_new);
        let new_norm = dot(&f_new, &f_new);
        let linear: Vec<f64> = (0..n)
            .map(|i| fx[i] + (0..n).map(|j| jac[(i, j)] * p[j]).sum::<f64>())
            .collect();
        let predicted = norm - dot(&linear, &linear);
        let rho = if new_norm.is_finite() && predicted > 0.0 {
            (norm - new_norm) / predicted
        } else {
            -1.0
        };
        if rho < 0.25 {
            radius = 0.25 * step.min(radius);
        } else if rho > 0.75 {
            radius = radius.max(2.0 * step);
        }
        let scale = dot(&x, &x).sqrt();
        if rho > 1e-4 {
            x = x_new;
            fx.copy_from_slice(&f_new);
            jac = sys.jacobian(&x);
            if step <= xtol * (scale + xtol) {
                break Status::StepTolerance;
            }
        } else if radius <= xtol * (scale + xtol) {
            break Status::NoProgress;
        }
    };
    let fmax = fx.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let status = if status.is_success() && !small_enough(fmax, f0) {
        Status::NoProgress
    } else {
        status
    };
    let labels: Vec<String> = eqs.keys().cloned().collect();
    let json = json!({
        "op": "root",
        "method": "hybrid_dogleg",
        "x": by_name(&vars.unknowns, &x),
        "f": by_name(&labels, &fx),
        "max_abs_f": finite(fmax),
        "iterations": iterations,
        "nfev": sys.nfev,
        "njev": sys.njev,
        "status": status.code(),
        "message": status.message(),
        "success": status.is_success(),
    });
    let text = format!(
        "{} {}\nmax |f| = {}\n{} after {iterations} iterations, {} evaluations",
        if status.is_success() {
            "root"
        } else {
            "no root found; last point"
        },
        assignments(&vars.unknowns, &x),
        num(fmax),
        status.message(),
        sys.nfev
    );
    Ok(Report { text, json })
}

/// Powell's dogleg in a trust region of `radius`: the Newton step J⁻¹(−F) if it fits,
/// else the way from the Cauchy point (steepest descent of ‖F‖²) towards it, cut at the
/// boundary. A singular J leaves the Cauchy direction.
fn dogleg(jac: &Mat<f64>, f: &[f64], radius: f64) -> Vec<f64> {
    let n = f.len();
    let mut newton = Mat::from_fn(n, 1, |i, _| -f[i]);
    jac.partial_piv_lu().solve_in_place(newton.as_mut());
    let newton: Option<Vec<f64>> = {
        let v: Vec<f64> = (0..n).map(|i| newton[(i, 0)]).collect();
        v.iter().all(|a| a.is_finite()).then_some(v)
    };
    if let Some(pn) = &newton
        && dot(pn, pn).sqrt() <= radius
    {
        return pn.clone();
    }
    let g: Vec<f64> = (0..n)
        .map(|j| (0..n).map(|i| jac[(i, j)] * f[i]).sum())
        .collect();
    let jg: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| jac[(i, j)] * g[j]).sum())
        .collect();
    let gnorm = dot(&g, &g).sqrt();
    if gnorm == 0.0 {
        return newton.unwrap_or_else(|| vec![0.0; n]);
    }
    let alpha = dot(&g, &g) / dot(&jg, &jg);
    let pc: Vec<f64> = g.iter().map(|v| -alpha * v).collect();
    let pc_norm = dot(&pc, &pc).sqrt();
    let Some(pn) = newton else {
        let s = (radius / pc_norm).min(1.0);
        return pc.iter().map(|v| v * s).collect();
    };
    if pc_norm >= radius {
        return g.iter().map(|v| -radius * v / gnorm).collect();
    }
    // pc + τ(pn − pc) with ‖·‖ = radius, τ in [0, 1].
    let d: Vec<f64> = (0..n).map(|i| pn[i] - pc[i]).collect();
    let a = dot(&d, &d);
    let b = 2.0 * dot(&pc, &d);
    let c = dot(&pc, &pc) - radius * radius;
    let tau = (-b + (b * b - 4.0 * a * c).max(0.0).sqrt()) / (2.0 * a);
    (0..n).map(|i| pc[i] + tau * d[i]).collect()
}
