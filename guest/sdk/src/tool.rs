use crate::{Output, ToolError, ToolInfo};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

/// A tool: a typed input and a function from it to an output.
pub trait Tool {
    /// The input object. Its JSON Schema is derived and published to the host, which
    /// validates every call against it before the tool runs. Use
    /// `#[serde(deny_unknown_fields)]` so a misspelt field is reported, not ignored.
    type Input: DeserializeOwned + JsonSchema;

    /// Name, version, description and examples.
    fn info() -> ToolInfo;

    /// JSON Schema of the JSON content item, when the output's shape is fixed.
    fn output_schema() -> Option<serde_json::Value> {
        None
    }

    /// Run one call. A fresh instance runs every call, so there is no state to keep.
    fn call(input: Self::Input) -> Result<Output, ToolError>;
}
