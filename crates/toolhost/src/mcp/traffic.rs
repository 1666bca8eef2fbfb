//! Bytes in and out of the MCP endpoint, counted as the bodies stream (a response may be
//! a server-sent-event stream that lasts as long as its call).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use futures::TryStreamExt;

use super::metrics::ServerMetrics;

pub async fn count_bytes(
    State(metrics): State<ServerMetrics>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let counter = metrics.bytes_in.clone();
    let body = Body::from_stream(
        body.into_data_stream()
            .inspect_ok(move |chunk| counter.inc_by(chunk.len() as u64)),
    );
    let response = next.run(Request::from_parts(parts, body)).await;
    let (parts, body) = response.into_parts();
    let counter = metrics.bytes_out.clone();
    let body = Body::from_stream(
        body.into_data_stream()
            .inspect_ok(move |chunk| counter.inc_by(chunk.len() as u64)),
    );
    Response::from_parts(parts, body)
}
