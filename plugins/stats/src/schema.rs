//! The published input schema: one object schema per operation, chosen by `op` with
//! `if`/`then`. A `oneOf` over the operations (what a derived internally tagged enum
//! gives) fails as a whole, so a validator can only say that no branch matched; with
//! `if`/`then` only the named operation's schema applies and the validator names the
//! field at fault, and an unknown `op` is reported against the list of operations.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use toolhost_sdk::{Value, json};

use crate::{ChiSquaredInput, CorrelationInput, DistributionInput, RegressionInput, TTestInput};

struct Operation {
    name: &'static str,
    description: &'static str,
    schema: fn(&mut SchemaGenerator) -> Schema,
}

const OPERATIONS: [Operation; 5] = [
    Operation {
        name: "distribution",
        description: "A distribution's density or mass (pdf), log_pdf, cdf, survival sf and \
                      quantile at the given points, its mean and variance, and `sample` \
                      seeded random draws.",
        schema: DistributionInput::json_schema,
    },
    Operation {
        name: "t_test",
        description: "Student's t test of a mean (x), of paired differences (x, y, \
                      paired) or of two means (x, y: Welch's test unless equal_variances).",
        schema: TTestInput::json_schema,
    },
    Operation {
        name: "chi_squared_test",
        description: "Pearson's chi-squared test: goodness of fit of `observed` counts, or \
                      independence of the rows and columns of a contingency `table`.",
        schema: ChiSquaredInput::json_schema,
    },
    Operation {
        name: "correlation",
        description: "Pearson (with a Fisher-z confidence interval) or Spearman \
                      correlation of x and y, with a test against 0.",
        schema: CorrelationInput::json_schema,
    },
    Operation {
        name: "regression",
        description: "Linear regression of y on named predictors by least squares: \
                      coefficients with standard errors, t statistics, p-values and \
                      intervals; R², adjusted R², residual standard error and the F test.",
        schema: RegressionInput::json_schema,
    },
];

pub fn input_schema(generator: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
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
        "description": "A statistics operation, chosen by `op`; the other fields are that operation's.",
        "properties": {
            "op": {
                "enum": names,
                "description": listing.join("\n"),
            }
        },
        "required": ["op"],
        "allOf": branches,
    })
}
