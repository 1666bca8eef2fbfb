//! `--max-concurrent-calls` and `--max-queued-calls`: a replica runs at most N tool calls
//! at once; the next M wait in line; a call past both is refused at once with a retryable
//! `busy`, so a client (or its load balancer) can try another replica instead of piling
//! work onto this one.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::metrics::ServerMetrics;
use crate::error::{ErrorCode, ToolError};

/// Default for `--max-queued-calls`.
pub const DEFAULT_MAX_QUEUED_CALLS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallLimits {
    /// `None`: no limit of the server's own (the sandbox pool still bounds instances).
    pub max_concurrent: Option<usize>,
    pub max_queued: usize,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            max_concurrent: None,
            max_queued: DEFAULT_MAX_QUEUED_CALLS,
        }
    }
}

/// Admits tool calls under [`CallLimits`].
pub struct CallLimiter {
    limits: CallLimits,
    running: Option<Arc<Semaphore>>,
    queued: AtomicUsize,
    metrics: ServerMetrics,
}

/// A call's place under the limit, held until the call ends.
pub struct Admission {
    _permit: Option<OwnedSemaphorePermit>,
}

/// Counts a waiting call out of the queue however its wait ends (admitted or dropped).
struct Queued<'a>(&'a CallLimiter);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Ordering::AcqRel);
        self.0.metrics.calls_queued.dec();
    }
}

impl CallLimiter {
    pub fn new(limits: CallLimits, metrics: ServerMetrics) -> Self {
        CallLimiter {
            running: limits.max_concurrent.map(|n| Arc::new(Semaphore::new(n))),
            limits,
            queued: AtomicUsize::new(0),
            metrics,
        }
    }

    /// A place for a call to `tool`: at once, after waiting in line, or `busy` when the
    /// line is full.
    pub async fn admit(&self, tool: &str) -> Result<Admission, ToolError> {
        let Some(running) = &self.running else {
            return Ok(Admission { _permit: None });
        };
        if let Ok(permit) = running.clone().try_acquire_owned() {
            return Ok(Admission {
                _permit: Some(permit),
            });
        }
        let ahead = self.queued.fetch_add(1, Ordering::AcqRel);
        self.metrics.calls_queued.inc();
        let queued = Queued(self);
        if ahead >= self.limits.max_queued {
            drop(queued);
            return Err(self.busy(tool));
        }
        let permit = running
            .clone()
            .acquire_owned()
            .await
            .expect("the call semaphore is never closed");
        drop(queued);
        Ok(Admission {
            _permit: Some(permit),
        })
    }

    fn busy(&self, tool: &str) -> ToolError {
        let running = self.limits.max_concurrent.unwrap_or_default();
        let queued = self.limits.max_queued;
        ToolError::new(
            ErrorCode::Busy,
            format!(
                "this replica is running its {running} calls at once (--max-concurrent-calls) \
                 with {queued} more waiting (--max-queued-calls), so '{tool}' was refused \
                 without running; retry shortly or on another replica"
            ),
        )
        .for_tool(tool)
        .with_details(serde_json::json!({
            "retryable": true,
            "max_concurrent_calls": running,
            "max_queued_calls": queued,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limiter(max_concurrent: usize, max_queued: usize) -> CallLimiter {
        CallLimiter::new(
            CallLimits {
                max_concurrent: Some(max_concurrent),
                max_queued,
            },
            ServerMetrics::new(),
        )
    }

    #[tokio::test]
    async fn calls_past_the_limit_wait_in_line_then_run() {
        let limiter = limiter(1, 1);
        let first = limiter.admit("calc").await.unwrap();
        let waiting = limiter.admit("calc");
        tokio::pin!(waiting);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut waiting)
                .await
                .is_err(),
            "the second call must wait while the first runs"
        );
        drop(first);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("admitted once the first call ends")
            .unwrap();
    }

    #[tokio::test]
    async fn a_call_past_the_queue_is_refused_busy_and_retryable() {
        let limiter = Arc::new(limiter(1, 1));
        let _running = limiter.admit("calc").await.unwrap();
        let queued = tokio::spawn({
            let limiter = limiter.clone();
            async move { limiter.admit("calc").await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let refused = match limiter.admit("echo").await {
            Err(e) => e,
            Ok(_) => panic!("a third call must not fit under 1 running + 1 queued"),
        };
        assert_eq!(refused.code, ErrorCode::Busy);
        assert_eq!(refused.tool.as_deref(), Some("echo"));
        assert_eq!(refused.details.as_ref().unwrap()["retryable"], true);
        assert!(
            refused.message.contains("--max-concurrent-calls"),
            "{}",
            refused.message
        );
        queued.abort();
    }

    #[tokio::test]
    async fn a_dropped_wait_leaves_the_queue() {
        let limiter = limiter(1, 1);
        let _running = limiter.admit("calc").await.unwrap();
        let _ = tokio::time::timeout(Duration::from_millis(10), limiter.admit("calc")).await;
        assert_eq!(limiter.queued.load(Ordering::Acquire), 0);
        assert_eq!(limiter.metrics.calls_queued.get(), 0);
    }
}
