//! JSON ↔ Rhai values, and how a tool's output becomes the value TOOL returns.

use rhai::Dynamic;
use serde_json::Value;

use crate::output::{Content, ToolOutput};

pub fn to_dynamic(value: &Value) -> Dynamic {
    rhai::serde::to_dynamic(value).unwrap_or_else(|_| Dynamic::from(value.to_string()))
}

pub fn to_json(value: &Dynamic) -> Value {
    rhai::serde::from_dynamic::<Value>(value).unwrap_or_else(|_| Value::String(value.to_string()))
}

/// The tool's JSON result when it has one (structured data is what code wants), else its
/// text; a tool that returned only images gives the paths where they were saved.
pub fn tool_value(output: &ToolOutput, saved_images: &[String]) -> Value {
    if let Some(json) = output.first_json() {
        return json.clone();
    }
    let texts: Vec<&str> = output
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    if !texts.is_empty() {
        return Value::String(texts.join("\n"));
    }
    match saved_images {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

/// How a value is shown after an input (`=> value`): strings as they are, data as JSON.
pub fn display(value: &Dynamic) -> String {
    if value.is_string() {
        return value.to_string();
    }
    if value.is_map() || value.is_array() {
        return to_json(value).to_string();
    }
    value.to_string()
}
