//! The registry's scripts as MCP tools: `script_NAME`, run as the REPL's `SCRIPT` and
//! `toolhost run-script` run them.

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool};
use serde_json::{Value, json};

use super::convert;
use crate::dispatch::{Dispatcher, ListedScript};
use crate::error::ErrorCode;
use crate::output::{Content, ToolOutput};
use crate::registry::ScriptEntry;
use crate::repl::PythonOptions;

/// The tool a client sees: the description, and the documented parameters (any JSON
/// each, said in portable JSON Schema) as the input schema, closed when the script
/// declares them.
pub fn tool(listed: ListedScript<'_>) -> Tool {
    let entry = listed.entry;
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
    // "Any JSON" per parameter, said explicitly, as strict clients want it.
    let mut schema = Value::Object(schema);
    toolhost_schema::make_portable(&mut schema);
    let Value::Object(schema) = schema else {
        unreachable!("an object stays an object")
    };
    Tool::new(
        listed.tool_name.to_owned(),
        format!(
            "{}\n\n(A registry script: Python that runs in toolhost's sandboxed interpreter and may call its tools.)",
            entry.description.trim_end()
        ),
        Arc::new(schema),
    )
}

/// Runs script `entry` with `args` in a session with `options` (the caller's access: a
/// script reaches only the tools its caller may call). Arguments it does not take are the
/// client's mistake (an MCP error); whatever the script does is its result, failures with
/// isError.
pub async fn call(
    dispatcher: Dispatcher,
    entry: &ScriptEntry,
    args: Value,
    options: PythonOptions,
) -> Result<CallToolResult, ErrorData> {
    let printed_and =
        |printed: &str| (!printed.trim_end().is_empty()).then(|| printed.trim_end().to_owned());
    match dispatcher.run_script_with(&entry.name, args, options).await {
        Ok(out) => {
            // Shown as a tool's output is: what it printed, then the value as JSON.
            let mut content = Vec::new();
            if let Some(text) = printed_and(&out.printed) {
                content.push(Content::Text { text });
            }
            content.push(Content::Json { json: out.value });
            Ok(convert::success(&ToolOutput {
                content,
                logs: Vec::new(),
                duration: out.duration,
            }))
        }
        Err(e) if e.code == ErrorCode::ScriptError => {
            let mut text = format!("[{}] {}", e.code, e.message);
            let output = e.details.as_ref().and_then(|d| d["output"].as_str());
            if let Some(printed) = output.and_then(printed_and) {
                text.push_str(&format!("\noutput:\n{printed}"));
            }
            let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
            result.structured_content =
                Some(json!({ "error": { "code": e.code, "message": e.message } }));
            Ok(result)
        }
        Err(e) if e.code == ErrorCode::Internal => Err(ErrorData::internal_error(e.message, None)),
        Err(e) => Err(ErrorData::invalid_params(e.message, None)),
    }
}
