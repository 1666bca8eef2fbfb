//! How results are written: JSON numbers (non-finite ones as strings, which JSON lacks) and
//! a text form for people.

use crate::{EvalResult, SymbolicResult, Values};
use toolhost_sdk::{Value, json};

pub fn json_number(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else if v.is_nan() {
        json!("NaN")
    } else if v > 0.0 {
        json!("Infinity")
    } else {
        json!("-Infinity")
    }
}

/// Shortest text that reads back as the same f64; integers without a trailing `.0`,
/// very large or small magnitudes in exponent form.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = v.abs();
    if a != 0.0 && !(1e-6..1e16).contains(&a) {
        return format!("{v:e}");
    }
    if v == v.trunc() {
        return format!("{}", v as i64);
    }
    format!("{v}")
}

pub fn text(results: &[EvalResult]) -> String {
    let render = |values: &Values| match values {
        Values::One(v) => number(*v),
        Values::Batch(vs) => vs.iter().map(|v| number(*v)).collect::<Vec<_>>().join("\n"),
    };
    if results.len() == 1 {
        return render(&results[0].values);
    }
    results
        .iter()
        .map(|r| match &r.values {
            Values::One(v) => format!("{} = {}", r.expr, number(*v)),
            Values::Batch(_) => format!("{} =\n{}", r.expr, render(&r.values)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Symbolic results for people: the result, its LaTeX if asked, then its value(s).
pub fn symbolic_text(results: &[SymbolicResult]) -> String {
    let one = |r: &SymbolicResult, lead: &str| {
        let mut lines = vec![format!("{lead}{}", r.result)];
        if let Some(latex) = &r.latex {
            lines.push(format!("LaTeX: {latex}"));
        }
        match &r.values {
            Some(Values::One(v)) => lines.push(format!("= {}", number(*v))),
            Some(Values::Batch(vs)) => {
                lines.push("=".to_owned());
                lines.extend(vs.iter().map(|v| number(*v)));
            }
            None => {}
        }
        lines.join("\n")
    };
    if results.len() == 1 {
        return one(&results[0], "");
    }
    results
        .iter()
        .map(|r| one(r, &format!("{} -> ", r.expr)))
        .collect::<Vec<_>>()
        .join("\n")
}
