#![allow(dead_code)] // each test binary uses a different subset

use tool_stats::Stats;
use toolhost_sdk::{Output, ToolError, Value, testing};

pub fn call(input: Value) -> Result<Output, ToolError> {
    testing::call::<Stats>(input)
}

/// Runs the tool and returns its JSON, failing with the error otherwise.
#[track_caller]
pub fn run(input: Value) -> Value {
    match call(input) {
        Ok(out) => out.first_json().expect("a JSON item").clone(),
        Err(e) => panic!("{e}\n{:?}", e.details),
    }
}

/// Runs the tool and returns its text summary.
#[track_caller]
pub fn text(input: Value) -> String {
    match call(input) {
        Ok(out) => out.first_text().expect("a text item").to_owned(),
        Err(e) => panic!("{e}\n{:?}", e.details),
    }
}

/// A number from the JSON output (the strings "Infinity" and "-Infinity" included).
#[track_caller]
pub fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

#[track_caller]
pub fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(number)
        .collect()
}

/// `got` agrees with `want` to a relative `tol` (absolute near zero).
#[track_caller]
pub fn close(got: f64, want: f64, tol: f64) {
    let ok = if want == 0.0 {
        got.abs() <= tol
    } else if want.is_infinite() {
        got == want
    } else {
        (got - want).abs() <= tol * want.abs()
    };
    assert!(
        ok,
        "got {got:e}, want {want:e} (relative error {:e}, tolerance {tol:e})",
        ((got - want) / want).abs()
    );
}

#[track_caller]
pub fn all_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "lengths: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        close(*g, *w, tol);
    }
}
