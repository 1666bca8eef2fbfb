//! Arguments are checked against the tool's JSON Schema before any component runs.

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::error::{ErrorCode, ToolError};

/// Errors listed per call; the rest are counted.
const MAX_REPORTED: usize = 10;

pub fn compile(schema: &Value) -> Result<Validator, String> {
    jsonschema::validator_for(schema).map_err(|e| format!("invalid input schema: {e}"))
}

/// `Err` names every offending field by JSON pointer and says what was expected; an
/// unknown field is named with the fields accepted there (from `schema`, the one
/// `validator` was compiled from), so a caller (a model above all) can correct itself.
pub fn check(
    validator: &Validator,
    schema: &Value,
    tool: &str,
    args: &Value,
) -> Result<(), ToolError> {
    // The common case, cheaply: no error values are built for a valid input.
    if validator.is_valid(args) {
        return Ok(());
    }
    let errors: Vec<(String, String)> = validator
        .iter_errors(args)
        .map(|e| {
            let pointer = e.instance_path().as_str();
            let pointer = if pointer.is_empty() {
                "/".to_owned()
            } else {
                pointer.to_owned()
            };
            let message = match e.kind() {
                jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                    unknown_fields(schema, e.schema_path().as_str(), &pointer, tool, unexpected)
                }
                _ => e.to_string(),
            };
            (pointer, message)
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = errors
        .iter()
        .take(MAX_REPORTED)
        .map(|(p, m)| format!("at {p}: {m}"))
        .collect();
    let more = errors.len().saturating_sub(MAX_REPORTED);
    let mut message = format!("invalid arguments for '{tool}': {}", shown.join("; "));
    if more > 0 {
        message.push_str(&format!(" (and {more} more)"));
    }
    message.push_str(&format!(
        " (see `toolhost describe {tool}` for the input schema)"
    ));
    let details = json!({
        "errors": errors
            .iter()
            .map(|(p, m)| json!({ "pointer": p, "message": m }))
            .collect::<Vec<_>>(),
    });
    Err(ToolError::new(ErrorCode::InvalidInput, message)
        .for_tool(tool)
        .with_details(details))
}

/// "unknown argument 'expression' for calc; accepted: expr, exprs, vars, …".
fn unknown_fields(
    schema: &Value,
    schema_path: &str,
    pointer: &str,
    tool: &str,
    unexpected: &[String],
) -> String {
    let names = unexpected
        .iter()
        .map(|u| format!("'{u}'"))
        .collect::<Vec<_>>()
        .join(", ");
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
        Some(keys) if !keys.is_empty() => m.push_str(&format!("; accepted: {}", keys.join(", "))),
        Some(_) => m.push_str(&format!("; no {plural} are accepted here")),
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
}
