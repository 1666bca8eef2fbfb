//! The admin routes a platform probes and scrapes, which need no MCP session:
//! `GET /healthz` (the process is alive), `GET /readyz` (tools compiled and not draining)
//! and `GET /metrics` (Prometheus text). Served on the MCP listener, or on their own with
//! `--admin-addr` so they can stay off the public address.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::drain::Drain;
use super::handler::ToolhostMcp;
use super::metrics::ServerMetrics;
use super::readiness::{Readiness, ToolsState};
use super::session_limit::Sessions;

/// What the admin routes read.
#[derive(Clone)]
pub struct AdminState {
    pub metrics: ServerMetrics,
    pub drain: Drain,
    pub readiness: Readiness,
    pub sessions: Sessions,
    pub server: ToolhostMcp,
}

pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AdminState>) -> Response {
    if state.drain.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "draining: shutting down, {} calls still running\n",
                state.drain.in_flight()
            ),
        )
            .into_response();
    }
    match state.readiness.state() {
        ToolsState::Ready { tools } => {
            (StatusCode::OK, format!("ready: {tools} tools compiled\n")).into_response()
        }
        ToolsState::Compiling { tools } => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("compiling: {tools} tools are being compiled\n"),
        )
            .into_response(),
        ToolsState::Failed { failures } => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "not ready: {} tools failed to load\n{}\n",
                failures.len(),
                failures.join("\n")
            ),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<AdminState>) -> Response {
    let m = &state.metrics;
    // Levels are read at scrape time; counters were kept as things happened.
    let (in_use, limit) = state.server.sandbox_slots();
    m.sandbox_instances_in_use.set(in_use as i64);
    m.sandbox_instances_limit.set(limit as i64);
    m.sessions.set(state.sessions.count().await as i64);
    m.sessions_limit
        .set(state.sessions.max().unwrap_or_default() as i64);
    m.draining.set(i64::from(state.drain.is_draining()));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        m.render(),
    )
        .into_response()
}
