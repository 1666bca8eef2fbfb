//! `/metrics`: what a replica did and holds, in Prometheus' text format. One registry per
//! server (not the process-global one), so each server's counts are its own.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// The server's metrics; cheap to clone (every metric is a shared handle).
#[derive(Clone)]
pub struct ServerMetrics {
    registry: Registry,
    /// `toolhost_calls_total{tool, code}`: finished tools/call requests; `code` is `ok` or
    /// the stable error code (`busy` for calls refused by `--max-concurrent-calls`).
    pub calls: IntCounterVec,
    /// `toolhost_call_duration_seconds{tool}`: from admission to answer, queueing included.
    pub call_duration: HistogramVec,
    pub calls_in_flight: IntGauge,
    /// Calls waiting for a place under `--max-concurrent-calls`.
    pub calls_queued: IntGauge,
    pub sandbox_instances_in_use: IntGauge,
    pub sandbox_instances_limit: IntGauge,
    pub sessions: IntGauge,
    pub sessions_limit: IntGauge,
    /// HTTP body bytes on the MCP endpoint (request bodies in, response bodies out).
    pub bytes_in: IntCounter,
    pub bytes_out: IntCounter,
    /// 1 while the replica drains after SIGTERM.
    pub draining: IntGauge,
}

impl ServerMetrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        // 1 ms to ~65 s: an echo takes microseconds over the wire's milliseconds, an mcmc
        // run up to a minute.
        let buckets = prometheus::exponential_buckets(0.001, 2.0, 17).expect("valid buckets");
        let metrics = ServerMetrics {
            calls: IntCounterVec::new(
                Opts::new(
                    "toolhost_calls_total",
                    "tools/call requests answered, by tool and result code (ok or the error code)",
                ),
                &["tool", "code"],
            )
            .expect("valid metric"),
            call_duration: HistogramVec::new(
                HistogramOpts::new(
                    "toolhost_call_duration_seconds",
                    "tools/call latency per tool, queueing included",
                )
                .buckets(buckets),
                &["tool"],
            )
            .expect("valid metric"),
            calls_in_flight: gauge("toolhost_calls_in_flight", "tools/call requests running"),
            calls_queued: gauge(
                "toolhost_calls_queued",
                "tools/call requests waiting for a place under --max-concurrent-calls",
            ),
            sandbox_instances_in_use: gauge(
                "toolhost_sandbox_instances_in_use",
                "sandbox instances taken (calls and Python sessions) out of the pool",
            ),
            sandbox_instances_limit: gauge(
                "toolhost_sandbox_instances_limit",
                "sandbox instances the pool holds",
            ),
            sessions: gauge("toolhost_sessions", "MCP sessions open on this replica"),
            sessions_limit: gauge(
                "toolhost_sessions_limit",
                "--max-sessions (0 when unlimited)",
            ),
            bytes_in: counter(
                "toolhost_http_request_bytes_total",
                "HTTP request body bytes received on /mcp",
            ),
            bytes_out: counter(
                "toolhost_http_response_bytes_total",
                "HTTP response body bytes sent on /mcp",
            ),
            draining: gauge(
                "toolhost_draining",
                "1 while the replica drains after SIGTERM",
            ),
            registry,
        };
        for collector in [
            Box::new(metrics.calls.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(metrics.call_duration.clone()),
            Box::new(metrics.calls_in_flight.clone()),
            Box::new(metrics.calls_queued.clone()),
            Box::new(metrics.sandbox_instances_in_use.clone()),
            Box::new(metrics.sandbox_instances_limit.clone()),
            Box::new(metrics.sessions.clone()),
            Box::new(metrics.sessions_limit.clone()),
            Box::new(metrics.bytes_in.clone()),
            Box::new(metrics.bytes_out.clone()),
            Box::new(metrics.draining.clone()),
        ] {
            metrics
                .registry
                .register(collector)
                .expect("metric names are unique");
        }
        metrics
    }

    /// A finished call: its result code and how long it took.
    pub fn record_call(&self, tool: &str, code: &str, seconds: f64) {
        self.calls.with_label_values(&[tool, code]).inc();
        self.call_duration
            .with_label_values(&[tool])
            .observe(seconds);
    }

    /// Everything in the text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding into memory cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

impl Default for ServerMetrics {
    fn default() -> Self {
        ServerMetrics::new()
    }
}

fn gauge(name: &str, help: &str) -> IntGauge {
    IntGauge::new(name, help).expect("valid metric")
}

fn counter(name: &str, help: &str) -> IntCounter {
    IntCounter::new(name, help).expect("valid metric")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_by_tool_and_code_with_a_latency_histogram() {
        let m = ServerMetrics::new();
        m.record_call("calc", "ok", 0.002);
        m.record_call("calc", "ok", 0.003);
        m.record_call("calc", "invalid_input", 0.001);
        let text = m.render();
        assert!(
            text.contains(r#"toolhost_calls_total{code="ok",tool="calc"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"toolhost_calls_total{code="invalid_input",tool="calc"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"toolhost_call_duration_seconds_count{tool="calc"} 3"#),
            "{text}"
        );
        assert!(
            text.contains("# TYPE toolhost_calls_in_flight gauge"),
            "{text}"
        );
    }
}
