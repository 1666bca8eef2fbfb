//! The registry's scripts as MCP tools: `script_NAME`, run as the REPL's `SCRIPT` and
//! `toolhost run-script` run them.

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool};
use serde_json::{Value, json};

use crate::dispatch::Dispatcher;
use crate::registry::ScriptEntry;
use crate::repl::{ImageMode, ReplOptions, ReplSession, resolve_script};

/// What a script's MCP name starts with: script names are letters, digits, `_` and `-`,
/// so the MCP name is one that every client accepts.
const PREFIX: &str = "script_";

pub fn mcp_name(script: &str) -> String {
    format!("{PREFIX}{script}")
}

/// The script an MCP tool name stands for, if it is one.
pub fn script_name(mcp_name: &str) -> Option<&str> {
    mcp_name.strip_prefix(PREFIX)
}

/// The tool a client sees: the description, and the documented parameters (any JSON
/// each) as the input schema, closed when the script declares them.
pub fn tool(entry: &ScriptEntry) -> Tool {
    let mut schema = JsonObject::new();
    schema.insert("type".into(), json!("object"));
    if let Some(params) = &entry.params {
        let properties: serde_json::Map<String, Value> = params
            .iter()
            .map(|p| (p.name.clone(), json!({ "description": p.description })))
            .collect();
        schema.insert("properties".into(), Value::Object(properties));
        schema.insert("additionalProperties".into(), json!(false));
    }
    Tool::new(
        mcp_name(&entry.name),
        format!(
            "{}\n\n(A registry script: Rhai code that runs in toolhost's REPL and may call its tools.)",
            entry.description.trim_end()
        ),
        Arc::new(schema),
    )
}

/// Runs script `name` with `args`. Arguments it does not take are the client's mistake
/// (an MCP error); whatever the script does is its result, failures with isError.
pub async fn call(
    dispatcher: Dispatcher,
    name: &str,
    args: Value,
) -> Result<CallToolResult, ErrorData> {
    if let Err(e) = resolve_script(dispatcher.registry(), name, &args) {
        return Err(ErrorData::invalid_params(e.message, None));
    }
    let name = name.to_owned();
    let handle = tokio::runtime::Handle::current();
    // The REPL engine blocks: it runs on a thread of its own, calling tools through the
    // runtime as the CLI's run-script does.
    let outcome = tokio::task::spawn_blocking(move || {
        let _enter = handle.enter();
        let options = ReplOptions {
            // Never on stdout, which may be the MCP transport.
            images: ImageMode::Save(None),
            echo_output: false,
            ..ReplOptions::default()
        };
        let mut session = ReplSession::new(dispatcher, tokio::runtime::Handle::current(), options);
        session.run_script(&name, args)
    })
    .await
    .map_err(|e| ErrorData::internal_error(format!("the script's thread failed: {e}"), None))?;
    let printed = outcome.output.trim_end();
    Ok(match outcome.error {
        Some(message) => {
            let mut text = format!("[script_error] {message}");
            if !printed.is_empty() {
                text.push_str(&format!("\noutput:\n{printed}"));
            }
            let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
            result.structured_content =
                Some(json!({ "error": { "code": "script_error", "message": message } }));
            result
        }
        None => {
            let value = outcome.final_value.unwrap_or(Value::Null);
            let mut blocks = Vec::new();
            if !printed.is_empty() {
                blocks.push(ContentBlock::text(printed.to_owned()));
            }
            blocks.push(ContentBlock::text(value.to_string()));
            let mut result = CallToolResult::success(blocks);
            result.structured_content = Some(match value {
                Value::Object(_) => value,
                other => json!({ "value": other }),
            });
            result
        }
    })
}
