//! Numeric data as it arrives, and the checks every operation makes on it: no missing
//! values, enough observations, equal lengths. Each failure names the field by JSON pointer.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, de};
use toolhost_sdk::ToolError;

/// Values a call may carry in one list: a bound on work.
pub const MAX_VALUES: usize = 1_000_000;
/// Numbers a call returns in lists (draws, evaluations, fitted values): about 2 MB of
/// JSON, inside the host's default output limit of 4 MB.
pub const MAX_OUTPUT_VALUES: usize = 100_000;

/// A list of numbers. JSON has no NaN, so a missing value arrives as `null`; it is
/// accepted here (as NaN) only so that the check can say which element it was.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Numbers(pub Vec<f64>);

/// One number or a list of them, for points at which to evaluate a function.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Points(pub Vec<f64>);

impl<'de> Deserialize<'de> for Numbers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(NumberList { scalar_ok: false })
            .map(Numbers)
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumberList { scalar_ok: true })
            .map(Points)
    }
}

struct NumberList {
    scalar_ok: bool,
}

impl<'de> Visitor<'de> for NumberList {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.scalar_ok {
            f.write_str("a number or a list of numbers")
        } else {
            f.write_str("a list of numbers")
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_VALUES));
        while let Some(v) = seq.next_element::<Option<f64>>()? {
            if out.len() == MAX_VALUES {
                return Err(de::Error::custom(format!(
                    "more than {MAX_VALUES} values in one list"
                )));
            }
            out.push(v.unwrap_or(f64::NAN));
        }
        Ok(out)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<f64>, E> {
        if self.scalar_ok {
            Ok(vec![v])
        } else {
            Err(E::invalid_type(de::Unexpected::Float(v), &self))
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<f64>, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<f64>, E> {
        self.visit_f64(v as f64)
    }
}

fn list_schema() -> Schema {
    json_schema!({
        "type": "array",
        "items": { "type": ["number", "null"] }
    })
}

impl JsonSchema for Numbers {
    fn schema_name() -> Cow<'static, str> {
        "Numbers".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        list_schema()
    }
}

impl JsonSchema for Points {
    fn schema_name() -> Cow<'static, str> {
        "Points".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [ { "type": "number" }, list_schema() ]
        })
    }
}

pub fn invalid(pointer: &str, message: impl Into<String>) -> ToolError {
    ToolError::invalid_input(message).at(pointer)
}

/// A JSON pointer token: `~` and `/` inside a name are escaped (RFC 6901).
pub fn token(name: &str) -> Cow<'_, str> {
    if name.contains(['~', '/']) {
        name.replace('~', "~0").replace('/', "~1").into()
    } else {
        name.into()
    }
}

/// Every value is present: a `null` (NaN) is reported with its index.
pub fn complete(values: &[f64], pointer: &str) -> Result<(), ToolError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(invalid(
            &format!("{pointer}/{i}"),
            format!(
                "{pointer}/{i} is null (a missing value or NaN): the data must be complete \
                 numbers; drop that observation (and its partners in other columns) or fill it in"
            ),
        )),
    }
}

/// At least `min` observations, saying what needs them.
pub fn at_least(values: &[f64], min: usize, pointer: &str, why: &str) -> Result<(), ToolError> {
    if values.len() < min {
        return Err(invalid(
            pointer,
            format!(
                "{pointer} has {} value{}; {why} needs at least {min}",
                values.len(),
                if values.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

/// `b` pairs with `a` element by element.
pub fn same_length(
    a: &[f64],
    a_pointer: &str,
    b: &[f64],
    b_pointer: &str,
    why: &str,
) -> Result<(), ToolError> {
    if a.len() != b.len() {
        return Err(invalid(
            b_pointer,
            format!(
                "{b_pointer} has {} values but {a_pointer} has {}: {why} pairs them element by element, so the lengths must match",
                b.len(),
                a.len()
            ),
        ));
    }
    Ok(())
}

/// A confidence level strictly between 0 and 1.
pub fn confidence_level(level: f64, pointer: &str) -> Result<(), ToolError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(invalid(
            pointer,
            format!(
                "{pointer} is {level}; a confidence level is strictly between 0 and 1, e.g. 0.95"
            ),
        ));
    }
    Ok(())
}

pub fn mean(xs: &[f64]) -> f64 {
    // Two passes: the correction term removes most of the rounding of the first.
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    m + xs.iter().map(|x| x - m).sum::<f64>() / n
}

/// Sample variance (denominator n − 1) about the mean.
pub fn variance(xs: &[f64]) -> f64 {
    let m = mean(xs);
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() as f64 - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_becomes_nan_and_is_reported_with_its_index() {
        let n: Numbers = serde_json::from_value(json!([1, null, 3])).unwrap();
        let e = complete(&n.0, "/x").unwrap_err();
        assert_eq!(e.details.unwrap()["pointer"], "/x/1");
        assert!(e.message.contains("null"));
    }

    #[test]
    fn points_take_a_number_or_a_list() {
        let one: Points = serde_json::from_value(json!(1.96)).unwrap();
        assert_eq!(one.0, vec![1.96]);
        let many: Points = serde_json::from_value(json!([0, 1])).unwrap();
        assert_eq!(many.0, vec![0.0, 1.0]);
        assert!(serde_json::from_value::<Numbers>(json!(2)).is_err());
    }

    #[test]
    fn pointer_tokens_escape_slash_and_tilde() {
        assert_eq!(token("dose/kg~1"), "dose~1kg~01");
        assert_eq!(token("age"), "age");
    }
}
