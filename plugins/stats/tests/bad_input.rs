//! Bad input fails with `invalid_input`, a JSON pointer to the field at fault and a
//! message that says what was expected.

mod common;

use common::call;
use toolhost_sdk::{ToolError, Value, json};

#[track_caller]
fn error(input: Value) -> ToolError {
    match call(input) {
        Ok(out) => panic!("should have failed, gave {:?}", out.first_json()),
        Err(e) => e,
    }
}

#[track_caller]
fn expect(input: Value, pointer: &str, words: &[&str]) -> ToolError {
    let e = error(input);
    assert_eq!(e.code, "invalid_input", "{e}");
    let at = e
        .details
        .as_ref()
        .and_then(|d| d["pointer"].as_str())
        .unwrap_or("");
    assert_eq!(at, pointer, "{e}");
    for w in words {
        assert!(e.message.contains(w), "{w:?} missing from: {}", e.message);
    }
    e
}

#[test]
fn distribution_parameters_out_of_range_are_named() {
    expect(
        json!({ "op": "distribution", "family": "normal", "params": { "sd": 0 }, "pdf": 0 }),
        "/params/sd",
        &["normal sd is 0", "> 0"],
    );
    expect(
        json!({ "op": "distribution", "family": "binomial", "params": { "n": 10, "p": 1.5 } }),
        "/params/p",
        &["binomial p is 1.5", "[0, 1]"],
    );
    expect(
        json!({ "op": "distribution", "family": "binomial", "params": { "n": 2.5, "p": 0.5 } }),
        "/params/n",
        &["whole number"],
    );
    expect(
        json!({ "op": "distribution", "family": "geometric", "params": { "p": 0 } }),
        "/params/p",
        &["(0, 1]"],
    );
    expect(
        json!({ "op": "distribution", "family": "uniform", "params": { "min": 3, "max": 1 } }),
        "/params/max",
        &["min < max"],
    );
    expect(
        json!({ "op": "distribution", "family": "hypergeometric",
                "params": { "population": 10, "successes": 4, "draws": 12 } }),
        "/params/draws",
        &["more than the population of 10"],
    );
}

#[test]
fn unknown_and_missing_parameters_list_the_familys_own() {
    expect(
        json!({ "op": "distribution", "family": "normal", "params": { "sigma": 2 } }),
        "/params/sigma",
        &["no parameter `sigma`", "mean (default 0), sd (default 1)"],
    );
    expect(
        json!({ "op": "distribution", "family": "student_t", "cdf": 2 }),
        "/params",
        &["needs the parameter `df`"],
    );
    expect(
        json!({ "op": "distribution", "family": "gamma",
                "params": { "shape": 2, "rate": 1, "scale": 1 } }),
        "/params/scale",
        &["not both"],
    );
}

#[test]
fn a_quantile_outside_zero_one_is_named_by_index() {
    expect(
        json!({ "op": "distribution", "family": "normal", "quantile": [0.5, 1.2] }),
        "/quantile/1",
        &["1.2", "[0, 1]"],
    );
}

#[test]
fn too_many_values_in_one_call_are_refused() {
    expect(
        json!({ "op": "distribution", "family": "normal", "sample": 200_000 }),
        "/",
        &["200000 values", "at most 100000"],
    );
}

#[test]
fn residuals_for_a_large_fit_are_refused_before_fitting() {
    let y: Vec<f64> = (0..60_000).map(|i| f64::from(i % 7)).collect();
    let x: Vec<f64> = (0..60_000).map(|i| f64::from(i % 11)).collect();
    expect(
        json!({ "op": "regression", "y": y, "x": x, "residuals": true }),
        "/residuals",
        &["120000 numbers", "at most 100000"],
    );
}

#[test]
fn missing_values_are_reported_with_their_position() {
    expect(
        json!({ "op": "t_test", "x": [1.0, 2.0, 3.0, null, 5.0] }),
        "/x/3",
        &["null", "missing"],
    );
    expect(
        json!({ "op": "regression", "y": [1, 2, 3, 4], "x": { "dose": [1, 2, null, 4] } }),
        "/x/dose/2",
        &["null"],
    );
    expect(
        json!({ "op": "correlation", "x": [1, 2, 3, 4], "y": [1, null, 2, 3] }),
        "/y/1",
        &["null"],
    );
}

#[test]
fn mismatched_lengths_name_the_second_field() {
    expect(
        json!({ "op": "t_test", "x": [1, 2, 3, 4], "y": [1, 2, 3], "paired": true }),
        "/y",
        &["/y has 3 values but /x has 4"],
    );
    expect(
        json!({ "op": "correlation", "x": [1, 2, 3, 4], "y": [1, 2, 3, 4, 5] }),
        "/y",
        &["5 values", "4"],
    );
    expect(
        json!({ "op": "regression", "y": [1, 2, 3, 4, 5], "x": { "age": [1, 2, 3, 4] } }),
        "/x/age",
        &["4 values but y has 5"],
    );
}

#[test]
fn too_few_observations_say_how_many_are_needed() {
    expect(
        json!({ "op": "t_test", "x": [3.2] }),
        "/x",
        &["1 value", "at least 2"],
    );
    expect(
        json!({ "op": "t_test", "x": [1, 2, 3], "y": [4] }),
        "/y",
        &["Welch", "at least 2"],
    );
    expect(
        json!({ "op": "correlation", "x": [1, 2], "y": [2, 1] }),
        "/x",
        &["at least 3"],
    );
    expect(
        json!({ "op": "regression", "y": [1, 2, 3], "x": { "a": [1, 2, 4], "b": [0, 1, 1] } }),
        "/y",
        &["3 observations for 3 coefficients", "at least 4"],
    );
}

#[test]
fn constant_data_cannot_be_tested() {
    expect(
        json!({ "op": "t_test", "x": [2.5, 2.5, 2.5] }),
        "/x",
        &["constant", "standard error is 0"],
    );
    expect(
        json!({ "op": "t_test", "x": [1, 2, 3], "y": [0, 1, 2], "paired": true }),
        "/y",
        &["differences", "all equal"],
    );
    expect(
        json!({ "op": "correlation", "x": [1, 2, 3, 4], "y": [7, 7, 7, 7] }),
        "/y",
        &["constant"],
    );
    expect(
        json!({ "op": "regression", "y": [4, 4, 4, 4], "x": [1, 2, 3, 4] }),
        "/y",
        &["y is constant"],
    );
}

#[test]
fn a_collinear_predictor_is_named_with_the_combination() {
    // dose2 = 2·dose + 1: columns are reduced in name order, so dose2 (after dose) is the
    // one reported.
    let e = expect(
        json!({
            "op": "regression",
            "y": [3.1, 4.0, 5.2, 5.9, 7.1, 8.2],
            "x": {
                "dose": [1, 2, 3, 4, 5, 6],
                "dose2": [3, 5, 7, 9, 11, 13],
                "age": [30, 41, 35, 52, 47, 39],
            },
        }),
        "/x/dose2",
        &["`dose2`", "linear combination", "2 × dose", "singular"],
    );
    assert_eq!(e.details.unwrap()["collinear"], "dose2");

    expect(
        json!({ "op": "regression", "y": [1, 2, 3, 5], "x": { "c": [2, 2, 2, 2], "d": [1, 2, 3, 3] } }),
        "/x/c",
        &["`c` is constant", "duplicates the intercept"],
    );
    // b = 2·a exactly: a multiple of an earlier predictor, not a constant.
    expect(
        json!({ "op": "regression", "y": [1, 2, 3, 5], "x": { "a": [1, 2, 3, 4], "b": [2, 4, 6, 8] } }),
        "/x/b",
        &["linear combination", "b ≈ 2 × a"],
    );
    expect(
        json!({ "op": "regression", "y": [1, 2, 3, 5], "x": { "z": [0, 0, 0, 0] } }),
        "/x/z",
        &["all zeros"],
    );
}

#[test]
fn t_test_options_that_do_not_apply_are_refused() {
    expect(
        json!({ "op": "t_test", "x": [1, 2, 3], "paired": true }),
        "/paired",
        &["needs y"],
    );
    expect(
        json!({ "op": "t_test", "x": [1, 2, 3], "y": [2, 3, 5], "paired": true,
                "equal_variances": true }),
        "/equal_variances",
        &["paired"],
    );
    expect(
        json!({ "op": "t_test", "x": [1, 2, 3], "conf_level": 95 }),
        "/conf_level",
        &["strictly between 0 and 1"],
    );
}

#[test]
fn chi_squared_inputs_are_checked() {
    expect(
        json!({ "op": "chi_squared_test", "observed": [10, 20, 30],
                "probabilities": [0.2, 0.3, 0.4] }),
        "/probabilities",
        &["sum to 0.9", "not 1"],
    );
    expect(
        json!({ "op": "chi_squared_test", "observed": [10, 20, 30], "expected": [20, 20, 30] }),
        "/expected",
        &["sum to 70", "observed counts to 60"],
    );
    expect(
        json!({ "op": "chi_squared_test", "observed": [10, -2, 30] }),
        "/observed/1",
        &[">= 0"],
    );
    expect(
        json!({ "op": "chi_squared_test", "table": [[1, 2, 3], [4, 5]] }),
        "/table/1",
        &["2 counts but row 0 has 3"],
    );
    expect(
        json!({ "op": "chi_squared_test", "table": [[1, 2, 3]] }),
        "/table",
        &["1 × 3", "observed"],
    );
    expect(
        json!({ "op": "chi_squared_test", "table": [[0, 0], [4, 5]] }),
        "/table/0",
        &["all zeros"],
    );
    expect(
        json!({ "op": "chi_squared_test", "observed": [1, 2], "correction": false }),
        "/correction",
        &["2 × 2"],
    );
    expect(
        json!({ "op": "chi_squared_test", "observed": [5, 6, 7], "ddof": 2 }),
        "/ddof",
        &["at least 1"],
    );
    expect(
        json!({ "op": "chi_squared_test" }),
        "/observed",
        &["`table`"],
    );
}

#[test]
fn unknown_operations_and_fields_are_refused_by_name() {
    let e = error(json!({ "op": "anova", "x": [1, 2] }));
    assert_eq!(e.code, "invalid_input");
    assert!(e.message.contains("anova"), "{}", e.message);
    let e = error(json!({ "op": "t_test", "x": [1, 2, 3], "sigma": 1 }));
    assert!(e.message.contains("sigma"), "{}", e.message);
}
