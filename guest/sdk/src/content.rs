use serde::Serialize;
use serde_json::Value;

/// One item of a tool's output.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text(String),
    Json(Value),
    Image {
        mime_type: String,
        data: Vec<u8>,
    },
    /// Terminal graphics, shown as-is when the host's stdout is a terminal.
    Sixel(String),
}

/// What a successful call returns: one or more content items.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Output {
    pub content: Vec<Content>,
}

impl Output {
    pub fn text(text: impl Into<String>) -> Self {
        Output::default().and_text(text)
    }

    /// A JSON item from any serialisable value.
    pub fn json<T: Serialize>(value: &T) -> Self {
        Output::default().and_json(value)
    }

    pub fn image(mime_type: &str, data: Vec<u8>) -> Self {
        Output::default().and_image(mime_type, data)
    }

    pub fn and_text(mut self, text: impl Into<String>) -> Self {
        self.content.push(Content::Text(text.into()));
        self
    }

    pub fn and_json<T: Serialize>(mut self, value: &T) -> Self {
        // Serialising plain data into a Value cannot fail except for maps with non-string
        // keys, which no tool output should contain; say so rather than panic.
        let value = serde_json::to_value(value).unwrap_or_else(|e| {
            Value::String(format!("output could not be serialised as JSON: {e}"))
        });
        self.content.push(Content::Json(value));
        self
    }

    pub fn and_image(mut self, mime_type: &str, data: Vec<u8>) -> Self {
        self.content.push(Content::Image {
            mime_type: mime_type.to_owned(),
            data,
        });
        self
    }

    pub fn and_sixel(mut self, sixel: impl Into<String>) -> Self {
        self.content.push(Content::Sixel(sixel.into()));
        self
    }

    /// The first JSON item, if any (handy in tests).
    pub fn first_json(&self) -> Option<&Value> {
        self.content.iter().find_map(|c| match c {
            Content::Json(v) => Some(v),
            _ => None,
        })
    }

    /// The first text item, if any (handy in tests).
    pub fn first_text(&self) -> Option<&str> {
        self.content.iter().find_map(|c| match c {
            Content::Text(t) => Some(t.as_str()),
            _ => None,
        })
    }
}
