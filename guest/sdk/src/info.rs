use serde_json::Value;

/// One example input, shown by `toolhost describe` and offered to agents.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub description: String,
    pub input: Value,
}

/// What a tool says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    pub examples: Vec<Example>,
}

impl ToolInfo {
    pub fn new(name: &str, version: &str, description: &str) -> Self {
        ToolInfo {
            name: name.to_owned(),
            version: version.to_owned(),
            description: description.to_owned(),
            examples: Vec::new(),
        }
    }

    /// Add an example; `input` must validate against the tool's input schema (the host's
    /// `toolhost check` verifies every example).
    pub fn example(mut self, description: &str, input: Value) -> Self {
        self.examples.push(Example {
            description: description.to_owned(),
            input,
        });
        self
    }
}
