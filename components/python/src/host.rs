//! What the session needs from its host (the `host` imports of wit/repl/repl.wit), as a trait
//! over plain Rust types: the component implements it with the generated bindings, and
//! native tests with a fake, so everything above it is tested without a sandbox.

use serde_json::Value;
use std::time::Duration;

/// One tool as Python sees it (`tool-entry`).
#[derive(Debug, Clone, Default)]
pub struct ToolEntry {
    pub name: String,
    /// Whether `name(...)` is a Python call (an identifier that is not a keyword).
    pub python_identifier: bool,
    /// Known at start for tools the host had loaded; asked for on first need otherwise.
    pub details: Option<ToolDetails>,
}

/// A tool's calling convention (`tool-details`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolDetails {
    /// Property names, required first: keyword arguments.
    pub parameters: Vec<String>,
    /// How many of `parameters` are required: positional arguments fill those only.
    pub required_parameters: usize,
    pub signature: String,
    pub summary: String,
}

/// One registry script (`script-entry`).
#[derive(Debug, Clone, Default)]
pub struct ScriptEntry {
    pub name: String,
    pub summary: String,
    pub parameters: Vec<String>,
}

/// What a session starts with (`session-config`).
#[derive(Debug, Clone)]
pub struct Config {
    pub tools: Vec<ToolEntry>,
    pub scripts: Vec<ScriptEntry>,
    pub max_output_bytes: u64,
    pub max_tool_calls_per_input: u64,
    pub input_timeout: Duration,
    pub memory_bytes: u64,
    pub require_exploration_before_final: bool,
    /// Whether `llm_query`/`llm_batch` have a model to ask.
    pub language_model: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tools: Vec::new(),
            scripts: Vec::new(),
            max_output_bytes: 1 << 20,
            max_tool_calls_per_input: 10_000,
            input_timeout: Duration::from_secs(120),
            memory_bytes: 512 << 20,
            require_exploration_before_final: false,
            language_model: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub mime_type: String,
    pub data: Vec<u8>,
}

/// A successful tool call: its value (JSON item, else text, else null) and images.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    pub value: Value,
    pub images: Vec<Image>,
}

/// Why the host could not do what Python asked (`failure`).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub details: Option<Value>,
    pub tool: Option<String>,
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Failure {
            code: code.to_owned(),
            message: message.into(),
            details: None,
            tool: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
}

/// The host imports.
pub trait Host {
    fn call_tool(&mut self, name: &str, arguments: &Value) -> Result<ToolResult, Failure>;
    fn call_batch(&mut self, calls: &[(String, Value)]) -> Vec<Result<ToolResult, Failure>>;
    /// `(name, summary)` of every tool.
    fn list_tools(&mut self) -> Vec<(String, String)>;
    fn describe_tool(&mut self, name: &str) -> Result<ToolDetails, Failure>;
    fn help_text(&mut self, name: &str) -> Result<String, Failure>;
    fn run_script(&mut self, name: &str, arguments: &Value) -> Result<Value, Failure>;
    fn llm_query(&mut self, prompt: &str) -> Result<String, String>;
    fn llm_batch(&mut self, prompts: &[String]) -> Vec<Result<String, String>>;
    fn save_image(
        &mut self,
        mime_type: &str,
        data: &[u8],
        file_name: &str,
    ) -> Result<String, String>;
    fn log(&mut self, level: LogLevel, message: &str);
}

/// An exception that ended an input (`python-error`).
#[derive(Debug, Clone, PartialEq)]
pub struct PyError {
    /// `script_error` for a Python exception; `timeout`, `out_of_memory`,
    /// `output_too_large` or `denied` when a limit stopped the input.
    pub code: String,
    pub kind: String,
    pub message: String,
    pub traceback: String,
}

/// What one input produced (`outcome`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub output: String,
    pub value_repr: Option<String>,
    pub value_json: Option<Value>,
    pub error: Option<PyError>,
    pub final_answer: Option<Value>,
}
