//! The schemas a tool declares to the host: the input's derived from its input type, both
//! rewritten into portable JSON Schema (no `type` lists, no Rust integer formats) so that
//! every MCP client reads them as the host validates them.

use crate::Tool;
use serde_json::Value;

/// The input schema the host will see.
pub fn input_schema<T: Tool>() -> Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(T::Input)).expect("schemas serialise");
    toolhost_schema::make_portable(&mut schema);
    schema
}

/// The output schema the host will see, when the tool declares one.
pub fn output_schema<T: Tool>() -> Option<Value> {
    let mut schema = T::output_schema()?;
    toolhost_schema::make_portable(&mut schema);
    Some(schema)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{JsonSchema, Output, ToolError, ToolInfo};
    use serde::Deserialize;

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Input {
        /// How many.
        count: Option<u8>,
        label: Option<String>,
        scale: f64,
    }

    struct Sized;
    impl Tool for Sized {
        type Input = Input;
        fn info() -> ToolInfo {
            ToolInfo::new("sized", "0", "test")
        }
        fn call(_: Input) -> Result<Output, ToolError> {
            Ok(Output::text(""))
        }
    }

    #[test]
    fn derived_schemas_are_portable() {
        let schema = input_schema::<Sized>();
        assert!(toolhost_schema::findings(&schema).is_empty(), "{schema:#}");
        let count = &schema["properties"]["count"];
        assert_eq!(count["description"], "How many.");
        assert_eq!(count["anyOf"][0]["maximum"], 255, "{count}");
    }
}
