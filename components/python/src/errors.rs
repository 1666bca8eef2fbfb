//! An exception that ended an input, as the outcome reports it: a stable code, the
//! exception's type name, its message and a CPython-style traceback.

use monty_types::{ExcType, MontyException};
use std::time::Duration;

use crate::host::PyError;

/// The exception type `ToolError` is bound to. Monty's classes cannot inherit, so no
/// Python-defined class can be raised or caught; this builtin type is a direct subclass
/// of `Exception` that nothing else raises (see `objects::TOOL_ERROR_TYPE`).
pub const TOOL_ERROR_EXC: ExcType = ExcType::BinasciiIncomplete;

pub const SCRIPT_ERROR: &str = "script_error";
pub const TIMEOUT: &str = "timeout";
pub const OUT_OF_MEMORY: &str = "out_of_memory";
pub const OUTPUT_TOO_LARGE: &str = "output_too_large";
pub const DENIED: &str = "denied";

/// The type name Python code knows the exception by.
pub fn kind_name(exc: ExcType) -> String {
    if exc == TOOL_ERROR_EXC {
        "ToolError".to_owned()
    } else {
        exc.to_string()
    }
}

/// Classify a Monty exception: its resource errors are uncatchable `TimeoutError` and
/// `MemoryError`s with fixed messages; everything else is the script's own exception.
pub fn from_exception(e: &MontyException, timeout: Duration, memory_limit: u64) -> PyError {
    let message = e.message().unwrap_or_default().to_owned();
    let traceback = traceback(e);
    match e.exc_type() {
        ExcType::TimeoutError if message.contains("time limit exceeded") => PyError {
            code: TIMEOUT.to_owned(),
            kind: "TimeoutError".to_owned(),
            message: format!(
                "the input did not finish within its {} limit and was stopped (the \
                 session's variables are kept)",
                human_duration(timeout)
            ),
            traceback,
        },
        ExcType::MemoryError if message.contains("memory limit exceeded") => PyError {
            code: OUT_OF_MEMORY.to_owned(),
            kind: "MemoryError".to_owned(),
            message: format!(
                "the input needed more than the session's {} MiB of memory and was \
                 stopped (the session's variables are kept)",
                memory_limit >> 20
            ),
            traceback,
        },
        exc => PyError {
            code: SCRIPT_ERROR.to_owned(),
            kind: kind_name(exc),
            message,
            traceback,
        },
    }
}

/// The frames of the traceback: `Display` ends with the `Type: message` line, which the
/// outcome carries apart (and which names `ToolError` by its stand-in type).
fn traceback(e: &MontyException) -> String {
    let full = e.to_string();
    let summary = e.summary();
    full.strip_suffix(&summary)
        .unwrap_or(&full)
        .trim_end()
        .to_owned()
}

pub fn human_duration(d: Duration) -> String {
    if d.as_millis() < 10_000 && d.subsec_millis() != 0 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_errors_are_named_tool_error() {
        let e = MontyException::new(TOOL_ERROR_EXC, Some("calc: [invalid_input] bad".into()));
        let err = from_exception(&e, Duration::from_secs(1), 1 << 20);
        assert_eq!(err.kind, "ToolError");
        assert_eq!(err.code, SCRIPT_ERROR);
        assert_eq!(err.message, "calc: [invalid_input] bad");
    }

    #[test]
    fn interpreter_limits_have_their_codes() {
        let t = MontyException::new(
            ExcType::TimeoutError,
            Some("feed time limit exceeded: 2s > 1s".into()),
        );
        assert_eq!(
            from_exception(&t, Duration::from_secs(2), 1 << 20).code,
            TIMEOUT
        );
        let m = MontyException::new(
            ExcType::MemoryError,
            Some("memory limit exceeded: 9 bytes > 8 bytes".into()),
        );
        assert_eq!(
            from_exception(&m, Duration::from_secs(2), 1 << 20).code,
            OUT_OF_MEMORY
        );
    }
}
