//! The tool's description: its examples run and its schema is strict.

use super::*;
use toolhost_sdk::testing;

#[test]
fn every_example_runs() {
    for example in BayesOpt::info().examples {
        let out = testing::call::<BayesOpt>(example.input.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", example.description));
        assert!(out.first_text().is_some() && out.first_json().is_some());
    }
}

#[test]
fn the_schema_refuses_misspelt_fields_and_documents_every_field() {
    let schema = testing::input_schema::<BayesOpt>();
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema["required"], json!(["bounds"]));
    for (name, field) in schema["properties"].as_object().unwrap() {
        assert!(
            field["description"].as_str().is_some_and(|d| d.len() > 20),
            "{name} has no description"
        );
    }
}
