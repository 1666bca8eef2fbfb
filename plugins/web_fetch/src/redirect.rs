//! Following a redirect: the next request, as browsers and RFC 9110 make it. Each hop is a
//! new request through the host, so the host checks every destination again.

use toolhost_sdk::ToolError;

use crate::Method;
use crate::plan::{RequestPlan, parse_url};

/// Headers that carry credentials: never sent on to another origin.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "cookie", "proxy-authorization"];

/// Whether `status` is a redirect this tool follows.
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The request that follows a redirect response to `current`.
pub fn next_request(
    current: &RequestPlan,
    status: u16,
    location: Option<&str>,
) -> Result<RequestPlan, ToolError> {
    let location = location.ok_or_else(|| {
        ToolError::new(
            "bad_redirect",
            format!(
                "{} answered {status} (a redirect) without a Location header",
                current.url
            ),
        )
    })?;
    let target = current.url.join(location.trim()).map_err(|e| {
        ToolError::new(
            "bad_redirect",
            format!(
                "{} redirected to `{location}`, which is not a URL: {e}",
                current.url
            ),
        )
    })?;
    let target = parse_url(target.as_str(), "/url").map_err(|e| {
        ToolError::new(
            "bad_redirect",
            format!("{} redirected to {target}: {}", current.url, e.message),
        )
    })?;
    let mut next = current.clone();
    // 303 always, and 301/302 after a POST (what every browser does), turn into a GET
    // without the body; 307 and 308 repeat the request as it was.
    let to_get = status == 303 && current.method != Method::Head
        || matches!(status, 301 | 302) && current.method == Method::Post;
    if to_get {
        next.method = Method::Get;
        next.body = None;
        for name in ["content-type", "content-encoding", "content-language"] {
            next.remove_header(name);
        }
    }
    if target.origin() != current.url.origin() {
        for name in CREDENTIAL_HEADERS {
            next.remove_header(name);
        }
    }
    next.url = target;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, url: &str, headers: &[(&str, &str)], body: bool) -> RequestPlan {
        RequestPlan {
            method,
            url: url.parse().unwrap(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.then(|| b"data".to_vec()),
        }
    }

    #[test]
    fn relative_locations_resolve_against_the_current_url() {
        let r = request(Method::Get, "https://a.org/dir/page?x=1", &[], false);
        let next = next_request(&r, 301, Some("other")).unwrap();
        assert_eq!(next.url.as_str(), "https://a.org/dir/other");
        let next = next_request(&r, 302, Some("//b.org/root")).unwrap();
        assert_eq!(next.url.as_str(), "https://b.org/root");
    }

    #[test]
    fn see_other_and_post_redirects_become_get_without_a_body() {
        let post = request(
            Method::Post,
            "https://a.org/form",
            &[("content-type", "text/plain"), ("x-keep", "1")],
            true,
        );
        for status in [301, 302, 303] {
            let next = next_request(&post, status, Some("/done")).unwrap();
            assert_eq!(next.method, Method::Get, "{status}");
            assert_eq!(next.body, None);
            assert_eq!(next.header("content-type"), None);
            assert_eq!(next.header("x-keep"), Some("1"));
        }
        for status in [307, 308] {
            let next = next_request(&post, status, Some("/again")).unwrap();
            assert_eq!(next.method, Method::Post, "{status}");
            assert_eq!(next.body.as_deref(), Some(&b"data"[..]));
        }
        let put = request(Method::Put, "https://a.org/x", &[], true);
        assert_eq!(
            next_request(&put, 302, Some("/y")).unwrap().method,
            Method::Put
        );
    }

    #[test]
    fn credentials_do_not_follow_to_another_origin() {
        let r = request(
            Method::Get,
            "https://a.org/",
            &[
                ("authorization", "Bearer s3cret"),
                ("cookie", "id=1"),
                ("accept", "*/*"),
            ],
            false,
        );
        let same = next_request(&r, 302, Some("/elsewhere")).unwrap();
        assert_eq!(same.header("authorization"), Some("Bearer s3cret"));
        for other in ["https://b.org/", "http://a.org/", "https://a.org:8443/"] {
            let next = next_request(&r, 302, Some(other)).unwrap();
            assert_eq!(next.header("authorization"), None, "{other}");
            assert_eq!(next.header("cookie"), None, "{other}");
            assert_eq!(next.header("accept"), Some("*/*"));
        }
    }

    #[test]
    fn a_redirect_without_a_usable_location_is_an_error() {
        let r = request(Method::Get, "https://a.org/", &[], false);
        assert!(
            next_request(&r, 302, None)
                .unwrap_err()
                .message
                .contains("without a Location")
        );
        let e = next_request(&r, 302, Some("ftp://a.org/file")).unwrap_err();
        assert_eq!(e.code, "bad_redirect");
        assert!(e.message.contains("unsupported scheme"), "{}", e.message);
        assert!(is_redirect(308) && !is_redirect(304) && !is_redirect(300));
    }
}
