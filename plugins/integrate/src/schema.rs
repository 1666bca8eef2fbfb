//! The published input schema: one object schema per operation, chosen by `op` with
//! `if`/`then` (as linalg and stats do), so a validator names the field at fault rather
//! than saying that no branch of a `oneOf` matched.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use toolhost_sdk::{Value, json};

use crate::ode::OdeInput;
use crate::quad::QuadInput;

struct Operation {
    name: &'static str,
    description: &'static str,
    schema: fn(&mut SchemaGenerator) -> Schema,
}

const OPERATIONS: [Operation; 2] = [
    Operation {
        name: "quad",
        description: "∫ f dx from a to b by adaptive Gauss–Kronrod quadrature (QUADPACK QAGS, \
                  with Wynn's epsilon extrapolation for endpoint singularities; QAGI for \
                  infinite limits). Returns value, abserr (error estimate) and neval.",
        schema: QuadInput::json_schema,
    },
    Operation {
        name: "ode",
        description: "Initial value problem y' = f(t, y) for a system of expressions: \
                      Dormand–Prince 5(4), or Radau IIA for stiff systems (method \
                      \"radau\"), with rtol/atol, dense output at t_eval, events. \
                      Returns t, y (a list per unknown), events and step counts.",
        schema: OdeInput::json_schema,
    },
];

pub fn operation_names() -> Vec<&'static str> {
    OPERATIONS.iter().map(|o| o.name).collect()
}

pub fn input_schema(generator: &mut SchemaGenerator) -> Schema {
    let listing: Vec<String> = OPERATIONS
        .iter()
        .map(|o| format!("{}: {}", o.name, o.description))
        .collect();
    let branches: Vec<Value> = OPERATIONS
        .iter()
        .map(|o| {
            let mut then = (o.schema)(generator);
            let object = then.ensure_object();
            object.insert("description".into(), json!(o.description));
            object
                .entry("properties")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("an object schema's properties are an object")
                .insert("op".into(), json!({ "const": o.name }));
            object
                .entry("required")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("required is a list")
                .insert(0, json!("op"));
            json!({
                "if": { "properties": { "op": { "const": o.name } }, "required": ["op"] },
                "then": then,
            })
        })
        .collect();
    json_schema!({
        "type": "object",
        "description": "An integration, chosen by `op`; the other fields are that operation's.",
        "properties": {
            "op": {
                "enum": operation_names(),
                "description": listing.join("\n"),
            }
        },
        "required": ["op"],
        "allOf": branches,
    })
}
