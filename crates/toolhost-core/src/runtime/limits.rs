//! The limits a call's Store enforces while the guest runs: linear memory and tables.
//! Time is the epoch ticker's (ticker.rs); output size is checked when the result is
//! taken (mod.rs).

use wasmtime::ResourceLimiter;

/// Table elements an instance may grow to; generous for real tools, bounded for hostile ones.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// Why the memory limiter refused a growth; found again when classifying the trap.
#[derive(Debug, thiserror::Error)]
#[error(
    "memory limit exceeded: the tool tried to grow its memory to {desired} bytes; the limit is {limit} bytes"
)]
pub struct MemoryLimitExceeded {
    pub desired: usize,
    pub limit: usize,
}

pub struct SandboxLimiter {
    memory_limit: usize,
}

impl SandboxLimiter {
    pub fn new(memory_limit: usize) -> Self {
        SandboxLimiter { memory_limit }
    }
}

impl ResourceLimiter for SandboxLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            // Trap at once rather than let the guest's allocator abort with a bare
            // `unreachable`: the error then says what happened.
            return Err(MemoryLimitExceeded {
                desired,
                limit: self.memory_limit,
            }
            .into());
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}
