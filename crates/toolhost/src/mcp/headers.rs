//! Requests carrying a `Host` or `Origin` header twice are refused before the MCP service
//! sees them. It checks only the first of each, so `Host: 127.0.0.1` followed by
//! `Host: evil.example` would pass as loopback while a proxy or the application behind
//! may read the second.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn refuse_duplicates(request: Request, next: Next) -> Response {
    for name in [header::HOST, header::ORIGIN] {
        if request.headers().get_all(&name).iter().nth(1).is_some() {
            let message = format!("Bad Request: more than one {name} header");
            return (StatusCode::BAD_REQUEST, message).into_response();
        }
    }
    next.run(request).await
}
