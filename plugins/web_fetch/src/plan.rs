//! The request to send, checked field by field: every problem names its JSON pointer.

use std::collections::BTreeMap;
use toolhost_sdk::{ToolError, Value};
use url::Url;

use crate::{Format, Method};

/// `User-Agent` unless the caller sets one: many sites refuse requests without it.
pub const USER_AGENT: &str = concat!("toolhost-web_fetch/", env!("CARGO_PKG_VERSION"));

/// Headers the host's HTTP layer sets itself or refuses (hop-by-hop and framing headers):
/// caught here so the error names the field.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "transfer-encoding",
    "upgrade",
    "te",
    "trailer",
    "content-length",
    "http2-settings",
];

/// One HTTP request, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPlan {
    pub method: Method,
    pub url: Url,
    /// Lowercase names, in the order they are sent.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl RequestPlan {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| n != name);
    }
}

/// Check the URL: absolute, http or https, no credentials.
pub fn parse_url(text: &str, pointer: &str) -> Result<Url, ToolError> {
    let url = Url::parse(text.trim()).map_err(|e| {
        ToolError::invalid_input(format!(
            "{pointer}: `{text}` is not a URL ({e}); expected e.g. `https://example.com/page`"
        ))
        .at(pointer)
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(ToolError::invalid_input(format!(
            "{pointer}: unsupported scheme `{}`; expected http or https",
            url.scheme()
        ))
        .at(pointer));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(
            ToolError::invalid_input(format!("{pointer}: `{text}` names no host")).at(pointer),
        );
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ToolError::invalid_input(format!(
            "{pointer}: credentials in the URL are not sent; use an `Authorization` header"
        ))
        .at(pointer));
    }
    Ok(url)
}

/// Build the first request from the tool's input.
pub fn plan(
    url: &str,
    method: Method,
    headers: &BTreeMap<String, String>,
    body: Option<&str>,
    json: Option<&Value>,
    format: Format,
) -> Result<RequestPlan, ToolError> {
    let url = parse_url(url, "/url")?;
    let mut sent: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let pointer = format!("/headers/{}", escape_pointer(name));
        let lower = name.to_ascii_lowercase();
        if lower.is_empty() || !lower.bytes().all(is_token_byte) {
            return Err(ToolError::invalid_input(format!(
                "{pointer}: `{name}` is not a valid header name"
            ))
            .at(&pointer));
        }
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(ToolError::invalid_input(format!(
                "{pointer}: `{name}` is set by the HTTP layer and cannot be given"
            ))
            .at(&pointer));
        }
        if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(ToolError::invalid_input(format!(
                "{pointer}: header values cannot contain line breaks or NUL"
            ))
            .at(&pointer));
        }
        if sent.iter().any(|(n, _)| *n == lower) {
            return Err(ToolError::invalid_input(format!(
                "{pointer}: `{name}` is given twice (header names ignore case)"
            ))
            .at(&pointer));
        }
        sent.push((lower, value.clone()));
    }
    let body = match (body, json) {
        (Some(_), Some(_)) => {
            return Err(ToolError::invalid_input(
                "/json: give the request body as `body` (text) or `json`, not both",
            )
            .at("/json"));
        }
        (Some(text), None) => Some(text.as_bytes().to_vec()),
        (None, Some(value)) => {
            if !sent.iter().any(|(n, _)| n == "content-type") {
                sent.push(("content-type".into(), "application/json".into()));
            }
            Some(value.to_string().into_bytes())
        }
        (None, None) => None,
    };
    if body.is_some() && !method.may_have_body() {
        let at = if json.is_some() { "/json" } else { "/body" };
        return Err(ToolError::invalid_input(format!(
            "{at}: a {} request carries no body; use POST, PUT, PATCH or DELETE",
            method.as_str()
        ))
        .at(at));
    }
    let defaults = [("user-agent", USER_AGENT), ("accept", format.accept())];
    for (name, value) in defaults {
        if !sent.iter().any(|(n, _)| n == name) {
            sent.push((name.to_owned(), value.to_owned()));
        }
    }
    Ok(RequestPlan {
        method,
        url,
        headers: sent,
        body,
    })
}

/// RFC 9110 token characters.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 6901: `~` and `/` inside a key.
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolhost_sdk::json;

    fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn pointer(e: &ToolError) -> &str {
        e.details.as_ref().unwrap()["pointer"].as_str().unwrap()
    }

    #[test]
    fn a_json_body_sets_its_content_type_and_defaults_fill_in() {
        let p = plan(
            "https://api.example.com/items",
            Method::Post,
            &headers(&[("X-Trace", "1")]),
            None,
            Some(&json!({"a": 1})),
            Format::Auto,
        )
        .unwrap();
        assert_eq!(p.body.as_deref(), Some(&br#"{"a":1}"#[..]));
        assert_eq!(p.header("content-type"), Some("application/json"));
        assert_eq!(p.header("x-trace"), Some("1"));
        assert_eq!(p.header("user-agent"), Some(USER_AGENT));
        assert!(p.header("accept").is_some());
    }

    #[test]
    fn caller_headers_win_over_defaults() {
        let p = plan(
            "http://x.org/",
            Method::Get,
            &headers(&[("User-Agent", "me/1"), ("Accept", "text/csv")]),
            None,
            None,
            Format::Auto,
        )
        .unwrap();
        assert_eq!(p.header("user-agent"), Some("me/1"));
        assert_eq!(p.header("accept"), Some("text/csv"));
    }

    #[test]
    fn bad_urls_name_the_url_field() {
        for (url, needle) in [
            ("not a url", "is not a URL"),
            ("ftp://x.org/f", "unsupported scheme `ftp`"),
            ("https://user:pw@x.org/", "credentials"),
            ("/relative/path", "is not a URL"),
        ] {
            let e = plan(url, Method::Get, &headers(&[]), None, None, Format::Auto).unwrap_err();
            assert_eq!(e.code, "invalid_input");
            assert_eq!(pointer(&e), "/url");
            assert!(e.message.contains(needle), "{url}: {}", e.message);
        }
    }

    #[test]
    fn bad_headers_and_bodies_name_their_field() {
        let e = plan(
            "http://x.org/",
            Method::Get,
            &headers(&[("Host", "evil.org")]),
            None,
            None,
            Format::Auto,
        )
        .unwrap_err();
        assert_eq!(pointer(&e), "/headers/Host");
        let e = plan(
            "http://x.org/",
            Method::Get,
            &headers(&[("a/b c", "1")]),
            None,
            None,
            Format::Auto,
        )
        .unwrap_err();
        assert_eq!(pointer(&e), "/headers/a~1b c");
        let e = plan(
            "http://x.org/",
            Method::Get,
            &headers(&[("X", "a\r\nInjected: 1")]),
            None,
            None,
            Format::Auto,
        )
        .unwrap_err();
        assert!(e.message.contains("line breaks"), "{}", e.message);
        let e = plan(
            "http://x.org/",
            Method::Get,
            &headers(&[]),
            Some("x"),
            None,
            Format::Auto,
        )
        .unwrap_err();
        assert_eq!(pointer(&e), "/body");
        let e = plan(
            "http://x.org/",
            Method::Post,
            &headers(&[]),
            Some("x"),
            Some(&json!(1)),
            Format::Auto,
        )
        .unwrap_err();
        assert_eq!(pointer(&e), "/json");
    }
}
