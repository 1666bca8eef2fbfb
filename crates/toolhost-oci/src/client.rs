//! Talking to an OCI registry: `oci://` references, the client (plain HTTP only for
//! loopback registries, as docker treats them), credentials, and the client's errors
//! mapped to toolhost's stable codes.

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use std::time::Duration;

use toolhost_core::{ErrorCode, ToolError};

/// A parsed `oci://HOST[:PORT]/REPO[:TAG][@sha256:HEX]`.
#[derive(Debug, Clone)]
pub struct OciReference {
    /// As written, `oci://` included (what a registry entry's `component:` holds).
    pub text: String,
    pub reference: Reference,
}

impl OciReference {
    pub fn parse(text: &str) -> Result<Self, ToolError> {
        let bad = |why: String| {
            ToolError::new(
                ErrorCode::InvalidInput,
                format!(
                    "`{text}` is not an OCI reference ({why}): expected \
                     oci://HOST[:PORT]/REPOSITORY:TAG"
                ),
            )
        };
        let rest = text
            .strip_prefix("oci://")
            .ok_or_else(|| bad("it does not start with oci://".to_owned()))?;
        if !rest
            .split_once('/')
            .is_some_and(|(host, _)| host.contains(['.', ':']) || host == "localhost")
        {
            // Without this, "oci://echo:1" would silently mean docker.io/library/echo.
            return Err(bad("it names no registry host".to_owned()));
        }
        let reference = Reference::try_from(rest).map_err(|e| bad(e.to_string()))?;
        Ok(OciReference {
            text: text.to_owned(),
            reference,
        })
    }

    /// The same repository at manifest `digest` (how pinned entries are fetched: a tag is
    /// never followed after `add`).
    pub fn at_digest(&self, digest: &str) -> Reference {
        Reference::with_digest(
            self.reference.registry().to_owned(),
            self.reference.repository().to_owned(),
            digest.to_owned(),
        )
    }

    /// The same repository at `tag`.
    pub fn at_tag(&self, tag: &str) -> Reference {
        Reference::with_tag(
            self.reference.registry().to_owned(),
            self.reference.repository().to_owned(),
            tag.to_owned(),
        )
    }

    /// `HOST/REPO`, what cosign's payload names.
    pub fn repository(&self) -> String {
        format!(
            "{}/{}",
            self.reference.registry(),
            self.reference.repository()
        )
    }

    /// The default tool name: the repository's last segment, made a valid tool name.
    pub fn tool_name(&self) -> String {
        let last = self
            .reference
            .repository()
            .rsplit('/')
            .next()
            .unwrap_or("tool");
        crate::tool_name_from(last)
    }
}

/// Whether `host` (maybe with a port) is this machine: such registries are spoken to over
/// plain HTTP, as docker does for them without configuration.
fn is_loopback(registry: &str) -> bool {
    let host = match registry.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => registry,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A client for `reference`'s registry.
pub fn client_for(reference: &Reference) -> Client {
    let registry = reference.registry().to_owned();
    let protocol = if is_loopback(&registry) {
        ClientProtocol::HttpsExcept(vec![registry])
    } else {
        ClientProtocol::Https
    };
    Client::new(ClientConfig {
        protocol,
        connect_timeout: Some(Duration::from_secs(10)),
        read_timeout: Some(Duration::from_secs(60)),
        ..ClientConfig::default()
    })
}

/// Credentials: `TOOLHOST_OCI_USERNAME` and `TOOLHOST_OCI_PASSWORD` when set (a token as
/// the password works for ghcr.io and most registries), else anonymous.
pub fn auth() -> RegistryAuth {
    match (
        std::env::var("TOOLHOST_OCI_USERNAME"),
        std::env::var("TOOLHOST_OCI_PASSWORD"),
    ) {
        (Ok(user), Ok(password)) if !user.is_empty() => RegistryAuth::Basic(user, password),
        _ => RegistryAuth::Anonymous,
    }
}

/// An OCI client error as a toolhost error: an unreachable registry is `unavailable`, an
/// unknown repository, tag or digest `not_found`, a refusal `denied`.
pub fn oci_error(what: &str, e: OciDistributionError) -> ToolError {
    use oci_client::errors::OciErrorCode;
    let code = match &e {
        OciDistributionError::RequestError(r) if r.is_connect() || r.is_timeout() => {
            ErrorCode::Unavailable
        }
        OciDistributionError::RequestError(_) => ErrorCode::Unavailable,
        OciDistributionError::ImageManifestNotFoundError(_) => ErrorCode::NotFound,
        OciDistributionError::RegistryError { envelope, .. }
            if envelope.errors.iter().any(|e| {
                matches!(
                    e.code,
                    OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::BlobUnknown
                        | OciErrorCode::NotFound
                )
            }) =>
        {
            ErrorCode::NotFound
        }
        OciDistributionError::ServerError { code: 404, .. } => ErrorCode::NotFound,
        OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => ErrorCode::Denied,
        OciDistributionError::DigestError(_) => ErrorCode::DigestMismatch,
        _ => ErrorCode::Internal,
    };
    let hint = match code {
        ErrorCode::Unavailable => " (is the registry running and reachable?)",
        ErrorCode::Denied => " (credentials: TOOLHOST_OCI_USERNAME and TOOLHOST_OCI_PASSWORD)",
        _ => "",
    };
    ToolError::new(code, format!("{what}: {e}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_registries_are_plain_http_and_others_https() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("ghcr.io"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }

    #[test]
    fn references_must_name_their_registry() {
        let r = OciReference::parse("oci://127.0.0.1:5000/tools/word-count:1.0").unwrap();
        assert_eq!(r.reference.registry(), "127.0.0.1:5000");
        assert_eq!(r.reference.repository(), "tools/word-count");
        assert_eq!(r.reference.tag(), Some("1.0"));
        assert_eq!(r.tool_name(), "word-count");
        assert_eq!(r.repository(), "127.0.0.1:5000/tools/word-count");
        assert!(OciReference::parse("oci://echo:1").is_err());
        assert!(OciReference::parse("https://ghcr.io/a/b:1").is_err());
    }
}
