//! Turns what wasmtime reports when a call fails into one stable error code and a message
//! a person can act on.

use wasmtime::Trap;

use super::lift::{LiftBudgetExceeded, TooManyItems};
use super::limits::MemoryLimitExceeded;
use super::outbound::Violation;
use crate::error::{ErrorCode, ToolError};
use crate::output::{LogRecord, LogSource};
use crate::registry::SandboxLimits;

/// Raised by the epoch callback when a call passes its deadline.
#[derive(Debug, thiserror::Error)]
#[error("deadline exceeded")]
pub struct DeadlineExceeded;

pub fn timeout(limits: &SandboxLimits) -> ToolError {
    ToolError::new(
        ErrorCode::Timeout,
        format!(
            "the call did not finish within its {} ms limit (timeout_ms) and was stopped",
            limits.timeout.as_millis()
        ),
    )
}

/// A network rule the host enforced during the call.
pub fn violation(v: Violation, limits: &SandboxLimits) -> ToolError {
    match v {
        Violation::Denied { message, details } => {
            ToolError::new(ErrorCode::Denied, message).with_details(details)
        }
        Violation::ResponseTooLarge { limit, url } => ToolError::new(
            ErrorCode::OutputTooLarge,
            format!(
                "the tool received more than {limit} bytes of HTTP response bodies (the \
                 max_response_bytes limit); the response from {url} was cut off"
            ),
        )
        .with_details(serde_json::json!({ "limit": limit, "url": url })),
        Violation::Timeout { url } => {
            let e = timeout(limits);
            let message = format!("{} (waiting for {url})", e.message);
            ToolError::new(ErrorCode::Timeout, message)
        }
    }
}

/// Classify a failure of instantiation or of the call itself.
pub fn failure(err: &wasmtime::Error, limits: &SandboxLimits, logs: &[LogRecord]) -> ToolError {
    if err.downcast_ref::<DeadlineExceeded>().is_some() {
        return timeout(limits);
    }
    if let Some(m) = err.downcast_ref::<MemoryLimitExceeded>() {
        return out_of_memory(limits, Some(m.desired));
    }
    // Raised while the result was read, before more of it was copied.
    if let Some(e) = err.downcast_ref::<LiftBudgetExceeded>() {
        return ToolError::new(
            ErrorCode::OutputTooLarge,
            format!(
                "the tool returned at least {} bytes of output; the limit is {} \
                 (max_output_bytes), and toolhost stopped reading there",
                e.at_least, e.limit
            ),
        );
    }
    if let Some(e) = err.downcast_ref::<TooManyItems>() {
        return ToolError::new(
            ErrorCode::OutputTooLarge,
            format!(
                "the tool returned {} output items; at most {} are accepted",
                e.count, e.max
            ),
        );
    }
    let stderr_tail = stderr_tail(logs);
    if let Some(trap) = err.downcast_ref::<Trap>() {
        match trap {
            Trap::Interrupt => return timeout(limits),
            // Rust's allocator aborts this way when the host refuses memory.
            Trap::UnreachableCodeReached if stderr_tail.contains("memory allocation of") => {
                return out_of_memory(limits, None);
            }
            _ => {}
        }
        let what = match trap {
            Trap::StackOverflow => "stack overflow".to_owned(),
            // Rust guests keep large frames on a shadow stack at the bottom of linear
            // memory; running off its end is an access below address 0.
            Trap::MemoryOutOfBounds => {
                "out-of-bounds memory access (in a Rust tool usually a stack overflow, e.g. \
                 runaway recursion)"
                    .to_owned()
            }
            Trap::UnreachableCodeReached if stderr_tail.contains("panicked") => {
                "the tool panicked".to_owned()
            }
            other => other.to_string(),
        };
        let mut message = format!("the tool crashed: {what}");
        if !stderr_tail.is_empty() {
            message.push_str(&format!("; its stderr says: {stderr_tail}"));
        }
        let backtrace = err
            .downcast_ref::<wasmtime::WasmBacktrace>()
            .map(|b| b.to_string());
        let error = ToolError::new(ErrorCode::Trap, message);
        return match backtrace {
            Some(bt) => error.with_details(serde_json::json!({ "wasm_backtrace": bt })),
            None => error,
        };
    }
    let text = format!("{err:#}");
    if text.contains("exceeds memory limits") || text.contains("memory minimum size") {
        return out_of_memory(limits, None);
    }
    ToolError::new(ErrorCode::Trap, format!("the tool failed: {text}"))
}

fn out_of_memory(limits: &SandboxLimits, desired: Option<usize>) -> ToolError {
    let tried = desired
        .map(|d| format!(" (it tried to grow to {} MiB)", d.div_ceil(1 << 20)))
        .unwrap_or_default();
    ToolError::new(
        ErrorCode::OutOfMemory,
        format!(
            "the tool needed more than its {} MiB memory limit (memory_mb){tried}",
            limits.memory_bytes >> 20
        ),
    )
}

/// The last few lines the tool wrote to stderr: usually a panic message.
fn stderr_tail(logs: &[LogRecord]) -> String {
    let lines: Vec<&str> = logs
        .iter()
        .filter(|r| r.source == LogSource::Stderr)
        .map(|r| r.message.as_str())
        .collect();
    let tail = &lines[lines.len().saturating_sub(3)..];
    tail.join(" | ")
}
