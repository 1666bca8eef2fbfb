//! `optimize`: minimisation, root finding and model fitting over expressions. `minimize`
//! runs L-BFGS-B (bounds by generalized Cauchy point and subspace minimisation),
//! trust-region Newton–CG with exact Hessian-vector products, or Nelder–Mead for
//! objectives with kinks; gradients and Jacobians are the expression language's exact
//! reverse-mode derivatives, never finite differences. Everything here is plain Rust that
//! also runs natively; only `export_tool!` is WebAssembly-specific.

mod bfgs_matrix;
mod bounds;
mod expression;
mod fit;
mod hessian;
mod lbfgsb;
mod levenberg_marquardt;
mod line_search;
mod minimize;
mod nelder_mead;
mod objective;
mod outcome;
mod report;
mod root;
mod schema;
mod trust_newton;
mod variables;

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toolhost_sdk::{Output, Tool, ToolError, ToolInfo, json};

pub use fit::{CurveFitInput, LeastSquaresInput};
pub use minimize::{Method, MinimizeInput};
pub use root::{Equations, RootInput};

/// The operation and its arguments; see [`schema`] for what each one does.
#[derive(Deserialize, Debug)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Input {
    Minimize(MinimizeInput),
    Root(RootInput),
    LeastSquares(LeastSquaresInput),
    CurveFit(CurveFitInput),
}

impl JsonSchema for Input {
    fn schema_name() -> Cow<'static, str> {
        "OptimizeInput".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        schema::input_schema(generator)
    }
}

pub struct Optimize;

impl Tool for Optimize {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "optimize",
            env!("CARGO_PKG_VERSION"),
            "Minimisation over expressions, with exact derivatives. Set `op`:\n\
             - minimize: the minimum of f over the unknowns named in x0 (their starting \
             values), optionally within bounds {\"x\": [lower, upper]} (null for none). \
             method \"lbfgsb\" (default; L-BFGS-B, scipy's defaults), \"trust_newton\" \
             (trust-region Newton–CG with exact Hessian-vector products; unconstrained) or \
             \"nelder_mead\" (no gradient; chosen automatically when f has abs, min, max, \
             floor, comparisons or if). Returns x by name, f, grad_norm, iterations, nfev, \
             status, message and success.\n\
             - root: a zero of one expression (bracket [a, b]: Newton with the exact \
             derivative, safeguarded by bisection; or x0: Newton) or of a system given as \
             {\"label\": \"expression\"} with x0 (Powell's hybrid dogleg, exact Jacobian).\n\
             - least_squares: minimise ½Σr² over residual expressions (Levenberg–Marquardt, \
             exact Jacobian).\n\
             - curve_fit: fit the parameters (p0) of a model expression in x to data x, y \
             (optional sigma, absolute_sigma); returns params, stderr and the covariance \
             matrix as scipy's curve_fit defines it.",
        )
        .example(
            "Rosenbrock's valley from the classic start",
            json!({ "op": "minimize", "f": "(1-x)^2 + 100*(y-x^2)^2", "x0": { "x": -1.2, "y": 1 } }),
        )
        .example(
            "With a bound: x must stay at or above 1.5",
            json!({
                "op": "minimize",
                "f": "(x - 1)^2 + (y - 2)^2 + x*y",
                "x0": { "x": 2, "y": 0 },
                "bounds": { "x": [1.5, null] }
            }),
        )
        .example(
            "Newton's method with exact Hessian-vector products and a parameter",
            json!({
                "op": "minimize",
                "f": "ln(1 + exp(-a*x)) + ln(1 + exp(a*y)) + (x^2 + y^2)/2",
                "x0": { "x": 0, "y": 0 },
                "params": { "a": 3 },
                "method": "trust_newton",
                "gtol": 1e-10
            }),
        )
        .example(
            "A kinked objective (absolute deviations): Nelder–Mead is chosen",
            json!({ "op": "minimize", "f": "abs(m - 1) + abs(m - 2) + abs(m - 7)", "x0": { "m": 0 } }),
        )
        .example(
            "A root in a bracket: cos(x) = x",
            json!({ "op": "root", "f": "cos(x) - x", "bracket": [0, 1] }),
        )
        .example(
            "A system: where the circle x² + y² = 4 meets the hyperbola xy = 1",
            json!({ "op": "root", "f": { "circle": "x^2 + y^2 - 4", "hyperbola": "x*y - 1" }, "x0": { "x": 2, "y": 0.5 } }),
        )
        .example(
            "Exponential decay fitted to data, with standard errors",
            json!({
                "op": "curve_fit",
                "model": "a*exp(-b*t) + c",
                "var": "t",
                "x": [0, 1, 2, 3, 4, 5, 6],
                "y": [3.02, 1.98, 1.41, 1.12, 0.94, 0.87, 0.82],
                "p0": { "a": 1, "b": 1, "c": 0 }
            }),
        )
        .example(
            "Least squares over residual expressions",
            json!({ "op": "least_squares", "residuals": ["10*(y - x^2)", "1 - x"], "x0": { "x": -1.2, "y": 1 } }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let report = match &input {
            Input::Minimize(i) => minimize::run(i)?,
            Input::Root(i) => root::run(i)?,
            Input::LeastSquares(i) => fit::least_squares(i)?,
            Input::CurveFit(i) => fit::curve_fit(i)?,
        };
        Ok(Output::text(report.text).and_json(&report.json))
    }
}

toolhost_sdk::export_tool!(Optimize);
