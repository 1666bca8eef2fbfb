//! JSON to Python values and back, as `json.loads`/`json.dumps` would: objects are dicts,
//! arrays lists; tuples go out as arrays, non-string dict keys as their JSON text.

use monty_types::unstable::{self, MontyNode};
use monty_types::{MontyObject, ObjectRef};
use num_traits::ToPrimitive;
use serde_json::{Map, Number, Value};

/// Values nested deeper than this have no JSON form here: converting them would recurse
/// on the interpreter's small stack (Python code can build a list 10^5 levels deep).
pub const MAX_JSON_DEPTH: usize = 100;

/// A JSON value as a Python value. JSON from the host is at most 128 levels deep
/// (serde_json's parser limit), so the recursion is bounded.
pub fn to_python(value: &Value) -> MontyObject {
    match value {
        Value::Null => MontyObject::none(),
        Value::Bool(b) => MontyObject::bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                MontyObject::int(i)
            } else if let Some(u) = n.as_u64() {
                MontyObject::bigint(u.into())
            } else {
                MontyObject::float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => MontyObject::string(s.as_str()),
        Value::Array(items) => MontyObject::list(items.iter().map(to_python)),
        Value::Object(map) => MontyObject::dict(
            map.iter()
                .map(|(k, v)| (MontyObject::string(k.as_str()), to_python(v))),
        ),
    }
}

/// Why a Python value has no JSON form, in words for the person who passed it.
#[derive(Debug, Clone, PartialEq)]
pub struct NotJson(pub String);

/// A Python value as JSON, or why it has none.
pub fn to_json(value: ObjectRef<'_>) -> Result<Value, NotJson> {
    to_json_at(value, 0)
}

fn to_json_at(value: ObjectRef<'_>, depth: usize) -> Result<Value, NotJson> {
    if depth > MAX_JSON_DEPTH {
        return Err(NotJson(format!(
            "it is nested more than {MAX_JSON_DEPTH} levels deep"
        )));
    }
    let child = |id| unstable::child(value, id);
    Ok(match unstable::node(value) {
        MontyNode::None => Value::Null,
        MontyNode::Bool(b) => Value::Bool(*b),
        MontyNode::Int(i) => Value::from(*i),
        MontyNode::BigInt(i) => {
            if let Some(u) = i.to_u64() {
                Value::from(u)
            } else {
                let f = i
                    .to_f64()
                    .filter(|f| f.is_finite())
                    .ok_or_else(|| NotJson("an int too large for a JSON number".to_owned()))?;
                float(f)?
            }
        }
        MontyNode::Float(f) => float(*f)?,
        MontyNode::String(s) => Value::String(s.clone()),
        MontyNode::List(ids) | MontyNode::Tuple(ids) => Value::Array(
            ids.iter()
                .map(|id| to_json_at(child(*id), depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        MontyNode::NamedTuple { values, .. } => Value::Array(
            values
                .iter()
                .map(|id| to_json_at(child(*id), depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        MontyNode::Dict(pairs) => {
            let mut map = Map::new();
            for (k, v) in pairs {
                map.insert(key(child(*k))?, to_json_at(child(*v), depth + 1)?);
            }
            Value::Object(map)
        }
        MontyNode::Set(_) | MontyNode::FrozenSet(_) => {
            return Err(NotJson(
                "a set has no JSON form (pass a list: sorted(s))".to_owned(),
            ));
        }
        _ => {
            return Err(NotJson(format!("a {} has no JSON form", value.type_name())));
        }
    })
}

fn float(f: f64) -> Result<Value, NotJson> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| NotJson(format!("{f} has no JSON form")))
}

/// A dict key as JSON object key, as `json.dumps` writes it.
fn key(k: ObjectRef<'_>) -> Result<String, NotJson> {
    match unstable::node(k) {
        MontyNode::String(s) => Ok(s.clone()),
        MontyNode::Int(i) => Ok(i.to_string()),
        MontyNode::BigInt(i) => Ok(i.to_string()),
        MontyNode::Bool(b) => Ok(b.to_string()),
        MontyNode::None => Ok("null".to_owned()),
        MontyNode::Float(f) if f.is_finite() => Ok(k.py_repr()),
        _ => Err(NotJson(format!(
            "a dict key of type {} has no JSON form (keys must be str)",
            k.type_name()
        ))),
    }
}

/// As [`to_json`], but what has no JSON form becomes its `repr()`: for answers, which
/// must arrive as something.
pub fn to_json_lenient(value: &MontyObject) -> Value {
    to_json(value.as_ref()).unwrap_or_else(|_| Value::String(crate::repr::repr(value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trips_through_python_values() {
        let v =
            json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}, "big": 18446744073709551615u64});
        assert_eq!(to_json(to_python(&v).as_ref()).unwrap(), v);
    }

    #[test]
    fn tuples_become_arrays_and_keys_strings() {
        let obj = MontyObject::dict([(
            MontyObject::int(1),
            MontyObject::tuple([MontyObject::bool(true)]),
        )]);
        assert_eq!(to_json(obj.as_ref()).unwrap(), json!({"1": [true]}));
    }

    #[test]
    fn sets_and_nan_have_no_json_form() {
        let set = MontyObject::set([MontyObject::int(1)]);
        assert!(to_json(set.as_ref()).unwrap_err().0.contains("set"));
        assert!(to_json(MontyObject::float(f64::NAN).as_ref()).is_err());
        assert_eq!(to_json_lenient(&set), Value::String("{1}".to_owned()));
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let mut obj = MontyObject::list([]);
        for _ in 0..(MAX_JSON_DEPTH + 5) {
            obj = MontyObject::list([obj]);
        }
        assert!(to_json(obj.as_ref()).unwrap_err().0.contains("nested"));
    }
}
