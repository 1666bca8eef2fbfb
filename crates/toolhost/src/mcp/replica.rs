//! One `toolhost mcp --http` process as a replica behind a load balancer: its limits,
//! its admin routes, its per-request logs and metrics, and its drain on SIGTERM.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio_util::sync::CancellationToken;

use super::admin::{self, AdminState};
use super::auth::Authenticator;
use super::call_controls::CallControls;
use super::call_limit::CallLimits;
use super::drain::{self, Drain};
use super::handler::ToolhostMcp;
use super::metrics::ServerMetrics;
use super::readiness::Readiness;
use super::session_limit::{self, BoundedSessions, Sessions};
use super::{request_log, traffic};

/// `toolhost mcp --http`'s flags for running as one of several replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaOptions {
    /// Serve /healthz, /readyz and /metrics here instead of on the MCP address.
    pub admin_addr: Option<SocketAddr>,
    /// How long calls in flight may finish after SIGTERM.
    pub drain_timeout: Duration,
    /// `None`: unlimited.
    pub max_sessions: Option<usize>,
    /// A session unused this long is closed (its Python interpreter with it).
    pub session_idle_timeout: Duration,
    pub call_limits: CallLimits,
}

impl Default for ReplicaOptions {
    fn default() -> Self {
        ReplicaOptions {
            admin_addr: None,
            drain_timeout: drain::DEFAULT_DRAIN_TIMEOUT,
            max_sessions: None,
            session_idle_timeout: session_limit::DEFAULT_SESSION_IDLE_TIMEOUT,
            call_limits: CallLimits::default(),
        }
    }
}

/// After the drain, how long cancelled calls get to send their answers before the
/// sessions' streams are closed.
const ANSWER_FLUSH: Duration = Duration::from_millis(500);
/// After that, how long connections may linger before the process stops anyway.
const CONNECTION_GRACE: Duration = Duration::from_secs(5);

pub struct Replica {
    admin_addr: Option<SocketAddr>,
    metrics: ServerMetrics,
    drain: Drain,
    sessions: Sessions,
    controls: Arc<CallControls>,
}

impl Replica {
    pub fn new(options: &ReplicaOptions) -> Self {
        let metrics = ServerMetrics::new();
        let drain = Drain::new(options.drain_timeout);
        Replica {
            admin_addr: options.admin_addr,
            controls: Arc::new(CallControls::new(
                metrics.clone(),
                drain.clone(),
                options.call_limits,
            )),
            sessions: Arc::new(BoundedSessions::new(
                options.max_sessions,
                options.session_idle_timeout,
            )),
            metrics,
            drain,
        }
    }

    /// What each tools/call runs under.
    pub fn call_controls(&self) -> Arc<CallControls> {
        self.controls.clone()
    }

    /// The MCP service's session manager.
    pub fn sessions(&self) -> Sessions {
        self.sessions.clone()
    }

    /// The MCP routes with their request logs, byte counts and session-limit answer.
    pub fn instrument_mcp(&self, mcp: Router) -> Router {
        mcp.layer(axum::middleware::from_fn(
            session_limit::answer_full_as_unavailable,
        ))
        .layer(axum::middleware::from_fn_with_state(
            self.drain.clone(),
            drain::hold_until_answered,
        ))
        .layer(axum::middleware::from_fn_with_state(
            self.metrics.clone(),
            traffic::count_bytes,
        ))
        .layer(axum::middleware::from_fn(request_log::log_request))
    }

    /// /healthz, /readyz and /metrics; readiness starts compiling every tool now.
    pub fn admin_router(&self, server: &ToolhostMcp) -> Router {
        admin::router(AdminState {
            metrics: self.metrics.clone(),
            drain: self.drain.clone(),
            readiness: Readiness::warm(server.current_dispatcher(), server.offers_python()),
            sessions: self.sessions.clone(),
            server: server.clone(),
        })
    }

    /// Serves `mcp` on `listener` (the admin routes beside it, or on `--admin-addr`)
    /// until SIGTERM or Ctrl-C, then drains: `/readyz` turns 503, no new connections are
    /// accepted, calls in flight finish for up to the drain timeout and the rest are
    /// cancelled; then `sessions_shutdown` closes the MCP sessions.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        mcp: Router,
        server: &ToolhostMcp,
        sessions_shutdown: CancellationToken,
        auth: Option<Arc<Authenticator>>,
    ) -> anyhow::Result<()> {
        let admin = self.admin_router(server);
        let (router, _admin_task) = match self.admin_addr {
            // Beside the MCP endpoint, health and metrics need a token as it does; only a
            // separate --admin-addr serves them to anyone (probes, Prometheus).
            None => match auth {
                Some(auth) => (mcp.merge(super::auth::guard(admin, auth)), None),
                None => (mcp.merge(admin), None),
            },
            Some(addr) => {
                let admin_listener = tokio::net::TcpListener::bind(addr).await?;
                tracing::info!(
                    "health and metrics at http://{}/ (healthz, readyz, metrics)",
                    admin_listener.local_addr()?
                );
                // Stays up through the drain, so probes see /readyz turn 503; it ends
                // with the process.
                let task = AbortOnDrop(tokio::spawn(async move {
                    if let Err(e) = axum::serve(admin_listener, admin).await {
                        tracing::error!("admin listener failed: {e}");
                    }
                }));
                (mcp, Some(task))
            }
        };
        let drained = CancellationToken::new();
        let stop_accepting = {
            let drain = self.drain.clone();
            let metrics = self.metrics.clone();
            let drained = drained.clone();
            async move {
                drain::termination_signal().await;
                metrics.draining.set(1);
                tracing::info!(
                    in_flight = drain.in_flight(),
                    "shutting down: draining calls in flight for up to {:?}",
                    drain.timeout()
                );
                tokio::spawn(async move {
                    let mut outcome = drain.run().await;
                    // Answers are written; a call read just before the listener closed may
                    // still turn up, and gets what is left of the drain time.
                    loop {
                        tokio::time::sleep(ANSWER_FLUSH).await;
                        if drain.in_flight() == 0 || drain.past_deadline() {
                            break;
                        }
                        let late = drain.run().await;
                        outcome.cancelled += late.cancelled;
                    }
                    if outcome.cancelled > 0 {
                        tracing::warn!(
                            cancelled = outcome.cancelled,
                            "drain timeout passed; cancelled the calls still running"
                        );
                    } else {
                        tracing::info!("drained: every call in flight finished");
                    }
                    sessions_shutdown.cancel();
                    drained.cancel();
                });
            }
        };
        let serving = axum::serve(listener, router)
            .with_graceful_shutdown(stop_accepting)
            .into_future();
        tokio::select! {
            served = serving => served?,
            _ = async {
                drained.cancelled().await;
                tokio::time::sleep(CONNECTION_GRACE).await;
            } => {
                tracing::warn!("connections still open {CONNECTION_GRACE:?} after the drain; stopping");
            }
        }
        // Every connection closed, but a call whose client went away may still run: the
        // drain (bounded by its timeout) decides when the process ends.
        drained.cancelled().await;
        Ok(())
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
