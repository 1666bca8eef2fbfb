//! `integrate`: numerical integration of expressions. `quad` integrates one variable over
//! a finite or infinite interval by adaptive Gauss–Kronrod quadrature, following QUADPACK
//! (QAGS with Wynn's epsilon extrapolation, QAGI with x = a + (1 − t)/t) as
//! scipy.integrate.quad does, so its accuracy and evaluation counts can be held to
//! scipy's; the quadrature itself is the guest crate `toolhost-quadrature`, shared with
//! calc. `ode` solves initial value problems for systems of expressions with
//! Dormand–Prince 5(4) or 8(5,3) or, for stiff systems, Radau IIA with the exact Jacobian
//! from the expression language's reverse mode. Either can draw its result (`plot`)
//! through the plot tool's renderer. Everything here is plain Rust that also runs natively; only `export_tool!` is
//! WebAssembly-specific.

mod dop853;
mod dopri5;
mod explicit;
mod expression;
mod lu;
mod ode;
mod plot;
mod quad;
mod radau;
mod report;
mod schema;
mod solver;

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toolhost_sdk::{Output, Tool, ToolError, ToolInfo, json};

pub use ode::{Event, Method, OdeInput};
pub use plot::{ImageFormat, PlotOptions, PlotRequest};
pub use quad::{Bound, QuadInput};

/// The operation and its arguments; see [`schema`] for what each one does.
#[derive(Deserialize, Debug)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Input {
    Quad(QuadInput),
    Ode(OdeInput),
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
             jump inside the interval: split the interval there.\n\
             - ode: y' = f(t, y) for a system given as {\"name\": \"derivative\"} with y0 by \
             name and t_span [t0, t1]; method \"dopri5\" (Dormand–Prince 5(4), scipy's RK45, \
             the default), \"dop853\" (Dormand–Prince 8(5,3), scipy's DOP853: fewer \
             evaluations at tight tolerances, rtol below about 1e-6) or \"radau\" (Radau IIA \
             order 5 with the exact Jacobian, for stiff systems); rtol (default 1e-3) and atol \
             (1e-6); t_eval for output at chosen times (dense output), events (expressions \
             whose zero crossings are located; terminal ones stop).\n\
             Either operation draws its result with \"plot\": true (an 800×600 PNG beside the \
             JSON: each unknown against t, or the integrand over the interval) or \
             {\"format\": \"png\" | \"svg\", \"width\", \"height\"}.",
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
        .example(
            "Lotka–Volterra predator and prey, reported at t = 0, 5, 10, 15",
            json!({
                "op": "ode",
                "rhs": { "prey": "a*prey - b*prey*pred", "pred": "-c*pred + d*prey*pred" },
                "y0": { "prey": 10, "pred": 5 },
                "params": { "a": 1.5, "b": 1, "c": 3, "d": 1 },
                "t_span": [0, 15],
                "t_eval": [0, 5, 10, 15],
                "rtol": 1e-8,
                "atol": 1e-10
            }),
        )
        .example(
            "The Arenstorf orbit (a satellite between earth and moon) over one period at a \
             tight tolerance, where the eighth-order method pays",
            json!({
                "op": "ode",
                "method": "dop853",
                "rhs": {
                    "x": "vx",
                    "y": "vy",
                    "vx": "x + 2*vy - (1 - mu)*(x + mu)/((x + mu)^2 + y^2)^1.5 - mu*(x - 1 + mu)/((x - 1 + mu)^2 + y^2)^1.5",
                    "vy": "y - 2*vx - (1 - mu)*y/((x + mu)^2 + y^2)^1.5 - mu*y/((x - 1 + mu)^2 + y^2)^1.5"
                },
                "y0": { "x": 0.994, "y": 0, "vx": 0, "vy": -2.00158510637908 },
                "params": { "mu": 0.012277471 },
                "t_span": [0, 17.0652165601579],
                "t_eval": [17.0652165601579],
                "rtol": 1e-10,
                "atol": 1e-12
            }),
        )
        .example(
            "The predator–prey cycles drawn: a PNG of both populations against time",
            json!({
                "op": "ode",
                "rhs": { "prey": "a*prey - b*prey*pred", "pred": "-c*pred + d*prey*pred" },
                "y0": { "prey": 10, "pred": 5 },
                "params": { "a": 1.5, "b": 1, "c": 3, "d": 1 },
                "t_span": [0, 15],
                "rtol": 1e-6,
                "plot": true
            }),
        )
        .example(
            "The integrand drawn too: ∫ exp(-x) cos(x) from 0 to ∞, as a 600×400 SVG",
            json!({ "op": "quad", "f": "exp(-x) * cos(x)", "a": 0, "b": "inf",
                    "plot": { "format": "svg", "width": 600, "height": 400 } }),
        )
        .example(
            "A stiff system (Robertson's chemical kinetics) with the implicit method",
            json!({
                "op": "ode",
                "method": "radau",
                "rhs": {
                    "y1": "-0.04*y1 + 1e4*y2*y3",
                    "y2": "0.04*y1 - 1e4*y2*y3 - 3e7*y2^2",
                    "y3": "3e7*y2^2"
                },
                "y0": { "y1": 1, "y2": 0, "y3": 0 },
                "t_span": [0, 1000],
                "t_eval": [1, 10, 100, 1000],
                "rtol": 1e-6,
                "atol": 1e-12
            }),
        )
        .example(
            "A ball thrown up at 10 m/s lands: a terminal event",
            json!({
                "op": "ode",
                "rhs": { "h": "v", "v": "-9.81" },
                "y0": { "h": 0, "v": 10 },
                "t_span": [0, 10],
                "events": [{ "expr": "h", "direction": -1, "terminal": true }],
                "rtol": 1e-9,
                "atol": 1e-12
            }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let report = match &input {
            Input::Quad(i) => quad::run(i)?,
            Input::Ode(i) => ode::run(i)?,
        };
        let mut out = Output::text(report.text).and_json(&report.json);
        if let Some(picture) = report.picture {
            out = out.and_image(picture.mime_type, picture.data);
        }
        Ok(out)
    }
}

toolhost_sdk::export_tool!(Integrate);
