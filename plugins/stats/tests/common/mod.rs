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

/// R's `mtcars` (Motor Trend, 1974; 32 cars): miles per US gallon, weight in 1000 lb,
/// gross horsepower and quarter-mile time in seconds.
pub mod mtcars {
    pub const MPG: [f64; 32] = [
        21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4,
        10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7,
        15.0, 21.4,
    ];
    pub const WT: [f64; 32] = [
        2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440, 4.070, 3.730,
        3.780, 5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520, 3.435, 3.840, 3.845, 1.935,
        2.140, 1.513, 3.170, 2.770, 3.570, 2.780,
    ];
    pub const HP: [f64; 32] = [
        110.0, 110.0, 93.0, 110.0, 175.0, 105.0, 245.0, 62.0, 95.0, 123.0, 123.0, 180.0, 180.0,
        180.0, 205.0, 215.0, 230.0, 66.0, 52.0, 65.0, 97.0, 150.0, 150.0, 245.0, 175.0, 66.0, 91.0,
        113.0, 264.0, 175.0, 335.0, 109.0,
    ];
    pub const QSEC: [f64; 32] = [
        16.46, 17.02, 18.61, 19.44, 17.02, 20.22, 15.84, 20.00, 22.90, 18.30, 18.90, 17.40, 17.60,
        18.00, 17.98, 17.82, 17.42, 19.47, 18.52, 19.90, 20.01, 16.87, 17.30, 15.41, 17.05, 18.90,
        16.70, 16.90, 14.50, 15.50, 14.60, 18.60,
    ];
}
