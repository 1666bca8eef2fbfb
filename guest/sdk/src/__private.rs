//! Glue used by `export_tool!`; not a public API.

use crate::{Tool, ToolError};

#[cfg(target_arch = "wasm32")]
pub use wit_bindgen;

pub fn parse_input<T: Tool>(input: &str) -> Result<T::Input, ToolError> {
    serde_json::from_str(input).map_err(|e| {
        ToolError::invalid_input(format!("input does not match the tool's input type: {e}"))
    })
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;
    use crate::Content;
    use crate::bindings::exports::toolhost::tool::tool as wit;
    use crate::bindings::toolhost::tool::types as wit_types;

    pub fn describe<T: Tool>() -> wit::ToolInfo {
        let info = T::info();
        wit::ToolInfo {
            name: info.name,
            version: info.version,
            description: info.description,
            input_schema: crate::schema::input_schema::<T>().to_string(),
            output_schema: T::output_schema().map(|s| s.to_string()),
            examples: info
                .examples
                .into_iter()
                .map(|e| wit_types::Example {
                    description: e.description,
                    input: e.input.to_string(),
                })
                .collect(),
        }
    }

    pub fn call<T: Tool>(input: &str) -> Result<Vec<wit::Content>, wit::ToolError> {
        let result = parse_input::<T>(input).and_then(T::call);
        // The instance is dropped after the call, never exited: flush what std buffers.
        let _ = std::io::Write::flush(&mut std::io::stdout());
        match result {
            Ok(output) => Ok(output
                .content
                .into_iter()
                .map(|c| match c {
                    Content::Text(t) => wit::Content::Text(t),
                    Content::Json(v) => wit::Content::Json(v.to_string()),
                    Content::Image { mime_type, data } => {
                        wit::Content::Image(wit_types::Image { mime_type, data })
                    }
                    Content::Sixel(s) => wit::Content::Sixel(s),
                })
                .collect()),
            Err(e) => Err(wit::ToolError {
                code: e.code,
                message: e.message,
                details: e.details.map(|d| d.to_string()),
            }),
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::{call, describe};
