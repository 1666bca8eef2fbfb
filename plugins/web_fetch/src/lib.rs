//! `web_fetch`: an HTTP request through the host's wasi:http, where the registry's network
//! grants are enforced (hosts, resolved addresses, every redirect hop, response size, time).
//! Returns the status, headers and the body as decoded text, parsed JSON, or readable text
//! extracted from HTML.
//!
//! Plain Rust, unit-tested natively: [`plan`] checks the input, [`redirect`] makes the next
//! hop, [`charset`] decodes, [`readable`] extracts, [`response`] shapes the output. Only
//! [`transport`] speaks wasi:http.

pub mod charset;
pub mod plan;
pub mod readable;
pub mod redirect;
pub mod response;
mod transport;

use std::collections::BTreeMap;
use toolhost_sdk::{Deserialize, JsonSchema, Output, Tool, ToolError, ToolInfo, Value, json};

use response::{Fetched, Hop};

/// The most redirects one call may follow.
pub const MAX_REDIRECTS: u8 = 20;

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn may_have_body(self) -> bool {
        !matches!(self, Method::Get | Method::Head)
    }
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON media types parsed, everything else decoded text (images returned as images).
    #[default]
    Auto,
    /// Decoded text, never parsed.
    Text,
    /// The body must be JSON; anything else is an error.
    Json,
    /// HTML reduced to readable text: title, headings, paragraphs, lists, links with
    /// absolute URLs.
    Readable,
}

impl Format {
    /// The `Accept` header sent unless the caller gives one.
    pub fn accept(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Readable => "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            Format::Auto | Format::Text => "*/*",
        }
    }
}

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Absolute http:// or https:// URL. Only hosts granted to this tool in the registry
    /// can be reached.
    pub url: String,
    /// HTTP method.
    #[serde(default)]
    pub method: Method,
    /// Request headers by name (e.g. `Authorization`, `Accept`). `User-Agent` and
    /// `Accept` have defaults; `Host`, `Content-Length` and hop-by-hop headers are set by
    /// the HTTP layer.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Request body as text (sent as UTF-8). For POST, PUT, PATCH, DELETE.
    #[serde(default)]
    pub body: Option<String>,
    /// Request body as JSON, sent with `Content-Type: application/json` unless given.
    #[serde(default)]
    pub json: Option<Value>,
    /// How to return the body: `auto` (default), `text`, `json` or `readable`.
    #[serde(default)]
    pub format: Format,
    /// Redirects to follow (each hop is checked by the host again); 0 returns the redirect
    /// response itself. Default 10.
    #[serde(default = "default_max_redirects")]
    #[schemars(range(max = 20))]
    pub max_redirects: u8,
}

fn default_max_redirects() -> u8 {
    10
}

pub struct WebFetch;

impl Tool for WebFetch {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "web_fetch",
            env!("CARGO_PKG_VERSION"),
            "Fetch a URL over HTTP(S): GET, HEAD, POST, PUT, PATCH or DELETE with headers and \
             a text or JSON body. Returns the status, headers and body: decoded text (charset \
             from the header, a BOM or the HTML <meta>), parsed JSON for JSON types, or with \
             format `readable` the text of an HTML page (title, headings, paragraphs, lists, \
             links with absolute URLs). Follows redirects. Only hosts granted to the tool in \
             the registry are reachable; the host also refuses loopback and private addresses \
             and caps response size and time.",
        )
        .example(
            "Read an article as text",
            json!({ "url": "https://en.wikipedia.org/wiki/WebAssembly", "format": "readable" }),
        )
        .example(
            "Query a JSON API",
            json!({ "url": "https://pypi.org/pypi/numpy/json", "headers": { "Accept": "application/json" } }),
        )
        .example(
            "POST a form (to a granted host: the Wikipedia API)",
            json!({
                "url": "https://en.wikipedia.org/w/api.php",
                "method": "POST",
                "headers": { "Content-Type": "application/x-www-form-urlencoded" },
                "body": "action=query&meta=siteinfo&format=json"
            }),
        )
    }

    fn output_schema() -> Option<Value> {
        serde_json::to_value(schemars::schema_for!(Fetched)).ok()
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        if input.max_redirects > MAX_REDIRECTS {
            return Err(ToolError::invalid_input(format!(
                "/max_redirects: at most {MAX_REDIRECTS}, not {}",
                input.max_redirects
            ))
            .at("/max_redirects"));
        }
        let mut request = plan::plan(
            &input.url,
            input.method,
            &input.headers,
            input.body.as_deref(),
            input.json.as_ref(),
            input.format,
        )?;
        let mut hops: Vec<Hop> = Vec::new();
        loop {
            let response = transport::send(&request)?;
            let status = response.status;
            if input.max_redirects == 0 || !redirect::is_redirect(status) {
                let head = request.method == Method::Head;
                return response::shape(response, &request.url, hops, input.format, head);
            }
            hops.push(Hop {
                url: request.url.to_string(),
                status,
            });
            if hops.len() > usize::from(input.max_redirects) {
                let chain: Vec<String> = hops
                    .iter()
                    .map(|h| format!("{} ({})", h.url, h.status))
                    .collect();
                return Err(ToolError::new(
                    "too_many_redirects",
                    format!(
                        "more than {} redirects (max_redirects): {}",
                        input.max_redirects,
                        chain.join(" -> ")
                    ),
                )
                .with_details(json!({ "redirects": hops })));
            }
            let location = response.header("location");
            toolhost_sdk::log(
                toolhost_sdk::LogLevel::Debug,
                &format!(
                    "{status} from {}: following to {}",
                    request.url,
                    location.as_deref().unwrap_or("?")
                ),
            );
            request = redirect::next_request(&request, status, location.as_deref())?;
        }
    }
}

toolhost_sdk::export_tool!(WebFetch);

#[cfg(test)]
mod tests {
    use super::*;
    use toolhost_sdk::testing;

    #[test]
    fn the_schema_has_the_methods_formats_and_refuses_unknown_fields() {
        let schema = testing::input_schema::<WebFetch>();
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(schema["required"], json!(["url"]));
        let text = schema.to_string();
        for word in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "readable"] {
            assert!(text.contains(word), "{word} missing from {text}");
        }
    }

    #[test]
    fn input_problems_are_reported_before_any_request() {
        let e = testing::call::<WebFetch>(json!({ "url": "ftp://x.org/" })).unwrap_err();
        assert_eq!(e.details.unwrap()["pointer"], "/url");
        let e = testing::call::<WebFetch>(json!({ "url": "https://x.org/", "max_redirects": 50 }))
            .unwrap_err();
        assert_eq!(e.details.unwrap()["pointer"], "/max_redirects");
    }

    #[test]
    fn natively_there_is_no_network() {
        let e = testing::call::<WebFetch>(json!({ "url": "https://x.org/" })).unwrap_err();
        assert_eq!(e.code, "request_failed");
    }
}
