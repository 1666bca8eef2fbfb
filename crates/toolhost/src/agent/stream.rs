//! Reading a streamed chat completion (server-sent events, `stream: true`): content
//! deltas joined, tool-call argument fragments joined by the call's index, usage taken
//! from the last chunk (`stream_options.include_usage`). `reasoning_content` deltas are
//! counted for progress but never kept: code is not looked for in reasoning.

use futures::StreamExt;
use serde::Deserialize;
use serde_json::Value;
use sse_stream::SseStream;

use super::llm::Usage;
use super::protocol::{FunctionCall, ToolCall};

/// A reply put together from its chunks (or read whole).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplyParts {
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: Option<String>,
    pub usage: Option<Usage>,
}

/// Why a stream could not be read to its end; all are retried like a failed request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StreamError {
    #[error("the stream timed out")]
    Timeout,
    #[error("reading the stream failed: {0}")]
    Body(String),
    #[error("malformed stream chunk ({0}): {1}")]
    Malformed(String, String),
    #[error("the server reported an error in the stream: {0}")]
    Server(String),
    #[error("the stream ended before the reply did (no [DONE], no finish_reason)")]
    EndedEarly,
}

/// The response is an event stream (not a whole JSON reply).
pub fn is_event_stream(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/event-stream")
        })
}

/// Read the event stream to its end; `on_tokens` is told the running chunk count.
pub async fn read(
    response: reqwest::Response,
    on_tokens: Option<&(dyn Fn(u64) + Send + Sync)>,
) -> Result<ReplyParts, StreamError> {
    let mut events = SseStream::from_bytes_stream(response.bytes_stream());
    let mut reply = ReplyAssembler::default();
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| match e {
            sse_stream::Error::Body(inner) => match inner.downcast_ref::<reqwest::Error>() {
                Some(r) if r.is_timeout() => StreamError::Timeout,
                _ => StreamError::Body(inner.to_string()),
            },
            other => StreamError::Body(other.to_string()),
        })?;
        let Some(data) = event.data else { continue };
        let before = reply.chunks;
        if reply.push(&data)? == Flow::Done {
            break;
        }
        if let Some(tell) = on_tokens
            && reply.chunks != before
        {
            tell(reply.chunks);
        }
    }
    reply.finish()
}

#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    More,
    /// `data: [DONE]`.
    Done,
}

/// Puts a reply together from the `data` of each event.
#[derive(Debug, Default)]
pub struct ReplyAssembler {
    reply: ReplyParts,
    /// Calls by their `index` in the deltas (fragments of one call share it).
    calls: Vec<(usize, ToolCall)>,
    /// Chunks that carried text, reasoning or arguments: about one token each.
    pub chunks: u64,
    done: bool,
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<ChunkChoice>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    reasoning_content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<CallDelta>>,
}

#[derive(Deserialize)]
struct CallDelta {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<Value>,
}

impl ReplyAssembler {
    /// Take one event's data.
    pub fn push(&mut self, data: &str) -> Result<Flow, StreamError> {
        let data = data.trim();
        if data == "[DONE]" {
            self.done = true;
            return Ok(Flow::Done);
        }
        if data.is_empty() {
            return Ok(Flow::More);
        }
        let chunk: Chunk = serde_json::from_str(data)
            .map_err(|e| StreamError::Malformed(e.to_string(), snippet(data)))?;
        if let Some(error) = chunk.error {
            return Err(StreamError::Server(snippet(&error.to_string())));
        }
        if let Some(u) = chunk.usage {
            self.reply.usage = Some(u);
        }
        for choice in chunk.choices {
            if let Some(reason) = choice.finish_reason {
                self.reply.finish_reason = Some(reason);
            }
            let Some(delta) = choice.delta else { continue };
            let mut grew = false;
            if let Some(text) = delta.content.filter(|t| !t.is_empty()) {
                self.reply.content.push_str(&text);
                grew = true;
            }
            grew |= delta.reasoning_content.is_some_and(|r| !r.is_empty());
            for (position, call) in delta.tool_calls.into_iter().flatten().enumerate() {
                grew = true;
                self.add_call_delta(position, call);
            }
            if grew {
                self.chunks += 1;
            }
        }
        Ok(Flow::More)
    }

    fn add_call_delta(&mut self, position: usize, delta: CallDelta) {
        // A server that sends no index sends each call whole, one per position.
        let index = delta.index.unwrap_or(self.calls.len().max(position));
        let at = match self.calls.iter().position(|(i, _)| *i == index) {
            Some(at) => at,
            None => {
                self.calls.push((
                    index,
                    ToolCall {
                        id: String::new(),
                        kind: "function".into(),
                        function: FunctionCall {
                            name: String::new(),
                            arguments: String::new(),
                        },
                    },
                ));
                self.calls.len() - 1
            }
        };
        let call = &mut self.calls[at].1;
        if let Some(id) = delta.id.filter(|s| !s.is_empty()) {
            call.id = id;
        }
        if let Some(kind) = delta.kind.filter(|s| !s.is_empty()) {
            call.kind = kind;
        }
        if let Some(f) = delta.function {
            if let Some(name) = f.name {
                call.function.name.push_str(&name);
            }
            match f.arguments {
                Some(Value::String(fragment)) => call.function.arguments.push_str(&fragment),
                Some(Value::Null) | None => {}
                Some(whole) => call.function.arguments = whole.to_string(),
            }
        }
    }

    /// The reply, once the stream has ended; a stream cut before `[DONE]` and before any
    /// finish_reason is incomplete.
    pub fn finish(mut self) -> Result<ReplyParts, StreamError> {
        if !self.done && self.reply.finish_reason.is_none() {
            return Err(StreamError::EndedEarly);
        }
        self.calls.sort_by_key(|(i, _)| *i);
        self.reply.tool_calls = self.calls.into_iter().map(|(_, c)| c).collect();
        Ok(self.reply)
    }
}

fn snippet(text: &str) -> String {
    let t: String = text.chars().take(200).collect();
    if t.len() < text.len() {
        format!("{t}…")
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assemble(events: &[&str]) -> Result<ReplyParts, StreamError> {
        let mut a = ReplyAssembler::default();
        for e in events {
            if a.push(e)? == Flow::Done {
                break;
            }
        }
        a.finish()
    }

    #[test]
    fn content_and_usage_are_joined_and_reasoning_is_dropped() {
        let r = assemble(&[
            r#"{"choices":[{"delta":{"role":"assistant","content":""}}]}"#,
            r#"{"choices":[{"delta":{"reasoning_content":"```python\nFINAL(0)\n```"}}]}"#,
            r#"{"choices":[{"delta":{"content":"```python\n"}}]}"#,
            r#"{"choices":[{"delta":{"content":"FINAL(1)\n```"}}]}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"#,
            "[DONE]",
        ])
        .unwrap();
        assert_eq!(r.content, "```python\nFINAL(1)\n```");
        assert_eq!(r.finish_reason.as_deref(), Some("stop"));
        assert_eq!(r.usage.unwrap().total_tokens, 10);
    }

    #[test]
    fn argument_fragments_are_joined_by_index() {
        let r = assemble(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"python","arguments":""}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"code\": \"x"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"python","arguments":"{\"code\""}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":" = 1\"}"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":": \"y = 2\"}"}}]}}]}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#,
            "[DONE]",
        ])
        .unwrap();
        let calls: Vec<(&str, &str)> = r
            .tool_calls
            .iter()
            .map(|c| (c.id.as_str(), c.function.arguments.as_str()))
            .collect();
        assert_eq!(
            calls,
            [("a", r#"{"code": "x = 1"}"#), ("b", r#"{"code": "y = 2"}"#)]
        );
        assert!(r.usage.is_none());
    }

    #[test]
    fn a_cut_stream_a_bad_chunk_and_an_error_event_are_errors() {
        assert_eq!(
            assemble(&[r#"{"choices":[{"delta":{"content":"x"}}]}"#]),
            Err(StreamError::EndedEarly)
        );
        assert!(matches!(
            assemble(&["{not json"]),
            Err(StreamError::Malformed(..))
        ));
        assert!(matches!(
            assemble(&[r#"{"error":{"message":"overloaded"}}"#]),
            Err(StreamError::Server(m)) if m.contains("overloaded")
        ));
    }
}
