//! The MCP server: every registry tool offered to MCP clients over stdio or Streamable
//! HTTP, through the same [`Dispatcher`] the CLI uses.

mod annotations;
mod convert;
mod handler;
mod headers;
mod images;
mod scripts;
mod selection;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
};
use tokio_util::sync::CancellationToken;

use crate::dispatch::{Dispatcher, DispatcherOptions};
pub use handler::{ToolhostMcp, offered, select};
pub use selection::{SelectionArgs, SelectionError, ToolSelection};

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
    let factory = Arc::new(server);
    let service: StreamableHttpService<ToolhostMcp, LocalSessionManager> =
        StreamableHttpService::new(
            move || Ok(factory.for_new_session()),
            Default::default(),
            config,
        );
    let router = axum::Router::new()
        .nest_service("/mcp", service)
        .layer(axum::middleware::from_fn(headers::refuse_duplicates));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(
        "MCP over Streamable HTTP at http://{}/mcp",
        listener.local_addr()?
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            shutdown.cancel();
        })
        .await?;
    Ok(())
}
