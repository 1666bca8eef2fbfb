//! The Protected Resource Metadata document (RFC 9728) at
//! `/.well-known/oauth-protected-resource`: which resource this server is, the issuer
//! whose tokens it takes, the scopes it understands. A 401 points at it in its
//! `WWW-Authenticate: Bearer resource_metadata="…"`, which is how an MCP client finds
//! where to get a token.

use axum::http::{HeaderMap, header};
use serde_json::{Value, json};

pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

#[derive(Debug, Clone)]
pub struct ResourceMetadata {
    /// This server's resource identifier: the JWT audience when OAuth is configured.
    /// Without one, it is `SCHEME://HOST/mcp` from the request's Host header, the scheme
    /// `https` when a TLS-terminating proxy says so (`X-Forwarded-Proto` or `Forwarded`).
    pub resource: Option<String>,
    /// The issuers whose access tokens are accepted.
    pub authorization_servers: Vec<String>,
    /// `tools:*` and `tools:NAME` for every tool offered.
    pub scopes_supported: Vec<String>,
}

impl ResourceMetadata {
    pub fn resource(&self, headers: &HeaderMap) -> String {
        match &self.resource {
            Some(resource) => resource.clone(),
            None => format!("{}/mcp", origin(headers)),
        }
    }

    /// Where the document is for this resource: the well-known path inserted between the
    /// resource's origin and its path (RFC 9728 §3.1).
    pub fn url(&self, headers: &HeaderMap) -> String {
        let resource = self.resource(headers);
        match reqwest::Url::parse(&resource) {
            Ok(url) if url.has_host() => {
                let path = url.path().trim_end_matches('/');
                format!(
                    "{}{WELL_KNOWN_PATH}{path}",
                    url.origin().ascii_serialization()
                )
            }
            // An audience that is not a URL (a client id): the document is on this host.
            _ => format!("{}{WELL_KNOWN_PATH}", origin(headers)),
        }
    }

    pub fn document(&self, headers: &HeaderMap) -> Value {
        let mut doc = json!({
            "resource": self.resource(headers),
            "bearer_methods_supported": ["header"],
            "resource_name": "toolhost",
        });
        if !self.authorization_servers.is_empty() {
            doc["authorization_servers"] = json!(self.authorization_servers);
            doc["scopes_supported"] = json!(self.scopes_supported);
        }
        doc
    }
}

/// `scheme://host` as the client reached us: behind a proxy that ends TLS the request
/// arrives as plain HTTP, and a metadata URL saying `http://` would send the client's
/// token in the clear (or nowhere). Only `http` and `https` are taken from the proxy.
fn origin(headers: &HeaderMap) -> String {
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .or_else(|| {
            headers
                .get(header::FORWARDED)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|first| {
                    first.split(';').find_map(|pair| {
                        let (key, value) = pair.trim().split_once('=')?;
                        key.eq_ignore_ascii_case("proto").then_some(value)
                    })
                })
        })
        .map(|p| p.trim().trim_matches('"').to_ascii_lowercase());
    let scheme = match forwarded.as_deref() {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{}", host(headers))
}

/// The request's Host, if it is a plain host[:port]; else `localhost` (it is echoed into
/// a header and a document, so nothing else may pass).
fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_url_inserts_the_well_known_path_before_the_resource_path() {
        let meta = ResourceMetadata {
            resource: Some("https://tools.example.com/mcp".into()),
            authorization_servers: vec!["https://id.example.com".into()],
            scopes_supported: vec!["tools:*".into()],
        };
        let headers = HeaderMap::new();
        assert_eq!(
            meta.url(&headers),
            "https://tools.example.com/.well-known/oauth-protected-resource/mcp"
        );
        let doc = meta.document(&headers);
        assert_eq!(doc["resource"], "https://tools.example.com/mcp");
        assert_eq!(doc["authorization_servers"][0], "https://id.example.com");
    }

    #[test]
    fn without_a_configured_resource_the_host_header_is_used_only_if_plain() {
        let meta = ResourceMetadata {
            resource: None,
            authorization_servers: vec![],
            scopes_supported: vec![],
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "10.0.0.5:8765".parse().unwrap());
        assert_eq!(
            meta.url(&headers),
            "http://10.0.0.5:8765/.well-known/oauth-protected-resource/mcp"
        );
        headers.insert(header::HOST, "evil\"x".parse().unwrap());
        assert!(meta.url(&headers).starts_with("http://localhost/"));
    }

    #[test]
    fn behind_a_proxy_that_ends_tls_the_urls_say_https() {
        let meta = ResourceMetadata {
            resource: None,
            authorization_servers: vec![],
            scopes_supported: vec![],
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "tools.example.com".parse().unwrap());
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(meta.resource(&headers), "https://tools.example.com/mcp");
        assert_eq!(
            meta.url(&headers),
            "https://tools.example.com/.well-known/oauth-protected-resource/mcp"
        );
        headers.remove("x-forwarded-proto");
        headers.insert(
            header::FORWARDED,
            "for=192.0.2.60;proto=https;by=203.0.113.43"
                .parse()
                .unwrap(),
        );
        assert_eq!(meta.resource(&headers), "https://tools.example.com/mcp");
        // Anything but http or https from a proxy is ignored.
        headers.insert(header::FORWARDED, "proto=javascript".parse().unwrap());
        assert_eq!(meta.resource(&headers), "http://tools.example.com/mcp");
    }
}
