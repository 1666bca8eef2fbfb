//! A tool as a Python function: its signature and help, read from its input schema
//! (the schema is the one source; nothing here is written twice).

use serde_json::{Map, Value};

use crate::dispatch::ToolDescription;

/// One keyword argument of a tool.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parameter {
    pub name: String,
    /// A Python type: `str`, `list[float]`, `dict | None`...
    pub ty: String,
    pub required: bool,
    pub default: Option<Value>,
    pub description: Option<String>,
}

/// The tool's parameters: required ones first (in the schema's `required` order), then
/// the others in the schema's order.
pub(crate) fn parameters(schema: &Value) -> Vec<Parameter> {
    let empty = Map::new();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let make = |name: &str, required: bool| {
        let prop = properties.get(name).unwrap_or(&Value::Null);
        Parameter {
            name: name.to_owned(),
            ty: python_type(prop, schema, 0),
            required,
            default: prop.get("default").cloned(),
            description: prop
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    };
    let mut params: Vec<Parameter> = required.iter().map(|n| make(n, true)).collect();
    params.extend(
        properties
            .keys()
            .filter(|k| !required.contains(&k.as_str()))
            .map(|k| make(k, false)),
    );
    params
}

/// One line: `calc(expr: str = None, vars: dict = None) — summary`.
pub fn signature(d: &ToolDescription) -> String {
    let args: Vec<String> = parameters(&d.input_schema)
        .iter()
        .map(|p| {
            if p.required {
                format!("{}: {}", p.name, p.ty)
            } else {
                let default = p.default.as_ref().map_or("None".to_owned(), python_literal);
                format!("{}: {} = {default}", p.name, p.ty)
            }
        })
        .collect();
    let mut line = format!("{}({})", d.name, args.join(", "));
    if !d.summary().is_empty() {
        line.push_str(" — ");
        line.push_str(d.summary());
    }
    if !is_python_identifier(&d.name) {
        line.push_str(&format!(" (call it as TOOL({:?}, {{...}}))", d.name));
    }
    line
}

/// The full help: signature, description, each argument's type and description, and the
/// examples written as Python calls.
pub fn help_text(d: &ToolDescription) -> String {
    let mut out = signature(d);
    let rest = d
        .description
        .trim()
        .lines()
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n");
    if !rest.trim().is_empty() {
        out.push_str("\n\n");
        out.push_str(rest.trim());
    }
    let params = parameters(&d.input_schema);
    if !params.is_empty() {
        out.push_str("\n\nArguments:");
        for p in &params {
            let status = if p.required {
                " (required)".to_owned()
            } else {
                match &p.default {
                    Some(v) => format!(" (default {})", python_literal(v)),
                    None => String::new(),
                }
            };
            out.push_str(&format!("\n  {}: {}{status}", p.name, p.ty));
            if let Some(desc) = &p.description {
                for line in desc.trim().lines() {
                    out.push_str(&format!("\n      {line}"));
                }
            }
        }
    }
    if !d.examples.is_empty() {
        out.push_str("\n\nExamples:");
        for ex in &d.examples {
            out.push_str(&format!(
                "\n  # {}\n  {}",
                ex.description,
                python_call(&d.name, &ex.input)
            ));
        }
    }
    out.push_str(&format!(
        "\n\nA failure raises ToolError (e.code, e.message, e.details). Limits: {} ms, {} MiB.",
        d.limits.timeout_ms, d.limits.memory_mb
    ));
    out
}

/// A call with `input` as Python code: `calc(expr="2^10")`, or `TOOL("name", {...})`
/// when the name or a key is not an identifier.
pub(crate) fn python_call(tool: &str, input: &Value) -> String {
    if let Some(map) = input.as_object()
        && is_python_identifier(tool)
        && map.keys().all(|k| is_python_identifier(k))
    {
        let args: Vec<String> = map
            .iter()
            .map(|(k, v)| format!("{k}={}", python_literal(v)))
            .collect();
        return format!("{tool}({})", args.join(", "));
    }
    format!("TOOL({tool:?}, {})", python_literal(input))
}

/// A JSON value as a Python literal (JSON's string escapes are Python's too).
pub(crate) fn python_literal(v: &Value) -> String {
    match v {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(python_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), python_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The Python type a JSON schema describes, as briefly as it can be said.
fn python_type(schema: &Value, root: &Value, depth: usize) -> String {
    if depth > 4 {
        return "Any".to_owned();
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return resolve(reference, root)
            .map(|s| python_type(s, root, depth + 1))
            .unwrap_or_else(|| reference.rsplit('/').next().unwrap_or("Any").to_owned());
    }
    if let Some(t) = schema.get("type") {
        let names: Vec<String> = match t {
            Value::String(t) => vec![simple_type(t, schema, root, depth)],
            Value::Array(ts) => ts
                .iter()
                .filter_map(Value::as_str)
                .map(|t| simple_type(t, schema, root, depth))
                .collect(),
            _ => vec![],
        };
        if !names.is_empty() {
            return union(names);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            return union(
                options
                    .iter()
                    .map(|o| python_type(o, root, depth + 1))
                    .collect(),
            );
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return union(
            values
                .iter()
                .map(|v| match v {
                    Value::String(_) => "str".to_owned(),
                    Value::Null => "None".to_owned(),
                    Value::Bool(_) => "bool".to_owned(),
                    Value::Number(n) if n.is_f64() => "float".to_owned(),
                    Value::Number(_) => "int".to_owned(),
                    _ => "Any".to_owned(),
                })
                .collect(),
        );
    }
    if schema.get("properties").is_some() {
        return "dict".to_owned();
    }
    "Any".to_owned()
}

fn simple_type(t: &str, schema: &Value, root: &Value, depth: usize) -> String {
    match t {
        "string" => "str".to_owned(),
        "integer" => "int".to_owned(),
        "number" => "float".to_owned(),
        "boolean" => "bool".to_owned(),
        "null" => "None".to_owned(),
        "object" => "dict".to_owned(),
        "array" => match schema.get("items") {
            Some(items) if items.is_object() => {
                format!("list[{}]", python_type(items, root, depth + 1))
            }
            _ => "list".to_owned(),
        },
        _ => "Any".to_owned(),
    }
}

fn union(names: Vec<String>) -> String {
    let mut unique: Vec<String> = Vec::new();
    for name in names {
        if !unique.contains(&name) {
            unique.push(name);
        }
    }
    // `None` last, as `str | None` is written.
    unique.sort_by_key(|n| n == "None");
    if unique.is_empty() {
        "Any".to_owned()
    } else {
        unique.join(" | ")
    }
}

/// A local `$ref` (`#/$defs/Name`) in the schema.
fn resolve<'a>(reference: &str, root: &'a Value) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// A name Python code can call directly: an identifier that is not a keyword.
pub(crate) fn is_python_identifier(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield",
    ];
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && !KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{Example, GrantsView, LimitsView};
    use serde_json::json;

    fn description(schema: Value, examples: Vec<Example>) -> ToolDescription {
        ToolDescription {
            remote: None,
            name: "calc".into(),
            version: "1.0.0".into(),
            description: "Evaluate expressions.\nMore words here.".into(),
            input_schema: schema,
            output_schema: None,
            examples,
            component: "builtin:calc".into(),
            sha256: String::new(),
            limits: LimitsView {
                timeout_ms: 5000,
                memory_mb: 64,
                max_output_bytes: 1,
                max_response_bytes: 1,
                max_component_mb: 256,
            },
            grants: GrantsView {
                dirs: vec![],
                env: vec![],
                network: vec![],
            },
        }
    }

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "vars": {"type": ["object", "null"], "description": "Variable values."},
                "expr": {"type": "string", "description": "The expression."},
                "digits": {"type": "integer", "default": 6},
                "points": {"type": "array", "items": {"$ref": "#/$defs/Point"}},
            },
            "required": ["expr"],
            "$defs": {"Point": {"type": "number"}},
        })
    }

    #[test]
    fn required_arguments_come_first_without_defaults() {
        let d = description(schema(), vec![]);
        assert_eq!(
            signature(&d),
            "calc(expr: str, digits: int = 6, points: list[float] = None, vars: dict | None = None) — Evaluate expressions."
        );
    }

    #[test]
    fn help_lists_arguments_and_examples_as_python() {
        let d = description(
            schema(),
            vec![Example {
                description: "Batch".into(),
                input: json!({"expr": "x^2", "vars": {"x": [1, 2]}, "exact": true, "v": null}),
            }],
        );
        let help = help_text(&d);
        assert!(help.contains("More words here."), "{help}");
        assert!(
            help.contains("  expr: str (required)\n      The expression."),
            "{help}"
        );
        assert!(
            help.contains("  calc(exact=True, expr=\"x^2\", v=None, vars={\"x\": [1, 2]})"),
            "{help}"
        );
    }

    #[test]
    fn names_that_are_not_identifiers_go_through_tool() {
        assert_eq!(
            python_call("my-tool", &json!({"a": 1})),
            "TOOL(\"my-tool\", {\"a\": 1})"
        );
        assert_eq!(
            python_call("f", &json!({"class": 1})),
            "TOOL(\"f\", {\"class\": 1})"
        );
        assert!(!is_python_identifier("lambda"));
        assert!(is_python_identifier("plot_sixel"));
    }
}
