//! What authentication adds to each HTTP request, through the same `Authenticator` the
//! server's middleware calls:
//!
//! ```text
//! cargo bench -p toolhost --bench auth
//! ```
//!
//! - a static token checked against a file of 100 entries (hash, then a constant-time
//!   comparison with every entry), and a token that is not listed;
//! - an ES256 JWT access token verified against a JWKS (served on 127.0.0.1 and cached:
//!   the fetch happens once, before timing).
//!
//! Figures are medians (and p99) of 20,000 checks after 1,000 warm-up ones.

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use toolhost::mcp::auth::{AuthSettings, Authenticator, JwtSettings, tokens};

const RUNS: usize = 20_000;
const WARM_UP: usize = 1_000;

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    headers.insert(header::AUTHORIZATION, value);
    headers
}

async fn measure(label: &str, auth: &Authenticator, headers: &HeaderMap, accepted: bool) {
    for _ in 0..WARM_UP {
        assert_eq!(auth.authenticate(headers).await.is_ok(), accepted);
    }
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let outcome = auth.authenticate(headers).await;
        samples.push(started.elapsed());
        assert_eq!(outcome.is_ok(), accepted);
    }
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{label:<44} median {:>7.1} µs   p99 {:>7.1} µs",
        micros(at(0.5)),
        micros(at(0.99))
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let offered: Vec<String> = ["calc", "echo", "run_python"].map(String::from).to_vec();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tokens.yaml");
    let mut last = String::new();
    for i in 0..100 {
        last = tokens::add_token(&file, &format!("client-{i}"), None, &[], &offered)
            .unwrap()
            .token;
    }
    let static_only = Authenticator::start(
        AuthSettings {
            tokens: Some(file.clone()),
            jwt: None,
        },
        &offered,
    )
    .await
    .unwrap();
    measure(
        "static token, 100 listed (the last one)",
        &static_only,
        &bearer(&last),
        true,
    )
    .await;
    measure(
        "static token, 100 listed (not listed)",
        &static_only,
        &bearer("th_not-a-listed-token-at-all"),
        false,
    )
    .await;

    // An issuer on loopback with one EC P-256 key.
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &aws_lc_rs::rand::SystemRandom::new(),
    )
    .unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
    let public = pair.public_key().as_ref().to_vec();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let jwks = json!({ "keys": [{
        "kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "k1",
        "x": URL_SAFE_NO_PAD.encode(&public[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&public[33..65]),
    }]})
    .to_string();
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let body = jwks.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let jwt_only = Authenticator::start(
        AuthSettings {
            tokens: None,
            jwt: Some(JwtSettings {
                issuer: issuer.clone(),
                audience: "https://tools.test/mcp".into(),
                jwks_url: Some(format!("{issuer}/jwks")),
            }),
        },
        &offered,
    )
    .await
    .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut jwt_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    jwt_header.kid = Some("k1".into());
    let token = jsonwebtoken::encode(
        &jwt_header,
        &json!({ "iss": issuer, "aud": "https://tools.test/mcp", "sub": "bench",
                 "scope": "tools:calc tools:echo", "exp": now + 3600 }),
        &jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_ref()),
    )
    .unwrap();
    measure("ES256 JWT, cached JWKS", &jwt_only, &bearer(&token), true).await;
}
