//! One HTTP exchange through wasi:http (the `wasip2` bindings). The host decides whether it
//! may happen at all; this side only speaks the protocol. A request without a body gets no
//! body resource, so nothing announces one on the wire; a body is sent with its length.
//! Natively there is no wasi:http, so the unit tests cover everything around this file.

use toolhost_sdk::ToolError;

use crate::plan::RequestPlan;
use crate::response::RawResponse;

#[cfg(not(target_arch = "wasm32"))]
pub fn send(plan: &RequestPlan) -> Result<RawResponse, ToolError> {
    Err(failed(
        plan,
        "web_fetch reaches the network only as a component inside toolhost (wasi:http)",
    ))
}

#[cfg(target_arch = "wasm32")]
pub fn send(plan: &RequestPlan) -> Result<RawResponse, ToolError> {
    use wasip2::http::outgoing_handler;
    use wasip2::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, Scheme};
    use wasip2::io::streams::StreamError;

    let mut headers: Vec<(String, Vec<u8>)> = plan
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
        .collect();
    if let Some(body) = &plan.body {
        headers.push(("content-length".into(), body.len().to_string().into_bytes()));
    }
    let fields =
        Fields::from_list(&headers).map_err(|e| failed(plan, format!("headers: {e:?}")))?;
    let request = OutgoingRequest::new(fields);
    let method = match plan.method {
        crate::Method::Get => Method::Get,
        crate::Method::Head => Method::Head,
        crate::Method::Post => Method::Post,
        crate::Method::Put => Method::Put,
        crate::Method::Patch => Method::Patch,
        crate::Method::Delete => Method::Delete,
    };
    let scheme = if plan.url.scheme() == "https" {
        Scheme::Https
    } else {
        Scheme::Http
    };
    let authority = match plan.url.port() {
        Some(p) => format!("{}:{p}", plan.url.host_str().unwrap_or_default()),
        None => plan.url.host_str().unwrap_or_default().to_owned(),
    };
    let path = match plan.url.query() {
        Some(q) => format!("{}?{q}", plan.url.path()),
        None => plan.url.path().to_owned(),
    };
    let refused = |what: &str| failed(plan, format!("wasi:http refused the {what}"));
    request
        .set_method(&method)
        .map_err(|()| refused("method"))?;
    request
        .set_scheme(Some(&scheme))
        .map_err(|()| refused("scheme"))?;
    request
        .set_authority(Some(&authority))
        .map_err(|()| refused("authority"))?;
    request
        .set_path_with_query(Some(&path))
        .map_err(|()| refused("path"))?;
    let outgoing_body = match &plan.body {
        Some(_) => Some(request.body().map_err(|()| refused("body"))?),
        None => None,
    };

    let pending =
        outgoing_handler::handle(request, None).map_err(|e| failed(plan, describe(&e)))?;
    if let (Some(body), Some(bytes)) = (outgoing_body, &plan.body) {
        {
            let stream = body.write().map_err(|()| refused("body stream"))?;
            // wasi:io allows at most 4096 bytes per blocking write.
            for chunk in bytes.chunks(4096) {
                stream
                    .blocking_write_and_flush(chunk)
                    .map_err(|e| failed(plan, format!("sending the body: {}", stream_error(&e))))?;
            }
        }
        OutgoingBody::finish(body, None).map_err(|e| failed(plan, describe(&e)))?;
    }
    pending.subscribe().block();
    let response = pending
        .get()
        .ok_or_else(|| failed(plan, "no response"))?
        .map_err(|()| failed(plan, "the response was already taken"))?
        .map_err(|e| failed(plan, describe(&e)))?;
    let status = response.status();
    let headers = response
        .headers()
        .entries()
        .into_iter()
        .map(|(n, v)| {
            (
                n.to_ascii_lowercase(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    if plan.method != crate::Method::Head {
        let incoming = response.consume().map_err(|()| refused("response body"))?;
        {
            let stream = incoming.stream().map_err(|()| refused("response stream"))?;
            loop {
                match stream.blocking_read(64 * 1024) {
                    Ok(chunk) => body.extend_from_slice(&chunk),
                    Err(StreamError::Closed) => break,
                    Err(e) => {
                        return Err(failed(
                            plan,
                            format!("reading the body: {}", stream_error(&e)),
                        ));
                    }
                }
            }
        }
        drop(wasip2::http::types::IncomingBody::finish(incoming));
    }
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// wasi:http's error codes in words.
#[cfg(target_arch = "wasm32")]
fn describe(e: &wasip2::http::types::ErrorCode) -> String {
    use wasip2::http::types::ErrorCode as E;
    match e {
        E::HttpRequestDenied => "the host denied the request (see the host's message)".into(),
        E::DestinationIpProhibited => "the host refused the destination address".into(),
        E::HttpResponseBodySize(limit) => {
            format!("the response passed the host's size limit ({limit:?} bytes)")
        }
        E::DnsError(p) => format!(
            "DNS lookup failed: {}",
            p.rcode.as_deref().unwrap_or("no answer")
        ),
        E::ConnectionRefused => "connection refused".into(),
        E::ConnectionTimeout => "connection timed out".into(),
        E::ConnectionReadTimeout => "the server did not answer in time".into(),
        E::TlsCertificateError => "the server's TLS certificate is not valid for it".into(),
        E::TlsProtocolError => "TLS handshake failed".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(target_arch = "wasm32")]
fn stream_error(e: &wasip2::io::streams::StreamError) -> String {
    use wasip2::io::streams::StreamError;
    match e {
        StreamError::Closed => "the stream closed".into(),
        StreamError::LastOperationFailed(err) => match wasip2::http::types::http_error_code(err) {
            Some(code) => describe(&code),
            None => err.to_debug_string(),
        },
    }
}

fn failed(plan: &RequestPlan, why: impl std::fmt::Display) -> ToolError {
    ToolError::new(
        "request_failed",
        format!("{} {}: {why}", plan.method.as_str(), plan.url),
    )
}
