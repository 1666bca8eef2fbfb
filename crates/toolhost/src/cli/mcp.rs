//! `toolhost mcp`: serve the registry's tools to MCP clients.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

use super::ExitCode;
use super::mcp_auth::AuthArgs;
use super::mcp_replica::ReplicaArgs;
use crate::dispatch::{Dispatcher, DispatcherOptions};
use crate::mcp::{self, McpOptions, SelectionArgs, SelectionError};

#[derive(Args, Debug)]
pub struct McpArgs {
    /// Serve Streamable HTTP at ADDR (default 127.0.0.1:8765) instead of stdio.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:8765")]
    http: Option<SocketAddr>,
    /// Also accept this Host header (name or name:port); loopback names always are.
    #[arg(long = "allow-host", value_name = "HOST")]
    allowed_hosts: Vec<String>,
    /// Accept requests from this browser Origin (e.g. http://localhost:3000); by default any
    /// request with an Origin header is refused.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allowed_origins: Vec<String>,
    /// Reload the registry when its file changes and notify clients (tools/list_changed).
    #[arg(long)]
    watch: bool,
    /// Offer only these tools (comma-separated names as clients see them: tools,
    /// run_python, script_NAME); replaces the registry's `mcp.tools`.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    tools: Option<Vec<String>>,
    /// Never offer these tools (comma-separated), besides the registry's `mcp.exclude_tools`.
    #[arg(long = "exclude-tools", value_name = "NAMES", value_delimiter = ',')]
    exclude_tools: Vec<String>,
    #[command(flatten)]
    replica: ReplicaArgs,
    #[command(flatten)]
    auth: AuthArgs,
}

pub async fn mcp(
    args: &McpArgs,
    dispatcher: Dispatcher,
    options: DispatcherOptions,
    registry_file: Option<PathBuf>,
) -> ExitCode {
    let watch = match (args.watch, registry_file) {
        (false, _) => None,
        (true, Some(path)) => Some(path),
        (true, None) => {
            eprintln!(
                "toolhost: --watch needs a registry file (--registry PATH or ./tool_registry.yaml)"
            );
            return ExitCode::Usage;
        }
    };
    if args.http.is_none()
        && let Some(flag) = args.replica.needs_http()
    {
        eprintln!("toolhost: {flag} applies to the HTTP server; add --http ADDR");
        return ExitCode::Usage;
    }
    if let Some(addr) = args.http
        && !addr.ip().is_loopback()
        && args.allowed_hosts.is_empty()
    {
        eprintln!(
            "toolhost: {addr} is not a loopback address; name the host clients will use with \
             --allow-host so their Host header is accepted"
        );
        return ExitCode::Usage;
    }
    let selection = SelectionArgs {
        tools: args.tools.clone(),
        exclude_tools: args.exclude_tools.clone(),
    };
    // Checked before serving, so a client never meets a server that lists the wrong tools.
    if let Err(e) = mcp::select(&dispatcher, &selection).await {
        eprintln!(
            "error[{}]: {e}",
            match e {
                SelectionError::Flag { .. } => "usage",
                SelectionError::Registry { .. } => "registry",
            }
        );
        return match e {
            SelectionError::Flag { .. } => ExitCode::Usage,
            SelectionError::Registry { .. } => ExitCode::Host,
        };
    }
    let auth = match args
        .auth
        .resolve(args.http, &mcp::offered(&dispatcher).await)
        .await
    {
        Ok(auth) => auth,
        Err(code) => return code,
    };
    let options_mcp = McpOptions {
        auth,
        selection,
        http: args.http,
        allowed_hosts: args.allowed_hosts.clone(),
        allowed_origins: args.allowed_origins.clone(),
        watch,
        replica: args.replica.options(),
    };
    match mcp::serve(dispatcher, options, options_mcp).await {
        Ok(()) => ExitCode::Ok,
        Err(e) => {
            eprintln!("toolhost: MCP server failed: {e:#}");
            ExitCode::Host
        }
    }
}
