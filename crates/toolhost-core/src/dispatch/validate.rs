//! Arguments are checked against the tool's JSON Schema before any component runs.

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::{Value, json};
use std::fmt::Write as _;

use super::prune::Pruning;
use crate::error::{ErrorCode, ToolError};

/// Errors listed per call; the rest are counted.
const MAX_LISTED: usize = 20;
/// Characters of a bad value quoted in a message.
const MAX_QUOTED_CHARS: usize = 100;
/// Characters of one error's message (a long list of unexpected keys, say).
const MAX_MESSAGE_CHARS: usize = 300;
/// Unknown fields named in one error; the rest are counted.
const MAX_UNKNOWN_NAMED: usize = 5;
/// Inputs with more values than this are not checked in full for the list of errors:
/// jsonschema builds every error (each `oneOf` branch's too) before returning any, which
/// for a large input can take many seconds and gigabytes. They are diagnosed on a pruned
/// copy of about this many values (prune.rs), or stop at their first error.
const MAX_VALUES_LISTED_IN_FULL: usize = 2_000;

/// A tool's input schema, compiled, and how large inputs are pruned to diagnose them.
pub struct InputCheck {
    validator: Validator,
    pruning: Option<Pruning>,
}

pub fn compile(schema: &Value) -> Result<InputCheck, String> {
    Ok(InputCheck {
        validator: jsonschema::validator_for(schema)
            .map_err(|e| format!("invalid input schema: {e}"))?,
        pruning: Pruning::for_schema(schema),
    })
}

/// `Err` names the first offending fields by JSON pointer and says what was expected: at
/// most [`MAX_LISTED`], each with its bad value cut short, so that any input, however large
/// or wrong, gets a short error quickly. An unknown field is named with the fields accepted
/// there (from `schema`, the one `input` was compiled from), so a caller (a model above
/// all) can correct itself.
pub fn check(
    input: &InputCheck,
    schema: &Value,
    tool: &str,
    args: &Value,
) -> Result<(), ToolError> {
    let validator = &input.validator;
    // The common case, cheaply: no error values are built for a valid input.
    if validator.is_valid(args) {
        return Ok(());
    }
    let (listed, total) =
        if count_values(args, MAX_VALUES_LISTED_IN_FULL + 1) <= MAX_VALUES_LISTED_IN_FULL {
            let (listed, total) = first_errors(validator, schema, tool, args);
            (listed, Some(total))
        } else {
            (large_input_errors(input, schema, tool, args), None)
        };
    if listed.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = listed.iter().map(|(p, m)| format!("at {p}: {m}")).collect();
    let mut message = format!("invalid arguments for '{tool}': {}", shown.join("; "));
    match total {
        Some(total) if total > listed.len() => {
            let _ = write!(message, " (and {} more)", total - listed.len());
        }
        Some(_) => {}
        None => {
            message.push_str(" (the input is large: errors were looked for in its first values)")
        }
    }
    let _ = write!(
        message,
        " (see `toolhost describe {tool}` for the input schema)"
    );
    let details = json!({
        "errors": listed
            .iter()
            .map(|(p, m)| json!({ "pointer": p, "message": m }))
            .collect::<Vec<_>>(),
        "total": total,
    });
    Err(ToolError::new(ErrorCode::InvalidInput, message)
        .for_tool(tool)
        .with_details(details))
}

/// Up to [`MAX_LISTED`] errors, and how many there are.
fn first_errors(
    validator: &Validator,
    schema: &Value,
    tool: &str,
    args: &Value,
) -> (Vec<(String, String)>, usize) {
    let mut total = 0;
    let mut listed = Vec::new();
    for e in validator.iter_errors(args) {
        total += 1;
        if listed.len() < MAX_LISTED {
            listed.push(describe(&e, schema, tool));
        }
    }
    (listed, total)
}

/// The errors of a pruned copy when the schema allows it (prune.rs); otherwise, or when
/// the copy shows none, the first error jsonschema finds in the whole input.
fn large_input_errors(
    input: &InputCheck,
    schema: &Value,
    tool: &str,
    args: &Value,
) -> Vec<(String, String)> {
    if let Some(pruning) = &input.pruning {
        let copy = pruning.prune(args, MAX_VALUES_LISTED_IN_FULL);
        let listed: Vec<_> = input
            .validator
            .iter_errors(&copy)
            // Branches the copy made pass: not an error of the input.
            .filter(|e| !matches!(e.kind(), ValidationErrorKind::OneOfMultipleValid { .. }))
            .take(MAX_LISTED)
            .map(|e| describe(&e, schema, tool))
            .collect();
        if !listed.is_empty() {
            return listed;
        }
    }
    input
        .validator
        .validate(args)
        .err()
        .iter()
        .map(|e| describe(e, schema, tool))
        .collect()
}

/// The error's JSON pointer and its message, the bad value quoted short.
fn describe(e: &ValidationError<'_>, schema: &Value, tool: &str) -> (String, String) {
    let pointer = e.instance_path().as_str();
    let pointer = if pointer.is_empty() {
        "/".to_owned()
    } else {
        pointer.to_owned()
    };
    let message = match e.kind() {
        // Bounded by its parts: the accepted fields must not be cut off by a long name.
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            unknown_fields(schema, e.schema_path().as_str(), &pointer, tool, unexpected)
        }
        _ => cut(
            e.masked_with(quote(e.instance())).to_string(),
            MAX_MESSAGE_CHARS,
        ),
    };
    (pointer, message)
}

/// `value` as compact JSON, cut to about [`MAX_QUOTED_CHARS`]; only that much of it is
/// ever written out.
fn quote(value: &Value) -> String {
    struct Capped(String);
    impl std::io::Write for Capped {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() > MAX_QUOTED_CHARS * 4 {
                return Err(std::io::Error::other("enough"));
            }
            self.0.push_str(&String::from_utf8_lossy(buf));
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Capped(String::new());
    let _ = serde_json::to_writer(&mut out, value);
    cut(out.0, MAX_QUOTED_CHARS)
}

fn cut(text: String, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text,
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// How many values `value` holds (itself and everything inside), counting up to `stop`.
fn count_values(value: &Value, stop: usize) -> usize {
    let mut count = 0;
    let mut pending = vec![value];
    while let Some(v) = pending.pop() {
        count += 1;
        if count >= stop {
            break;
        }
        match v {
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// "unknown argument 'expression' for calc; accepted: expr, exprs, vars, …": the first
/// [`MAX_UNKNOWN_NAMED`] names, each cut short, and the accepted ones cut to
/// [`MAX_MESSAGE_CHARS`].
fn unknown_fields(
    schema: &Value,
    schema_path: &str,
    pointer: &str,
    tool: &str,
    unexpected: &[String],
) -> String {
    let mut names = unexpected
        .iter()
        .take(MAX_UNKNOWN_NAMED)
        .map(|u| format!("'{}'", cut(u.clone(), MAX_QUOTED_CHARS)))
        .collect::<Vec<_>>()
        .join(", ");
    if unexpected.len() > MAX_UNKNOWN_NAMED {
        let _ = write!(names, " and {} more", unexpected.len() - MAX_UNKNOWN_NAMED);
    }
    let (what, plural) = if pointer == "/" {
        ("argument", "arguments")
    } else {
        ("field", "fields")
    };
    let mut m = if unexpected.len() == 1 {
        format!("unknown {what} {names} for {tool}")
    } else {
        format!("unknown {plural} {names} for {tool}")
    };
    let accepted = schema_path
        .strip_suffix("/additionalProperties")
        .and_then(|parent| schema.pointer(parent))
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().map(String::as_str).collect::<Vec<_>>());
    match accepted {
        Some(keys) if !keys.is_empty() => {
            let _ = write!(m, "; accepted: {}", cut(keys.join(", "), MAX_MESSAGE_CHARS));
        }
        Some(_) => {
            let _ = write!(m, "; no {plural} are accepted here");
        }
        None => {}
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_by_json_pointer() {
        let schema = json!({
            "type": "object",
            "properties": { "expr": { "type": "string" }, "vars": { "type": "object", "additionalProperties": { "type": "number" } } },
            "required": ["expr"],
            "additionalProperties": false
        });
        let v = compile(&schema).unwrap();
        assert!(check(&v, &schema, "calc", &json!({ "expr": "1" })).is_ok());
        let e = check(
            &v,
            &schema,
            "calc",
            &json!({ "expr": 5, "vars": { "x": "one" } }),
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let pointers: Vec<&str> = e.details.as_ref().unwrap()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["pointer"].as_str().unwrap())
            .collect();
        assert!(pointers.contains(&"/expr"), "{pointers:?}");
        assert!(pointers.contains(&"/vars/x"), "{pointers:?}");
        assert!(e.message.contains("at /expr"), "{}", e.message);
        let e = check(
            &v,
            &schema,
            "calc",
            &json!({ "expr": "1", "expression": "1" }),
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("unknown argument 'expression' for calc; accepted: expr, vars"),
            "{}",
            e.message
        );
        let e = check(&v, &schema, "calc", &json!({ "exp": "1" })).unwrap_err();
        assert!(
            e.message.contains("expr") && e.message.contains("exp"),
            "{}",
            e.message
        );
    }

    #[test]
    fn many_errors_are_listed_twenty_at_most_with_their_values_cut_short() {
        let schema = json!({ "type": "array", "items": { "type": "number" } });
        let v = compile(&schema).unwrap();
        let long = "x".repeat(10_000);
        let e = check(&v, &schema, "t", &json!(vec![long.as_str(); 50])).unwrap_err();
        let details = e.details.unwrap();
        let errors = details["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 20);
        assert_eq!(details["total"], 50);
        assert_eq!(errors[0]["pointer"], "/0");
        assert!(
            errors[0]["message"].as_str().unwrap().len() < 200,
            "{errors:?}"
        );
        assert!(e.message.contains("(and 30 more)"), "{}", e.message);
        // A large input is diagnosed on its first values.
        let e = check(&v, &schema, "t", &json!(vec!["x"; 100_000])).unwrap_err();
        let details = e.details.unwrap();
        assert_eq!(details["errors"].as_array().unwrap().len(), 20);
        assert_eq!(details["total"], Value::Null);
        // Under a schema that cannot be pruned, it stops at its first error.
        let schema = json!({ "not": { "type": "string" }, "items": { "type": "number" } });
        let v = compile(&schema).unwrap();
        let e = check(&v, &schema, "t", &json!(vec!["x"; 100_000])).unwrap_err();
        assert_eq!(e.details.unwrap()["errors"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn many_long_unknown_fields_are_named_five_at_most_with_the_accepted_ones() {
        let schema = json!({
            "type": "object",
            "properties": { "expr": { "type": "string" } },
            "additionalProperties": false
        });
        let v = compile(&schema).unwrap();
        let args: serde_json::Map<String, Value> = (0..1000)
            .map(|i| (format!("{i:04}{}", "k".repeat(500)), json!(1)))
            .collect();
        let e = check(&v, &schema, "calc", &Value::Object(args)).unwrap_err();
        assert!(e.message.contains("and 995 more"), "{}", e.message);
        assert!(e.message.contains("; accepted: expr"), "{}", e.message);
        assert!(e.message.len() < 2000, "{} bytes", e.message.len());
    }
}
