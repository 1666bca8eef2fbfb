//! The published input schema as the host uses it: every example validates and runs, and
//! a bad argument is reported at its own field, not as "no branch matched".

use jsonschema::Validator;
use tool_linalg::Linalg;
use toolhost_sdk::{Tool, Value, json, testing};

fn validator() -> Validator {
    jsonschema::validator_for(&testing::input_schema::<Linalg>()).expect("a valid schema")
}

/// (instance path, message) of every error.
fn errors(v: &Validator, input: &Value) -> Vec<(String, String)> {
    v.iter_errors(input)
        .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
        .collect()
}

#[test]
fn every_example_validates_and_runs() {
    let v = validator();
    for example in Linalg::info().examples {
        let found = errors(&v, &example.input);
        assert!(found.is_empty(), "{}: {found:?}", example.description);
        let out = testing::call::<Linalg>(example.input).expect("examples run");
        assert!(out.first_json().is_some(), "{}", example.description);
    }
}

#[test]
fn a_wrong_type_is_reported_at_its_field() {
    let v = validator();
    let found = errors(&v, &json!({ "op": "det", "a": [[1, 2], [3, "4"]] }));
    assert!(found.iter().any(|(at, _)| at == "/a/1/1"), "{found:?}");
    let found = errors(
        &v,
        &json!({ "op": "solve", "a": [[1]], "b": [1], "assume": "spd" }),
    );
    assert!(found.iter().any(|(at, _)| at == "/assume"), "{found:?}");
}

#[test]
fn an_unknown_operation_or_field_is_named() {
    let v = validator();
    let found = errors(&v, &json!({ "op": "lstsq", "a": [[1]] }));
    assert!(
        found
            .iter()
            .any(|(at, m)| at == "/op" && m.contains("\"lstsq\" is not one of")),
        "{found:?}"
    );
    let found = errors(&v, &json!({ "op": "det", "a": [[1]], "b": [1] }));
    assert!(
        found.iter().any(|(_, m)| m.contains("'b' was unexpected")),
        "{found:?}"
    );
}

#[test]
fn a_ragged_matrix_passes_the_schema_so_the_tool_can_name_the_row() {
    let v = validator();
    let input = json!({ "op": "det", "a": [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 2, 3, 4]] });
    assert!(errors(&v, &input).is_empty());
    let e = testing::call::<Linalg>(input).unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert_eq!(e.details, Some(json!({ "pointer": "/a/3" })));
    assert!(
        e.message.contains("row 3 of a has 4 entries, expected 3"),
        "{e}"
    );
}
