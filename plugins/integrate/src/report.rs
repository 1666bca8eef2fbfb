//! What an operation produced: a short summary for people and a JSON object for programs.

use toolhost_sdk::Value;

#[derive(Debug)]
pub struct Report {
    pub text: String,
    pub json: Value,
}

/// A number in a summary: full precision, shortest round-trip form.
pub fn num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}
