//! The MCP server: every registry tool offered to MCP clients over stdio or Streamable
//! HTTP, through the same [`Dispatcher`] the CLI uses.

mod admin;
mod annotations;
pub mod auth;
mod call_controls;
mod call_limit;
mod code_access;
mod convert;
mod drain;
mod handler;
mod headers;
mod metrics;
mod readiness;
mod replica;
mod request_log;
mod scripts;
mod selection;
mod session_limit;
mod traffic;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::dispatch::{Dispatcher, DispatcherOptions};
pub use call_limit::{CallLimits, DEFAULT_MAX_QUEUED_CALLS};
pub use drain::DEFAULT_DRAIN_TIMEOUT;
pub use handler::{ToolhostMcp, offered, select};
pub use replica::{Replica, ReplicaOptions};
pub use selection::{SelectionArgs, SelectionError, ToolSelection};
pub use session_limit::DEFAULT_SESSION_IDLE_TIMEOUT;

/// How `toolhost mcp` serves.
#[derive(Debug, Clone, Default)]
pub struct McpOptions {
    /// Serve Streamable HTTP on this address instead of stdio.
    pub http: Option<SocketAddr>,
    /// Host names (or host:port) accepted in the `Host` header, besides loopback.
    pub allowed_hosts: Vec<String>,
    /// Browser origins accepted in the `Origin` header (none by default: any request that
    /// carries an Origin is refused, so a web page cannot drive local tools).
    pub allowed_origins: Vec<String>,
    /// Reload the registry when this file changes and tell clients the tool list changed.
    pub watch: Option<PathBuf>,
    /// `--tools` / `--exclude-tools`.
    pub selection: SelectionArgs,
    /// Limits, admin address and drain for running as one replica of several.
    pub replica: ReplicaOptions,
    /// Bearer authentication of every HTTP request (`--auth-tokens`, `--auth-issuer`);
    /// `None` serves anyone who can reach the address.
    pub auth: Option<Arc<auth::Authenticator>>,
}

/// Serve until the client disconnects (stdio) or the process is interrupted (HTTP).
pub async fn serve(
    dispatcher: Dispatcher,
    dispatcher_options: DispatcherOptions,
    options: McpOptions,
) -> anyhow::Result<()> {
    let server = ToolhostMcp::new(dispatcher, options.selection.clone()).await?;
    let _watcher = match &options.watch {
        Some(path) => Some(watch::RegistryWatcher::start(
            path.clone(),
            dispatcher_options,
            server.clone(),
        )?),
        None => None,
    };
    match options.http {
        None => {
            let running = server.serve(rmcp::transport::stdio()).await?;
            running.waiting().await?;
        }
        Some(addr) => serve_http(server, addr, &options).await?,
    }
    Ok(())
}

async fn serve_http(
    server: ToolhostMcp,
    addr: SocketAddr,
    options: &McpOptions,
) -> anyhow::Result<()> {
    let replica = Replica::new(&options.replica);
    let server = server.with_call_controls(replica.call_controls());
    let shutdown = CancellationToken::new();
    let mut config = StreamableHttpServerConfig::default();
    config.cancellation_token = shutdown.clone();
    config
        .allowed_hosts
        .extend(options.allowed_hosts.iter().cloned());
    config = if options.allowed_origins.is_empty() {
        config.enforce_origin_validation()
    } else {
        config.allowed_origins = options.allowed_origins.clone();
        config
    };
    let factory = Arc::new(server.clone());
    let service: StreamableHttpService<ToolhostMcp, session_limit::BoundedSessions> =
        StreamableHttpService::new(
            move || Ok(factory.for_new_session()),
            replica.sessions(),
            config,
        );
    let mut router = replica.instrument_mcp(axum::Router::new().nest_service("/mcp", service));
    // Everything routed above needs a token (checked before the replica counts a request);
    // routes added below stay public.
    if let Some(authenticator) = &options.auth {
        router = auth::protect(router, authenticator.clone());
    }
    let router = router.layer(axum::middleware::from_fn(headers::refuse_duplicates));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(
        "MCP over Streamable HTTP at http://{}/mcp",
        listener.local_addr()?
    );
    replica
        .serve(listener, router, &server, shutdown, options.auth.clone())
        .await
}
