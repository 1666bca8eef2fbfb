//! The issuer's signing keys (its JWKS), fetched at start, kept, and fetched again when
//! a token names a key id the cache does not know (the issuer rotated its keys), at most
//! once per [`JwksCache::UNKNOWN_KID_COOLDOWN`] so a stream of forged `kid`s cannot make
//! the server hammer the issuer. The set is also refreshed once it is an hour old, so a
//! key the issuer withdrew stops being accepted.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use super::fetch::{FetchError, get_json};

/// A key the server verifies signatures with, and the algorithms it may be used with.
#[derive(Clone)]
pub struct VerifyingKey {
    pub kid: Option<String>,
    pub key: DecodingKey,
    /// Never HS*: an issuer's public key is not a shared secret (the algorithm-confusion
    /// attack signs HS256 with it).
    pub algorithms: Vec<Algorithm>,
}

/// Asymmetric algorithms a JWKS key may be used with.
const ALLOWED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

pub fn is_allowed(alg: Algorithm) -> bool {
    ALLOWED.contains(&alg)
}

struct KeySet {
    keys: Vec<VerifyingKey>,
    fetched_at: Instant,
}

pub struct JwksCache {
    client: reqwest::Client,
    url: String,
    keys: RwLock<KeySet>,
    /// When a refresh for an unknown `kid` last ran; held while one runs, so concurrent
    /// requests with the same new `kid` wait for one fetch.
    last_unknown_kid_refresh: Mutex<Option<Instant>>,
}

#[derive(Deserialize)]
struct SetDoc {
    keys: Vec<serde_json::Value>,
}

impl JwksCache {
    /// Least time between two refreshes caused by unknown key ids.
    pub const UNKNOWN_KID_COOLDOWN: Duration = Duration::from_secs(30);
    /// Age past which the set is fetched again before use.
    pub const MAX_AGE: Duration = Duration::from_secs(3600);

    /// Fetch the set once; `Err` if it cannot be read or holds no usable key.
    pub async fn start(client: reqwest::Client, url: String) -> Result<Self, FetchError> {
        let keys = fetch(&client, &url).await?;
        if keys.is_empty() {
            return Err(FetchError::Invalid {
                url,
                message: "the set holds no signing key this server can use (RSA, EC P-256/P-384 \
                          or Ed25519, `use: sig`)"
                    .into(),
            });
        }
        Ok(JwksCache {
            client,
            url,
            keys: RwLock::new(KeySet {
                keys,
                fetched_at: Instant::now(),
            }),
            last_unknown_kid_refresh: Mutex::new(None),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key a token's header names (its `kid`; without one, the set's only key).
    pub async fn find(&self, kid: Option<&str>) -> Option<VerifyingKey> {
        if self.keys.read().await.fetched_at.elapsed() > Self::MAX_AGE {
            self.refresh().await;
        }
        if let Some(key) = self.lookup(kid).await {
            return Some(key);
        }
        kid?;
        {
            let mut last = self.last_unknown_kid_refresh.lock().await;
            if last.is_some_and(|t| t.elapsed() < Self::UNKNOWN_KID_COOLDOWN) {
                return None;
            }
            *last = Some(Instant::now());
            self.refresh().await;
        }
        self.lookup(kid).await
    }

    async fn lookup(&self, kid: Option<&str>) -> Option<VerifyingKey> {
        let set = self.keys.read().await;
        match kid {
            Some(kid) => set
                .keys
                .iter()
                .find(|k| k.kid.as_deref() == Some(kid))
                .cloned(),
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        }
    }

    /// Fetch the set again; a failure keeps the keys already known.
    async fn refresh(&self) {
        match fetch(&self.client, &self.url).await {
            Ok(keys) if !keys.is_empty() => {
                tracing::info!(
                    "auth: fetched {} signing keys from {}",
                    keys.len(),
                    self.url
                );
                *self.keys.write().await = KeySet {
                    keys,
                    fetched_at: Instant::now(),
                };
            }
            Ok(_) => tracing::warn!(
                "auth: {} now holds no usable signing key; keeping the previous ones",
                self.url
            ),
            Err(e) => tracing::warn!("auth: keeping the previous signing keys: {e}"),
        }
    }
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<Vec<VerifyingKey>, FetchError> {
    let doc: SetDoc = get_json(client, url).await?;
    Ok(doc.keys.iter().filter_map(verifying_key).collect())
}

/// A set member the server can verify with; keys for encryption, symmetric keys and
/// unknown types are skipped (an issuer's set may hold them for other uses).
fn verifying_key(value: &serde_json::Value) -> Option<VerifyingKey> {
    let jwk: Jwk = serde_json::from_value(value.clone()).ok()?;
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    let family: &[Algorithm] = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => &ALLOWED[..6],
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => &[Algorithm::ES256],
            EllipticCurve::P384 => &[Algorithm::ES384],
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            &[Algorithm::EdDSA]
        }
        _ => return None,
    };
    let algorithms = match jwk.common.key_algorithm {
        // A key that names its algorithm is used with that one only.
        Some(named) => {
            let alg = Algorithm::try_from(named).ok()?;
            if !family.contains(&alg) {
                return None;
            }
            vec![alg]
        }
        None => family.to_vec(),
    };
    Some(VerifyingKey {
        kid: jwk.common.key_id.clone(),
        key: DecodingKey::from_jwk(&jwk).ok()?,
        algorithms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_asymmetric_signing_keys_are_kept() {
        let rsa = json!({"kty": "RSA", "kid": "r", "n": "sXch", "e": "AQAB"});
        let key = verifying_key(&rsa).unwrap();
        assert_eq!(key.kid.as_deref(), Some("r"));
        assert!(key.algorithms.contains(&Algorithm::RS256));
        assert!(!key.algorithms.iter().any(|a| !is_allowed(*a)));

        let named = json!({"kty": "RSA", "kid": "r", "alg": "PS256", "n": "sXch", "e": "AQAB"});
        assert_eq!(
            verifying_key(&named).unwrap().algorithms,
            [Algorithm::PS256]
        );

        let mismatched = json!({"kty": "RSA", "alg": "ES256", "n": "sXch", "e": "AQAB"});
        assert!(verifying_key(&mismatched).is_none());
        let hmac = json!({"kty": "oct", "kid": "h", "k": "c2VjcmV0"});
        assert!(verifying_key(&hmac).is_none());
        let rsa_hs = json!({"kty": "RSA", "alg": "HS256", "n": "sXch", "e": "AQAB"});
        assert!(verifying_key(&rsa_hs).is_none());
        let enc = json!({"kty": "RSA", "use": "enc", "n": "sXch", "e": "AQAB"});
        assert!(verifying_key(&enc).is_none());
        let unknown = json!({"kty": "XYZ"});
        assert!(verifying_key(&unknown).is_none());
    }
}
