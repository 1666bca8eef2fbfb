//! What an operation produced: a short summary for people and a JSON object for
//! programs. Small matrices are shown in the summary; large ones only by shape, since
//! the JSON already carries every number.

use faer::Mat;
use toolhost_sdk::Value;

use crate::conditioning::Warning;

/// Matrices with at most this many entries are printed in the text summary.
const SHOW_ENTRIES: usize = 64;

#[derive(Debug)]
pub struct Report {
    pub text: String,
    pub json: Value,
}

impl Report {
    /// A report whose JSON is `json` with the warnings added, and whose text is `text`
    /// followed by one line per warning.
    pub fn new(mut text: String, mut json: Value, warnings: &[Warning]) -> Report {
        for w in warnings {
            text.push_str(&format!("\nwarning ({}): {}", w.kind, w.message));
        }
        if let Value::Object(map) = &mut json {
            map.insert(
                "warnings".into(),
                serde_json::to_value(warnings).unwrap_or(Value::Null),
            );
        }
        Report { text, json }
    }
}

/// A number in a summary: full precision, shortest round-trip form.
pub fn num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// `name = value` for a small matrix or vector (one row per line), or its shape.
pub fn show_matrix(name: &str, m: &Mat<f64>, as_vector: bool) -> String {
    let (r, c) = m.shape();
    if r * c > SHOW_ENTRIES {
        return if as_vector && c == 1 {
            format!("{name}: a vector of {r} values (in the JSON)")
        } else {
            format!("{name}: a {r}×{c} matrix (in the JSON)")
        };
    }
    if as_vector && c == 1 {
        let v: Vec<String> = (0..r).map(|i| num(m[(i, 0)])).collect();
        return format!("{name} = [{}]", v.join(", "));
    }
    let rows: Vec<String> = (0..r)
        .map(|i| {
            let v: Vec<String> = (0..c).map(|j| num(m[(i, j)])).collect();
            format!("  [{}]", v.join(", "))
        })
        .collect();
    format!("{name} =\n{}", rows.join("\n"))
}

/// `name = [a, b, …]` for a short list, or its length.
pub fn show_list(name: &str, values: &[String]) -> String {
    if values.len() > SHOW_ENTRIES {
        format!("{name}: {} values (in the JSON)", values.len())
    } else {
        format!("{name} = [{}]", values.join(", "))
    }
}
