//! Sandbox slots. The pooling allocator holds [`MAX_CONCURRENT_INSTANCES`] instances;
//! every instantiation takes a slot first (a call, and a tool's first use, which runs its
//! `describe`), waiting in line for at most the tool's `timeout_ms`. A caller that waited
//! that long gets `busy`, never a trap from a full pool.

use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{ErrorCode, ToolError};
use crate::runtime::MAX_CONCURRENT_INSTANCES;

pub struct Slots {
    permits: Semaphore,
}

impl Slots {
    pub fn new() -> Self {
        Slots {
            permits: Semaphore::new(MAX_CONCURRENT_INSTANCES as usize),
        }
    }

    /// A slot for `tool`, waiting at most `wait` for one to free up.
    pub async fn take(&self, tool: &str, wait: Duration) -> Result<SemaphorePermit<'_>, ToolError> {
        let started = Instant::now();
        match tokio::time::timeout(wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(ToolError::new(
                ErrorCode::Internal,
                "the dispatcher is shutting down",
            )),
            Err(_) => {
                let waited_ms = started.elapsed().as_millis() as u64;
                Err(ToolError::new(
                    ErrorCode::Busy,
                    format!(
                        "all {MAX_CONCURRENT_INSTANCES} sandbox slots stayed taken for {waited_ms} \
                         ms (as long as the tool's timeout_ms), so '{tool}' did not run; try \
                         again when fewer calls are running"
                    ),
                )
                .for_tool(tool)
                .with_details(serde_json::json!({
                    "retryable": true,
                    "waited_ms": waited_ms,
                    "slots": MAX_CONCURRENT_INSTANCES,
                })))
            }
        }
    }
}
