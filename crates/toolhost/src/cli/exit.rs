use crate::error::ErrorCode;

/// Process exit codes, documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    /// Registry, pin, contract or internal failure.
    Host = 1,
    /// Bad command line or unknown tool.
    Usage = 2,
    InvalidInput = 3,
    /// The tool ran and failed, or was stopped.
    ToolFailed = 4,
    /// Every sandbox slot stayed busy: the call did not run; trying again may succeed.
    Busy = 5,
    /// `agent --wall-time` ran out; work in flight was cancelled.
    WallTime = 6,
}

impl ExitCode {
    pub fn for_error(code: ErrorCode) -> Self {
        match code {
            ErrorCode::NotFound => ExitCode::Usage,
            ErrorCode::InvalidInput => ExitCode::InvalidInput,
            ErrorCode::Timeout
            | ErrorCode::OutOfMemory
            | ErrorCode::Trap
            | ErrorCode::ToolError
            | ErrorCode::Denied
            | ErrorCode::OutputTooLarge
            | ErrorCode::RemoteError
            | ErrorCode::ScriptError => ExitCode::ToolFailed,
            ErrorCode::Registry
            | ErrorCode::PinMismatch
            | ErrorCode::ContractMismatch
            | ErrorCode::Internal
            | ErrorCode::DigestMismatch
            | ErrorCode::SignatureInvalid
            | ErrorCode::SignatureMissing
            | ErrorCode::TagMoved => ExitCode::Host,
            // Both mean "the call did not run; trying again later may succeed".
            ErrorCode::Busy | ErrorCode::Unavailable => ExitCode::Busy,
        }
    }
}
