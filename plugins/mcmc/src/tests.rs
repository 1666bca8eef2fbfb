//! The tool's description: its examples run and its schema is strict.

use super::*;
use crate::input::Constraint;
use toolhost_sdk::testing;

#[test]
fn every_example_runs() {
    for example in Mcmc::info().examples {
        let out = testing::call::<Mcmc>(example.input.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", example.description));
        assert!(out.first_text().is_some() && out.first_json().is_some());
    }
}

#[test]
fn the_schema_refuses_misspelt_fields_and_documents_every_field() {
    let schema = testing::input_schema::<Mcmc>();
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema["required"], json!(["log_density", "parameters"]));
    for (name, field) in schema["properties"].as_object().unwrap() {
        assert!(
            field["description"].as_str().is_some_and(|d| d.len() > 20),
            "{name} has no description"
        );
    }
    assert_eq!(
        schema["properties"]["sampler"]["$ref"],
        "#/$defs/SamplerKind"
    );
}

#[test]
fn parameters_are_a_list_or_an_object_of_constraints() {
    let schema = testing::input_schema::<Mcmc>();
    let forms = &schema["$defs"]["Parameters"]["anyOf"];
    assert_eq!(forms[0]["type"], "array");
    assert_eq!(forms[1]["type"], "object");
    let input: Input = serde_json::from_value(json!({
        "log_density": "0",
        "parameters": { "a": "positive", "b": { "lower": 0 }, "c": "real", "d": {} },
    }))
    .unwrap();
    let constraints: Vec<Constraint> = input.parameters.list.iter().map(|(_, c)| *c).collect();
    assert_eq!(
        constraints,
        [
            Constraint::Named(input::Named::Positive),
            Constraint::Bounds(input::Bounds {
                lower: Some(0.0),
                upper: None
            }),
            Constraint::Named(input::Named::Real),
            Constraint::Bounds(input::Bounds::default()),
        ]
    );
}
