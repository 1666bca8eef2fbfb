use serde_json::Value;
use std::fmt;

/// A failure the tool detected and can explain. The host reports `invalid_input` as is and
/// any other code as a `tool_error` carrying this code.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolError {
    pub code: String,
    pub message: String,
    pub details: Option<Value>,
}

impl ToolError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ToolError {
            code: code.to_owned(),
            message: message.into(),
            details: None,
        }
    }

    /// The input was at fault (beyond what the schema can say).
    pub fn invalid_input(message: impl Into<String>) -> Self {
        ToolError::new("invalid_input", message)
    }

    /// Attach the JSON pointer of the offending input field.
    pub fn at(self, pointer: &str) -> Self {
        self.with_details(serde_json::json!({ "pointer": pointer }))
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ToolError {}
