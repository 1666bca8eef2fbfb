//! A sandbox failure of a Python session as a [`ToolError`]: the tool sandbox's
//! classification (the same traps mean the same things), said of a session whose
//! variables are now gone.

use std::time::Duration;

use crate::error::{ErrorCode, ToolError};
use crate::output::LogRecord;
use crate::registry::SandboxLimits;
use crate::runtime::classify as tool_classify;

const RESTARTED: &str = "the session was ended, and the next input starts a fresh one \
                         (variables, functions and classes are gone)";

pub fn failure(
    err: &wasmtime::Error,
    timeout: Duration,
    memory_bytes: u64,
    logs: &[LogRecord],
) -> ToolError {
    let limits = SandboxLimits {
        timeout,
        memory_bytes,
        ..SandboxLimits::default()
    };
    // A call whose types do not match is no crash: the component and this host were
    // built from different versions of wit/repl/repl.wit.
    let text = format!("{err:#}");
    if text.contains("type mismatch") {
        return ToolError::new(
            ErrorCode::ContractMismatch,
            format!(
                "the Python component does not match this toolhost's wit/repl/repl.wit ({text}); \
                 rebuild toolhost so the two come from one source tree"
            ),
        );
    }
    let classified = tool_classify::failure(err, &limits, logs);
    let message = match classified.code {
        ErrorCode::Timeout => return self::timeout(timeout),
        ErrorCode::OutOfMemory => format!(
            "the input needed more than the session's {} MiB of memory; {RESTARTED}",
            memory_bytes >> 20
        ),
        _ => format!(
            "the Python interpreter crashed ({}); {RESTARTED}",
            classified
                .message
                .strip_prefix("the tool crashed: ")
                .or_else(|| classified.message.strip_prefix("the tool failed: "))
                .unwrap_or(&classified.message)
        ),
    };
    let error = ToolError::new(classified.code, message);
    match classified.details {
        Some(d) => error.with_details(d),
        None => error,
    }
}

pub fn timeout(timeout: Duration) -> ToolError {
    ToolError::new(
        ErrorCode::Timeout,
        format!(
            "the input did not finish within its {} ms limit and was stopped; {RESTARTED}",
            timeout.as_millis()
        ),
    )
}
