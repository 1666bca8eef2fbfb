//! What the MCP tests do with an rmcp client, once.

use rmcp::RoleClient;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::Peer;
use serde_json::Value;

use super::shared_cache_dir;

/// `toolhost ARGS` with the shared compile cache, killed when dropped.
pub fn toolhost_command(args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"));
    cmd.args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .kill_on_drop(true);
    cmd
}

/// tools/call parameters: `name` with `args` (a JSON object).
pub fn call(name: &str, args: Value) -> CallToolRequestParams {
    let mut params = CallToolRequestParams::new(name.to_owned());
    params.arguments = Some(args.as_object().expect("arguments are an object").clone());
    params
}

/// A result's text items, joined by newlines.
pub fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every tool name the server lists.
pub async fn names(client: &Peer<RoleClient>) -> Vec<String> {
    client
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect()
}
