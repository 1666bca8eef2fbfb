//! What one input of a Python session produced.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ErrorCode;

/// One tool call made by Python code, for trajectories and replays.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ToolCallRecord {
    pub tool: String,
    pub arguments: Value,
    /// What the call gave Python (its JSON, else its text), or `{code, message}` for a
    /// failure.
    pub result: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    pub duration_ms: f64,
    /// The images the call returned, so a trajectory viewer can show them (sixel
    /// terminal graphics are not kept: a browser cannot draw them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<RecordedImage>,
}

/// An image of a recorded tool call: its MIME type and its bytes in base64.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedImage {
    pub mime_type: String,
    pub data_base64: String,
}

/// An image a tool returned during the input, for the front end to show or save. Sixel
/// terminal graphics come as `image/x-sixel` (the data is the sixel text).
#[derive(Debug, Clone, Serialize)]
pub struct ImageItem {
    pub tool: String,
    pub mime_type: String,
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// Why an input failed.
#[derive(Debug, Clone, Serialize)]
pub struct PythonError {
    /// `script_error` for an exception of the code; `timeout`, `out_of_memory`, `trap`,
    /// `output_too_large` or `denied` when a limit stopped it.
    pub code: ErrorCode,
    /// The exception type (`ZeroDivisionError`, `ToolError`, ...), or what stopped the
    /// input (`timeout`, `trap`, `tool_call_limit`, ...).
    pub kind: String,
    pub message: String,
    /// CPython-style frames (`Traceback (most recent call last):` ...), empty when the
    /// failure has none (a limit, a syntax error found before running).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub traceback: String,
}

/// As CPython prints an uncaught exception: the traceback, then `Kind: message`.
impl std::fmt::Display for PythonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.traceback.is_empty() {
            writeln!(f, "{}", self.traceback)?;
        }
        write!(f, "{}: {}", self.kind, self.message)
    }
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct EvalOutcome {
    /// What the code printed (capped, with a note when output was dropped).
    pub output: String,
    /// `repr()` of the last expression's value; `None` for no value or `None`.
    pub value: Option<String>,
    /// The same value as JSON, when it has a JSON form.
    pub value_json: Option<Value>,
    pub error: Option<PythonError>,
    /// The answer given to `FINAL`/`FINAL_VAR`: the input ended there.
    pub final_value: Option<Value>,
    pub tool_calls: Vec<ToolCallRecord>,
    pub images: Vec<ImageItem>,
    /// Images left out of `images` once they held 64 MiB.
    #[serde(skip_serializing_if = "is_zero")]
    pub images_dropped: usize,
    /// The session had ended (a timeout, a memory limit, a crash) and this input ran in
    /// a fresh one: earlier variables, functions and classes are gone.
    pub session_restarted: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
