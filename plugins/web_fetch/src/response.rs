//! A received response turned into the tool's output: status, headers, and the body as
//! decoded text, parsed JSON, readable text from HTML, or (for binary types) just its size.

use serde::Serialize;
use std::collections::BTreeMap;
use toolhost_sdk::{JsonSchema, Output, ToolError, Value};
use url::Url;

use crate::Format;
use crate::charset::{self, EncodingSource, MediaType};
use crate::readable::{self, Readable};

/// A response as it came off the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    /// Lowercase names, in the order received; repeated names are repeated.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// All values of a header, joined as HTTP allows (`, `).
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// One redirect followed on the way.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Hop {
    pub url: String,
    pub status: u16,
}

/// The JSON item of the output.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Fetched {
    /// The URL of the final response (after redirects).
    pub url: String,
    pub status: u16,
    /// The standard reason phrase of the status.
    pub reason: String,
    /// Response headers, lowercase names; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// Redirects followed, in order.
    pub redirects: Vec<Hop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Bytes of the body received.
    pub bytes: usize,
    /// The character encoding the body was decoded with, and where it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_source: Option<EncodingSource>,
    /// The body as text (unless it was parsed as JSON or is binary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The body parsed as JSON (JSON media types with `format: auto`, or `format: json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// Why a body labelled JSON could not be parsed (the text is returned instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_error: Option<String>,
    /// Readable text extracted from HTML (`format: readable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readable: Option<Readable>,
}

/// Media types whose body is not text: reported by size, images returned as images.
fn is_binary(media: &MediaType) -> bool {
    let e = media.essence.as_str();
    let (kind, sub) = e.split_once('/').unwrap_or((e, ""));
    match kind {
        "image" | "audio" | "video" | "font" => sub != "svg+xml",
        "application" => {
            matches!(
                sub,
                "octet-stream"
                    | "pdf"
                    | "zip"
                    | "gzip"
                    | "x-gzip"
                    | "x-tar"
                    | "wasm"
                    | "x-7z-compressed"
            ) || sub.starts_with("vnd.") && !sub.ends_with("+json") && !sub.ends_with("+xml")
        }
        _ => false,
    }
}

/// Image types every client shows.
const SHOWN_IMAGES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

pub fn shape(
    response: RawResponse,
    final_url: &Url,
    redirects: Vec<Hop>,
    format: Format,
    head: bool,
) -> Result<Output, ToolError> {
    if let Some(coding) = response.header("content-encoding")
        && !coding.trim().eq_ignore_ascii_case("identity")
        && !response.body.is_empty()
    {
        return Err(ToolError::new(
            "unsupported_content_encoding",
            format!(
                "{final_url} sent a body with Content-Encoding `{coding}`, which this tool \
                 does not decode (it asks for none)"
            ),
        ));
    }
    let content_type = response.header("content-type");
    let media = MediaType::parse(content_type.as_deref());
    let html = media.is_html() || media.essence.is_empty() && looks_like_html(&response.body);
    let mut fetched = Fetched {
        url: final_url.to_string(),
        status: response.status,
        reason: reason(response.status).to_owned(),
        headers: BTreeMap::new(),
        redirects,
        content_type,
        bytes: response.body.len(),
        encoding: None,
        encoding_source: None,
        text: None,
        json: None,
        json_error: None,
        readable: None,
    };
    for (name, _) in &response.headers {
        if !fetched.headers.contains_key(name) {
            let joined = response.header(name).unwrap_or_default();
            fetched.headers.insert(name.clone(), joined);
        }
    }
    let mut image = None;
    if head || response.body.is_empty() {
        // Nothing to decode.
    } else if is_binary(&media) && format != Format::Text && format != Format::Json {
        if SHOWN_IMAGES.contains(&media.essence.as_str()) {
            image = Some((media.essence.clone(), response.body.clone()));
        }
    } else {
        let decoded = charset::decode(&response.body, &media, html);
        fetched.encoding = Some(decoded.encoding.to_owned());
        fetched.encoding_source = Some(decoded.source);
        let text = decoded.text;
        match format {
            Format::Json => match serde_json::from_str(&text) {
                Ok(v) => fetched.json = Some(v),
                Err(e) => {
                    return Err(ToolError::new(
                        "not_json",
                        format!(
                            "the body from {final_url} is not JSON: line {} column {}: {e}",
                            e.line(),
                            e.column()
                        ),
                    ));
                }
            },
            Format::Auto if media.is_json() => match serde_json::from_str(&text) {
                Ok(v) => fetched.json = Some(v),
                Err(e) => {
                    fetched.json_error =
                        Some(format!("line {} column {}: {e}", e.line(), e.column()));
                    fetched.text = Some(text);
                }
            },
            Format::Readable if html => {
                fetched.readable = Some(readable::extract(&text, final_url));
            }
            Format::Readable => {
                toolhost_sdk::log(
                    toolhost_sdk::LogLevel::Warn,
                    &format!(
                        "`readable` applies to HTML; {} is `{}`, returned as text",
                        final_url, media.essence
                    ),
                );
                fetched.text = Some(text);
            }
            Format::Auto | Format::Text => fetched.text = Some(text),
        }
    }
    let summary = summary_text(&fetched, image.as_ref().map(|(_, b)| b.len()), &media);
    let mut out = Output::text(summary).and_json(&fetched);
    if let Some((mime, bytes)) = image {
        out = out.and_image(&mime, bytes);
    }
    Ok(out)
}

/// The text item: what a person reads in a terminal.
fn summary_text(f: &Fetched, image_bytes: Option<usize>, media: &MediaType) -> String {
    let mut s = format!("HTTP {} {}  {}", f.status, f.reason, f.url);
    if !f.redirects.is_empty() {
        s.push_str(&format!(
            " (after {} redirect{})",
            f.redirects.len(),
            if f.redirects.len() == 1 { "" } else { "s" }
        ));
    }
    s.push('\n');
    if let Some(ct) = &f.content_type {
        s.push_str(&format!("content-type: {ct}\n"));
    }
    s.push('\n');
    if let Some(r) = &f.readable {
        if let Some(t) = &r.title {
            s.push_str(&format!("Title: {t}\n\n"));
        }
        s.push_str(&r.text);
    } else if let Some(j) = &f.json {
        s.push_str(&serde_json::to_string_pretty(j).unwrap_or_default());
    } else if let Some(t) = &f.text {
        s.push_str(t);
    } else if let Some(n) = image_bytes {
        s.push_str(&format!("[{} image, {n} bytes]", media.essence));
    } else if f.bytes > 0 {
        s.push_str(&format!(
            "[binary body, {} bytes of {}]",
            f.bytes, media.essence
        ));
    }
    s
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let head = body[start..body.len().min(start + 16)].to_ascii_lowercase();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolhost_sdk::json;

    fn response(ct: Option<&str>, body: &[u8]) -> RawResponse {
        let mut headers = vec![("x-a".to_owned(), "1".to_owned())];
        if let Some(ct) = ct {
            headers.push(("content-type".into(), ct.into()));
        }
        headers.push(("x-a".into(), "2".into()));
        RawResponse {
            status: 200,
            headers,
            body: body.to_vec(),
        }
    }

    fn url() -> Url {
        "https://example.org/a".parse().unwrap()
    }

    #[test]
    fn json_types_are_parsed_and_headers_joined() {
        let out = shape(
            response(Some("application/json"), br#"{"x": [1, 2]}"#),
            &url(),
            vec![],
            Format::Auto,
            false,
        )
        .unwrap();
        let j = out.first_json().unwrap();
        assert_eq!(j["json"], json!({"x": [1, 2]}));
        assert_eq!(j["headers"]["x-a"], "1, 2");
        assert_eq!(j["reason"], "OK");
        assert!(j.get("text").is_none());
        assert!(
            out.first_text()
                .unwrap()
                .starts_with("HTTP 200 OK  https://example.org/a\n")
        );
    }

    #[test]
    fn a_bad_json_body_falls_back_to_text_with_the_parse_error() {
        let out = shape(
            response(Some("application/json"), b"{oops"),
            &url(),
            vec![],
            Format::Auto,
            false,
        )
        .unwrap();
        let j = out.first_json().unwrap();
        assert_eq!(j["text"], "{oops");
        assert!(
            j["json_error"]
                .as_str()
                .unwrap()
                .starts_with("line 1 column 2")
        );
        let e = shape(
            response(Some("text/plain"), b"plain"),
            &url(),
            vec![],
            Format::Json,
            false,
        )
        .unwrap_err();
        assert_eq!(e.code, "not_json");
    }

    #[test]
    fn html_is_made_readable_on_request_and_kept_as_text_otherwise() {
        let html = b"<title>T</title><h1>Hi</h1><p>caf\xe9</p>";
        let out = shape(
            response(Some("text/html; charset=iso-8859-1"), html),
            &url(),
            vec![Hop {
                url: "http://example.org/".into(),
                status: 301,
            }],
            Format::Readable,
            false,
        )
        .unwrap();
        let j = out.first_json().unwrap();
        assert_eq!(j["readable"]["text"], "# Hi\n\ncafé");
        assert_eq!(j["encoding"], "windows-1252");
        assert_eq!(j["encoding_source"], "content_type");
        let text = out.first_text().unwrap();
        assert!(
            text.contains("(after 1 redirect)") && text.contains("Title: T"),
            "{text}"
        );
        let out = shape(
            response(Some("text/html"), html),
            &url(),
            vec![],
            Format::Auto,
            false,
        )
        .unwrap();
        assert!(
            out.first_json().unwrap()["text"]
                .as_str()
                .unwrap()
                .contains("<h1>Hi</h1>")
        );
    }

    #[test]
    fn images_are_returned_as_images_and_other_binaries_by_size() {
        let png = [137u8, 80, 78, 71, 13, 10, 26, 10];
        let out = shape(
            response(Some("image/png"), &png),
            &url(),
            vec![],
            Format::Auto,
            false,
        )
        .unwrap();
        assert!(out.content.iter().any(|c| matches!(
            c,
            toolhost_sdk::Content::Image { mime_type, data } if mime_type == "image/png" && data.len() == 8
        )));
        let out = shape(
            response(Some("application/pdf"), b"%PDF-1.7 \x00\x01"),
            &url(),
            vec![],
            Format::Auto,
            false,
        )
        .unwrap();
        let j = out.first_json().unwrap();
        assert!(j.get("text").is_none());
        assert_eq!(j["bytes"], 11);
        assert!(
            out.first_text()
                .unwrap()
                .contains("[binary body, 11 bytes of application/pdf]")
        );
    }

    #[test]
    fn compressed_bodies_are_refused_rather_than_shown_as_garbage() {
        let mut r = response(Some("text/plain"), b"\x1f\x8b\x08");
        r.headers.push(("content-encoding".into(), "gzip".into()));
        let e = shape(r, &url(), vec![], Format::Auto, false).unwrap_err();
        assert_eq!(e.code, "unsupported_content_encoding");
    }
}
