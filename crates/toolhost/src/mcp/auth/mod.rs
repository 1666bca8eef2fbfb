//! Who may call what over HTTP: every request to the MCP endpoint carries a bearer token,
//! either one of the static tokens of `--auth-tokens FILE` or an OAuth 2.1 access token
//! (a JWT) from `--auth-issuer`. The token decides the [`Caller`]: its name (what logs
//! record, never the token) and the tools it may call. The MCP handler reads the caller
//! from the request context and lists, calls and runs Python with its tools only.
//!
//! Without credentials (or with bad ones) the answer is 401 with
//! `WWW-Authenticate: Bearer resource_metadata="…"`, pointing at the Protected Resource
//! Metadata document (RFC 9728) served at `/.well-known/oauth-protected-resource`, as
//! the MCP authorization specification asks.

mod caller;
mod fetch;
mod jwks;
mod jwt;
mod metadata;
mod permissions;
mod refusal;
mod sessions;
pub mod tokens;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

pub use caller::{Caller, CallerKind, caller_of};
pub use fetch::FetchError;
pub use jwt::JwtSettings;
pub use metadata::WELL_KNOWN_PATH;
pub use permissions::{ALL_TOOLS_SCOPE, ToolPermissions, scope_for};
pub use refusal::Refusal;
pub use tokens::TokenFileError;

use jwt::JwtVerifier;
use metadata::ResourceMetadata;
use sessions::SessionOwners;
use tokens::TokenStore;

/// Longest `Authorization` value read (a JWT with many scopes is a few KiB).
const MAX_TOKEN_BYTES: usize = 16 << 10;
const SESSION_HEADER: &str = "mcp-session-id";

/// What `toolhost mcp` was told to accept.
#[derive(Debug, Clone, Default)]
pub struct AuthSettings {
    pub tokens: Option<PathBuf>,
    pub jwt: Option<JwtSettings>,
}

impl AuthSettings {
    pub fn is_configured(&self) -> bool {
        self.tokens.is_some() || self.jwt.is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error(transparent)]
    Tokens(#[from] TokenFileError),
    #[error("--auth-issuer: cannot read the issuer's signing keys: {0}")]
    Issuer(#[from] FetchError),
}

/// Checks the bearer token of every request.
pub struct Authenticator {
    tokens: Option<TokenStore>,
    jwt: Option<JwtVerifier>,
    metadata: ResourceMetadata,
    sessions: SessionOwners,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl Authenticator {
    /// Read the token file and fetch the issuer's keys. `offered` are the tool names the
    /// server offers: token files and scopes are checked and advertised against them.
    pub async fn start(settings: AuthSettings, offered: &[String]) -> Result<Self, AuthSetupError> {
        let tokens = match settings.tokens {
            Some(path) => Some(TokenStore::open(path, offered.to_vec())?),
            None => None,
        };
        let jwt = match settings.jwt {
            Some(jwt) => Some(JwtVerifier::start(jwt).await?),
            None => None,
        };
        let metadata = ResourceMetadata {
            resource: jwt.as_ref().map(|j| j.audience().to_owned()),
            authorization_servers: jwt.iter().map(|j| j.issuer().to_owned()).collect(),
            scopes_supported: std::iter::once(ALL_TOOLS_SCOPE.to_owned())
                .chain(offered.iter().map(|t| scope_for(t)))
                .collect(),
        };
        Ok(Authenticator {
            tokens,
            jwt,
            metadata,
            sessions: SessionOwners::default(),
        })
    }

    /// One line for stderr: what is accepted.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(tokens) = &self.tokens {
            parts.push(format!(
                "bearer tokens from {} ({} listed)",
                tokens.path().display(),
                tokens.listed()
            ));
        }
        if let Some(jwt) = &self.jwt {
            parts.push(format!(
                "OAuth access tokens (JWT) from {} for audience {} (keys: {})",
                jwt.issuer(),
                jwt.audience(),
                jwt.jwks_url()
            ));
        }
        parts.join("; ")
    }

    /// The caller a request's bearer token proves.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, Refusal> {
        let token = bearer_token(headers)?;
        let mut refusal = Refusal::Unknown;
        let mut caller = self.tokens.as_ref().and_then(|t| t.verify(token));
        if caller.is_none()
            && let Some(jwt) = &self.jwt
            && token.bytes().filter(|b| *b == b'.').count() == 2
        {
            match jwt.verify(token).await {
                Ok(c) => caller = Some(c),
                Err(r) => refusal = r,
            }
        }
        let caller = caller.ok_or(refusal)?;
        if caller.permissions.is_empty() {
            return Err(Refusal::NoTools);
        }
        Ok(caller)
    }

    fn refuse(&self, headers: &HeaderMap, refusal: &Refusal) -> Response {
        let mut challenge = format!(
            "Bearer realm=\"toolhost\", resource_metadata=\"{}\"",
            self.metadata.url(headers)
        );
        if let Some(code) = refusal.error_code() {
            challenge.push_str(&format!(
                ", error=\"{code}\", error_description=\"{}\"",
                refusal.to_string().replace(['"', '\\'], "'")
            ));
        }
        if *refusal == Refusal::NoTools {
            challenge.push_str(&format!(", scope=\"{ALL_TOOLS_SCOPE}\""));
        }
        let body = serde_json::json!({
            "error": refusal.error_code().unwrap_or("invalid_request"),
            "error_description": refusal.to_string(),
        });
        let mut response = (refusal.status(), json_body(&body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// The token of the request's one `Authorization: Bearer` header. Tokens in the query
/// string are not read (OAuth 2.1 forbids them: URLs end up in logs).
fn bearer_token(headers: &HeaderMap) -> Result<&str, Refusal> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = values.next().ok_or(Refusal::Missing)?;
    if values.next().is_some() {
        return Err(Refusal::Repeated);
    }
    if value.len() > MAX_TOKEN_BYTES {
        return Err(Refusal::NotBearer);
    }
    let value = value.to_str().map_err(|_| Refusal::NotBearer)?;
    let (scheme, token) = value.split_once(' ').ok_or(Refusal::NotBearer)?;
    let token = token.trim();
    let token68 = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || !token.chars().all(token68) {
        return Err(Refusal::NotBearer);
    }
    Ok(token)
}

/// `router` with every route behind the bearer check, and the metadata document (which
/// must stay public) beside it.
/// `router` behind the bearer check, adding no public routes.
pub fn guard(router: Router, auth: Arc<Authenticator>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(auth, require_bearer))
}

pub fn protect(router: Router, auth: Arc<Authenticator>) -> Router {
    let public = Router::new()
        .route(WELL_KNOWN_PATH, axum::routing::get(metadata_document))
        .route(
            &format!("{WELL_KNOWN_PATH}/{{*resource}}"),
            axum::routing::get(metadata_document),
        )
        .with_state(auth.clone());
    guard(router, auth).merge(public)
}

async fn metadata_document(State(auth): State<Arc<Authenticator>>, headers: HeaderMap) -> Response {
    json_body(&auth.metadata.document(&headers)).into_response()
}

fn json_body(value: &serde_json::Value) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
}

async fn require_bearer(
    State(auth): State<Arc<Authenticator>>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match auth.authenticate(request.headers()).await {
        Ok(caller) => caller,
        Err(refusal) => {
            if refusal == Refusal::Missing {
                tracing::debug!(
                    "auth: refused {} {}: {refusal}",
                    request.method(),
                    request.uri().path()
                );
            } else {
                tracing::warn!(
                    "auth: refused {} {}: {refusal}",
                    request.method(),
                    request.uri().path()
                );
            }
            return auth.refuse(request.headers(), &refusal);
        }
    };
    let label = caller.label();
    let session = request
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = &session
        && !auth.sessions.may_use(id, &label)
    {
        tracing::warn!("auth: {label} presented another caller's MCP session; refused");
        return (StatusCode::NOT_FOUND, "Not Found: Session not found").into_response();
    }
    let deleting = request.method() == Method::DELETE;
    request.extensions_mut().insert(caller);
    let span = tracing::info_span!("mcp_http", caller = %label);
    let response = next.run(request).instrument(span).await;
    match &session {
        None => {
            if let Some(id) = response
                .headers()
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
            {
                auth.sessions.opened(id.to_owned(), label);
            }
        }
        Some(id) if deleting && response.status().is_success() => auth.sessions.closed(id),
        Some(_) => {}
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for a in authorization {
            h.append(header::AUTHORIZATION, a.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_one_bearer_header_with_a_token68_is_read() {
        assert_eq!(bearer_token(&headers(&["Bearer th_abc"])), Ok("th_abc"));
        assert_eq!(bearer_token(&headers(&["bearer a.b.c"])), Ok("a.b.c"));
        assert_eq!(bearer_token(&headers(&[])), Err(Refusal::Missing));
        assert_eq!(
            bearer_token(&headers(&["Basic dXNlcjpw"])),
            Err(Refusal::NotBearer)
        );
        assert_eq!(
            bearer_token(&headers(&["Bearer "])),
            Err(Refusal::NotBearer)
        );
        assert_eq!(
            bearer_token(&headers(&["Bearer a\"b"])),
            Err(Refusal::NotBearer)
        );
        assert_eq!(
            bearer_token(&headers(&["Bearer a", "Bearer b"])),
            Err(Refusal::Repeated)
        );
    }
}
