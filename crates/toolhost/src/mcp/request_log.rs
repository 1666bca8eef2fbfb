//! A tracing span per HTTP request, so every log line a request causes names it: a
//! request id (the client's `X-Request-Id`, or a new one), the MCP session id, and the
//! W3C trace context (`traceparent`), which is honoured when valid and sent back with this
//! server's span as the parent, so a caller's trace continues through toolhost.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

const REQUEST_ID: &str = "x-request-id";
const SESSION_ID: &str = "mcp-session-id";
const TRACEPARENT: &str = "traceparent";

/// What the request's log lines carry; put in the request's extensions so the MCP
/// handler, which runs on rmcp's session task, can open its own span with the same fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    pub request_id: String,
    pub session_id: Option<String>,
    pub trace: TraceContext,
}

/// W3C trace context: the trace this request belongs to and this server's span in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// The caller's span (16 hex digits), when a valid `traceparent` came in.
    pub parent_id: Option<String>,
    /// This server's span for the request (16 hex digits).
    pub span_id: String,
    /// 2 hex digits (01: sampled).
    pub flags: String,
}

impl TraceContext {
    /// Continues the trace in `traceparent` (version 00 format), or starts one.
    pub fn from_header(traceparent: Option<&str>) -> Self {
        let span_id = random_hex(8);
        match traceparent.and_then(parse_traceparent) {
            Some((trace_id, parent_id, flags)) => TraceContext {
                trace_id,
                parent_id: Some(parent_id),
                span_id,
                flags,
            },
            None => TraceContext {
                trace_id: random_hex(16),
                parent_id: None,
                span_id,
                flags: "01".to_owned(),
            },
        }
    }

    /// The `traceparent` naming this server's span, for whatever comes next.
    pub fn traceparent(&self) -> String {
        format!("00-{}-{}-{}", self.trace_id, self.span_id, self.flags)
    }
}

/// `00-<trace-id>-<parent-id>-<flags>`; all-zero ids are invalid (W3C trace context §3.2).
fn parse_traceparent(value: &str) -> Option<(String, String, String)> {
    let mut parts = value.trim().split('-');
    let (version, trace_id, parent_id, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, len: usize| {
        s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let valid = hex(version, 2)
        && version != "ff"
        // Version 00 has exactly four fields; later versions may append more.
        && (version != "00" || parts.next().is_none())
        && hex(trace_id, 32)
        && trace_id.bytes().any(|b| b != b'0')
        && hex(parent_id, 16)
        && parent_id.bytes().any(|b| b != b'0')
        && hex(flags, 2);
    valid.then(|| (trace_id.to_owned(), parent_id.to_owned(), flags.to_owned()))
}

fn random_hex(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex::encode(raw)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A client's request id is kept when it is short, printable ASCII (it goes into logs).
fn client_request_id(headers: &HeaderMap) -> Option<String> {
    header(headers, REQUEST_ID)
        .filter(|id| !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
}

impl RequestInfo {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        RequestInfo {
            request_id: client_request_id(headers).unwrap_or_else(|| random_hex(8)),
            session_id: header(headers, SESSION_ID).map(str::to_owned),
            trace: TraceContext::from_header(header(headers, TRACEPARENT)),
        }
    }

    /// The span a request's (or its tool call's) log lines are recorded in.
    pub fn span(&self, name: &'static str) -> tracing::Span {
        match name {
            "call" => tracing::info_span!(
                "call",
                request_id = %self.request_id,
                mcp_session_id = self.session_id.as_deref().unwrap_or(""),
                trace_id = %self.trace.trace_id,
                span_id = %self.trace.span_id,
            ),
            _ => tracing::info_span!(
                "request",
                request_id = %self.request_id,
                mcp_session_id = self.session_id.as_deref().unwrap_or(""),
                trace_id = %self.trace.trace_id,
                span_id = %self.trace.span_id,
                parent_span_id = self.trace.parent_id.as_deref().unwrap_or(""),
            ),
        }
    }
}

/// The middleware: opens the request's span, hands [`RequestInfo`] on, and answers with
/// `X-Request-Id` and `traceparent` so a client can find the lines for its request.
pub async fn log_request(mut request: Request, next: Next) -> Response {
    let info = RequestInfo::from_headers(request.headers());
    let span = info.span("request");
    request.extensions_mut().insert(info.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let _entered = span.enter();
    let new_session = header(response.headers(), SESSION_ID).map(str::to_owned);
    tracing::debug!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1e3,
        new_session = new_session.as_deref().unwrap_or(""),
        "answered"
    );
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&info.request_id) {
        headers.insert(REQUEST_ID, v);
    }
    if let Ok(v) = HeaderValue::from_str(&info.trace.traceparent()) {
        headers.insert(TRACEPARENT, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_traceparent_continues_the_callers_trace() {
        let t = TraceContext::from_header(Some(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ));
        assert_eq!(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(t.parent_id.as_deref(), Some("00f067aa0ba902b7"));
        assert_ne!(
            t.span_id, "00f067aa0ba902b7",
            "the server's span is its own"
        );
        let sent = t.traceparent();
        assert!(sent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        assert!(sent.ends_with("-01"));
    }

    #[test]
    fn an_invalid_traceparent_starts_a_new_trace() {
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "garbage",
        ] {
            let t = TraceContext::from_header(Some(bad));
            assert_eq!(t.parent_id, None, "{bad}");
            assert_eq!(t.trace_id.len(), 32);
            assert_ne!(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736", "{bad}");
        }
    }

    #[test]
    fn a_clients_request_id_is_kept_only_when_printable_and_short() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("job-42"));
        assert_eq!(RequestInfo::from_headers(&headers).request_id, "job-42");
        headers.insert(REQUEST_ID, HeaderValue::from_str(&"x".repeat(200)).unwrap());
        assert_eq!(RequestInfo::from_headers(&headers).request_id.len(), 16);
    }
}
