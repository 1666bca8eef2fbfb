//! A minimal MCP Streamable HTTP client (JSON-RPC over POST, answers read from the SSE
//! body), with the load test's view of a failure: which replica answered, 404 "session
//! not found", an HTTP error, or a broken connection.
// Shared by the tests and the bench, which each use part of it.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::time::Duration;

pub const PROTOCOL_VERSION: &str = "2025-06-18";

#[derive(Debug)]
pub enum CallError {
    /// HTTP 404: the replica does not know the session; re-initialise.
    SessionNotFound,
    /// Any other HTTP status (a 503 from HAProxy or the replica...).
    Status(u16, String),
    /// The connection failed or broke before the answer was complete.
    Transport(String),
    /// A JSON-RPC error answer.
    Rpc(Value),
}

/// A call's answer and the replica that gave it (HAProxy's `X-Served-By`, if any).
pub struct Answer {
    pub result: Value,
    pub served_by: Option<String>,
    pub headers: reqwest::header::HeaderMap,
}

#[derive(Clone)]
pub struct McpHttp {
    http: reqwest::Client,
    pub url: String,
}

impl McpHttp {
    pub fn new(url: &str) -> Self {
        McpHttp {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()
                .expect("HTTP client"),
            url: url.to_owned(),
        }
    }

    async fn post(
        &self,
        session: Option<&str>,
        extra: &[(&str, &str)],
        body: &Value,
        timeout: Duration,
    ) -> Result<reqwest::Response, CallError> {
        let mut request = self
            .http
            .post(&self.url)
            .timeout(timeout)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_string());
        if !extra
            .iter()
            .any(|(name, _)| *name == "mcp-protocol-version")
        {
            request = request.header("mcp-protocol-version", PROTOCOL_VERSION);
        }
        if let Some(id) = session {
            request = request.header("mcp-session-id", id);
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        request
            .send()
            .await
            .map_err(|e| CallError::Transport(format!("{e:?}")))
    }

    /// Sends one JSON-RPC request and reads its answer from the SSE stream.
    pub async fn request(
        &self,
        session: Option<&str>,
        extra: &[(&str, &str)],
        body: &Value,
        timeout: Duration,
    ) -> Result<Answer, CallError> {
        let response = self.post(session, extra, body, timeout).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let served_by = headers
            .get("x-served-by")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response
            .text()
            .await
            .map_err(|e| CallError::Transport(format!("reading the answer: {e:?}")))?;
        match status {
            200 => {}
            404 => return Err(CallError::SessionNotFound),
            other => return Err(CallError::Status(other, text)),
        }
        let id = &body["id"];
        let message = text
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|m| &m["id"] == id)
            .ok_or_else(|| {
                CallError::Transport(format!(
                    "the stream ended without the answer to request {id}: {}",
                    &text[..text.len().min(300)]
                ))
            })?;
        if !message["error"].is_null() {
            return Err(CallError::Rpc(message["error"].clone()));
        }
        Ok(Answer {
            result: message["result"].clone(),
            served_by,
            headers,
        })
    }

    /// A new MCP session: initialize, then notifications/initialized. Returns its id
    /// and the replica that holds it.
    pub async fn initialize(&self) -> Result<(String, Option<String>), CallError> {
        let init = json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": { "name": "toolhost-scale-test", "version": "1" }
            }
        });
        let timeout = Duration::from_secs(30);
        let response = self.post(None, &[], &init, timeout).await?;
        let status = response.status().as_u16();
        let served_by = response
            .headers()
            .get("x-served-by")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let session = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response
            .text()
            .await
            .map_err(|e| CallError::Transport(format!("{e:?}")))?;
        let Some(session) = session.filter(|_| status == 200) else {
            return Err(CallError::Status(status, text));
        };
        let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
        let ack = self
            .post(Some(&session), &[], &initialized, timeout)
            .await?;
        match ack.status().as_u16() {
            202 | 200 => Ok((session, served_by)),
            404 => Err(CallError::SessionNotFound),
            other => Err(CallError::Status(
                other,
                ack.text().await.unwrap_or_default(),
            )),
        }
    }

    /// tools/call `tool` with `args` in `session`.
    pub async fn call(
        &self,
        session: &str,
        id: u64,
        tool: &str,
        args: Value,
        timeout: Duration,
    ) -> Result<Answer, CallError> {
        let body = json!({
            "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": { "name": tool, "arguments": args }
        });
        self.request(Some(session), &[], &body, timeout).await
    }
}

impl McpHttp {
    /// tools/call without a session, as MCP 2026-07-28 clients send it: the protocol
    /// version and client capabilities travel in each request's `_meta`.
    pub async fn stateless_call(
        &self,
        id: u64,
        tool: &str,
        args: Value,
        timeout: Duration,
    ) -> Result<Answer, CallError> {
        let body = json!({
            "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {
                "name": tool, "arguments": args,
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": STATELESS_VERSION,
                    "io.modelcontextprotocol/clientCapabilities": {},
                    "io.modelcontextprotocol/clientInfo": {
                        "name": "toolhost-scale-test", "version": "1"
                    }
                }
            }
        });
        let headers = [
            ("mcp-protocol-version", STATELESS_VERSION),
            ("mcp-method", "tools/call"),
            ("mcp-name", tool),
        ];
        self.request(None, &headers, &body, timeout).await
    }
}

pub const STATELESS_VERSION: &str = "2026-07-28";

/// The text of a tools/call result's first content block.
pub fn text_of(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or("")
}
