//! The published input schema as the host uses it: every example validates, and a bad
//! argument is reported at its own field, not as "no branch of oneOf matched".

use jsonschema::Validator;
use tool_stats::Stats;
use toolhost_sdk::{Tool, Value, json, testing};

fn validator() -> Validator {
    jsonschema::validator_for(&testing::input_schema::<Stats>()).expect("a valid schema")
}

/// (instance path, message) of every error.
fn errors(v: &Validator, input: &Value) -> Vec<(String, String)> {
    v.iter_errors(input)
        .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
        .collect()
}

#[test]
fn every_example_validates() {
    let v = validator();
    for example in Stats::info().examples {
        let found = errors(&v, &example.input);
        assert!(found.is_empty(), "{}: {found:?}", example.description);
        testing::call::<Stats>(example.input).expect("examples run");
    }
}

#[test]
fn a_wrong_type_is_reported_at_its_field() {
    let v = validator();
    let found = errors(&v, &json!({ "op": "t_test", "x": "1, 2, 3" }));
    assert!(
        found
            .iter()
            .any(|(at, m)| at == "/x" && m.contains("array")),
        "{found:?}"
    );
    let found = errors(
        &v,
        &json!({ "op": "correlation", "x": [1, 2, 3], "y": [3, 2, 1], "alternative": "two_sided" }),
    );
    assert!(
        found
            .iter()
            .any(|(at, m)| at == "/alternative" && m.contains("two-sided")),
        "{found:?}"
    );
}

#[test]
fn an_unknown_operation_or_field_is_named() {
    let v = validator();
    let found = errors(&v, &json!({ "op": "anova", "x": [1, 2] }));
    assert!(
        found
            .iter()
            .any(|(at, m)| at == "/op" && m.contains("\"anova\" is not one of")),
        "{found:?}"
    );
    let found = errors(&v, &json!({ "op": "t_test", "x": [1, 2, 3], "sigma": 1 }));
    assert!(found.iter().any(|(_, m)| m.contains("sigma")), "{found:?}");
    // Each operation's fields are its own.
    let found = errors(
        &v,
        &json!({ "op": "regression", "y": [1, 2], "x": [1, 2], "paired": true }),
    );
    assert!(found.iter().any(|(_, m)| m.contains("paired")), "{found:?}");
}

#[test]
fn a_missing_value_passes_the_schema_so_the_tool_can_say_where_it_is() {
    let v = validator();
    assert!(errors(&v, &json!({ "op": "t_test", "x": [1, null, 3] })).is_empty());
}
