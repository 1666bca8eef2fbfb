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

/// The tool as listed; its title and hints come from `annotations`.
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

/// Another MCP server's tool as toolhost offers it: its title and behaviour hints as that
/// server gave them.
pub fn remote_tool(d: &ToolDescription) -> Tool {
    let mut listed = tool(d);
    if let Some(remote) = &d.remote {
        listed.title = remote.title.clone();
        listed.annotations = remote
            .annotations
            .clone()
            .and_then(|a| serde_json::from_value(a).ok());
    }
    listed
}

/// Text stays text; the first JSON item becomes structuredContent (an object, as MCP
/// requires) and is also rendered as text for clients that only read text; images are
/// base64 image content, an SVG also as its text (many clients show no SVG image). Sixel
/// is terminal-only and is never sent; a result that had only sixel says so.
pub fn success(output: &ToolOutput) -> CallToolResult {
    let mut blocks = Vec::new();
    let mut structured: Option<Value> = None;
    let mut images = 0;
    let mut sixels = 0;
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
            Content::Image { mime_type, data } => {
                images += 1;
                blocks.push(ContentBlock::image(
                    base64::engine::general_purpose::STANDARD.encode(data),
                    mime_type.clone(),
                ));
                if mime_type == "image/svg+xml"
                    && let Ok(svg) = std::str::from_utf8(data)
                {
                    blocks.push(ContentBlock::text(svg.to_owned()));
                }
            }
            Content::Sixel { .. } => sixels += 1,
        }
    }
    if sixels > 0 && images == 0 {
        blocks.push(ContentBlock::text(
            "[the tool drew terminal (sixel) graphics, which MCP clients cannot show, so no \
             picture was sent; ask it for a PNG, e.g. with \"format\": \"png\"]",
        ));
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
