//! The errors every front end sees: one stable code per kind of failure.

use serde::Serialize;
use serde_json::Value;
use std::fmt;

use crate::output::LogRecord;

/// A stable, documented error code. Front ends print it, match on it and map it to exit
/// codes; the snake_case spelling is part of toolhost's interface and never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No tool of that name in the registry.
    NotFound,
    /// The arguments do not match the tool's input schema, or the tool refused them.
    InvalidInput,
    /// The call ran past its `timeout_ms` and was stopped.
    Timeout,
    /// The call needed more memory than its `memory_mb`.
    OutOfMemory,
    /// The tool crashed (a panic, `unreachable`, a bad memory access...).
    Trap,
    /// The tool ran and reported a failure of its own.
    ToolError,
    /// The tool tried something its grants do not allow.
    Denied,
    /// The output (or a captured stream) exceeded `max_output_bytes`.
    OutputTooLarge,
    /// The registry file is invalid.
    Registry,
    /// The component's sha256 differs from the registry's pin.
    PinMismatch,
    /// The component is not a toolhost tool, or targets another contract version.
    ContractMismatch,
    /// A fault in toolhost itself (I/O, compilation, a bug).
    Internal,
    /// Python code (an input, a script) raised an exception it did not catch.
    ScriptError,
    /// Every sandbox slot stayed taken for as long as the call could wait; retry later.
    Busy,
    /// An OCI artifact's content does not hash to the digest that names it (the registry's
    /// manifest, its component layer, or the entry's `digest:` against its `sha256:`).
    DigestMismatch,
    /// The component's signature does not verify with the entry's `verify: { key }`.
    SignatureInvalid,
    /// The entry requires a signature (`verify: { key }`) and the artifact has none.
    SignatureMissing,
    /// `toolhost add`: the tag now names another artifact than the entry pins; `--update`
    /// takes the new one.
    TagMoved,
    /// What the tool or its component comes from (an MCP server, an OCI registry, a URL)
    /// could not be reached or is down (a crashed server is restarted after a pause);
    /// retry later.
    Unavailable,
    /// The MCP server providing the tool answered the call with a protocol error.
    RemoteError,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 20] = [
        ErrorCode::NotFound,
        ErrorCode::InvalidInput,
        ErrorCode::Timeout,
        ErrorCode::OutOfMemory,
        ErrorCode::Trap,
        ErrorCode::ToolError,
        ErrorCode::Denied,
        ErrorCode::OutputTooLarge,
        ErrorCode::Registry,
        ErrorCode::PinMismatch,
        ErrorCode::ContractMismatch,
        ErrorCode::Internal,
        ErrorCode::ScriptError,
        ErrorCode::Busy,
        ErrorCode::DigestMismatch,
        ErrorCode::SignatureInvalid,
        ErrorCode::SignatureMissing,
        ErrorCode::TagMoved,
        ErrorCode::Unavailable,
        ErrorCode::RemoteError,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Timeout => "timeout",
            ErrorCode::OutOfMemory => "out_of_memory",
            ErrorCode::Trap => "trap",
            ErrorCode::ToolError => "tool_error",
            ErrorCode::Denied => "denied",
            ErrorCode::OutputTooLarge => "output_too_large",
            ErrorCode::Registry => "registry",
            ErrorCode::PinMismatch => "pin_mismatch",
            ErrorCode::ContractMismatch => "contract_mismatch",
            ErrorCode::Internal => "internal",
            ErrorCode::ScriptError => "script_error",
            ErrorCode::Busy => "busy",
            ErrorCode::DigestMismatch => "digest_mismatch",
            ErrorCode::SignatureInvalid => "signature_invalid",
            ErrorCode::SignatureMissing => "signature_missing",
            ErrorCode::TagMoved => "tag_moved",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::RemoteError => "remote_error",
        }
    }

    /// Whether the same call may succeed if simply tried again later.
    pub const fn is_retryable(self) -> bool {
        matches!(self, ErrorCode::Busy | ErrorCode::Unavailable)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a call (or loading the tool for it) failed.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
pub struct ToolError {
    pub code: ErrorCode,
    /// The tool concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    pub message: String,
    /// Structured details: the JSON pointer of a bad field, the tool's own error code...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// What the tool logged or printed before it failed (often the best clue).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogRecord>,
}

impl ToolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ToolError {
            code,
            tool: None,
            message: message.into(),
            details: None,
            logs: Vec::new(),
        }
    }

    pub fn for_tool(mut self, tool: &str) -> Self {
        self.tool = Some(tool.to_owned());
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn with_logs(mut self, logs: Vec<LogRecord>) -> Self {
        self.logs = logs;
        self
    }

    pub fn not_found(tool: &str, known: &[&str]) -> Self {
        let hint = crate::suggest::closest(tool, known.iter().copied())
            .map(|s| format!(" (did you mean '{s}'?)"))
            .unwrap_or_default();
        ToolError::new(
            ErrorCode::NotFound,
            format!("no tool named '{tool}' in the registry{hint}"),
        )
        .for_tool(tool)
    }

    pub fn internal(err: &anyhow::Error) -> Self {
        ToolError::new(ErrorCode::Internal, format!("{err:#}"))
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.tool {
            Some(tool) => write!(f, "{} [{}]: {}", tool, self.code, self.message),
            None => write!(f, "[{}]: {}", self.code, self.message),
        }
    }
}
