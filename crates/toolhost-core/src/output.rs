//! What a successful call returns.

use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// One item of a tool's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text {
        text: String,
    },
    Json {
        json: Value,
    },
    Image {
        mime_type: String,
        #[serde(serialize_with = "base64_bytes")]
        data: Vec<u8>,
    },
    Sixel {
        sixel: String,
    },
}

impl Content {
    /// Bytes this item counts against `max_output_bytes`.
    pub fn size(&self) -> usize {
        match self {
            Content::Text { text } => text.len(),
            Content::Json { json } => json.to_string().len(),
            Content::Image { data, mime_type } => data.len() + mime_type.len(),
            Content::Sixel { sixel } => sixel.len(),
        }
    }
}

fn base64_bytes<S: serde::Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
    use base64::Engine as _;
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// Where a log record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogSource {
    /// The tool's `log` import.
    Log,
    Stdout,
    Stderr,
    /// toolhost itself (e.g. "output was truncated").
    Host,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRecord {
    pub level: LogLevel,
    pub source: LogSource,
    pub message: String,
}

/// A successful call.
#[derive(Debug, Clone, Serialize)]
pub struct ToolOutput {
    pub content: Vec<Content>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogRecord>,
    #[serde(serialize_with = "micros")]
    pub duration: Duration,
}

fn micros<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_micros() as u64)
}

impl ToolOutput {
    pub fn first_json(&self) -> Option<&Value> {
        self.content.iter().find_map(|c| match c {
            Content::Json { json } => Some(json),
            _ => None,
        })
    }

    pub fn first_text(&self) -> Option<&str> {
        self.content.iter().find_map(|c| match c {
            Content::Text { text } => Some(text.as_str()),
            _ => None,
        })
    }
}
