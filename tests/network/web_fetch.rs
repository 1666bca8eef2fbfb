//! What `web_fetch` does for a user once the host lets a request through: methods,
//! headers, bodies, JSON, readable HTML, character sets.

use serde_json::json;
use toolhost::{Content, Dispatcher};

use crate::common::TestRegistry;
use crate::server::{Received, Reply, TestServer};

fn dispatcher(server: &TestServer) -> (TestRegistry, Dispatcher) {
    let reg = TestRegistry::new(&format!(
        "tools:\n  - name: web_fetch\n    component: builtin:web_fetch\n    grants: {{network: ['{}']}}\n",
        server.grant()
    ));
    let d = reg.dispatcher();
    (reg, d)
}

/// Answers with what it received, as JSON.
fn echo(r: &Received) -> Reply {
    let body = json!({
        "method": r.method,
        "path": r.path,
        "content_type": r.header("content-type"),
        "body": String::from_utf8_lossy(&r.body),
    });
    Reply::Full {
        status: 201,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Served-By".into(), "test".into()),
        ],
        body: body.to_string().into_bytes(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_and_head_send_the_headers_and_return_status_headers_and_body() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/text" => Reply::Full {
            status: 404,
            headers: vec![
                ("Content-Type".into(), "text/plain; charset=utf-8".into()),
                ("X-Trace".into(), "abc".into()),
            ],
            body: "not here ✓".into(),
        },
        _ => echo(r),
    })
    .await;
    let (_reg, d) = dispatcher(&server);
    let out = d
        .call(
            "web_fetch",
            json!({ "url": server.url("/text"), "headers": { "X-Api-Key": "k-123", "Accept": "text/plain" } }),
        )
        .await
        .unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["status"], 404, "a 404 is a result, not an error");
    assert_eq!(j["reason"], "Not Found");
    assert_eq!(j["headers"]["x-trace"], "abc");
    assert_eq!(j["text"], "not here ✓");
    assert_eq!(j["encoding"], "UTF-8");
    let text = out.first_text().unwrap();
    assert!(
        text.starts_with("HTTP 404 Not Found") && text.ends_with("not here ✓"),
        "{text}"
    );
    let sent = &server.received()[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(sent.header("x-api-key"), Some("k-123"));
    assert_eq!(sent.header("accept"), Some("text/plain"));
    assert!(
        sent.header("user-agent")
            .unwrap()
            .starts_with("toolhost-web_fetch/")
    );
    assert_eq!(sent.header("host"), Some(server.addr.to_string().as_str()));

    let out = d
        .call(
            "web_fetch",
            json!({ "url": server.url("/text"), "method": "HEAD" }),
        )
        .await
        .unwrap();
    let j = out.first_json().unwrap();
    assert_eq!((j["status"].as_u64(), j.get("text")), (Some(404), None));
    assert_eq!(server.received()[1].method, "HEAD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_and_put_send_their_bodies_and_json_replies_are_parsed() {
    let server = TestServer::start(echo).await;
    let (_reg, d) = dispatcher(&server);
    let out = d
        .call(
            "web_fetch",
            json!({ "url": server.url("/items?x=1"), "method": "POST", "json": { "name": "ada", "n": [1, 2] } }),
        )
        .await
        .unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["status"], 201);
    assert_eq!(j["headers"]["x-served-by"], "test");
    assert_eq!(
        j["json"],
        json!({
            "method": "POST",
            "path": "/items?x=1",
            "content_type": "application/json",
            "body": r#"{"n":[1,2],"name":"ada"}"#,
        })
    );
    let out = d
        .call(
            "web_fetch",
            json!({
                "url": server.url("/doc"), "method": "PUT", "body": "plain text ü",
                "headers": { "Content-Type": "text/plain; charset=utf-8" }
            }),
        )
        .await
        .unwrap();
    let j = &out.first_json().unwrap()["json"];
    assert_eq!(
        (&j["method"], &j["body"], &j["content_type"]),
        (
            &json!("PUT"),
            &json!("plain text ü"),
            &json!("text/plain; charset=utf-8")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_is_made_readable_with_absolute_links_and_legacy_charsets_are_decoded() {
    let server = TestServer::start(|r| match r.path.as_str() {
        // windows-1252, declared only in the page's <meta>.
        "/docs/page.html" => Reply::ok(
            "text/html",
            &b"<!doctype html><html><head><meta charset=\"windows-1252\">\
               <title>Caf\xe9 guide</title><script>var x = 1;</script></head><body>\
               <h1>Men\xfc</h1><p>Cr\xe8me br\xfbl\xe9e \x80 5, see <a href=\"next.html\">the next page</a>.</p>\
               <ul><li>one</li><li>two</li></ul></body></html>"[..],
        ),
        // Shift_JIS, declared in the Content-Type header.
        _ => Reply::ok("text/plain; charset=Shift_JIS", &b"\x93\xfa\x96\x7b\x8c\xea"[..]),
    })
    .await;
    let (_reg, d) = dispatcher(&server);
    let out = d
        .call(
            "web_fetch",
            json!({ "url": server.url("/docs/page.html"), "format": "readable" }),
        )
        .await
        .unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["encoding"], "windows-1252");
    assert_eq!(j["encoding_source"], "meta_tag");
    let r = &j["readable"];
    assert_eq!(r["title"], "Café guide");
    let next = server.url("/docs/next.html");
    assert_eq!(
        r["text"],
        format!("# Menü\n\nCrème brûlée € 5, see [the next page]({next}).\n\n- one\n- two")
    );
    assert_eq!(r["headings"], json!([{ "level": 1, "text": "Menü" }]));
    assert_eq!(
        r["links"],
        json!([{ "text": "the next page", "url": next }])
    );
    assert!(out.first_text().unwrap().contains("Title: Café guide"));

    let out = d
        .call("web_fetch", json!({ "url": server.url("/sjis") }))
        .await
        .unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(
        (&j["text"], &j["encoding"]),
        (&json!("日本語"), &json!("Shift_JIS"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_come_back_as_images() {
    let png: Vec<u8> = vec![137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 0];
    let body = png.clone();
    let server = TestServer::start(move |_| Reply::ok("image/png", body.clone())).await;
    let (_reg, d) = dispatcher(&server);
    let out = d
        .call("web_fetch", json!({ "url": server.url("/logo.png") }))
        .await
        .unwrap();
    assert!(out.content.iter().any(
        |c| matches!(c, Content::Image { mime_type, data } if mime_type == "image/png" && *data == png)
    ));
    assert_eq!(out.first_json().unwrap()["bytes"], 12);
}
