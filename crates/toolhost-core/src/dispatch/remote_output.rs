//! An MCP tool result as toolhost output, passed through unchanged: text stays text, an
//! image keeps its bytes and MIME type, `structuredContent` becomes the JSON item (in
//! place of the text block that repeats it, as the spec asks servers to send; toolhost's
//! own MCP server renders that text again). Audio and resources, which toolhost's output
//! has no kind for, are kept as JSON items holding the block as the server sent it.
//! A result with `isError` is the tool's own failure: `tool_error`, with its text.

use base64::Engine as _;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;

use crate::error::{ErrorCode, ToolError};
use crate::output::Content;
use crate::registry::McpServerEntry;

/// Characters of a failed call's text kept in its error message.
const MAX_ERROR_CHARS: usize = 4000;

pub(super) fn content(
    result: CallToolResult,
    tool: &str,
    entry: &McpServerEntry,
) -> Result<Vec<Content>, ToolError> {
    if result.is_error == Some(true) {
        let text: Vec<String> = result
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect();
        let text = text.join("\n");
        let message = if text.is_empty() {
            "the tool reported a failure without saying why".to_owned()
        } else {
            text.chars().take(MAX_ERROR_CHARS).collect()
        };
        let mut error = ToolError::new(ErrorCode::ToolError, message).for_tool(tool);
        if let Some(structured) = result.structured_content {
            error = error.with_details(serde_json::json!({
                "server": entry.name,
                "structured_content": structured,
            }));
        }
        return Err(error);
    }
    let mut structured = result.structured_content;
    let mut items = Vec::with_capacity(result.content.len() + 1);
    for block in result.content {
        let item = match block {
            ContentBlock::Text(text) => {
                let repeats_structured = structured.as_ref().is_some_and(|s| {
                    serde_json::from_str::<Value>(&text.text).is_ok_and(|parsed| parsed == *s)
                });
                if repeats_structured {
                    Content::Json {
                        json: structured.take().expect("checked above"),
                    }
                } else {
                    Content::Text { text: text.text }
                }
            }
            ContentBlock::Image(image) => {
                match base64::engine::general_purpose::STANDARD.decode(&image.data) {
                    Ok(data) => Content::Image {
                        mime_type: image.mime_type,
                        data,
                    },
                    Err(_) => Content::Json {
                        json: serde_json::to_value(ContentBlock::Image(image))
                            .unwrap_or(Value::Null),
                    },
                }
            }
            other => Content::Json {
                json: serde_json::to_value(&other).unwrap_or(Value::Null),
            },
        };
        items.push(item);
    }
    if let Some(json) = structured {
        items.push(Content::Json { json });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{McpToolFilter, McpTransport, SandboxLimits};
    use serde_json::json;

    fn entry() -> McpServerEntry {
        McpServerEntry {
            name: "s".into(),
            transport: McpTransport::Http {
                url: "http://127.0.0.1:1/mcp".into(),
                headers: Vec::new(),
            },
            prefix: String::new(),
            filter: McpToolFilter::All,
            limits: SandboxLimits::default(),
            position: None,
        }
    }

    #[test]
    fn structured_content_replaces_the_text_that_repeats_it_and_images_keep_their_bytes() {
        let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3];
        let encoded = base64::engine::general_purpose::STANDARD.encode(&png);
        let mut result = CallToolResult::success(vec![
            ContentBlock::text("before"),
            ContentBlock::text(r#"{"sum": 3}"#),
            ContentBlock::image(encoded, "image/png"),
        ]);
        result.structured_content = Some(json!({"sum": 3}));
        let items = content(result, "t", &entry()).unwrap();
        assert_eq!(
            items,
            vec![
                Content::Text {
                    text: "before".into()
                },
                Content::Json {
                    json: json!({"sum": 3})
                },
                Content::Image {
                    mime_type: "image/png".into(),
                    data: png
                },
            ]
        );
    }

    #[test]
    fn structured_content_with_no_text_copy_is_kept_and_is_error_is_a_tool_error() {
        let mut result = CallToolResult::success(vec![ContentBlock::text("done")]);
        result.structured_content = Some(json!({"n": 1}));
        let items = content(result, "t", &entry()).unwrap();
        assert_eq!(
            items[1],
            Content::Json {
                json: json!({"n": 1})
            }
        );

        let failed = CallToolResult::error(vec![ContentBlock::text("no such file")]);
        let e = content(failed, "t", &entry()).unwrap_err();
        assert_eq!(e.code, ErrorCode::ToolError);
        assert_eq!(e.message, "no such file");
    }
}
