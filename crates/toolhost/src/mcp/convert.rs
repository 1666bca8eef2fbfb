//! toolhost's descriptions, outputs and errors in MCP's terms.

use base64::Engine as _;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::dispatch::ToolDescription;
use crate::error::ToolError;
use crate::output::{Content, ToolOutput};

fn object(value: &Value) -> JsonObject {
    match value {
        Value::Object(map) => map.clone(),
        other => {
            let mut map = JsonObject::new();
            map.insert("type".into(), json!("object"));
            map.insert(
                "description".into(),
                json!(format!("schema was not an object: {other}")),
            );
            map
        }
    }
}

pub fn tool(d: &ToolDescription) -> Tool {
    let mut tool = Tool::new(
        d.name.clone(),
        d.description.clone(),
        Arc::new(object(&d.input_schema)),
    );
    if let Some(out) = &d.output_schema {
        tool = tool.with_raw_output_schema(Arc::new(object(out)));
    }
    tool
}

/// Text stays text; the first JSON item becomes structuredContent (an object, as MCP
/// requires) and is also rendered as text for clients that only read text; images are
/// base64 image content. Sixel is terminal-only and is left out.
pub fn success(output: &ToolOutput) -> CallToolResult {
    let mut blocks = Vec::new();
    let mut structured: Option<Value> = None;
    for item in &output.content {
        match item {
            Content::Text { text } => blocks.push(ContentBlock::text(text.clone())),
            Content::Json { json } => {
                blocks.push(ContentBlock::text(json.to_string()));
                if structured.is_none() {
                    structured = Some(match json {
                        Value::Object(_) => json.clone(),
                        other => json!({ "value": other }),
                    });
                }
            }
            Content::Image { mime_type, data } => blocks.push(ContentBlock::image(
                base64::engine::general_purpose::STANDARD.encode(data),
                mime_type.clone(),
            )),
            Content::Sixel { .. } => {}
        }
    }
    let mut result = CallToolResult::success(blocks);
    result.structured_content = structured;
    result
}

/// A failed call is a result with isError, the code first in the text so a model sees it.
pub fn failure(e: &ToolError) -> CallToolResult {
    let mut text = format!("[{}] {}", e.code, e.message);
    if let Some(details) = &e.details {
        text.push_str(&format!("\ndetails: {details}"));
    }
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    result.structured_content = Some(json!({ "error": e }));
    result
}
