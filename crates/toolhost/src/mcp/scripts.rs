//! The registry's scripts as MCP tools: `script_NAME`, run as the REPL's `SCRIPT` and
//! `toolhost run-script` run them.

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool};
use serde_json::{Value, json};

use super::convert;
use crate::dispatch::Dispatcher;
use crate::output::{Content, ToolOutput};
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
    let options = ReplOptions {
        // Never on stdout, which may be the MCP transport.
        images: ImageMode::Save(None),
        echo_output: false,
        ..ReplOptions::default()
    };
    let started = std::time::Instant::now();
    let outcome = ReplSession::run_script_apart(dispatcher, options, name.to_owned(), args)
        .await
        .ok_or_else(|| ErrorData::internal_error("the script's thread failed", None))?;
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
            // Shown as a tool's output is: what it printed, then the value as JSON.
            let mut content = Vec::new();
            if !printed.is_empty() {
                content.push(Content::Text {
                    text: printed.to_owned(),
                });
            }
            content.push(Content::Json {
                json: outcome.final_value.unwrap_or(Value::Null),
            });
            convert::success(&ToolOutput {
                content,
                logs: Vec::new(),
                duration: started.elapsed(),
            })
        }
    })
}
