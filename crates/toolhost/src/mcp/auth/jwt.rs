//! OAuth 2.1 access tokens as JWTs (`--auth-issuer URL --auth-audience AUD`): the signature
//! against the issuer's published keys, `iss`, `aud` (which must name this server, RFC 8707),
//! `exp` and `nbf` with a small leeway, and an algorithm allowlist: asymmetric algorithms
//! only, each key with its own family (never `none`, never HS*). The `scope` claim (or
//! `scp`) says which tools the caller may call.

use std::collections::HashSet;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use serde::Deserialize;

use super::caller::{Caller, CallerKind};
use super::fetch::{self, FetchError};
use super::jwks::{self, JwksCache};
use super::permissions::ToolPermissions;
use super::refusal::Refusal;

/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub issuer: String,
    pub audience: String,
    /// Where the keys are; found through the issuer's metadata when not given.
    pub jwks_url: Option<String>,
}

pub struct JwtVerifier {
    issuer: String,
    audience: String,
    jwks: JwksCache,
}

#[derive(Deserialize)]
struct AccessClaims {
    sub: Option<String>,
    scope: Option<ScopeClaim>,
    /// Some issuers (Okta, Entra ID) put scopes here instead.
    scp: Option<ScopeClaim>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ScopeClaim {
    Text(String),
    List(Vec<String>),
}

impl ScopeClaim {
    fn scopes(&self) -> Vec<&str> {
        match self {
            ScopeClaim::Text(t) => t.split_whitespace().collect(),
            ScopeClaim::List(l) => l.iter().map(String::as_str).collect(),
        }
    }
}

/// The issuer's metadata: only the key set's address matters here.
#[derive(Deserialize)]
struct IssuerMetadata {
    issuer: String,
    jwks_uri: String,
}

impl JwtVerifier {
    /// Find the issuer's key set and fetch it: a server that cannot verify tokens does not
    /// start.
    pub async fn start(settings: JwtSettings) -> Result<Self, FetchError> {
        fetch::check_url(&settings.issuer)?;
        let client = fetch::client();
        let jwks_url = match settings.jwks_url {
            Some(url) => url,
            None => discover_jwks_url(&client, &settings.issuer).await?,
        };
        let jwks = JwksCache::start(client, jwks_url).await?;
        Ok(JwtVerifier {
            issuer: settings.issuer,
            audience: settings.audience,
            jwks,
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    pub fn jwks_url(&self) -> &str {
        self.jwks.url()
    }

    pub async fn verify(&self, token: &str) -> Result<Caller, Refusal> {
        // `alg: none` (and any name outside the JOSE set) fails here: the header's `alg`
        // is not an algorithm jsonwebtoken knows.
        let header = decode_header(token).map_err(|e| match e.kind() {
            ErrorKind::Json(_) => Refusal::Malformed(
                "its header does not parse or names an unsupported algorithm (`none` is never \
                 accepted)"
                    .into(),
            ),
            _ => Refusal::Malformed("it is not three base64url parts".into()),
        })?;
        if !jwks::is_allowed(header.alg) {
            return Err(Refusal::Algorithm(format!("{:?}", header.alg)));
        }
        let key = self
            .jwks
            .find(header.kid.as_deref())
            .await
            .ok_or_else(|| Refusal::UnknownKey(header.kid.clone().unwrap_or("none".into())))?;
        if !key.algorithms.contains(&header.alg) {
            return Err(Refusal::Algorithm(format!("{:?}", header.alg)));
        }
        let mut validation = Validation::new(header.alg);
        validation.algorithms = key.algorithms.clone();
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.required_spec_claims =
            HashSet::from(["exp", "iss", "aud", "sub"].map(String::from));
        let claims = decode::<AccessClaims>(token, &key.key, &validation)
            .map_err(|e| self.refusal(e.kind()))?
            .claims;
        let name = claims
            .sub
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Refusal::MissingClaim("sub".into()))?;
        let scopes: Vec<&str> = claims
            .scope
            .iter()
            .chain(claims.scp.iter())
            .flat_map(ScopeClaim::scopes)
            .collect();
        Ok(Caller {
            name: printable(&name),
            kind: CallerKind::Jwt,
            permissions: ToolPermissions::from_scopes(scopes),
        })
    }

    fn refusal(&self, kind: &ErrorKind) -> Refusal {
        match kind {
            ErrorKind::ExpiredSignature => Refusal::Expired,
            ErrorKind::ImmatureSignature => Refusal::NotYetValid,
            ErrorKind::InvalidIssuer => Refusal::WrongIssuer(self.issuer.clone()),
            ErrorKind::InvalidAudience => Refusal::WrongAudience(self.audience.clone()),
            ErrorKind::InvalidSignature => Refusal::BadSignature,
            ErrorKind::InvalidAlgorithm => Refusal::Algorithm("of the header".into()),
            ErrorKind::MissingRequiredClaim(claim) => Refusal::MissingClaim(claim.clone()),
            ErrorKind::InvalidClaimFormat(claim) => {
                Refusal::Malformed(format!("its `{claim}` claim has the wrong type"))
            }
            other => Refusal::Malformed(format!("{other:?}")),
        }
    }
}

/// A subject as logs show it: control characters and quotes replaced, at most 128 chars.
fn printable(subject: &str) -> String {
    subject
        .chars()
        .take(128)
        .map(|c| if c.is_control() || c == '"' { '?' } else { c })
        .collect()
}

/// The key set's address from the issuer's metadata: RFC 8414
/// (`/.well-known/oauth-authorization-server`, inserted before the issuer's path), else
/// OpenID Connect discovery (`/.well-known/openid-configuration`, appended). The document
/// must name the same issuer.
async fn discover_jwks_url(client: &reqwest::Client, issuer: &str) -> Result<String, FetchError> {
    let url = fetch::check_url(issuer)?;
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    let candidates = [
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
        format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        ),
    ];
    let mut last_error = None;
    for candidate in candidates {
        match fetch::get_json::<IssuerMetadata>(client, &candidate).await {
            Ok(meta) if meta.issuer == issuer => return Ok(meta.jwks_uri),
            Ok(meta) => {
                return Err(FetchError::Invalid {
                    url: candidate,
                    message: format!(
                        "the metadata names issuer {}, not {issuer} (give the issuer exactly \
                         as its tokens' `iss` says)",
                        meta.issuer
                    ),
                });
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.expect("two candidates were tried"))
}
