//! Graceful drain: on SIGTERM a replica turns `/readyz` to 503 (so the load balancer stops
//! sending it work), stops accepting connections, lets the tool calls in flight finish for
//! up to `--drain-timeout`, then cancels the rest with a retryable error and exits 0.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::error::{ErrorCode, ToolError};

/// Default for `--drain-timeout`; Kubernetes' own terminationGracePeriodSeconds default
/// is also 30 s, so the manifests leave a few seconds above it.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// A replica's drain state, shared by the admin routes, the call path and the shutdown.
#[derive(Clone)]
pub struct Drain {
    inner: Arc<Inner>,
}

struct Inner {
    draining: AtomicBool,
    in_flight: AtomicUsize,
    idle: Notify,
    /// Cancelled when the drain timeout passes: calls still running give up.
    calls_cancelled: CancellationToken,
    timeout: Duration,
    /// When the drain must end, set when it starts.
    deadline: OnceLock<Instant>,
}

/// One tool call in flight; dropping it (however the call ends) counts it out.
pub struct InFlight {
    inner: Arc<Inner>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.inner.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.inner.idle.notify_waiters();
        }
    }
}

/// How a drain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrainOutcome {
    /// Calls still running when the timeout passed, which were cancelled.
    pub cancelled: usize,
}

impl Drain {
    pub fn new(timeout: Duration) -> Self {
        Drain {
            inner: Arc::new(Inner {
                draining: AtomicBool::new(false),
                in_flight: AtomicUsize::new(0),
                idle: Notify::new(),
                calls_cancelled: CancellationToken::new(),
                timeout,
                deadline: OnceLock::new(),
            }),
        }
    }

    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::Acquire)
    }

    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Acquire)
    }

    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Counts a call in until the returned guard drops.
    pub fn enter(&self) -> InFlight {
        self.inner.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight {
            inner: self.inner.clone(),
        }
    }

    /// Resolves when the drain timeout has passed and running calls must stop.
    pub async fn calls_cancelled(&self) {
        self.inner.calls_cancelled.cancelled().await
    }

    /// The error a call cancelled by the drain answers with: retryable, since another
    /// replica can run it.
    pub fn cancelled_error(&self, tool: &str) -> ToolError {
        let secs = self.inner.timeout.as_secs_f64();
        ToolError::new(
            ErrorCode::Busy,
            format!(
                "this toolhost replica is shutting down and '{tool}' was still running after \
                 the {secs} s drain timeout, so it was cancelled; retry the call (another \
                 replica will take it)"
            ),
        )
        .for_tool(tool)
        .with_details(serde_json::json!({
            "retryable": true,
            "reason": "draining",
            "drain_timeout_ms": self.inner.timeout.as_millis() as u64,
        }))
    }

    /// Whether the drain's time is up (false before it starts).
    pub fn past_deadline(&self) -> bool {
        self.inner
            .deadline
            .get()
            .is_some_and(|deadline| Instant::now() >= *deadline)
    }

    /// Marks the replica draining (`/readyz` answers 503 from now on), waits for the calls
    /// in flight to finish until the drain timeout (counted from the first run), then
    /// cancels the rest. Run again for calls that turned up late, it waits only for what
    /// is left of that time.
    pub async fn run(&self) -> DrainOutcome {
        self.inner.draining.store(true, Ordering::Release);
        let deadline = *self
            .inner
            .deadline
            .get_or_init(|| Instant::now() + self.inner.timeout);
        let all_done = async {
            loop {
                let idle = self.inner.idle.notified();
                if self.in_flight() == 0 {
                    // A request read just before the listener stopped may not have been
                    // counted yet: done only when nothing turns up for a moment.
                    tokio::time::sleep(SETTLE).await;
                    if self.in_flight() == 0 {
                        return;
                    }
                    continue;
                }
                idle.await;
            }
        };
        match tokio::time::timeout_at(deadline.into(), all_done).await {
            Ok(()) => DrainOutcome { cancelled: 0 },
            Err(_) => {
                let cancelled = self.in_flight();
                self.inner.calls_cancelled.cancel();
                DrainOutcome { cancelled }
            }
        }
    }
}

/// How long the count of calls in flight must stay at zero for the drain to be done.
const SETTLE: Duration = Duration::from_millis(100);

/// Counts each POST to the MCP endpoint in flight until its answer has been sent (an
/// answer is a stream that ends when the call's result is written), so the drain also
/// waits for calls that arrived but have not reached the handler yet.
pub async fn hold_until_answered(
    State(drain): State<Drain>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        // GET opens a session's event stream, which lasts as long as the session.
        return next.run(request).await;
    }
    let in_flight = drain.enter();
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let body = Body::from_stream(body.into_data_stream().map(move |chunk| {
        let _held = &in_flight;
        chunk
    }));
    Response::from_parts(parts, body)
}

/// Resolves on SIGTERM (how Kubernetes and systemd stop a service) or Ctrl-C.
pub async fn termination_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM ({e}); only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drain_waits_for_calls_in_flight_then_reports_none_cancelled() {
        let drain = Drain::new(Duration::from_secs(5));
        let call = drain.enter();
        let running = tokio::spawn({
            let drain = drain.clone();
            async move { drain.run().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            drain.is_draining(),
            "readiness must flip before calls finish"
        );
        assert!(!running.is_finished(), "the drain must wait for the call");
        drop(call);
        let outcome = running.await.unwrap();
        assert_eq!(outcome, DrainOutcome { cancelled: 0 });
        // Calls that arrive late (already read when the listener stopped) still run.
        assert!(
            tokio::time::timeout(Duration::from_millis(10), drain.calls_cancelled())
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn calls_past_the_drain_timeout_are_cancelled_with_a_retryable_busy_error() {
        let drain = Drain::new(Duration::from_millis(100));
        let _stuck = drain.enter();
        let outcome = drain.run().await;
        assert_eq!(outcome, DrainOutcome { cancelled: 1 });
        // A call waiting on the cancellation hears it at once.
        tokio::time::timeout(Duration::from_millis(10), drain.calls_cancelled())
            .await
            .expect("calls must be told to stop");
        let e = drain.cancelled_error("mcmc");
        assert_eq!(e.code, ErrorCode::Busy);
        assert_eq!(e.details.unwrap()["retryable"], true);
    }
}
