//! The host imports. Natively (unit tests) they write to stderr instead.

/// Severity of a log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// Send a log record to the host; it comes back with the call's result.
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    {
        use crate::bindings::toolhost::tool::types::LogLevel as L;
        let level = match level {
            LogLevel::Trace => L::Trace,
            LogLevel::Debug => L::Debug,
            LogLevel::Info => L::Info,
            LogLevel::Warn => L::Warn,
            LogLevel::Error => L::Error,
        };
        crate::bindings::toolhost::tool::host::log(level, message);
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}

/// Report progress: `done` of `total` units (0 when unknown).
pub fn progress(done: u64, total: u64, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::bindings::toolhost::tool::host::progress(done, total, message);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (done, total, message);
}
