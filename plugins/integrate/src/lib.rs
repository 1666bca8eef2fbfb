//! `integrate`: numerical integration of expressions. `quad` integrates one variable over
//! a finite or infinite interval by adaptive Gauss–Kronrod quadrature, following QUADPACK
//! (QAGS with Wynn's epsilon extrapolation, QAGI with x = a + (1 − t)/t) as
//! scipy.integrate.quad does, so its accuracy and evaluation counts can be held to
//! scipy's. Everything here is plain Rust that also runs natively; only `export_tool!` is
//! WebAssembly-specific.

mod adaptive;
mod epsilon;
mod expression;
mod kronrod;
mod quad;
mod report;
mod schema;

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toolhost_sdk::{Output, Tool, ToolError, ToolInfo, json};

pub use adaptive::{Outcome, Status, Tolerance};
pub use quad::{Bound, QuadInput, integrate as quad_integrate};

/// The operation and its arguments; see [`schema`] for what each one does.
#[derive(Deserialize, Debug)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Input {
    Quad(QuadInput),
}

impl JsonSchema for Input {
    fn schema_name() -> Cow<'static, str> {
        "IntegrateInput".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        schema::input_schema(generator)
    }
}

pub struct Integrate;

impl Tool for Integrate {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "integrate",
            env!("CARGO_PKG_VERSION"),
            "Numerical integration of expressions. Set `op`:\n\
             - quad: ∫ f dx from a to b. f is an expression in one variable (var, default \
             the one free name) and named params; a and b are numbers or expressions such as \
             \"-inf\", \"inf\", \"pi/2\". Adaptive Gauss–Kronrod (21 points; 15 on infinite \
             intervals mapped to (0, 1]) with Wynn's epsilon extrapolation, so integrable \
             singularities at an endpoint (1/sqrt(x), ln(x)) converge. Returns value, abserr \
             (error estimate), neval (evaluations) and a status; defaults epsabs = epsrel = \
             1.49e-8, limit = 50 subintervals, as scipy.integrate.quad. A singularity or \
             jump inside the interval: split the interval there.",
        )
        .example(
            "Gaussian integral over the real line (√π)",
            json!({ "op": "quad", "f": "exp(-x^2)", "a": "-inf", "b": "inf" }),
        )
        .example(
            "Endpoint singularity: ∫₀¹ ln(x)/sqrt(x) dx = −4",
            json!({ "op": "quad", "f": "ln(x)/sqrt(x)", "a": 0, "b": 1 }),
        )
        .example(
            "Oscillatory integrand with a parameter, to pi",
            json!({ "op": "quad", "f": "sin(k*t)^2", "var": "t", "a": 0, "b": "pi", "params": { "k": 20 } }),
        )
        .example(
            "Tighter tolerance and more subintervals",
            json!({ "op": "quad", "f": "cos(x^2)", "a": 0, "b": 30, "epsabs": 0, "epsrel": 1e-12, "limit": 500 }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let report = match &input {
            Input::Quad(i) => quad::run(i)?,
        };
        Ok(Output::text(report.text).and_json(&report.json))
    }
}

toolhost_sdk::export_tool!(Integrate);
