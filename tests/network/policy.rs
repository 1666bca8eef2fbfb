//! The host's network policy, proven against real servers: deny by default, every
//! redirect hop checked, names never reaching private addresses, response size and time
//! capped, and none of it undone by a tool that swallows the error it was given.

use serde_json::json;
use std::time::{Duration, Instant};
use toolhost::{Dispatcher, ErrorCode};

use crate::common::{TestRegistry, fixture};
use crate::server::{Reply, TestServer};

/// A registry with `web_fetch` and the hostile HTTP fixture, both with `limits` and the
/// network grants `network`.
fn registry(limits: &str, network: &[String]) -> TestRegistry {
    let grants = if network.is_empty() {
        "{}".to_owned()
    } else {
        format!("{{network: [{}]}}", quoted(network))
    };
    TestRegistry::new(&format!(
        "tools:\n\
         \x20 - name: web_fetch\n    component: builtin:web_fetch\n    limits: {limits}\n    grants: {grants}\n\
         \x20 - name: hostile-http\n    component: '{}'\n    limits: {limits}\n    grants: {grants}\n",
        fixture("hostile-http").display()
    ))
}

fn quoted(rules: &[String]) -> String {
    rules
        .iter()
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn fetch(d: &Dispatcher, url: &str) -> Result<toolhost::ToolOutput, toolhost::ToolError> {
    d.call("web_fetch", json!({ "url": url })).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_importing_wasi_http_without_a_network_grant_is_refused_and_reaches_nothing() {
    let server = TestServer::start(|_| Reply::ok("text/plain", "secret")).await;
    let d = registry("{}", &[]).dispatcher();
    for (tool, args) in [
        ("web_fetch", json!({ "url": server.url("/") })),
        (
            "hostile-http",
            json!({ "action": "fetch", "url": server.url("/"), "swallow": true }),
        ),
    ] {
        let err = d.call(tool, args).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Denied, "{err}");
        assert!(
            err.message
                .contains(&format!("tool `{tool}` imports wasi:http/"))
                && err.message.contains("grants no network hosts")
                && err.message.contains("grants.network"),
            "{}",
            err.message
        );
    }
    assert_eq!(server.connections(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_not_granted_is_denied_and_no_request_reaches_any_server() {
    let granted = TestServer::start(|_| Reply::ok("text/plain", "fine")).await;
    let other = TestServer::start(|_| Reply::ok("text/plain", "leaked")).await;
    let d = registry("{}", &[granted.grant()]).dispatcher();

    let err = fetch(&d, &other.url("/x")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Denied, "{err}");
    assert!(
        err.message.contains(&format!("http://{}", other.addr))
            && err.message.contains(&format!(
                "the rule `{}` allows only port {}, not {}",
                granted.grant(),
                granted.addr.port(),
                other.addr.port()
            )),
        "{}",
        err.message
    );

    let err = fetch(&d, "http://example.com/").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Denied, "{err}");
    assert!(
        err.message.contains("no rule matches `example.com`")
            && err
                .message
                .contains(&format!("granted: {}", granted.grant())),
        "{}",
        err.message
    );
    assert_eq!(
        err.details.as_ref().unwrap()["granted"],
        json!([granted.grant()])
    );

    assert_eq!(other.connections(), 0, "the denied server was reached");
    assert_eq!(granted.connections(), 0);
    // The grant itself works.
    let out = fetch(&d, &granted.url("/ok")).await.unwrap();
    assert_eq!(out.first_json().unwrap()["text"], "fine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_a_denied_host_is_refused_and_the_denied_server_sees_nothing() {
    let denied = TestServer::start(|_| Reply::ok("text/plain", "leaked")).await;
    let target = denied.url("/steal");
    let granted = TestServer::start(move |_| Reply::redirect(302, &target)).await;
    let d = registry("{}", &[granted.grant()]).dispatcher();
    let err = fetch(&d, &granted.url("/start")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Denied, "{err}");
    assert!(
        err.message
            .contains(&format!("network access to http://{} denied", denied.addr)),
        "{}",
        err.message
    );
    assert_eq!(granted.connections(), 1);
    assert_eq!(denied.connections(), 0, "the redirect target was reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_within_the_grant_are_followed_up_to_the_hop_limit() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/old" => Reply::redirect(301, "/new"),
        "/new" => Reply::ok("text/plain", "arrived"),
        _ => Reply::redirect(302, "/loop"),
    })
    .await;
    let d = registry("{}", &[server.grant()]).dispatcher();
    let out = fetch(&d, &server.url("/old")).await.unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(
        (j["url"].as_str(), &j["text"]),
        (Some(server.url("/new").as_str()), &json!("arrived"))
    );
    assert_eq!(
        j["redirects"],
        json!([{ "url": server.url("/old"), "status": 301 }])
    );

    let before = server.connections();
    let err = d
        .call(
            "web_fetch",
            json!({ "url": server.url("/loop"), "max_redirects": 3 }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolError, "{err}");
    assert_eq!(
        err.details.as_ref().unwrap()["tool_code"],
        "too_many_redirects"
    );
    assert_eq!(
        server.connections() - before,
        4,
        "the first request and 3 redirects"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_granted_name_resolving_to_loopback_is_denied_without_an_ip_literal_grant() {
    let server = TestServer::start(|_| Reply::ok("text/plain", "private")).await;
    let port = server.addr.port();
    let d = registry("{}", &[format!("http://localhost:{port}")]).dispatcher();
    let err = fetch(&d, &format!("http://localhost:{port}/"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Denied, "{err}");
    assert!(
        err.message.contains("`localhost` resolves to")
            && err.message.contains("a loopback address")
            && err.message.contains("a name (here by the rule")
            && err.message.contains("grant the IP literal"),
        "{}",
        err.message
    );
    assert_eq!(server.connections(), 0, "the loopback server was reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_response_is_cut_off_with_output_too_large_even_if_swallowed() {
    let server = TestServer::start(|_| Reply::ok("text/plain", vec![b'x'; 1 << 20])).await;
    let d = registry("{max_response_bytes: 65536}", &[server.grant()]).dispatcher();
    let err = fetch(&d, &server.url("/big")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::OutputTooLarge, "{err}");
    assert!(
        err.message.contains("more than 65536 bytes")
            && err.message.contains("max_response_bytes")
            && err.message.contains(&server.url("/big")),
        "{}",
        err.message
    );
    let err = d
        .call(
            "hostile-http",
            json!({ "action": "fetch", "url": server.url("/big"), "swallow": true }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::OutputTooLarge, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_the_tool_swallows_still_fails_the_call_as_denied() {
    let granted = TestServer::start(|_| Reply::ok("text/plain", "fine")).await;
    let other = TestServer::start(|_| Reply::ok("text/plain", "leaked")).await;
    let d = registry("{}", &[granted.grant()]).dispatcher();
    let err = d
        .call(
            "hostile-http",
            json!({ "action": "fetch", "url": other.url("/"), "swallow": true }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Denied, "{err}");
    assert_eq!(err.tool.as_deref(), Some("hostile-http"));
    assert_eq!(other.connections(), 0);
    let ok = d
        .call(
            "hostile-http",
            json!({ "action": "fetch", "url": granted.url("/"), "swallow": true }),
        )
        .await
        .unwrap();
    assert_eq!(
        ok.first_json().unwrap(),
        &json!({ "status": 200, "bytes": 4 })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_grant_does_not_open_raw_sockets() {
    let server = TestServer::start(|_| Reply::ok("text/plain", "x")).await;
    let d = registry("{}", &[server.grant()]).dispatcher();
    let err = d
        .call(
            "hostile-http",
            json!({ "action": "connect", "address": server.addr.to_string() }),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ToolError, "{err}");
    assert_eq!(err.details.as_ref().unwrap()["tool_code"], "io_failed");
    assert_eq!(server.connections(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_hits_the_time_cap() {
    let server = TestServer::start(|_| Reply::Hang).await;
    let d = registry("{timeout_ms: 1000}", &[server.grant()]).dispatcher();
    d.describe("web_fetch").await.unwrap(); // loaded: only the call is timed
    let started = Instant::now();
    let err = fetch(&d, &server.url("/slow")).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.code, ErrorCode::Timeout, "{err}");
    assert!(
        elapsed >= Duration::from_millis(1000) && elapsed < Duration::from_millis(2500),
        "stopped after {elapsed:?}"
    );
    assert_eq!(server.received().len(), 1, "the request was sent");
}
