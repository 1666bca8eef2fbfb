//! The published input schema: one object schema per operation, chosen by `op` with
//! `if`/`then` so a validator names the field at fault ([`toolhost_sdk::operations`]).

use schemars::{JsonSchema, Schema, SchemaGenerator};
use toolhost_sdk::operations::{self, Operation};

use crate::fit::{CurveFitInput, LeastSquaresInput};
use crate::minimize::MinimizeInput;
use crate::root::RootInput;

const OPERATIONS: [Operation; 4] = [
    Operation {
        name: "minimize",
        description: "The minimum of an expression f over the unknowns named in x0, optionally \
                  within bounds: L-BFGS-B (default), trust_newton (exact Hessian-vector \
                  products) or nelder_mead (chosen for f with kinks or steps). Returns x \
                  by name, f, grad_norm, iterations, nfev, status and success.",
        schema: MinimizeInput::json_schema,
    },
    Operation {
        name: "root",
        description: "A zero of one expression (bracket [a, b] or x0; Newton with the exact \
                  derivative, kept in the bracket by bisection) or of a system {label: \
                  expression} from x0 (Powell's hybrid dogleg, exact Jacobian). Returns x, \
                  f there, iterations, nfev, status and success.",
        schema: RootInput::json_schema,
    },
    Operation {
        name: "least_squares",
        description: "Minimise ½Σr² over a list of residual expressions from x0 \
                  (Levenberg–Marquardt, exact Jacobian). Returns x, cost, the residuals, \
                  nfev, njev, status and success.",
        schema: LeastSquaresInput::json_schema,
    },
    Operation {
        name: "curve_fit",
        description: "Fit a model expression's parameters (p0) to data x, y, optionally weighted \
                  by sigma (Levenberg–Marquardt, exact Jacobian). Returns params, stderr, \
                  cov (scaled by the reduced chi-square unless absolute_sigma, as scipy's \
                  curve_fit), residual_norm, nfev, status and success.",
        schema: CurveFitInput::json_schema,
    },
];

pub fn input_schema(generator: &mut SchemaGenerator) -> Schema {
    operations::input_schema(
        generator,
        &OPERATIONS,
        "An optimisation, chosen by `op`; the other fields are that operation's.",
    )
}
