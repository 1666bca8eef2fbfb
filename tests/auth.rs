//! Who may call what over HTTP: static bearer tokens, OAuth access tokens (JWTs checked
//! against a JWKS served here on 127.0.0.1), per-caller tool scopes, and the rule that a
//! server reachable from other machines does not run open. Everything binds loopback only.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::mcp_client::{call, names, text_of};
use common::{TestRegistry, installed, shared_cache_dir};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::AsyncBufReadExt;

const AUDIENCE: &str = "https://tools.test/mcp";
const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

fn registry() -> TestRegistry {
    TestRegistry::new(
        "builtins: none\ntools:\n  - name: calc\n    component: builtin:calc\n  - name: echo\n    component: builtin:echo\n",
    )
}

fn toolhost(reg: &TestRegistry, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_toolhost"));
    cmd.arg("--registry")
        .arg(&reg.path)
        .args(args)
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .kill_on_drop(true);
    cmd
}

/// A running `toolhost mcp --http 127.0.0.1:0 …` and everything it wrote on stderr.
struct Server {
    _child: tokio::process::Child,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    async fn start(reg: &TestRegistry, extra: &[&str]) -> Server {
        let mut args = vec!["mcp", "--http", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = toolhost(reg, &args)
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let seen = stderr.clone();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                seen.lock().unwrap().push_str(&format!("{line}\n"));
                if let Some(i) = line.find("MCP over Streamable HTTP at ") {
                    return line[i + "MCP over Streamable HTTP at ".len()..].to_owned();
                }
            }
            panic!(
                "the server exited without serving:\n{}",
                seen.lock().unwrap()
            );
        })
        .await
        .expect("the server's address");
        let seen = stderr.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                seen.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        Server {
            _child: child,
            url,
            stderr,
        }
    }

    fn base(&self) -> String {
        self.url.trim_end_matches("/mcp").to_owned()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// POST an initialize request with `token` (none: no Authorization header).
    async fn initialize(&self, token: Option<&str>) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(INIT);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    async fn status(&self, token: &str) -> u16 {
        self.initialize(Some(token)).await.status().as_u16()
    }

    /// The `WWW-Authenticate` of a refused token.
    async fn challenge(&self, token: Option<&str>) -> String {
        let response = self.initialize(token).await;
        assert!(
            response.status() == 401 || response.status() == 403,
            "{}",
            response.status()
        );
        response
            .headers()
            .get("www-authenticate")
            .expect("a refusal carries WWW-Authenticate")
            .to_str()
            .unwrap()
            .to_owned()
    }

    async fn client(&self, token: &str) -> Client {
        let config = StreamableHttpClientTransportConfig::with_uri(self.url.clone())
            .auth_header(token.to_owned());
        ().serve(StreamableHttpClientTransport::from_config(config))
            .await
            .expect("initialize with a bearer token")
    }
}

type Client = RunningService<RoleClient, ()>;

/// `toolhost token new NAME ARGS… --file FILE`: the token it printed.
async fn new_token(reg: &TestRegistry, file: &Path, name: &str, args: &[&str]) -> String {
    let mut all = vec!["token", "new", name, "--file", file.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = toolhost(reg, &all).output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_tokens_admit_only_their_callers_and_limit_their_tools() {
    let reg = registry();
    let file = reg.dir.path().join("tokens.yaml");
    let everything = new_token(&reg, &file, "laptop", &[]).await;
    let calc_only = new_token(&reg, &file, "calc-bot", &["--tools", "calc"]).await;
    let python = new_token(&reg, &file, "notebook", &["--tools", "calc,run_python"]).await;
    let kept = std::fs::read_to_string(&file).unwrap();
    for token in [&everything, &calc_only, &python] {
        assert!(token.starts_with("th_"), "{token}");
        assert!(!kept.contains(token.as_str()), "the file keeps hashes only");
    }
    let server = Server::start(&reg, &["--auth-tokens", file.to_str().unwrap()]).await;
    assert!(
        server
            .stderr()
            .contains("authentication: bearer tokens from"),
        "{}",
        server.stderr()
    );

    // No token, a wrong one, the right one.
    let challenge = server.challenge(None).await;
    let metadata_url = format!("{}/.well-known/oauth-protected-resource/mcp", server.base());
    assert!(
        challenge.starts_with("Bearer ")
            && challenge.contains(&format!("resource_metadata=\"{metadata_url}\"")),
        "{challenge}"
    );
    assert_eq!(server.initialize(None).await.status(), 401);
    assert_eq!(server.status("th_not-a-token").await, 401);
    assert!(
        server
            .challenge(Some("th_not-a-token"))
            .await
            .contains("error=\"invalid_token\"")
    );
    assert_eq!(server.status(&everything).await, 200);
    // The metadata document is public: it is how a client learns what to send.
    let doc: Value = reqwest::get(&metadata_url)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["resource"], server.url);

    // A token scoped to calc lists only calc and is denied echo, by name.
    let client = server.client(&calc_only).await;
    assert_eq!(names(&client).await, ["calc"]);
    let ok = client
        .call_tool(call("calc", json!({ "expr": "6*7" })))
        .await
        .unwrap();
    assert_eq!(ok.is_error, Some(false), "{}", text_of(&ok));
    let denied = client
        .call_tool(call("echo", json!({ "text": "hi" })))
        .await
        .unwrap();
    assert_eq!(denied.is_error, Some(true));
    let text = text_of(&denied);
    assert!(
        text.starts_with("[denied]") && text.contains("token:calc-bot may not call `echo`"),
        "{text}"
    );
    assert!(
        text.contains("`echo` in the `tools` of token `calc-bot`"),
        "{text}"
    );
    let python_denied = client
        .call_tool(call("run_python", json!({ "code": "1" })))
        .await
        .unwrap();
    assert!(text_of(&python_denied).starts_with("[denied]"));
    client.cancel().await.unwrap();

    // Python reaches only the caller's tools, and its description lists only them.
    let client = server.client(&python).await;
    assert_eq!(names(&client).await, ["calc", "run_python"]);
    let tools = client.list_all_tools().await.unwrap();
    let description = tools[1].description.as_deref().unwrap_or_default();
    assert!(
        description.contains("- calc(") && !description.contains("- echo("),
        "{description}"
    );
    let computed = client
        .call_tool(call(
            "run_python",
            json!({ "code": "calc(expr='6*7')['value']" }),
        ))
        .await
        .unwrap();
    assert!(text_of(&computed).contains("42"), "{}", text_of(&computed));
    let reached = client
        .call_tool(call(
            "run_python",
            json!({ "code": "TOOL('echo', {'text': 'hi'})" }),
        ))
        .await
        .unwrap();
    assert_eq!(reached.is_error, Some(true));
    assert!(
        text_of(&reached).contains("denied") && text_of(&reached).contains("`echo`"),
        "{}",
        text_of(&reached)
    );
    client.cancel().await.unwrap();

    let client = server.client(&everything).await;
    assert_eq!(names(&client).await, ["calc", "echo", "run_python"]);
    client.cancel().await.unwrap();

    // Logs name the caller, never the token.
    let logs = server.stderr();
    assert!(logs.contains("token:calc-bot"), "{logs}");
    for token in [&everything, &calc_only, &python] {
        assert!(
            !logs.contains(token.as_str()),
            "a token reached the log:\n{logs}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_belongs_to_the_caller_that_opened_it() {
    let reg = registry();
    let file = reg.dir.path().join("tokens.yaml");
    let alice = new_token(&reg, &file, "alice", &[]).await;
    let mallory = new_token(&reg, &file, "mallory", &["--tools", "calc"]).await;
    let server = Server::start(&reg, &["--auth-tokens", file.to_str().unwrap()]).await;
    let opened = server.initialize(Some(&alice)).await;
    assert_eq!(opened.status(), 200);
    let session = opened.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let list = |token: String| {
        let session = session.clone();
        let url = server.url.clone();
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-06-18")
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(list(mallory).await, 404);
    assert_eq!(list(alice).await, 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_runs_with_its_callers_permissions_not_more() {
    let reg = TestRegistry::new(
        "builtins: none\ntools:\n  - name: calc\n    component: builtin:calc\n  - name: echo\n    component: builtin:echo\nscripts:\n  - name: shout\n    file: shout.py\n    description: Echoes hi.\n",
    );
    std::fs::write(
        reg.dir.path().join("shout.py"),
        "TOOL('echo', {'text': 'hi'})\n",
    )
    .unwrap();
    let file = reg.dir.path().join("tokens.yaml");
    let limited = new_token(&reg, &file, "limited", &["--tools", "calc,script_shout"]).await;
    let everything = new_token(&reg, &file, "all", &[]).await;
    let server = Server::start(&reg, &["--auth-tokens", file.to_str().unwrap()]).await;

    let client = server.client(&limited).await;
    assert_eq!(names(&client).await, ["calc", "script_shout"]);
    let refused = client
        .call_tool(call("script_shout", json!({})))
        .await
        .unwrap();
    assert_eq!(refused.is_error, Some(true));
    let text = text_of(&refused);
    assert!(
        text.contains("[denied] token:limited may not call `echo`"),
        "{text}"
    );
    client.cancel().await.unwrap();

    let client = server.client(&everything).await;
    let ran = client
        .call_tool(call("script_shout", json!({})))
        .await
        .unwrap();
    assert_eq!(ran.is_error, Some(false), "{}", text_of(&ran));
    client.cancel().await.unwrap();
}

/// Starting refuses, or serves open with a warning; the process's exit code and stderr.
async fn run_to_exit(reg: &TestRegistry, args: &[&str]) -> (Option<i32>, String) {
    let out = tokio::time::timeout(Duration::from_secs(60), toolhost(reg, args).output())
        .await
        .expect("toolhost exits")
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_other_machines_can_reach_does_not_run_open() {
    let reg = registry();
    let (code, stderr) = run_to_exit(
        &reg,
        &["mcp", "--http", "0.0.0.0:0", "--allow-host", "tools.test"],
    )
    .await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("refusing to serve 0.0.0.0:0 without authentication")
            && stderr.contains("--no-auth"),
        "{stderr}"
    );
    // Over loopback --no-auth serves, and says it is open.
    let server = Server::start(&reg, &["--no-auth"]).await;
    assert!(
        server.stderr().contains("warning: --no-auth"),
        "{}",
        server.stderr()
    );
    assert_eq!(server.initialize(None).await.status(), 200);

    let file = reg.dir.path().join("tokens.yaml");
    new_token(&reg, &file, "ci", &[]).await;
    let (code, stderr) = run_to_exit(&reg, &["mcp", "--auth-tokens", file.to_str().unwrap()]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("apply to --http"), "{stderr}");
    let (code, _) = run_to_exit(
        &reg,
        &[
            "mcp",
            "--http",
            "127.0.0.1:0",
            "--no-auth",
            "--auth-tokens",
            "x",
        ],
    )
    .await;
    assert_eq!(code, Some(2));
    // A token file naming a tool the server does not offer stops it before it serves.
    std::fs::write(
        &file,
        format!(
            "tokens:\n  - name: x\n    sha256: {}\n    tools: [calk]\n",
            "ab".repeat(32)
        ),
    )
    .unwrap();
    let (code, stderr) = run_to_exit(
        &reg,
        &[
            "mcp",
            "--http",
            "127.0.0.1:0",
            "--auth-tokens",
            file.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("did you mean `calc`"), "{stderr}");
}

/// An issuer on 127.0.0.1: its metadata and a JWKS whose fetches it counts.
struct Issuer {
    url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
}

impl Issuer {
    async fn start() -> Issuer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let keys: Arc<Mutex<Vec<Value>>> = Arc::default();
        let fetches: Arc<AtomicUsize> = Arc::default();
        let metadata = json!({ "issuer": url, "jwks_uri": format!("{url}/jwks") });
        let (k, f) = (keys.clone(), fetches.clone());
        let app = axum::Router::new()
            .route(
                "/.well-known/oauth-authorization-server",
                axum::routing::get(move || async move { json_response(metadata) }),
            )
            .route(
                "/jwks",
                axum::routing::get(move || async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    json_response(json!({ "keys": k.lock().unwrap().clone() }))
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Issuer { url, keys, fetches }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

fn json_response(value: Value) -> ([(&'static str, &'static str); 1], String) {
    ([("content-type", "application/json")], value.to_string())
}

/// An EC P-256 signing key made for the test, and its public JWK.
struct SigningKey {
    kid: String,
    private: jsonwebtoken::EncodingKey,
    public: Vec<u8>,
}

impl SigningKey {
    fn new(kid: &str) -> SigningKey {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &aws_lc_rs::rand::SystemRandom::new(),
        )
        .unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        SigningKey {
            kid: kid.to_owned(),
            private: jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_ref()),
            public: pair.public_key().as_ref().to_vec(),
        }
    }

    fn jwk(&self) -> Value {
        // An uncompressed point: 0x04, x, y.
        json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(&self.public[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&self.public[33..65]),
        })
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_as(&self.kid, claims)
    }

    fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.private).unwrap()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn claims(issuer: &str, scope: &str) -> Value {
    json!({
        "iss": issuer, "aud": AUDIENCE, "sub": "alice@example.test", "scope": scope,
        "iat": now(), "exp": now() + 600,
    })
}

/// A JWT whose header and claims are given, with `signature` (base64url) as its third part.
fn forged(header: Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_access_tokens_are_checked_against_the_issuers_keys() {
    let issuer = Issuer::start().await;
    let key = SigningKey::new("k1");
    issuer.keys.lock().unwrap().push(key.jwk());
    let reg = registry();
    let server = Server::start(
        &reg,
        &["--auth-issuer", &issuer.url, "--auth-audience", AUDIENCE],
    )
    .await;
    assert_eq!(issuer.fetches(), 1, "the keys are fetched once at start");
    let iss = issuer.url.as_str();

    // Valid.
    let valid = key.sign(&claims(iss, "openid tools:*"));
    assert_eq!(server.status(&valid).await, 200);
    let client = server.client(&valid).await;
    assert_eq!(names(&client).await, ["calc", "echo", "run_python"]);
    client.cancel().await.unwrap();

    // Every other case is refused, and the challenge says why.
    let refused = |token: String, why: &'static str| {
        let server = &server;
        async move {
            let challenge = server.challenge(Some(&token)).await;
            assert!(
                challenge.contains("error=\"invalid_token\"") && challenge.contains(why),
                "{why}: {challenge}"
            );
        }
    };
    let mut expired = claims(iss, "tools:*");
    expired["exp"] = json!(now() - 3600);
    refused(key.sign(&expired), "expired").await;
    let mut early = claims(iss, "tools:*");
    early["nbf"] = json!(now() + 3600);
    refused(key.sign(&early), "not valid yet").await;
    let mut audience = claims(iss, "tools:*");
    audience["aud"] = json!("https://elsewhere.test/mcp");
    refused(key.sign(&audience), "audience").await;
    refused(key.sign(&claims("https://evil.test", "tools:*")), "issuer").await;
    let none = forged(
        json!({ "alg": "none", "typ": "JWT", "kid": "k1" }),
        &claims(iss, "tools:*"),
        "",
    );
    refused(none, "none").await;
    // Algorithm confusion: HS256 "signed" with the issuer's public key as the secret.
    let mut hs_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs_header.kid = Some("k1".into());
    for secret in [key.public.clone(), key.jwk().to_string().into_bytes()] {
        let confused = jsonwebtoken::encode(
            &hs_header,
            &claims(iss, "tools:*"),
            &jsonwebtoken::EncodingKey::from_secret(&secret).unwrap(),
        )
        .unwrap();
        refused(confused, "HS256").await;
    }
    let other_key = SigningKey::new("k1");
    refused(other_key.sign(&claims(iss, "tools:*")), "signature").await;
    assert_eq!(
        issuer.fetches(),
        1,
        "no refusal above fetched the keys again"
    );

    // A scope that limits the tools.
    let scoped = key.sign(&claims(iss, "openid tools:calc"));
    let client = server.client(&scoped).await;
    assert_eq!(names(&client).await, ["calc"]);
    let denied = client
        .call_tool(call("echo", json!({ "text": "hi" })))
        .await
        .unwrap();
    assert!(
        text_of(&denied).starts_with("[denied]")
            && text_of(&denied).contains("jwt:alice@example.test may not call `echo`")
            && text_of(&denied).contains("scope `tools:echo`"),
        "{}",
        text_of(&denied)
    );
    client.cancel().await.unwrap();
    // A token that grants no tool is refused at the door.
    let challenge = server
        .challenge(Some(&key.sign(&claims(iss, "openid profile"))))
        .await;
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );

    // The issuer rotates its keys: an unknown kid causes one refresh.
    let rotated = SigningKey::new("k2");
    issuer.keys.lock().unwrap().push(rotated.jwk());
    let fresh = rotated.sign(&claims(iss, "tools:*"));
    assert_eq!(server.status(&fresh).await, 200);
    assert_eq!(server.status(&fresh).await, 200);
    assert_eq!(issuer.fetches(), 2, "one refresh for the new kid");
    // A stream of made-up kids does not make the server hammer the issuer.
    for kid in ["k3", "k4", "k5"] {
        let unknown = rotated.sign_as(kid, &claims(iss, "tools:*"));
        let challenge = server.challenge(Some(&unknown)).await;
        assert!(challenge.contains("does not publish"), "{challenge}");
    }
    assert_eq!(
        issuer.fetches(),
        2,
        "refreshes for unknown kids are rate-limited"
    );

    // The metadata document names the resource, the issuer and the scopes.
    let challenge = server.challenge(None).await;
    assert!(
        challenge.contains(
            "resource_metadata=\"https://tools.test/.well-known/oauth-protected-resource/mcp\""
        ),
        "{challenge}"
    );
    let doc: Value = reqwest::get(format!(
        "{}/.well-known/oauth-protected-resource/mcp",
        server.base()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(doc["resource"], AUDIENCE);
    assert_eq!(doc["authorization_servers"], json!([issuer.url]));
    let scopes = doc["scopes_supported"].as_array().unwrap();
    assert!(scopes.contains(&json!("tools:*")) && scopes.contains(&json!("tools:calc")));
    let logs = server.stderr();
    assert!(logs.contains("jwt:alice@example.test"), "{logs}");
    assert!(!logs.contains(&valid), "a token reached the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mcp_python_sdk_connects_with_a_bearer_token() {
    let python = installed(
        "mcp-venv/bin/python",
        "python3 -m venv target/mcp-venv && target/mcp-venv/bin/pip install -r tests/clients/requirements.txt",
    );
    let reg = registry();
    let file = reg.dir.path().join("tokens.yaml");
    let token = new_token(&reg, &file, "sdk", &["--tools", "calc"]).await;
    let server = Server::start(&reg, &["--auth-tokens", file.to_str().unwrap()]).await;
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients/mcp_python_sdk_bearer.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .args([&server.url, &token])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let seen: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(seen["tools"], json!(["calc"]));
    assert_eq!(seen["calc"], 42.0);
    assert_eq!(seen["without_token"], 401);
}
