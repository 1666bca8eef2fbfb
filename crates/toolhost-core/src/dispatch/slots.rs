//! Sandbox slots. The pooling allocator holds [`MAX_CONCURRENT_INSTANCES`] instances;
//! every instantiation takes a slot first (a call, a tool's first use, which runs its
//! `describe`, and a Python session, which keeps its slot while its instance lives),
//! waiting in line for a bounded time. A caller that waited that long gets `busy`, never
//! a trap from a full pool.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

use crate::error::{ErrorCode, ToolError};
use crate::runtime::MAX_CONCURRENT_INSTANCES;

pub struct Slots {
    permits: Arc<Semaphore>,
}

impl Slots {
    pub fn new() -> Self {
        Slots {
            permits: Arc::new(Semaphore::new(MAX_CONCURRENT_INSTANCES as usize)),
        }
    }

    /// Slots taken now (calls running, tools loading, Python sessions alive).
    pub fn in_use(&self) -> usize {
        MAX_CONCURRENT_INSTANCES as usize - self.permits.available_permits()
    }

    /// A slot for `tool`, waiting at most `wait` (the tool's `timeout_ms`) for one to free up.
    pub async fn take(&self, tool: &str, wait: Duration) -> Result<SemaphorePermit<'_>, ToolError> {
        // A free slot is the common case: no clock read, no timer for it.
        if let Ok(permit) = self.permits.try_acquire() {
            return Ok(permit);
        }
        let started = Instant::now();
        match tokio::time::timeout(wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(shutting_down()),
            Err(_) => Err(busy(
                started,
                &format!("'{tool}' did not run"),
                "as long as the tool's timeout_ms",
            )
            .for_tool(tool)),
        }
    }

    /// A slot that a Python session holds for as long as its interpreter instance lives,
    /// waiting at most `wait` for one to free up.
    pub async fn take_for_session(
        &self,
        wait: Duration,
    ) -> Result<OwnedSemaphorePermit, ToolError> {
        let started = Instant::now();
        match tokio::time::timeout(wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(shutting_down()),
            Err(_) => Err(busy(
                started,
                "the Python session did not start",
                "as long as a session may take to start",
            )),
        }
    }
}

fn shutting_down() -> ToolError {
    ToolError::new(ErrorCode::Internal, "the dispatcher is shutting down")
}

fn busy(started: Instant, what_happened: &str, how_long: &str) -> ToolError {
    let waited_ms = started.elapsed().as_millis() as u64;
    ToolError::new(
        ErrorCode::Busy,
        format!(
            "all {MAX_CONCURRENT_INSTANCES} sandbox slots stayed taken for {waited_ms} ms \
             ({how_long}), so {what_happened}; try again when fewer calls are running"
        ),
    )
    .with_details(serde_json::json!({
        "retryable": true,
        "waited_ms": waited_ms,
        "slots": MAX_CONCURRENT_INSTANCES,
    }))
}
