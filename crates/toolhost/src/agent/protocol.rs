//! How the model hands over its code: fenced blocks in the reply text (`fences`), or
//! native tool calls of one function, `python(code)`, offered through the OpenAI `tools`
//! field (`tools`). FINAL works the same in both: it is a function the code calls.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

/// How the model hands over its code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// One fenced ```python block per reply.
    #[default]
    Fences,
    /// Calls of the `python(code)` function, through the `tools` field.
    Tools,
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Protocol::Fences => "fences",
            Protocol::Tools => "tools",
        })
    }
}

/// One function call of an assistant message, as OpenAI-compatible servers send it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ToolCall {
    /// Filled in by the client when a server leaves it out (`call_<n>`), so every `tool`
    /// message can name its call.
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: FunctionCall,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FunctionCall {
    #[serde(default)]
    pub name: String,
    /// The arguments as a JSON text; some servers send an object, which is kept as its text.
    #[serde(default, deserialize_with = "text_or_json")]
    pub arguments: String,
}

fn function_type() -> String {
    "function".into()
}

fn text_or_json<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// The name of the one function offered.
pub const PYTHON_TOOL: &str = "python";

/// The `tools` field of a request: the one function, `python(code)`.
pub fn python_tool() -> Value {
    json!([{
        "type": "function",
        "function": {
            "name": PYTHON_TOOL,
            "description": "Run Python code in your persistent REPL (a sandboxed interpreter: no files, \
                network or pip). The result is what the code printed, the value of its last \
                expression and any error. Variables, functions and imports persist between calls. \
                The tools listed in the system prompt are Python functions here (help(tool) shows \
                their arguments). Call FINAL(answer) inside the code to end the task with your answer.",
            "parameters": {
                "type": "object",
                "properties": {
                    "code": {
                        "type": "string",
                        "description": "The Python code to run, e.g. \"r = calc(expr='6*7')\\nprint(r)\"."
                    }
                },
                "required": ["code"],
                "additionalProperties": false
            }
        }
    }])
}

/// Why a tool call cannot be run; told to the model in the call's `tool` message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error(
        "there is no function '{0}': the only function is python(code). Tools are Python \
         functions: call them inside the code, e.g. python(code=\"{0}(...)\")"
    )]
    UnknownFunction(String),
    #[error("the python call's arguments must be a JSON object {{\"code\": \"...\"}}; got {0}")]
    BadArguments(String),
    #[error("the python call has no 'code' string; accepted arguments: code")]
    NoCode,
    #[error("the code is empty. Put Python code in it.")]
    Empty,
}

/// The code a call asks to run.
pub fn code_of(call: &ToolCall) -> Result<String, CallError> {
    if call.function.name != PYTHON_TOOL {
        return Err(CallError::UnknownFunction(call.function.name.clone()));
    }
    let args: Value = serde_json::from_str(&call.function.arguments)
        .map_err(|_| CallError::BadArguments(snippet(&call.function.arguments)))?;
    let Value::Object(map) = &args else {
        return Err(CallError::BadArguments(snippet(&call.function.arguments)));
    };
    match map.get("code") {
        Some(Value::String(code)) if code.trim().is_empty() => Err(CallError::Empty),
        Some(Value::String(code)) => Ok(code.clone()),
        _ => Err(CallError::NoCode),
    }
}

/// Told to the model when a `tools` reply has neither a call nor a code block.
pub fn nudge(final_in_prose: bool) -> String {
    let mut text = String::from(
        "No python call found. Call the python function with your code, e.g. \
         python(code=\"print(calc(expr='6*7'))\"); its output comes back to you.",
    );
    if final_in_prose {
        text.push_str(
            " FINAL(...) written in prose does nothing: FINAL is a function, call it inside \
             the code.",
        );
    } else {
        text.push_str(" Call FINAL(answer) inside the code when you have the answer.");
    }
    text
}

/// Calls without an id get `call_<n>` (n from 1, in order), so `tool` messages can answer them.
pub fn fill_missing_ids(calls: &mut [ToolCall]) {
    for (i, call) in calls.iter_mut().enumerate() {
        if call.id.is_empty() {
            call.id = format!("call_{}", i + 1);
        }
    }
}

fn snippet(text: &str) -> String {
    let t: String = text.chars().take(120).collect();
    if t.len() < text.len() {
        format!("{t:?}…")
    } else {
        format!("{t:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, arguments: &str) -> ToolCall {
        ToolCall {
            id: "c1".into(),
            kind: "function".into(),
            function: FunctionCall {
                name: name.into(),
                arguments: arguments.into(),
            },
        }
    }

    #[test]
    fn the_code_comes_from_the_python_calls_arguments() {
        assert_eq!(
            code_of(&call("python", r#"{"code": "x = 1"}"#)),
            Ok("x = 1".into())
        );
        assert_eq!(
            code_of(&call("calc", r#"{"expr": "1"}"#)),
            Err(CallError::UnknownFunction("calc".into()))
        );
        assert!(matches!(
            code_of(&call("python", "x = 1")),
            Err(CallError::BadArguments(_))
        ));
        assert_eq!(
            code_of(&call("python", r#"{"source": "x"}"#)),
            Err(CallError::NoCode)
        );
        assert_eq!(
            code_of(&call("python", r#"{"code": "  "}"#)),
            Err(CallError::Empty)
        );
        assert!(
            CallError::NoCode
                .to_string()
                .contains("accepted arguments: code"),
            "the error lists what is accepted"
        );
    }

    #[test]
    fn arguments_sent_as_an_object_are_kept_as_text() {
        let c: ToolCall = serde_json::from_value(json!({
            "function": {"name": "python", "arguments": {"code": "print(1)"}}
        }))
        .unwrap();
        assert_eq!(code_of(&c), Ok("print(1)".into()));
        assert_eq!(c.kind, "function");
        let mut calls = vec![c.clone(), c];
        calls[1].id = "given".into();
        fill_missing_ids(&mut calls);
        assert_eq!(
            (calls[0].id.as_str(), calls[1].id.as_str()),
            ("call_1", "given")
        );
    }
}
