//! `toolhost mcp`'s authentication flags, and the rule that an HTTP server other machines
//! can reach does not run open: it needs `--auth-tokens` or `--auth-issuer`, or an
//! explicit `--no-auth`.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::ExitCode;
use crate::mcp::auth::{AuthSettings, Authenticator, JwtSettings};

#[derive(Args, Debug, Default)]
pub struct AuthArgs {
    /// Accept the bearer tokens listed (by SHA-256) in FILE, each with the tools it may
    /// call; `toolhost token new NAME --file FILE` adds one.
    #[arg(long = "auth-tokens", value_name = "FILE")]
    tokens: Option<PathBuf>,
    /// Accept OAuth 2.1 access tokens (JWTs) from this issuer, checked against the keys
    /// its metadata publishes; scopes tools:NAME / tools:* say which tools.
    #[arg(long = "auth-issuer", value_name = "URL", requires = "audience")]
    issuer: Option<String>,
    /// The audience those tokens must name: this server, as its resource URL (e.g.
    /// https://tools.example.com/mcp).
    #[arg(long = "auth-audience", value_name = "AUD", requires = "issuer")]
    audience: Option<String>,
    /// The issuer's key set (JWKS), when its metadata does not say where it is.
    #[arg(long = "auth-jwks-url", value_name = "URL", requires = "issuer")]
    jwks_url: Option<String>,
    /// Serve a non-loopback --http address without authentication: anyone who can reach
    /// it may call every tool.
    #[arg(long = "no-auth", conflicts_with_all = ["tokens", "issuer", "audience", "jwks_url"])]
    no_auth: bool,
}

impl AuthArgs {
    fn settings(&self) -> AuthSettings {
        AuthSettings {
            tokens: self.tokens.clone(),
            jwt: self.issuer.as_ref().map(|issuer| JwtSettings {
                issuer: issuer.clone(),
                audience: self.audience.clone().unwrap_or_default(),
                jwks_url: self.jwks_url.clone(),
            }),
        }
    }

    /// The authenticator to serve with, `None` to serve without; `Err` (said on stderr)
    /// when the server must not start.
    pub async fn resolve(
        &self,
        http: Option<SocketAddr>,
        offered: &[String],
    ) -> Result<Option<Arc<Authenticator>>, ExitCode> {
        let settings = self.settings();
        let Some(addr) = http else {
            if settings.is_configured() || self.no_auth {
                eprintln!(
                    "toolhost: --auth-tokens, --auth-issuer and --no-auth apply to --http (over \
                     stdio the client starts the server itself)"
                );
                return Err(ExitCode::Usage);
            }
            return Ok(None);
        };
        if !settings.is_configured() {
            if self.no_auth {
                eprintln!(
                    "toolhost: warning: --no-auth: no authentication; anyone who can reach {addr} \
                     can call every tool"
                );
                return Ok(None);
            }
            if addr.ip().is_loopback() {
                return Ok(None);
            }
            eprintln!(
                "toolhost: refusing to serve {addr} without authentication: anyone who can reach \
                 it could call every tool. Give --auth-tokens FILE (see `toolhost token new`) \
                 and/or --auth-issuer URL --auth-audience AUD, or --no-auth to serve it open"
            );
            return Err(ExitCode::Usage);
        }
        match Authenticator::start(settings, offered).await {
            Ok(auth) => {
                eprintln!("toolhost: authentication: {}", auth.summary());
                Ok(Some(Arc::new(auth)))
            }
            Err(e) => {
                eprintln!("toolhost: {e}");
                Err(ExitCode::Host)
            }
        }
    }
}
