//! The published input schema: one object schema per integration, chosen by
//! `op` with `if`/`then` so a validator names the field at fault
//! ([`toolhost_sdk::operations`]).

use schemars::{JsonSchema, Schema, SchemaGenerator};
use toolhost_sdk::operations::{self, Operation};

use crate::ode::OdeInput;
use crate::quad::QuadInput;

const OPERATIONS: [Operation; 2] = [
    Operation {
        name: "quad",
        description: "∫ f dx from a to b by adaptive Gauss–Kronrod quadrature (QUADPACK QAGS, \
                  with Wynn's epsilon extrapolation for endpoint singularities; QAGI for \
                  infinite limits). Returns value, abserr (error estimate) and neval; \
                  \"plot\": true draws the integrand.",
        schema: QuadInput::json_schema,
    },
    Operation {
        name: "ode",
        description: "Initial value problem y' = f(t, y) for a system of expressions: \
                      Dormand–Prince 5(4), 8(5,3) for tight tolerances (method \
                      \"dop853\"), or Radau IIA for stiff systems (method \"radau\"), with \
                      rtol/atol, dense output at t_eval, events, and a picture with \
                      \"plot\": true. Returns t, y (a list per unknown), events and step \
                      counts.",
        schema: OdeInput::json_schema,
    },
];

pub fn input_schema(generator: &mut SchemaGenerator) -> Schema {
    operations::input_schema(
        generator,
        &OPERATIONS,
        "An integration, chosen by `op`; the other fields are that operation's.",
    )
}
