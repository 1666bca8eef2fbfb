//! `echo`: returns its input. The cheapest possible tool, used to measure the host's
//! per-call overhead and to check the contract end to end.

use toolhost_sdk::{Deserialize, JsonSchema, Output, Tool, ToolError, ToolInfo, json};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Text to send back.
    pub text: String,
    /// Also return the text as a JSON item `{"text": ...}`.
    #[serde(default)]
    pub json: bool,
}

pub struct Echo;

impl Tool for Echo {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "echo",
            env!("CARGO_PKG_VERSION"),
            "Return the given text unchanged.\n\nThe cheapest tool there is: useful to check \
             that the host works and to measure its per-call overhead.",
        )
        .example("Echo a word", json!({ "text": "hello" }))
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let out = Output::text(input.text.clone());
        Ok(if input.json {
            out.and_json(&json!({ "text": input.text }))
        } else {
            out
        })
    }
}

toolhost_sdk::export_tool!(Echo);

#[cfg(test)]
mod tests {
    use super::*;
    use toolhost_sdk::testing;

    #[test]
    fn echoes_text_and_optionally_json() {
        let out = testing::call::<Echo>(json!({ "text": "hi", "json": true })).unwrap();
        assert_eq!(out.first_text(), Some("hi"));
        assert_eq!(out.first_json(), Some(&json!({ "text": "hi" })));
    }

    #[test]
    fn schema_refuses_unknown_fields() {
        let schema = testing::input_schema::<Echo>();
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(schema["required"], json!(["text"]));
    }
}
