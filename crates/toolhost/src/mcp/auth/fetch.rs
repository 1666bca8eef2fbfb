//! Reading the issuer's documents (its metadata and its key set) over HTTPS, bounded in
//! time and size. Plain http is accepted for a loopback issuer only (a test, or an issuer
//! on the same machine): elsewhere anyone on the path could swap the keys.

use std::time::Duration;

use serde::de::DeserializeOwned;

/// An issuer document larger than this is refused (key sets are a few KiB).
const MAX_DOCUMENT_BYTES: usize = 1 << 20;
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {message}")]
    Url { url: String, message: String },
    #[error("{url}: the request failed: {source}")]
    Request {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: {message}")]
    Invalid { url: String, message: String },
}

/// The client for issuer documents: no redirects (a document must come from where the
/// configuration says).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client with default TLS")
}

/// `Err` unless `url` is https, or http to a loopback host.
pub fn check_url(url: &str) -> Result<reqwest::Url, FetchError> {
    let bad = |message: String| FetchError::Url {
        url: url.to_owned(),
        message,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(format!("not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(bad(
            "must be https (plain http is accepted for a loopback host only)".into(),
        )),
        other => Err(bad(format!("must be https, not {other}"))),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub async fn get_json<T: DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
) -> Result<T, FetchError> {
    let parsed = check_url(url)?;
    let request_failed = |source| FetchError::Request {
        url: url.to_owned(),
        source,
    };
    let mut response = client
        .get(parsed)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(request_failed)?;
    if !response.status().is_success() {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status: response.status().as_u16(),
        });
    }
    let too_large = || FetchError::Invalid {
        url: url.to_owned(),
        message: format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes"),
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(request_failed)? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| FetchError::Invalid {
        url: url.to_owned(),
        message: format!("not the expected JSON document: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_urls_must_be_https_unless_loopback() {
        assert!(check_url("https://id.example.com/").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        assert!(check_url("http://localhost/").is_ok());
        assert!(check_url("http://[::1]:80/").is_ok());
        let e = check_url("http://id.example.com/").unwrap_err().to_string();
        assert!(e.contains("must be https"), "{e}");
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("not a url").is_err());
    }
}
