//! Numeric data as it arrives, and the checks every operation makes on it: no missing
//! values, enough observations, equal lengths. Each failure names the field by JSON pointer.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, de};
use toolhost_sdk::ToolError;

/// Values a call may carry in one list: a bound on work and on output size.
pub const MAX_VALUES: usize = 1_000_000;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
