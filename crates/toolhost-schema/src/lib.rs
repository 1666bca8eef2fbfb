//! Portable JSON Schemas. Generators such as schemars write `"type": ["integer", "null"]`
//! for an `Option` and `"format": "uint8"` for a `u8`; strict MCP clients (the Inspector
//! CLI, some model providers) warn about or reject both. [`make_portable`] rewrites a
//! schema into the same constraints said in the portable way:
//!
//! - `type: [T, "null"]` becomes `anyOf: [{type: T, …T's keywords}, {type: "null"}]`
//!   (annotations, `enum` and `const` stay outside, where they still apply to both);
//! - a Rust integer format (`uint8`, `int32`, `uint`, …) becomes `minimum`/`maximum`;
//! - any other format JSON Schema 2020-12 does not define (`double`, `float`…) is
//!   dropped: formats are annotations in 2020-12, so no instance changes validity;
//! - a subschema with no validation keyword at all (a `serde_json::Value` field: "any
//!   JSON") says so explicitly, as an `anyOf` of the six JSON types.
//!
//! Apart from the integer bounds, which only make explicit what the tool's decoder
//! already enforced, an instance is valid against the result exactly when it was valid
//! against the original.

use serde_json::{Map, Value, json};

/// Formats defined by JSON Schema 2020-12.
pub const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Keywords that describe a schema rather than constrain a type: they stay on the outer
/// schema when a type array is split into `anyOf` branches.
const OUTER_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "definitions",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "enum",
    "const",
];

/// Keywords that constrain nothing: a subschema of only these accepts any value.
const ANNOTATIONS: &[&str] = &[
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Every JSON type: an `anyOf` of these accepts what `{}` accepts, and says it.
const ALL_TYPES: &[&str] = &["object", "array", "string", "number", "boolean", "null"];

/// Keywords whose value is a map of subschemas.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Keywords whose value is one subschema.
const SCHEMA_VALUES: &[&str] = &[
    "items",
    "additionalItems",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
];

/// Keywords whose value is a list of subschemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems", "items"];

/// One thing that was not portable, by JSON pointer into the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub pointer: String,
    pub problem: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "at {at}: {}", self.problem)
    }
}

/// What is not portable in `schema` (nothing is changed).
pub fn findings(schema: &Value) -> Vec<Finding> {
    let mut copy = schema.clone();
    make_portable(&mut copy)
}

/// Rewrites `schema` in place; returns what it rewrote (empty when it was portable).
pub fn make_portable(schema: &mut Value) -> Vec<Finding> {
    let mut found = Vec::new();
    walk(schema, String::new(), &mut found);
    found
}

fn walk(schema: &mut Value, pointer: String, found: &mut Vec<Finding>) {
    let Value::Object(map) = schema else {
        return;
    };
    for key in SCHEMA_MAPS {
        if let Some(Value::Object(children)) = map.get_mut(*key) {
            for (name, child) in children.iter_mut() {
                walk(child, format!("{pointer}/{key}/{}", escape(name)), found);
            }
        }
    }
    for key in SCHEMA_VALUES {
        if let Some(child @ Value::Object(_)) = map.get_mut(*key) {
            walk(child, format!("{pointer}/{key}"), found);
        }
    }
    for key in SCHEMA_LISTS {
        if let Some(Value::Array(children)) = map.get_mut(*key) {
            for (i, child) in children.iter_mut().enumerate() {
                walk(child, format!("{pointer}/{key}/{i}"), found);
            }
        }
    }
    // Formats first, so the bounds they become land in the right anyOf branch.
    fix_format(map, &pointer, found);
    fix_type_array(map, &pointer, found);
    if !pointer.is_empty() {
        fix_unconstrained(map, &pointer, found);
    }
}

fn fix_unconstrained(map: &mut Map<String, Value>, pointer: &str, found: &mut Vec<Finding>) {
    if map.keys().any(|k| !ANNOTATIONS.contains(&k.as_str())) {
        return;
    }
    let any: Vec<Value> = ALL_TYPES.iter().map(|t| json!({ "type": t })).collect();
    map.insert("anyOf".to_owned(), Value::Array(any));
    found.push(Finding {
        pointer: pointer.to_owned(),
        problem: "no validation keyword (any value); said with anyOf of every JSON type".to_owned(),
    });
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The bounds a Rust integer format stands for; `None` for a format that is not one.
fn integer_bounds(format: &str) -> Option<(Option<Value>, Option<Value>)> {
    Some(match format {
        "uint" | "uint128" => (Some(json!(0)), None),
        "uint8" => (Some(json!(0)), Some(json!(u8::MAX))),
        "uint16" => (Some(json!(0)), Some(json!(u16::MAX))),
        "uint32" => (Some(json!(0)), Some(json!(u32::MAX))),
        "uint64" => (Some(json!(0)), Some(json!(u64::MAX))),
        "int8" => (Some(json!(i8::MIN)), Some(json!(i8::MAX))),
        "int16" => (Some(json!(i16::MIN)), Some(json!(i16::MAX))),
        "int32" => (Some(json!(i32::MIN)), Some(json!(i32::MAX))),
        "int64" => (Some(json!(i64::MIN)), Some(json!(i64::MAX))),
        "int" | "int128" => (None, None),
        _ => return None,
    })
}

fn fix_format(map: &mut Map<String, Value>, pointer: &str, found: &mut Vec<Finding>) {
    let Some(format) = map.get("format").and_then(Value::as_str).map(str::to_owned) else {
        return;
    };
    if STANDARD_FORMATS.contains(&format.as_str()) {
        return;
    }
    map.remove("format");
    match integer_bounds(&format) {
        Some((low, high)) => {
            if let Some(low) = low {
                tighten(map, "minimum", low, |new, old| new > old);
            }
            if let Some(high) = high {
                tighten(map, "maximum", high, |new, old| new < old);
            }
            found.push(Finding {
                pointer: pointer.to_owned(),
                problem: format!(
                    "format `{format}` is not a JSON Schema format; said as minimum/maximum"
                ),
            });
        }
        None => found.push(Finding {
            pointer: pointer.to_owned(),
            problem: format!("format `{format}` is not a JSON Schema format; dropped"),
        }),
    }
}

/// Sets `key` to `bound` unless the schema already says something at least as strict.
fn tighten(
    map: &mut Map<String, Value>,
    key: &str,
    bound: Value,
    stricter: impl Fn(f64, f64) -> bool,
) {
    let replace = match map.get(key).and_then(Value::as_f64) {
        Some(old) => bound.as_f64().is_some_and(|new| stricter(new, old)),
        None => true,
    };
    if replace {
        map.insert(key.to_owned(), bound);
    }
}

fn fix_type_array(map: &mut Map<String, Value>, pointer: &str, found: &mut Vec<Finding>) {
    let Some(Value::Array(types)) = map.get("type") else {
        return;
    };
    let types = types.clone();
    let listed = types
        .iter()
        .map(|t| t.as_str().unwrap_or("?"))
        .collect::<Vec<_>>()
        .join(", ");
    found.push(Finding {
        pointer: pointer.to_owned(),
        problem: format!("`type` is a list [{listed}]; said with anyOf"),
    });
    map.remove("type");
    if types.len() == 1 {
        map.insert("type".to_owned(), types[0].clone());
        return;
    }
    let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
    let branches: Vec<Value> = if non_null.len() == 1 {
        // The type's own keywords go into its branch; null needs none of them.
        let mut own = Map::new();
        own.insert("type".to_owned(), non_null[0].clone());
        let keys: Vec<String> = map
            .keys()
            .filter(|k| !OUTER_KEYWORDS.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in keys {
            if let Some(v) = map.remove(&key) {
                own.insert(key, v);
            }
        }
        vec![Value::Object(own), json!({ "type": "null" })]
    } else {
        types.iter().map(|t| json!({ "type": t })).collect()
    };
    let alternatives = Value::Array(branches);
    match map.remove("anyOf") {
        // Both must hold: keep the existing anyOf and add this one beside it.
        Some(existing) => {
            let mut all = match map.remove("allOf") {
                Some(Value::Array(all)) => all,
                Some(other) => vec![other],
                None => Vec::new(),
            };
            all.push(json!({ "anyOf": existing }));
            all.push(json!({ "anyOf": alternatives }));
            map.insert("allOf".to_owned(), Value::Array(all));
        }
        None => {
            map.insert("anyOf".to_owned(), alternatives);
        }
    }
}

#[cfg(test)]
mod tests;
