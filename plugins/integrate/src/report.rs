//! What an operation produced: a short summary for people, a JSON object for programs and
//! optionally a picture.

use toolhost_sdk::Value;

use crate::plot::Picture;

#[derive(Debug)]
pub struct Report {
    pub text: String,
    pub json: Value,
    /// The picture, when `plot` asked for one.
    pub picture: Option<Picture>,
}

/// A number in a summary: full precision, shortest round-trip form.
pub fn num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}
