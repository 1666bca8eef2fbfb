use super::*;
use toolhost_sdk::testing;

fn run(input: Value) -> Result<Output, ToolError> {
    testing::call::<Calc>(input)
}

#[test]
fn evaluates_one_expression_to_text_and_json() {
    let out = run(json!({ "expr": "2+2" })).unwrap();
    assert_eq!(out.first_text(), Some("4"));
    assert_eq!(
        out.first_json(),
        Some(&json!({ "expr": "2+2", "value": 4.0 }))
    );
    let out = run(json!({ "expr": "0.1 + 0.2" })).unwrap();
    assert_eq!(out.first_text(), Some("0.30000000000000004"));
}

#[test]
fn binds_variables_and_evaluates_batches_with_broadcast_numbers() {
    let out =
        run(json!({ "expr": "a*x + b", "vars": { "x": [1, 2, 3], "a": 2, "b": [10, 20, 30] } }))
            .unwrap();
    assert_eq!(
        out.first_json().unwrap()["values"],
        json!([12.0, 24.0, 36.0])
    );
    assert_eq!(out.first_text(), Some("12\n24\n36"));
}

#[test]
fn several_expressions_share_the_variables() {
    let out = run(json!({ "exprs": ["x + 1", "gamma(x)"], "vars": { "x": 5 } })).unwrap();
    let results = &out.first_json().unwrap()["results"];
    assert_eq!(results[0]["value"], json!(6.0));
    assert_eq!(results[1]["value"], json!(24.0));
    assert_eq!(out.first_text(), Some("x + 1 = 6\ngamma(x) = 24"));
}

#[test]
fn non_finite_results_are_spelled_out() {
    let out = run(json!({ "exprs": ["1/0", "-1/0", "sqrt(-1)"] })).unwrap();
    let results = &out.first_json().unwrap()["results"];
    assert_eq!(results[0]["value"], "Infinity");
    assert_eq!(results[1]["value"], "-Infinity");
    assert_eq!(results[2]["value"], "NaN");
}

#[test]
fn syntax_errors_name_the_field_line_and_column() {
    let err = run(json!({ "exprs": ["1+1", "2 * (3 + "] })).unwrap_err();
    assert_eq!(err.code, "invalid_input");
    let d = err.details.unwrap();
    assert_eq!(d["pointer"], "/exprs/1");
    assert_eq!(d["line"], 1);
    assert!(
        err.message.starts_with("/exprs/1: line 1, column"),
        "{}",
        err.message
    );
}

#[test]
fn unknown_variables_are_reported_with_a_suggestion() {
    let err = run(json!({ "expr": "radius^2 * pi", "vars": { "raduis": 2 } })).unwrap_err();
    assert!(err.message.contains("radius"), "{}", err.message);
    assert_eq!(err.details.unwrap()["column"], 1);
}

#[test]
fn batch_lists_must_agree_in_length_and_be_non_empty() {
    let err = run(json!({ "expr": "x + y", "vars": { "x": [1, 2], "y": [1, 2, 3] } })).unwrap_err();
    assert_eq!(err.details.unwrap()["pointer"], "/vars/y");
    let err = run(json!({ "expr": "x", "vars": { "x": [] } })).unwrap_err();
    assert_eq!(err.details.unwrap()["pointer"], "/vars/x");
}

#[test]
fn exactly_one_of_expr_and_exprs() {
    assert!(
        run(json!({}))
            .unwrap_err()
            .message
            .contains("missing `expr`")
    );
    assert!(
        run(json!({ "expr": "1", "exprs": ["2"] }))
            .unwrap_err()
            .message
            .contains("not both")
    );
    assert!(
        run(json!({ "exprs": [] }))
            .unwrap_err()
            .message
            .contains("empty")
    );
}

#[test]
fn numbers_print_the_way_people_read_them() {
    assert_eq!(format::number(1e300), "1e300");
    assert_eq!(format::number(-2.5e-9), "-2.5e-9");
    assert_eq!(format::number(1024.0), "1024");
    assert_eq!(format::number(-0.125), "-0.125");
    assert_eq!(format::number(f64::NAN), "NaN");
}

#[test]
fn the_schema_refuses_misspelt_fields() {
    let schema = testing::input_schema::<Calc>();
    assert_eq!(schema["additionalProperties"], json!(false));
}
