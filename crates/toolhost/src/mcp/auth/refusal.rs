//! Why a request's credentials were refused. The text goes into the log and into the
//! 401's `error_description`, so it never quotes the token.

use axum::http::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no bearer token (send `Authorization: Bearer TOKEN`)")]
    Missing,
    #[error("the Authorization header is not `Bearer TOKEN`")]
    NotBearer,
    #[error("more than one Authorization header")]
    Repeated,
    #[error("the token is not one this server knows")]
    Unknown,
    #[error("the token is not a JWT this server accepts: {0}")]
    Malformed(String),
    #[error(
        "the JWT's algorithm {0} is not accepted (RS*, PS*, ES256, ES384 or EdDSA, as its key allows)"
    )]
    Algorithm(String),
    #[error("the JWT is signed with a key the issuer does not publish (kid {0})")]
    UnknownKey(String),
    #[error("the JWT's signature does not verify")]
    BadSignature,
    #[error("the JWT has expired")]
    Expired,
    #[error("the JWT is not valid yet (nbf)")]
    NotYetValid,
    #[error("the JWT's issuer is not {0}")]
    WrongIssuer(String),
    #[error("the JWT's audience does not name this server ({0})")]
    WrongAudience(String),
    #[error("the JWT has no `{0}` claim")]
    MissingClaim(String),
    #[error("the token grants no tool (a scope such as tools:NAME or tools:*)")]
    NoTools,
}

impl Refusal {
    /// 401, except a valid token that grants nothing (403, RFC 6750 `insufficient_scope`).
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::NoTools => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The RFC 6750 error code; none when no credentials were sent.
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Refusal::Missing => None,
            Refusal::NotBearer | Refusal::Repeated => Some("invalid_request"),
            Refusal::NoTools => Some("insufficient_scope"),
            _ => Some("invalid_token"),
        }
    }
}
