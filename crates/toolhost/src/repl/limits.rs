//! Per-input limits: a runaway script stops with a message and the session survives.

use rhai::{Dynamic, Engine};
use std::time::{Duration, Instant};

use super::Shared;

#[derive(Debug, Clone, Copy)]
pub struct ReplLimits {
    /// Rhai operations per input.
    pub max_operations: u64,
    /// Function call nesting.
    pub max_call_depth: usize,
    pub max_string_bytes: usize,
    pub max_array_len: usize,
    pub max_map_len: usize,
    /// Wall time per input, tool calls included.
    pub wall_time: Duration,
    /// Nesting of SCRIPT calls. Each script evaluates afresh (its own call depth and
    /// operations count), so this is what bounds scripts that call each other.
    pub max_script_depth: usize,
}

impl Default for ReplLimits {
    fn default() -> Self {
        ReplLimits {
            max_operations: 50_000_000,
            max_call_depth: 64,
            max_string_bytes: 16 << 20,
            max_array_len: 1_000_000,
            max_map_len: 100_000,
            wall_time: Duration::from_secs(120),
            max_script_depth: 8,
        }
    }
}

/// Operations between wall-clock checks: reading the clock on every one would cost more
/// than the script.
const CLOCK_CHECK_EVERY: u64 = 4096;

impl ReplLimits {
    pub(crate) fn apply(&self, engine: &mut Engine, state: Shared) {
        engine.set_max_operations(self.max_operations);
        engine.set_max_call_levels(self.max_call_depth);
        engine.set_max_string_size(self.max_string_bytes);
        engine.set_max_array_size(self.max_array_len);
        engine.set_max_map_size(self.max_map_len);
        engine.on_progress(move |ops| {
            if ops % CLOCK_CHECK_EVERY != 0 {
                return None;
            }
            let deadline = state.lock().ok()?.deadline?;
            (Instant::now() >= deadline).then(|| Dynamic::from("wall time exceeded"))
        });
    }
}
