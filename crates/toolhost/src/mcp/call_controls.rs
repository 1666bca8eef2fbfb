//! What wraps every tools/call on a replica: admission under `--max-concurrent-calls`,
//! counting in flight for the drain, a log span naming the request, cancellation when the
//! drain times out, and the call's metrics.

use std::future::Future;
use std::time::Instant;

use rmcp::ErrorData;
use rmcp::model::{CallToolResponse, ErrorCode as RpcErrorCode};
use tracing::Instrument;

use super::call_limit::{CallLimiter, CallLimits};
use super::convert;
use super::drain::Drain;
use super::metrics::ServerMetrics;
use super::request_log::RequestInfo;

pub struct CallControls {
    pub metrics: ServerMetrics,
    pub drain: Drain,
    limiter: CallLimiter,
}

impl Default for CallControls {
    /// No limits, a drain that never starts: what stdio serving needs.
    fn default() -> Self {
        CallControls::new(
            ServerMetrics::new(),
            Drain::new(super::drain::DEFAULT_DRAIN_TIMEOUT),
            CallLimits::default(),
        )
    }
}

impl CallControls {
    pub fn new(metrics: ServerMetrics, drain: Drain, limits: CallLimits) -> Self {
        CallControls {
            limiter: CallLimiter::new(limits, metrics.clone()),
            metrics,
            drain,
        }
    }

    /// Runs `call` (a tools/call for `tool`, labelled `label` in the metrics) under the
    /// replica's controls.
    pub async fn run(
        &self,
        tool: &str,
        label: &str,
        info: Option<RequestInfo>,
        call: impl Future<Output = Result<CallToolResponse, ErrorData>>,
    ) -> Result<CallToolResponse, ErrorData> {
        let span = match &info {
            Some(info) => info.span("call"),
            None => tracing::info_span!("call"),
        };
        async move {
            let started = Instant::now();
            let result = match self.limiter.admit(tool).await {
                Err(busy) => Ok(convert::failure(&busy).into()),
                Ok(_admission) => {
                    let _in_flight = self.drain.enter();
                    self.metrics.calls_in_flight.inc();
                    let result = tokio::select! {
                        result = call => result,
                        _ = self.drain.calls_cancelled() => {
                            Ok(convert::failure(&self.drain.cancelled_error(tool)).into())
                        }
                    };
                    self.metrics.calls_in_flight.dec();
                    result
                }
            };
            let seconds = started.elapsed().as_secs_f64();
            let code = result_code(&result);
            self.metrics.record_call(label, &code, seconds);
            tracing::info!(tool, code, ms = seconds * 1e3, "tools/call");
            result
        }
        .instrument(span)
        .await
    }
}

/// `ok`, toolhost's stable error code for a failed call, or the JSON-RPC error's kind.
fn result_code(result: &Result<CallToolResponse, ErrorData>) -> String {
    match result {
        Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => r
            .structured_content
            .as_ref()
            .and_then(|s| s["error"]["code"].as_str())
            .unwrap_or("tool_error")
            .to_owned(),
        Ok(_) => "ok".to_owned(),
        Err(e) if e.code == RpcErrorCode::INVALID_PARAMS => "invalid_params".to_owned(),
        Err(_) => "internal".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, ToolError};
    use std::time::Duration;

    #[tokio::test]
    async fn a_call_past_the_drain_timeout_answers_busy_and_is_counted() {
        let controls = CallControls::new(
            ServerMetrics::new(),
            Drain::new(Duration::from_millis(50)),
            CallLimits::default(),
        );
        let never = std::future::pending::<Result<CallToolResponse, ErrorData>>();
        let (result, outcome) = tokio::join!(controls.run("mcmc", "mcmc", None, never), async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            controls.drain.run().await
        });
        assert_eq!(outcome.cancelled, 1);
        assert_eq!(result_code(&result), "busy");
        let text = controls.metrics.render();
        assert!(
            text.contains(r#"toolhost_calls_total{code="busy",tool="mcmc"} 1"#),
            "{text}"
        );
        assert_eq!(controls.metrics.calls_in_flight.get(), 0);
    }

    #[test]
    fn result_codes_name_what_happened() {
        let failed: CallToolResponse =
            convert::failure(&ToolError::new(ErrorCode::Timeout, "slow")).into();
        assert_eq!(result_code(&Ok(failed)), "timeout");
        assert_eq!(
            result_code(&Err(ErrorData::invalid_params("no such tool", None))),
            "invalid_params"
        );
    }
}
