//! `toolhost mcp --http`'s flags for running as one replica of several behind a load
//! balancer: admin address, drain, session and call limits.

use clap::Args;
use std::net::SocketAddr;
use std::time::Duration;

use crate::mcp::{
    CallLimits, DEFAULT_DRAIN_TIMEOUT, DEFAULT_MAX_QUEUED_CALLS, DEFAULT_SESSION_IDLE_TIMEOUT,
    ReplicaOptions,
};

#[derive(Args, Debug, Clone)]
pub struct ReplicaArgs {
    /// Serve /healthz, /readyz and /metrics on ADDR instead of the MCP address (e.g.
    /// 0.0.0.0:9090 for a cluster's probes while MCP stays behind the load balancer).
    #[arg(
        long,
        value_name = "ADDR",
        help_heading = "Running as a replica (with --http)"
    )]
    admin_addr: Option<SocketAddr>,
    /// After SIGTERM, let calls in flight finish for this long, then cancel them.
    #[arg(long, value_name = "SECONDS", value_parser = seconds,
          default_value_t = DEFAULT_DRAIN_TIMEOUT.as_secs_f64(),
          help_heading = "Running as a replica (with --http)")]
    drain_timeout: f64,
    /// Refuse new MCP sessions (HTTP 503, Retry-After) while this many are open
    /// [default: unlimited].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..),
          help_heading = "Running as a replica (with --http)")]
    max_sessions: Option<u32>,
    /// Close a session (and its Python interpreter) unused for this long.
    #[arg(long, value_name = "SECONDS", value_parser = seconds,
          default_value_t = DEFAULT_SESSION_IDLE_TIMEOUT.as_secs_f64(),
          help_heading = "Running as a replica (with --http)")]
    session_idle_timeout: f64,
    /// Run at most N tool calls at once; later calls wait in line (--max-queued-calls),
    /// then are refused with a retryable `busy` error [default: unlimited].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..),
          help_heading = "Running as a replica (with --http)")]
    max_concurrent_calls: Option<u32>,
    /// How many calls may wait for a place under --max-concurrent-calls.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_QUEUED_CALLS as u32,
          help_heading = "Running as a replica (with --http)")]
    max_queued_calls: u32,
}

/// A positive, finite number of seconds.
fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(s),
        _ => Err(format!(
            "expected a positive number of seconds (e.g. 30 or 0.5), not '{text}'"
        )),
    }
}

impl ReplicaArgs {
    /// The flag, if any, that only means something with `--http`.
    pub fn needs_http(&self) -> Option<&'static str> {
        if self.admin_addr.is_some() {
            Some("--admin-addr")
        } else if self.max_sessions.is_some() {
            Some("--max-sessions")
        } else if self.max_concurrent_calls.is_some() {
            Some("--max-concurrent-calls")
        } else {
            None
        }
    }

    pub fn options(&self) -> ReplicaOptions {
        ReplicaOptions {
            admin_addr: self.admin_addr,
            drain_timeout: Duration::from_secs_f64(self.drain_timeout),
            max_sessions: self.max_sessions.map(|n| n as usize),
            session_idle_timeout: Duration::from_secs_f64(self.session_idle_timeout),
            call_limits: CallLimits {
                max_concurrent: self.max_concurrent_calls.map(|n| n as usize),
                max_queued: self.max_queued_calls as usize,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_must_be_positive_and_finite() {
        assert_eq!(seconds("0.5"), Ok(0.5));
        for bad in ["0", "-1", "inf", "NaN", "soon"] {
            let e = seconds(bad).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }
}
