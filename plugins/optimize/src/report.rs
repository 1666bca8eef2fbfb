//! What an operation produced: a short summary for people and a JSON object for programs.

use std::collections::BTreeMap;

use toolhost_sdk::{Value, json};

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

/// A number in JSON: null when it is not finite (JSON has no NaN or infinity).
pub fn finite(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// Values by name, in the names' order.
pub fn by_name(names: &[String], values: &[f64]) -> BTreeMap<String, Value> {
    names
        .iter()
        .zip(values)
        .map(|(n, v)| (n.clone(), finite(*v)))
        .collect()
}

/// "x = 1, y = 2".
pub fn assignments(names: &[String], values: &[f64]) -> String {
    names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n} = {}", num(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}
